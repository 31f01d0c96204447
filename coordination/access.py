"""Who may see and change what: the one place that decides.

A user's *standing* is read once per request (three queries) and kept on the
user object: the coalitions they organize, lead, or belong to through their
agency, and the committees they sit on. Queryset filters (`visible_to`) and the
django-rules predicates below both read it, so a list and a detail page can
never disagree.

- Organizers manage everything in their coalition, restricted committees included.
- Leads read everything in their coalition except restricted committees they
  are not on.
- Agency members (a login linked to a person of an agency with an active
  membership) read their coalition's open committees and the committees they
  sit on; they change only their own agency.
- Reports (aggregate counts) are for organizers and leads; activities are
  recorded by them or by the presenting agency's people.
- Nobody sees a coalition they have no standing in.
"""

from dataclasses import dataclass

import rules
from django.db.models import Q


@dataclass(frozen=True)
class Standing:
    organizer_of: frozenset[int] = frozenset()
    lead_of: frozenset[int] = frozenset()
    member_of: frozenset[int] = frozenset()
    agency_id: int | None = None
    person_id: int | None = None
    committees: frozenset[int] = frozenset()
    committees_led: frozenset[int] = frozenset()

    @property
    def coalitions(self) -> frozenset[int]:
        return self.organizer_of | self.lead_of | self.member_of

    @property
    def staff_of(self) -> frozenset[int]:
        """Coalitions where the user reads everything but restricted committees."""
        return self.organizer_of | self.lead_of


NOBODY = Standing()


def standing(user) -> Standing:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_standing", None)
    if cached is None:
        cached = user._standing = _load_standing(user)
    return cached


def forget_standing(user) -> None:
    """Call after changing a user's roles within the same request."""
    user.__dict__.pop("_standing", None)


def _load_standing(user) -> Standing:
    from coordination.models import CoalitionRole, CommitteeMember
    from members.models import Membership, Person

    organizer_of, lead_of = set(), set()
    for coalition_id, role in CoalitionRole.objects.filter(user=user).values_list("coalition_id", "role"):
        (organizer_of if role == CoalitionRole.Role.ORGANIZER else lead_of).add(coalition_id)

    person = Person.objects.filter(user=user, is_active=True).values("id", "agency_id").first()
    member_of: set[int] = set()
    committees: set[int] = set()
    committees_led: set[int] = set()
    if person:
        if person["agency_id"]:
            member_of = set(
                Membership.objects.filter(agency_id=person["agency_id"], status=Membership.Status.ACTIVE).values_list(
                    "coalition_id", flat=True
                )
            )
        for committee_id, is_lead in CommitteeMember.objects.filter(person_id=person["id"]).values_list(
            "committee_id", "is_lead"
        ):
            committees.add(committee_id)
            if is_lead:
                committees_led.add(committee_id)
    return Standing(
        organizer_of=frozenset(organizer_of),
        lead_of=frozenset(lead_of),
        member_of=frozenset(member_of),
        agency_id=person["agency_id"] if person else None,
        person_id=person["id"] if person else None,
        committees=frozenset(committees),
        committees_led=frozenset(committees_led),
    )


# --- Queryset filters -------------------------------------------------------


def coalition_filter(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}id__in": standing(user).coalitions})


def committee_filter(user, prefix: str = "") -> Q:
    """Committees the user may see; `prefix` lets other models filter through a
    foreign key (e.g. prefix="committee__")."""
    from coordination.models import Committee

    s = standing(user)
    v = Committee.Visibility
    return (
        Q(**{f"{prefix}coalition_id__in": s.organizer_of})
        | Q(**{f"{prefix}coalition_id__in": s.lead_of, f"{prefix}visibility__in": [v.OPEN, v.MEMBERS]})
        | Q(**{f"{prefix}coalition_id__in": s.member_of, f"{prefix}visibility": v.OPEN})
        | Q(**{f"{prefix}id__in": s.committees})
    )


def committee_or_none_filter(user) -> Q:
    """For rows of the coalition itself (no committee) or of a committee the user may see."""
    return Q(committee__isnull=True) | committee_filter(user, prefix="committee__")


def agency_filter(user) -> Q:
    """Agencies the user may see: members (of any status) of their coalitions."""
    return Q(memberships__coalition_id__in=standing(user).coalitions) | Q(id=standing(user).agency_id)


# --- Predicates (object-level permissions through django-rules) -------------


@rules.predicate
def is_organizer_of(user, coalition) -> bool:
    return coalition is not None and coalition.pk in standing(user).organizer_of


@rules.predicate
def is_lead_of(user, coalition) -> bool:
    return coalition is not None and coalition.pk in standing(user).lead_of


@rules.predicate
def has_standing_in(user, coalition) -> bool:
    return coalition is not None and coalition.pk in standing(user).coalitions


@rules.predicate
def can_see_committee(user, committee) -> bool:
    from coordination.models import Committee

    s = standing(user)
    v = Committee.Visibility
    cid = committee.coalition_id
    return (
        cid in s.organizer_of
        or committee.pk in s.committees
        or (cid in s.lead_of and committee.visibility != v.RESTRICTED)
        or (cid in s.member_of and committee.visibility == v.OPEN)
    )


