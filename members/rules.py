"""Who may see and change agencies, people and roles; and the part of a user's
standing that comes through their person: their agency, the coalitions it is
an active member of, and their committee seats. django-rules imports this
module at start-up."""

import rules
from django.db.models import FilteredRelation, Q

from coordination import access
from coordination.access import is_organizer_of, organizes_its_coalition, standing

from .models import Membership, Person


def person_standing(user) -> dict:
    """One query, on every page a person's account opens: their person (one
    per account), each active membership of its agency with the coalition's
    name and slug, and each committee seat, joined (a person has a few of
    each, so the rows are a few)."""
    rows = (
        Person.objects.filter(user=user, is_active=True)
        .alias(
            active=FilteredRelation(
                "agency__memberships", condition=Q(agency__memberships__status=Membership.Status.ACTIVE)
            )
        )
        .order_by()
        .values_list(
            "id",
            "agency_id",
            "active__coalition_id",
            "active__coalition__name",
            "active__coalition__slug",
            "committee_memberships__committee_id",
            "committee_memberships__is_lead",
        )
    )
    person_id = agency_id = None
    member_of: set[int] = set()
    labels: dict[int, tuple[str, str]] = {}
    committees: set[int] = set()
    committees_led: set[int] = set()
    for pk, agency, coalition_id, name, slug, committee_id, is_lead in rows:
        person_id, agency_id = pk, agency
        if coalition_id is not None:
            member_of.add(coalition_id)
            labels[coalition_id] = (name, slug)
        if committee_id is not None:
            committees.add(committee_id)
            if is_lead:
                committees_led.add(committee_id)
    if person_id is None:
        return {}
    return {
        "agency_id": agency_id,
        "person_id": person_id,
        "member_of": member_of,
        "committees": committees,
        "committees_led": committees_led,
        "labels": labels,
    }


def agency_filter(user) -> Q:
    """Agencies the user may see: members (of any status) of their coalitions."""
    return Q(memberships__coalition_id__in=standing(user).coalitions) | Q(id=standing(user).agency_id)


@rules.predicate
def is_own_agency(user, agency) -> bool:
    return agency is not None and agency.pk == standing(user).agency_id


@rules.predicate
def organizes_a_coalition_of_agency(user, agency) -> bool:
    if agency is None:
        return False
    return bool(standing(user).organizer_of & agency_coalitions(agency))


def agency_coalitions(agency) -> frozenset[int]:
    """The coalitions an agency belongs to, whatever its status in each: read
    once per agency object, as the rules of one page ask it several times.
    A change of its memberships forgets it (signals.py)."""
    found = agency.__dict__.get(COALITIONS_KEY)
    if found is None:
        found = agency.__dict__[COALITIONS_KEY] = frozenset(agency.memberships.values_list("coalition_id", flat=True))
    return found


COALITIONS_KEY = "_coalition_ids"


def remember_agency_coalitions(agency, coalition_ids) -> None:
    """For a page that reads the agency's memberships anyway."""
    agency.__dict__[COALITIONS_KEY] = frozenset(coalition_ids)


def forget_agency_coalitions(agency) -> None:
    agency.__dict__.pop(COALITIONS_KEY, None)


@rules.predicate
def governs_agency(user, agency) -> bool:
    """An organizer of every coalition the agency belongs to. An agency shared by
    two coalitions is its own: no single coalition's organizers change its
    profile or its people, or add a person who would read the other coalition."""
    if agency is None:
        return False
    coalitions = agency_coalitions(agency)
    return bool(coalitions) and coalitions <= standing(user).organizer_of


def not_governed_by(user) -> Q:
    """Agencies the user does not govern, as a filter (to exclude)."""
    outside = Membership.objects.exclude(coalition_id__in=standing(user).organizer_of)
    return Q(pk__in=outside.values("agency_id"))


@rules.predicate
def can_see_agency(user, agency) -> bool:
    if agency is None:
        return False
    if agency.pk == standing(user).agency_id:
        return True
    return bool(agency_coalitions(agency) & standing(user).coalitions)


def role_coalitions(user, agency) -> frozenset[int]:
    """The coalitions in which the user may change this agency's roles: any of
    theirs for the agency's own representatives, those they organize for others."""
    s = standing(user)
    return s.coalitions if agency.pk == s.agency_id else s.organizer_of


def role_filter(user, agency) -> Q:
    """The agency's roles the user may change, as a filter."""
    return Q(response_area__coalition_id__in=role_coalitions(user, agency))


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
    return is_own_agency(user, person.agency) or governs_agency(user, person.agency)


@rules.predicate
def organizes_a_coalition_of_person(user, person) -> bool:
    return person is not None and organizes_a_coalition_of_agency(user, person.agency)


@rules.predicate
def represents_agency_of_person(user, person) -> bool:
    """The primary representative of the person's agency, in a coalition it is an active member of."""
    if person is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        agency_id=person.agency_id,
        status=Membership.Status.ACTIVE,
        primary_representative__user=user,
        primary_representative__is_active=True,
    ).exists()


@rules.predicate
def governs_agency_of_person(user, person) -> bool:
    """An organizer of every coalition of the person's agency (who may change its people)."""
    return person is not None and governs_agency(user, person.agency)


access.add_standing_source(person_standing)

rules.add_perm("members.view_agency", can_see_agency)
rules.add_perm("members.change_agency", is_own_agency | governs_agency)
rules.add_perm("members.answer_join_request", is_own_agency | governs_agency)
rules.add_perm("members.change_membership", organizes_its_coalition)
# Roles belong to one coalition's response: its organizers record them for any member.
rules.add_perm("members.add_agencyrole", is_own_agency | organizes_a_coalition_of_agency)
rules.add_perm("members.change_agencyrole", can_change_role)
rules.add_perm("members.change_person", can_change_person)
# Any coalition's organizers may invite a person the agency (or whoever governs
# it) has listed, at the address listed: the login goes to that person.
rules.add_perm("members.invite_person", organizes_a_coalition_of_person)
rules.add_perm("members.mark_person_left", governs_agency_of_person | represents_agency_of_person)


# A lost phone or key: an organizer of every coalition the person's login stands in resets
# their second factor (an organizer of one coalition cannot open another's organizer's
# account); an administrator's, never.
@rules.predicate
def organizes_everywhere_person_stands(user, person) -> bool:
    if person is None:
        return False
    if person.user_id is None:  # (the agency page asks before it knows whose row)
        return organizes_a_coalition_of_agency(user, person.agency)
    target = person.user
    if target.is_staff or target.is_superuser:
        return False
    theirs = standing(target).coalitions
    return bool(theirs) and theirs <= standing(user).organizer_of


rules.add_perm("members.reset_second_factor", organizes_everywhere_person_stands)
rules.add_perm("members.manage_response_areas", is_organizer_of)
