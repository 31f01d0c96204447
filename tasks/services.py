"""Changing action items: every change is checked here, logged as an
update, and refused with a message a person can act on."""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from coordination import events

from .models import ActionItem, ActionUpdate

STALE_AFTER = timedelta(days=30)
SOON = timedelta(days=14)


def _announce(item: ActionItem, old_status: str | None) -> None:
    """Tell the listeners (webhooks) of a new line in the item's log: made
    (no old status), closed (done or dropped now), or else changed."""
    if old_status is None:
        name = "action_item.created"
    elif item.status in ActionItem.CLOSED_STATUSES and old_status not in ActionItem.CLOSED_STATUSES:
        name = "action_item.closed"
    else:
        name = "action_item.changed"
    events.announce(name, item, coalition_id=item.coalition_id)


def _check_due(item: ActionItem, due_on: date | None) -> None:
    if due_on and due_on < timezone.localdate(item.created_at):
        raise ValidationError({"due_on": "The due date cannot be before the day the item was created."})


@transaction.atomic
def create_item(*, created_by, **fields) -> ActionItem:
    item = ActionItem(created_by=created_by, **fields)
    _check_due(item, item.due_on)
    item.save()
    ActionUpdate.objects.create(item=item, author=created_by, new_status=item.status, comment="Created.")
    _announce(item, None)
    return item


@transaction.atomic
def update_status(item: ActionItem, user, *, status: str, comment: str = "", reason: str = "") -> ActionItem:
    """An agency member's (or a lead's) update: a new status and/or a comment."""
    manages = user.has_perm("tasks.manage_actionitem", item)
    if not user.has_perm("tasks.update_actionitem", item):
        raise PermissionDenied("Only the owning agency and the coalition's organizers and leads can update this item.")
    if not item.is_open and not manages:
        raise ValidationError("This item is closed. Ask a lead or an organizer to reopen it if there is more to do.")
    if status == ActionItem.Status.DROPPED and not manages:
        raise ValidationError({"status": "Only a lead or an organizer can drop an item."})
    if status in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED) and not reason.strip():
        raise ValidationError({"reason": "Say why it is blocked or dropped, so others can help."})
    old = item.status
    _apply_status(item, status, reason)
    item.last_update_at = timezone.now()
    item.save()
    ActionUpdate.objects.create(
        item=item, author=user, old_status=old, new_status=status if status != old else "", comment=comment.strip()
    )
    _announce(item, old)
    return item


@transaction.atomic
def record_update(item: ActionItem, user, *, status: str, comment: str = "", reason: str = "") -> ActionUpdate:
    """The item page's update form (and the API's): a lead or an organizer may
    also close or reopen through it; anyone must change something. The line it
    writes in the item's log."""
    ActionItem.objects.select_for_update().filter(pk=item.pk).first()  # one update of an item at a time
    kept_reason = reason.strip() if status in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED) else ""
    if status == item.status and not comment.strip() and kept_reason == item.status_reason:
        raise ValidationError("Nothing changed: choose a new status or write a comment.")
    if user.has_perm("tasks.manage_actionitem", item):
        manage(item, user, status=status, status_reason=reason, comment=comment)
    else:
        update_status(item, user, status=status, comment=comment, reason=reason)
    return item.updates.order_by("-pk").first()


def _apply_status(item: ActionItem, status: str, reason: str) -> None:
    item.status = status
    item.status_reason = reason.strip() if status in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED) else ""
    if status == ActionItem.Status.DONE:
        item.completed_at = item.completed_at or timezone.now()
    elif status in ActionItem.OPEN_STATUSES or status == ActionItem.Status.DROPPED:
        item.completed_at = None


