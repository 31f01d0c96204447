"""Every choice a page offers is something its user may see. For every page
of the URL table (tests/demo_urls.py), as every role, each form and filter the
page renders is read from its context, and every option of every select,
checkbox list or suggestion list must be visible to that user by the rules
below, written here from the product's rules, not read off the forms.

A form offering a kind of row this table does not know fails, so a new select
cannot slip past."""

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.test.utils import ContextList
from django_filters import FilterSet

from coordination.access import standing
from coordination.models import Coalition, Committee
from meetings.models import AgendaItem, Meeting
from members.models import Agency, ContactLine, Person, ResponseArea
from tasks.models import ActionItem

from .demo_urls import ROLES, build_world


def visible_agencies(user):
    """Members (of any status) of the user's coalitions, and their own agency."""
    s = standing(user)
    return Agency.objects.filter(Q(memberships__coalition_id__in=s.coalitions) | Q(pk=s.agency_id))


def visible_people(user):
    """People of those agencies, and the organizers, leads and committee members of the user's coalitions."""
    s = standing(user)
    return Person.objects.filter(
        Q(agency__in=visible_agencies(user))
        | Q(user__coalition_roles__coalition_id__in=s.coalitions)
        | Q(committee_memberships__committee__in=Committee.objects.visible_to(user))
    )


VISIBLE = {
    Coalition: lambda user: Coalition.objects.visible_to(user),
    Agency: visible_agencies,
    Person: visible_people,
    Committee: lambda user: Committee.objects.visible_to(user),
    Meeting: lambda user: Meeting.objects.visible_to(user),
    AgendaItem: lambda user: AgendaItem.objects.filter(meeting__in=Meeting.objects.visible_to(user)),
    ActionItem: lambda user: ActionItem.objects.visible_to(user),
    ResponseArea: lambda user: ResponseArea.objects.filter(coalition_id__in=standing(user).coalitions),
    ContactLine: lambda user: ContactLine.objects.filter(
        role__agency__in=visible_agencies(user), role__response_area__coalition_id__in=standing(user).coalitions
    ),
}


def forms_of(context, filters: bool = True) -> list[BaseForm]:
    """The forms a page was rendered with, its filters' forms too unless told not."""
    found = []
    contexts = context if isinstance(context, ContextList) else [context]
    values = [value for each in contexts for value in each.flatten().values()]
    for value in values:
        values = value if isinstance(value, list | tuple) else [value]
        values = [form for each in values for form in (each.forms if isinstance(each, BaseFormSet) else [each])]
        for candidate in values:
            if isinstance(candidate, FilterSet):
                if not filters:
                    continue
                candidate = candidate.form
            if isinstance(candidate, BaseForm) and candidate not in found:
                found.append(candidate)
    return found


def unseen_choices(form: BaseForm, user) -> list[str]:
    problems = []
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        model = queryset.model
        if model not in VISIBLE:
            problems.append(f"{type(form).__name__}.{name} offers {model.__name__}: add its rule to VISIBLE")
            continue
        hidden = queryset.exclude(pk__in=VISIBLE[model](user).values("pk"))
        problems += [f"{type(form).__name__}.{name} offers {model.__name__} {row!r}" for row in hidden[:5]]
    suggestions = getattr(form, "suggestions", None)  # a datalist of agency names
    if suggestions is not None:
        allowed = visible_agencies(user) | Agency.objects.filter(listed_publicly=True)
        hidden = set(suggestions) - set(allowed.values_list("name", flat=True))
        problems += [f"{type(form).__name__} suggests agency {name!r}" for name in sorted(hidden)[:5]]
    return problems


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_world()
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in ROLES if role != "anon"])
def test_every_choice_offered_is_visible_to_the_user(world, role):
    user = world["users"][role]
    client = Client()
    client.force_login(user)
    problems, forms_seen = [], 0
    for name, url in world["urls"].items():
        response = client.get(url)
        if response.status_code != 200 or response.context is None:
            continue
        for form in forms_of(response.context):
            forms_seen += 1
            problems += [f"{name}: {problem}" for problem in unseen_choices(form, user)]
    assert forms_seen, "no form was read: the test would pass whatever the forms offer"
    assert not problems, "\n".join(problems)
