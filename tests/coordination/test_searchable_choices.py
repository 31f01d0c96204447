"""Searchable selects on the forms that pick among thousands (agencies, people,
meetings): the page holds only what is chosen, an edited row shows (and so
keeps) its choices, the search answers within what the form accepts, twenty
at a time, at a cost that does not grow with the rows, and a row the form
does not offer, posted directly, is refused with the form's error. And as a
class: no page of the URL table, with three hundred agencies at the table,
holds a select of more than a hundred options."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination import autocomplete
from meetings.models import AgendaItem, Meeting
from members.models import Membership, Person
from reports.models import Activity
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


def test_an_activity_is_recorded_and_edited_through_the_searchable_presenter(world, crowd):
    """Recorded with an agency the search found, edited: the page holds that
    agency alone, and the row keeps it, or takes the next one chosen."""
    client = world.client_for(world.organizer)
    found = client.get(reverse("autocomplete", args=[world.home.slug, "active-agency"]), {"q": "agency 123"}).json()
    assert [match["text"] for match in found["results"]] == ["Outreach Agency 123"]
    data = {
        "title": "Recognising trafficking: hotel staff",
        "kind": Activity.Kind.PROFESSIONAL_TRAINING,
        "held_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "audience": Activity.Audience.BUSINESS,
        "presenting_agency": found["results"][0]["id"],
        "people_reached": "40",
    }
    assert client.post(reverse("activity_create", args=[world.home.slug]), data).status_code == 302
    activity = Activity.objects.get(title=data["title"])
    assert (activity.presenting_agency, activity.people_reached) == (crowd[123], 40)

    url = reverse("activity_edit", args=[world.home.slug, activity.pk])
    page = client.get(url).content.decode()
    assert options(page, "presenting_agency") == [("", False), (str(crowd[123].pk), True)]
    assert client.post(url, {**data, "presenting_agency": crowd[45].pk}).status_code == 302
    activity.refresh_from_db()
    assert activity.presenting_agency == crowd[45]

    listed = client.get(reverse("activity_list", args=[world.home.slug]), {"presenting_agency": crowd[45].pk})
    html = listed.content.decode()
    assert data["title"] in html
    assert options(html, "presenting_agency") == [("", False), (str(crowd[45].pk), True)]


def test_an_agency_no_longer_active_is_neither_offered_nor_accepted_as_presenter(world, crowd):
    gone = crowd[9]
    Membership.objects.filter(agency=gone, coalition=world.home).update(status=Membership.Status.INACTIVE)
    client = world.client_for(world.organizer)
    found = client.get(reverse("autocomplete", args=[world.home.slug, "active-agency"]), {"q": gone.name}).json()
    assert found["results"] == []
    data = {
        "title": "Awareness night",
        "kind": Activity.Kind.AWARENESS_EVENT,
        "held_on": timezone.localdate().isoformat(),
        "audience": Activity.Audience.GENERAL_PUBLIC,
        "presenting_agency": gone.pk,
    }
    response = client.post(reverse("activity_create", args=[world.home.slug]), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Activity.objects.filter(title="Awareness night").exists()


@pytest.mark.parametrize(
    ("page", "fields"),
    [
        ("action_create", ("owner_agency", "assignee", "backup")),
        ("invite", ("agency",)),
        ("committee_create", ("members", "leads")),
        ("agenda", ("presenter_agency", "presenter")),
        ("attendance", ("agency",)),
        ("activity_create", ("presenting_agency",)),
        ("activity_list", ("presenting_agency",)),
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


@pytest.mark.parametrize("kind", ["agency", "active-agency", "person", "committee-person", "invitable-agency"])
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


# --- The class: no page offers a select of hundreds -------------------------------

# A select may list this many options at most; more, and it must be searchable.
MOST_OPTIONS = 100


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo coalitions and a login of every role, Shasta grown by three
    hundred active agencies with a person each."""
    from django.core.management import call_command

    from coordination.models import Coalition
    from members.models import Agency

    from ..demo_urls import build_world

    with django_db_blocker.unblock():
        world = build_world()
        shasta = Coalition.objects.get(slug="shasta")
        agencies = Agency.objects.bulk_create(
            Agency(name=f"Statewide Agency {i:03d}", sector="victim_services") for i in range(MANY)
        )
        Membership.objects.bulk_create(Membership(agency=a, coalition=shasta) for a in agencies)
        Person.objects.bulk_create(
            Person(agency=a, full_name=f"Statewide Worker {i:03d}") for i, a in enumerate(agencies)
        )
        yield world
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["org_x", "lead_x", "mem_a"])
def test_no_page_lists_hundreds_of_options_in_a_select(demo, role):
    """Every page of the URL table (tests/demo_urls.py), so a new form or
    filter with a plain select of agencies or people fails here."""
    from django.test import Client

    client = Client()
    client.force_login(demo["users"][role])
    problems, selects = [], 0
    for name, url in demo["urls"].items():
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        for tag, attrs, body in re.findall(r"<(select|datalist)([^>]*)>(.*?)</\1>", html, re.S):
            selects += 1
            count = body.count("<option")
            if count > MOST_OPTIONS:
                field = re.search(r'(?:name|id)="([^"]*)"', attrs)
                problems.append(f"{name}: <{tag} {field[1] if field else attrs}> lists {count} options")
    assert selects, "no select was read: the test would pass whatever the pages hold"
    assert not problems, "\n".join(problems)