@transaction.atomic
def manage(item: ActionItem, user, *, comment: str = "", **changes) -> ActionItem:
    """A lead's or organizer's change: reassign, move the due date, close or reopen."""
    if not user.has_perm("tasks.manage_actionitem", item):
        raise PermissionDenied("Only the coalition's organizers and leads can reassign, reschedule or close items.")
    if "due_on" in changes:
        _check_due(item, changes["due_on"])
    for person in ("assignee", "backup"):
        chosen = changes.get(person, getattr(item, person))
        agency = changes.get("owner_agency", item.owner_agency)
        if chosen is not None and chosen.agency_id != agency.pk:
            raise ValidationError({person: f"{chosen} is not a person of {agency}."})
    described = []
    for name, value in changes.items():
        if name in ("status", "status_reason"):
            continue
        if getattr(item, name) != value:
            label = ActionItem._meta.get_field(name).verbose_name
            described.append(f"{label}: {getattr(item, name) or '—'} → {value or '—'}")
            setattr(item, name, value)
    old = item.status
    if "status" in changes and changes["status"] != item.status:
        reason = changes.get("status_reason", "")
        if changes["status"] in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED) and not reason.strip():
            raise ValidationError({"status_reason": "Say why it is blocked or dropped."})
        _apply_status(item, changes["status"], reason)
    elif item.status in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED):
        reason = changes.get("status_reason", item.status_reason).strip()
        if reason and reason != item.status_reason:  # why it is still blocked, said anew
            described.append(f"Reason: {item.status_reason or '—'} → {reason}")
            item.status_reason = reason
    if not described and old == item.status and not comment.strip():
        return item
    item.last_update_at = timezone.now()
    item.save()
    ActionUpdate.objects.create(
        item=item,
        author=user,
        old_status=old,
        new_status=item.status if item.status != old else "",
        comment=comment.strip(),
        changes="; ".join(described)[:500],
    )
    _announce(item, old)
    return item


@transaction.atomic
def bulk(items, user, *, action: str, **values) -> int:
    """The review board's one form: reassign, extend, or close many items."""
    count = 0
    # Lock only the items themselves: the visibility filter joins nullable relations.
    for item in items.select_for_update(of=("self",)):
        if action == "reassign":
            manage(
                item,
                user,
                owner_agency=values["owner_agency"],
                assignee=values.get("assignee"),
                comment=values.get("comment", ""),
            )
        elif action == "extend":
            manage(item, user, due_on=values["due_on"], comment=values.get("comment", ""))
        elif action == "close":
            manage(
                item,
                user,
                status=values["status"],
                status_reason=values.get("reason", ""),
                comment=values.get("comment", ""),
            )
        count += 1
    return count


# The review board shows this many rows of a group, and this many agencies,
# with the count of the rest and a link to the full list.
BOARD_ROWS = 10
BOARD_AGENCIES = 15


@dataclass
class Group:
    items: list
    count: int
    more_url: str = ""
    more_label: str = ""  # what the link lists, when it is more than the group


