"""Agenda, minutes and action items in one flow: the agenda offers the open
items of earlier meetings as one item, the minutes start from the agenda,
and each action item is captured against its agenda item with every field."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import AgendaItem, Meeting, Minutes
from tasks.models import ActionItem
from tests.factories import PersonFactory, ResponseAreaFactory

pytestmark = pytest.mark.django_db


def meeting_at(world, days: int, title="Monthly") -> Meeting:
    start = timezone.now() + timedelta(days=days)
    return Meeting.objects.create(
        coalition=world.home, title=title, starts_at=start, ends_at=start + timedelta(hours=1)
    )


def open_items(world, meeting, n: int, **fields) -> None:
    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.home,
            meeting=meeting,
            title=f"Carried item {i:03}",
            owner_agency=world.member_agency,
            due_on=timezone.localdate() + timedelta(days=i),
            **fields,
        )
        for i in range(n)
    )


def test_one_click_puts_the_open_items_of_earlier_meetings_on_the_agenda(world):
    earlier, coming = meeting_at(world, -30, "October"), meeting_at(world, 5, "November")
    open_items(world, earlier, 3)
    ActionItem.objects.filter(title="Carried item 002").update(status=ActionItem.Status.DONE)
    organizer = world.client_for(world.organizer)
    page = organizer.get(reverse("agenda", args=[coming.pk])).content.decode()
    assert "Open from earlier meetings" in page and "(2)" in page and "Carried item 002" not in page
    response = organizer.post(reverse("agenda_open_items", args=[coming.pk]), follow=True)
    assert "is on the agenda with the 2 open items" in response.content.decode()
    item = coming.agenda_items.get(title="Review open action items")
    assert item.notes.startswith("2 action items are still open from earlier meetings")
    # it names none: the agenda is read by every member, who may see only their agency's items
    assert "Carried item" not in item.notes and world.member_agency.name not in item.notes
    # again, with one more open: brought up to date, not added twice
    open_items(world, earlier, 1)
    organizer.post(reverse("agenda_open_items", args=[coming.pk]))
    assert coming.agenda_items.filter(title="Review open action items").count() == 1
    assert coming.agenda_items.get(title="Review open action items").notes.startswith("3 action items")


def test_the_agenda_page_costs_the_same_queries_however_many_items_are_open(world):
    earlier, coming = meeting_at(world, -30), meeting_at(world, 5)
    open_items(world, earlier, 45)
    organizer = world.client_for(world.organizer)
    organizer.get(reverse("agenda", args=[coming.pk]))
    with CaptureQueriesContext(connection) as few:
        organizer.get(reverse("agenda", args=[coming.pk]))
    open_items(world, earlier, 300)
    with CaptureQueriesContext(connection) as many:
        organizer.get(reverse("agenda", args=[coming.pk]))
    assert len(many) == len(few)
    organizer.post(reverse("agenda_open_items", args=[coming.pk]))
    assert coming.agenda_items.get().notes.startswith("345 action items are still open")


@pytest.mark.parametrize("role", ["lead", "member"])
def test_only_organizers_put_open_items_on_the_agenda(world, role):
    earlier, coming = meeting_at(world, -30), meeting_at(world, 5)
    open_items(world, earlier, 2)
    assert (
        world.client_for(getattr(world, role)).post(reverse("agenda_open_items", args=[coming.pk])).status_code == 403
    )
    assert not AgendaItem.objects.exists()


def test_new_minutes_start_from_the_agenda_and_a_case_review_keeps_its_secrets(world):
    meeting = meeting_at(world, -1)
    presenter = PersonFactory(agency=world.member_agency, full_name="Dana Presenter")
    AgendaItem.objects.create(meeting=meeting, position=10, title="Hotel outreach", presenter=presenter)
    AgendaItem.objects.create(meeting=meeting, position=20, title="Budget", presenter_agency=world.member_agency)
    AgendaItem.objects.create(meeting=meeting, position=30, title="Referral review", is_case_review=True)
    organizer = world.client_for(world.organizer)
    page = organizer.get(reverse("minutes_edit", args=[meeting.pk])).content.decode()
    assert "## 1. Hotel outreach\n\n*Presented by Dana Presenter.*" in page
    assert f"## 2. Budget\n\n*Presented by {world.member_agency.name}.*".replace("'", "&#x27;") in page
    # the open minutes reach every invitee: a case review is neither named nor attributed there
    assert "## 3. Case review\n\nNotes, if any, go in the restricted part." in page
    assert "Referral review" not in page.split('name="body"')[1].split("</textarea>")[0]
    # once saved, the page shows the minutes as written, not the outline again
    organizer.post(reverse("minutes_edit", args=[meeting.pk]), {"body": "Short minutes."})
    assert Minutes.objects.get().body == "Short minutes."
    assert "## 1. Hotel outreach" not in organizer.get(reverse("minutes_edit", args=[meeting.pk])).content.decode()


def test_an_action_item_is_captured_against_its_agenda_item_with_every_field(world):
    meeting = meeting_at(world, -1)
    agenda_item = AgendaItem.objects.create(meeting=meeting, position=10, title="Hotel outreach")
    assignee, backup = PersonFactory(agency=world.member_agency), PersonFactory(agency=world.member_agency)
    area = ResponseAreaFactory(coalition=world.home, name="Prevention and outreach")
    due = timezone.localdate() + timedelta(days=14)
    organizer = world.client_for(world.organizer)
    page = organizer.get(reverse("minutes_edit", args=[meeting.pk])).content.decode()
    for label in ("From agenda item", "Description", "Backup", "Response area", "Due"):
        assert label in page
    organizer.post(
        reverse("meeting_actions", args=[meeting.pk]),
        {
            "action-agenda_item": agenda_item.pk,
            "action-title": "Print hotel cards",
            "action-description": "Cards with the hotline for front desks.",
            "action-owner_agency": world.member_agency.pk,
            "action-assignee": assignee.pk,
            "action-backup": backup.pk,
            "action-due_on": f"{due}",
            "action-response_area": area.pk,
            "action-priority": 3,
        },
    )
    item = ActionItem.objects.get()
    assert (item.agenda_item, item.meeting, item.title) == (agenda_item, meeting, "Print hotel cards")
    assert item.description == "Cards with the hotline for front desks."
    assert (item.owner_agency, item.assignee, item.backup) == (world.member_agency, assignee, backup)
    assert (item.due_on, item.response_area, item.priority) == (due, area, 3)
    page = organizer.get(reverse("minutes_edit", args=[meeting.pk])).content.decode()
    assert "from “Hotel outreach”" in page
    # a backup from another agency is refused, and nothing is written
    stranger = PersonFactory()
    response = organizer.post(
        reverse("meeting_actions", args=[meeting.pk]),
        {
            "action-title": "Second",
            "action-owner_agency": world.member_agency.pk,
            "action-backup": stranger.pk,
            "action-priority": 2,
        },
    )
    assert ActionItem.objects.count() == 1 and "is-invalid" in response.content.decode()
