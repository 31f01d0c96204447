"""The agencies and people a form of a coalition offers, registered as
searchable selects (coordination/autocomplete.py) from apps.py."""

from django.db.models import Q

from coordination import autocomplete

from .models import Agency, JoinRequest, Membership, Person
from .rules import agency_filter, not_governed_by


def agencies(user, coalition):
    return Agency.objects.of_coalition(coalition)


def active_agencies(user, coalition):
    """The coalition's active member agencies: who can present an activity."""
    return Agency.objects.of_coalition(coalition, Membership.Status.ACTIVE)


def people(user, coalition):
    """The active people of the coalition's agencies: whom an item can be given to."""
    return (
        Person.objects.filter(agency__in=Agency.objects.of_coalition(coalition), is_active=True)
        .select_related("agency")
        .order_by("full_name", "pk")
    )


def everyone(user, coalition):
    """Active or not: a list is filtered by whom its items were given to."""
    return (
        Person.objects.filter(agency__in=Agency.objects.of_coalition(coalition))
        .select_related("agency")
        .order_by("full_name", "pk")
    )


def invitable_agencies(user, coalition):
    """The agencies whose new people the user may invite to log in: active or
    prospective members they govern. A login for a new person of an agency
    shared with another coalition would read that coalition too."""
    return Agency.objects.of_coalition(coalition, Membership.Status.ACTIVE, Membership.Status.PROSPECTIVE).exclude(
        not_governed_by(user)
    )


def committee_people(user, coalition):
    """Who may sit on a committee: the active people of the coalition's member
    agencies, its organizers and leads, and those already on its committees."""
    return (
        Person.objects.filter(is_active=True)
        .filter(
            Q(agency__memberships__coalition=coalition)
            | Q(user__coalition_roles__coalition=coalition)
            | Q(committee_memberships__committee__coalition=coalition)
        )
        .select_related("agency")
        .distinct()
        .order_by("full_name", "pk")
    )


def joinable_agencies(user, coalition):
    """The agencies suggested to join the coalition by name: those the user
    already sees and those in the public directory, never the rest of the
    deployment, less its members and those already asked."""
    return (
        Agency.objects.filter(agency_filter(user) | Q(listed_publicly=True))
        .exclude(memberships__coalition=coalition)
        .exclude(join_requests__coalition=coalition, join_requests__status=JoinRequest.Status.PENDING)
        .distinct()
        .order_by("name", "pk")
    )


def person_label(person) -> str:
    return f"{person.full_name} ({person.agency})" if person.agency_id else person.full_name


def register() -> None:
    autocomplete.register("agency", agencies, ("name",))
    autocomplete.register("active-agency", active_agencies, ("name",))
    autocomplete.register("person", people, ("full_name",), person_label)
    autocomplete.register("person-any", everyone, ("full_name",), person_label)
    autocomplete.register("invitable-agency", invitable_agencies, ("name",))
    autocomplete.register("committee-person", committee_people, ("full_name",), person_label)
    autocomplete.register("joinable-agency", joinable_agencies, ("name",))