def review(items, today: date | None = None, list_url: str = "") -> dict:
    """The lead's review board: overdue by agency (most items first), then
    blocked, silent for a month, and due soon. Each item is in one group, the
    first it belongs to, and shows all its flags; the counts at the top count
    every item with each flag. Each group is counted in the database and
    shows its first rows only, so the board stays small however many items
    are open: a few queries, whatever the rows."""
    today = today or timezone.localdate()
    silent_before = timezone.now() - STALE_AFTER
    overdue_q = Q(due_on__lt=today)
    soon_q = Q(due_on__gte=today, due_on__lte=today + SOON)
    blocked_q = Q(status=ActionItem.Status.BLOCKED)
    stale_q = Q(last_update_at__lt=silent_before)
    # Each item in the first group it belongs to.
    blocked_only = blocked_q & ~overdue_q
    stale_only = stale_q & ~overdue_q & ~blocked_q
    soon_only = soon_q & ~blocked_q & ~stale_q
    counts = items.order_by().aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue_q),
        blocked_all=Count("pk", filter=blocked_q),
        stale_all=Count("pk", filter=stale_q),
        soon_all=Count("pk", filter=soon_q),
        soon=Count("pk", filter=soon_only),
        blocked=Count("pk", filter=blocked_only),
        stale=Count("pk", filter=stale_only),
        agencies=Count("owner_agency", filter=overdue_q, distinct=True),
    )
    agencies = list(
        items.filter(overdue_q)
        .order_by()
        .values("owner_agency_id", "owner_agency__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner_agency__name")[:BOARD_AGENCIES]
    )
    ranked = items.filter(overdue_q, owner_agency_id__in=[a["owner_agency_id"] for a in agencies]).annotate(
        rank=Window(RowNumber(), partition_by=F("owner_agency_id"), order_by=[F("due_on").asc(), F("pk").asc()])
    )
    rows: dict = {}
    for item in ranked.filter(rank__lte=BOARD_ROWS).order_by("due_on", "pk"):
        rows.setdefault(item.owner_agency_id, []).append(item)

    def more(**query) -> str:
        return f"{list_url}?{urlencode(query)}" if list_url else ""

    def first(condition: Q, order: str, count: int, url: str, label: str) -> Group:
        return Group(list(items.filter(condition).order_by(order, "pk")[:BOARD_ROWS]), count, url, label)

    return {
        "today": today,
        "soon_until": today + SOON,
        "silent_before": silent_before,
        "open_count": counts["open"],
        "overdue_count": counts["overdue"],
        "blocked_count": counts["blocked_all"],
        "stale_count": counts["stale_all"],
        "soon_count": counts["soon_all"],
        "overdue_by_agency": [
            (
                a["owner_agency__name"],
                Group(
                    rows.get(a["owner_agency_id"], []), a["n"], more(owner_agency=a["owner_agency_id"], overdue="true")
                ),
            )
            for a in agencies
        ],
        "overdue_agencies_more": counts["agencies"] - len(agencies),
        "overdue_url": more(overdue="true"),
        "due_soon": first(
            soon_only,
            "due_on",
            counts["soon"],
            more(due_after=today.isoformat(), due_before=(today + SOON).isoformat()),
            "every item due in the next 14 days",
        ),
        "blocked": first(blocked_only, "due_on", counts["blocked"], more(status="blocked"), "every blocked item"),
        "stale": first(
            stale_only, "last_update_at", counts["stale"], more(silent="true"), "every item without news for 30 days"
        ),
    }


def hand_on_items(sender, person, by, **kwargs) -> int:
    """A person left their agency (members.events.person_left): each open
    item they were assigned goes to its backup, or else to the agency's
    primary representative in the item's coalition, and they leave the items
    they backed up; each with a line in the item's log. With neither (the
    primary representative left too), the alternate representative. How
    many changed."""
    from members.models import Membership

    items = (
        ActionItem.objects.filter(Q(assignee=person) | Q(backup=person), status__in=ActionItem.OPEN_STATUSES)
        .select_related("backup", "owner_agency")
        .select_for_update(of=("self",))
    )

    def heir_of(membership):
        for representative in (membership.primary_representative, membership.alternate_representative):
            if representative is not None and representative.is_active and representative.pk != person.pk:
                return representative
        return None

    primaries = {
        (m.agency_id, m.coalition_id): heir_of(m)
        # (through an active membership only: an ended one's representative has no standing there)
        for m in Membership.objects.filter(agency_id=person.agency_id, status=Membership.Status.ACTIVE).select_related(
            "primary_representative", "alternate_representative"
        )
    }
    changed = 0
    for item in items:
        described = []
        if item.assignee_id == person.pk:
            backup = item.backup if item.backup and item.backup.is_active and item.backup_id != person.pk else None
            heir = backup or primaries.get((item.owner_agency_id, item.coalition_id))
            described.append(f"Assignee: {person.full_name} → {heir.full_name if heir else '—'}")
            item.assignee = heir
            if heir is not None and item.backup_id == heir.pk:
                described.append(f"Backup: {heir.full_name} → —")
                item.backup = None
        if item.backup_id == person.pk:
            described.append(f"Backup: {person.full_name} → —")
            item.backup = None
        item.last_update_at = timezone.now()
        item.save()
        ActionUpdate.objects.create(
            item=item,
            author=by,
            comment=f"{person.full_name} left {person.agency.name}.",
            changes="; ".join(described)[:500],
        )
        _announce(item, item.status)
        changed += 1
    return changed
