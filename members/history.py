"""An agency's history: every change to its profile, people, memberships,
roles and their contact lines, with who made it, when, and what changed
(django-simple-history)."""

from dataclasses import dataclass

from .models import Agency, AgencyRole, ContactLine, Membership, Person

# Links that mean nothing to a reader (ids); confirmation shows as its own date.
HIDDEN_FIELDS = {"confirmed_by", "id", "user"}


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class Entry:
    when: object
    who: object
    what: str
    action: str
    changes: list[Change]


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _entries(records, label) -> list[Entry]:
    """Records of one object, oldest first, as entries with their differences."""
    entries = []
    previous = None
    for record in records:
        changes = []
        action = ACTIONS[record.history_type]
        if previous is not None and record.history_type == "~":
            confirmed = False
            for change in record.diff_against(previous).changes:
                if change.field == "confirmed_at":
                    confirmed = True
                elif change.field not in HIDDEN_FIELDS:
                    verbose = record.instance_type._meta.get_field(change.field).verbose_name
                    changes.append(Change(str(verbose), change.old, change.new))
            if not changes and not confirmed:
                previous = record
                continue
            if not changes:
                action = "confirmed as current"
        entries.append(Entry(record.history_date, record.history_user, label(record), action, changes))
        previous = record
    return entries


# Each kind of history is read up to this many latest records: a page shows
# the recent past, and one agency's busy decade does not load in full.
WINDOW = 300


def _latest(queryset):
    return reversed(list(queryset.order_by("-history_date")[:WINDOW]))


def _grouped(queryset, key: str):
    groups: dict[int, list] = {}
    for record in _latest(queryset):
        groups.setdefault(getattr(record, key), []).append(record)
    return groups.values()


def agency_history(agency: Agency, coalition_ids, limit: int = 60) -> list[Entry]:
    """The latest changes, newest first, limited to the coalitions the reader may see."""
    entries: list[Entry] = []
    profile = Agency.history.filter(id=agency.pk).select_related("history_user")
    entries += _entries(_latest(profile), lambda r: "Profile")
    people = Person.history.filter(agency_id=agency.pk).select_related("history_user")
    for records in _grouped(people, "id"):
        entries += _entries(records, lambda r: f"Person: {r.full_name}")
    memberships = Membership.history.filter(agency_id=agency.pk, coalition_id__in=coalition_ids).select_related(
        "history_user", "coalition"
    )
    for records in _grouped(memberships, "id"):
        entries += _entries(records, lambda r: f"Membership in {r.coalition}")
    roles = AgencyRole.history.filter(
        agency_id=agency.pk, response_area__coalition_id__in=coalition_ids
    ).select_related("history_user", "response_area")
    for records in _grouped(roles, "id"):
        entries += _entries(records, lambda r: f"Role: {r.response_area}")
    # The lines of those roles, a role deleted since included: a public number's every change.
    lines = ContactLine.history.filter(role_id__in=roles.values("id")).select_related("history_user")
    for records in _grouped(lines, "id"):
        entries += _entries(records, lambda r: f"Contact line: {r.label}")
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
