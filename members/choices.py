"""The agencies and people a form of a coalition offers, registered as
searchable selects (coordination/autocomplete.py) from apps.py."""

from coordination import autocomplete

from .models import Agency, Person


def agencies(user, coalition):
    return Agency.objects.of_coalition(coalition)


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


def person_label(person) -> str:
    return f"{person.full_name} ({person.agency})" if person.agency_id else person.full_name


def register() -> None:
    autocomplete.register("agency", agencies, ("name",))
    autocomplete.register("person", people, ("full_name",), person_label)
    autocomplete.register("person-any", everyone, ("full_name",), person_label)
