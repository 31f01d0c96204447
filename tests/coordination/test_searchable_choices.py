"""Searchable selects on the forms that pick among thousands (agencies, people,
meetings): the page holds only what is chosen, an edited row shows (and so
keeps) its choices, the search answers within what the form accepts, twenty
at a time, at a cost that does not grow with the rows, and a row the form
does not offer, posted directly, is refused with the form's error."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination import autocomplete
from meetings.models import AgendaItem, Meeting
from members.models import Person
from tasks.models import ActionItem

from ..factories import AgencyFactory, MembershipFactory, PersonFactory

MANY = 300


def options(html: str, name: str) -> list[tuple[str, bool]]:
    """(value, selected) of each option of the select called `name`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return [(value, bool(chosen)) for value, chosen in re.findall(r'<option value="(\d*)"( selected)?', select[1])]


@pytest.fixture
def crowd(world):
    """Three hundred agencies at the home coalition's table, a person each."""
    agencies = [AgencyFactory(name=f"Outreach Agency {i:03d}") for i in range(MANY)]
    for agency in agencies:
        MembershipFactory(agency=agency, coalition=world.home)
    Person.objects.bulk_create(Person(agency=a, full_name=f"Worker {i:03d}") for i, a in enumerate(agencies))
    return agencies


@pytest.fixture
def meeting(world):
    start = timezone.now() - timedelta(days=3)
    return Meeting.objects.create(
        coalition=world.home, title="General meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )


def test_an_edited_item_shows_its_choices_and_keeps_them_when_saved_as_shown(world, crowd, meeting):
    agency = crowd[7]
    worker, backup = agency.people.get(), PersonFactory(agency=agency, full_name="Backup Worker")
    item = ActionItem.objects.create(
        coalition=world.home,
        title="Map shelter beds",
        owner_agency=agency,
        assignee=worker,
        backup=backup,
        meeting=meeting,
        due_on=timezone.localdate() + timedelta(days=9),
    )
    client = world.client_for(world.organizer)
    url = reverse("action_edit", args=[item.pk])
    page = client.get(url).content.decode()
    chosen = {}
    for name, row in (("owner_agency", agency), ("assignee", worker), ("backup", backup), ("meeting", meeting)):
        offered = [value for value, _ in options(page, name) if value]
        assert offered == [str(row.pk)], name  # the chosen one, none of the other 300
        assert (str(row.pk), True) in options(page, name)
        chosen[name] = str(row.pk)
    data = {"title": item.title, "due_on": item.due_on.isoformat(), "priority": item.priority, **chosen}
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert (item.owner_agency, item.assignee, item.backup, item.meeting) == (agency, worker, backup, meeting)


@pytest.mark.parametrize(
    ("page", "fields"),
    [
        ("action_create", ("owner_agency", "assignee", "backup")),
        ("invite", ("agency",)),
        ("committee_create", ("members", "leads")),
        ("agenda", ("presenter_agency", "presenter")),
        ("attendance", ("agency",)),
    ],
)
def test_the_forms_hold_none_of_the_hundreds_of_rows_until_chosen(world, crowd, meeting, page, fields):
    args = [meeting.pk] if page in {"agenda", "attendance"} else [world.home.slug]
    html = world.client_for(world.organizer).get(reverse(page, args=args)).content.decode()
    assert "Outreach Agency" not in html and "Worker 1" not in html
    for name in fields:
        assert [value for value, _ in options(html, name) if value] == [], name
        assert 'data-autocomplete-url="/c/' in re.search(rf'<select name="{name}"[^>]*>', html)[0]


def test_the_agency_joining_by_name_is_suggested_as_one_types_not_listed(world, crowd):
    other = world.other
    for i in range(MANY):
        MembershipFactory(agency=AgencyFactory(name=f"Public Clinic {i:03d}", listed_publicly=True), coalition=other)
    client = world.client_for(world.organizer)
    html = client.get(reverse("member_add", args=[world.home.slug])).content.decode()
    assert "Public Clinic" not in html and "<datalist" not in html
    found = client.get(reverse("autocomplete", args=[world.home.slug, "joinable-agency"]), {"q": "clinic 01"}).json()
    expected = [f"Public Clinic {i:03d}" for i in range(MANY) if "01" in f"{i:03d}"]  # 001, 010-019, 101, 201
    assert [match["text"] for match in found["results"]] == expected


@pytest.mark.parametrize("kind", ["agency", "person", "committee-person", "invitable-agency"])
def test_the_search_answers_twenty_at_a_cost_that_does_not_grow_with_the_rows(
    world, kind, django_assert_num_queries, client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.organizer)
    url = reverse("autocomplete", args=[world.home.slug, kind])
    client.get(url)  # the session's first request saves it
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).json()["results"]) < autocomplete.LIMIT
    agencies = [AgencyFactory(name=f"Outreach Agency {i:03d}") for i in range(MANY)]
    for agency in agencies:
        MembershipFactory(agency=agency, coalition=world.home)
    Person.objects.bulk_create(Person(agency=a, full_name=f"Worker {i:03d}") for i, a in enumerate(agencies))
    with django_assert_num_queries(len(few.captured_queries)):
        results = client.get(url).json()["results"]
    assert len(results) == autocomplete.LIMIT
    allowed = autocomplete.KINDS[kind].choices(world.organizer, world.home)
    assert [r["id"] for r in results] == list(allowed.values_list("pk", flat=True)[: autocomplete.LIMIT])


def test_a_row_the_form_does_not_offer_posted_directly_is_refused_with_its_error(world, meeting):
    """Another coalition's agency and person, as the presenter and as a committee member."""
    stranger_agency = world.other_member.person.agency
    stranger = world.other_member.person
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("agenda", args=[meeting.pk]),
        {"title": "Outreach report", "presenter_agency": stranger_agency.pk, "presenter": stranger.pk},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Select a valid choice. That choice is not one of the available choices.") == 2
    assert not AgendaItem.objects.filter(title="Outreach report").exists()

    response = client.post(
        reverse("committee_create", args=[world.home.slug]),
        {"name": "Outreach", "charge": "", "visibility": "open", "is_active": "on", "members": [stranger.pk]},
    )
    assert response.status_code == 200
    assert f"Select a valid choice. {stranger.pk} is not one of the available choices." in response.content.decode()

    response = client.post(
        reverse("attendance", args=[meeting.pk]),
        {"guest_name": "Visiting Officer", "agency": stranger_agency.pk, "add_guest": "1"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not meeting.attendances.filter(guest_name="Visiting Officer").exists()