@rules.predicate
def organizes_its_coalition(user, obj) -> bool:
    """For anything that belongs to one coalition (a committee, a membership, a meeting)."""
    return obj is not None and obj.coalition_id in standing(user).organizer_of


@rules.predicate
def is_own_agency(user, agency) -> bool:
    return agency is not None and agency.pk == standing(user).agency_id


@rules.predicate
def organizes_a_coalition_of_agency(user, agency) -> bool:
    if agency is None:
        return False
    organizer_of = standing(user).organizer_of
    return bool(organizer_of) and agency.memberships.filter(coalition_id__in=organizer_of).exists()


@rules.predicate
def can_see_agency(user, agency) -> bool:
    if agency is None:
        return False
    if agency.pk == standing(user).agency_id:
        return True
    return agency.memberships.filter(coalition_id__in=standing(user).coalitions).exists()


@rules.predicate
def can_change_role(user, role) -> bool:
    """The agency's own representatives, and organizers of the role's coalition."""
    if role is None:
        return False
    s = standing(user)
    coalition_id = role.response_area.coalition_id
    if role.agency_id == s.agency_id:
        return coalition_id in s.member_of or coalition_id in s.staff_of
    return coalition_id in s.organizer_of


@rules.predicate
def can_change_person(user, person) -> bool:
    if person is None or person.agency_id is None:
        return False
    return is_own_agency(user, person.agency) or organizes_a_coalition_of_agency(user, person.agency)


@rules.predicate
def organizes_a_coalition_of_person(user, person) -> bool:
    return person is not None and organizes_a_coalition_of_agency(user, person.agency)


@rules.predicate
def reads_restricted_parts(user, meeting) -> bool:
    """Restricted minutes and case-review items: the coalition's organizers and
    leads, and for a committee's meeting its members."""
    if meeting is None:
        return False
    s = standing(user)
    on_committee = meeting.committee_id is not None and meeting.committee_id in s.committees
    return meeting.coalition_id in s.staff_of or on_committee


@rules.predicate
def approves_minutes(user, meeting) -> bool:
    """The coalition's leads approve minutes; a committee's leads approve its own."""
    if meeting is None:
        return False
    s = standing(user)
    return meeting.coalition_id in s.lead_of or (
        meeting.committee_id is not None and meeting.committee_id in s.committees_led
    )


@rules.predicate
def updates_action(user, item) -> bool:
    """The owning agency's people, and the coalition's organizers and leads."""
    if item is None:
        return False
    s = standing(user)
    return item.coalition_id in s.staff_of or (item.owner_agency_id == s.agency_id and item.coalition_id in s.member_of)


@rules.predicate
def manages_action(user, item) -> bool:
    """Reassign, move the due date, close, reopen: organizers and leads."""
    return item is not None and item.coalition_id in standing(user).staff_of


@rules.predicate
def is_staff_of(user, coalition) -> bool:
    return coalition is not None and coalition.pk in standing(user).staff_of


@rules.predicate
def changes_activity(user, activity) -> bool:
    """Organizers and leads record any activity; an agency's people record
    the ones their agency presented."""
    if activity is None:
        return False
    s = standing(user)
    return activity.coalition_id in s.staff_of or (
        activity.presenting_agency_id is not None
        and activity.presenting_agency_id == s.agency_id
        and activity.coalition_id in s.member_of
    )


rules.add_perm("coordination.view_coalition", has_standing_in)
rules.add_perm("coordination.add_activity", has_standing_in)
rules.add_perm("coordination.change_activity", changes_activity)
rules.add_perm("coordination.view_reports", is_staff_of)
rules.add_perm("coordination.manage_coalition", is_organizer_of)
rules.add_perm("coordination.invite_to_coalition", is_organizer_of)
rules.add_perm("coordination.view_committee", can_see_committee)
rules.add_perm("coordination.change_committee", organizes_its_coalition)
rules.add_perm("members.view_agency", can_see_agency)
rules.add_perm("members.change_agency", is_own_agency | organizes_a_coalition_of_agency)
rules.add_perm("members.change_membership", organizes_its_coalition)
rules.add_perm("meetings.change_meeting", organizes_its_coalition)
rules.add_perm("meetings.schedule_meeting", is_organizer_of)
rules.add_perm("meetings.read_restricted", reads_restricted_parts)
rules.add_perm("meetings.approve_minutes", approves_minutes)
rules.add_perm("tasks.update_actionitem", updates_action)
rules.add_perm("tasks.manage_actionitem", manages_action)
rules.add_perm("tasks.add_actionitem", is_staff_of)
rules.add_perm("tasks.review_actions", is_staff_of)
rules.add_perm("members.change_agencyrole", can_change_role)
rules.add_perm("members.change_person", can_change_person)
rules.add_perm("members.invite_person", organizes_a_coalition_of_person)
rules.add_perm("members.manage_response_areas", is_organizer_of)
