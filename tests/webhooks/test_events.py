"""What is recorded for webhooks: every event an organizer can choose, caused
the way users cause it, is recorded once per endpoint that hears it, and
nothing of a committee not open to every member, nor a public message's
words, ever is."""

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordination.events import NAMES
from meetings import services as meeting_services
from meetings.models import Meeting, Minutes
from members import services as member_services
from members.forms import AgencyRoleForm
from members.models import ResponseArea
from public_site.models import Inquiry
from tasks import services as task_services
from tasks.models import ActionItem
from webhooks import delivery
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

from ..factories import AgencyRoleFactory

pytestmark = pytest.mark.django_db


def endpoint(coalition, events=None, **fields) -> WebhookEndpoint:
    fields.setdefault("url", f"https://hooks.example.org/{coalition.slug}")
    return WebhookEndpoint.objects.create(coalition=coalition, events=events or list(NAMES), **fields)


def meeting_of(world, committee=None, days=10) -> Meeting:
    start = timezone.now() + timedelta(days=days)
    return Meeting.objects.create(
        coalition=world.home,
        committee=committee,
        title="Monthly meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )


def item_of(world, committee=None, **fields) -> ActionItem:
    return ActionItem.objects.create(
        coalition=world.home, committee=committee, title="Train front desks", owner_agency=world.member_agency, **fields
    )


# --- How a user causes each event; a new event needs a cause here ----------------


def _meeting_page(world, committee, url: str, day: str) -> None:
    """The organizer's meeting form, posted: on the coalition's time, in a committee or not."""
    data = {"title": "Monthly meeting", "kind": "general", "date": day, "start_time": "12:00", "end_time": "13:30"}
    if committee:
        data["committee"] = committee.pk
    assert world.client_for(world.organizer).post(url, data).status_code == 302


def schedule(world, committee):
    _meeting_page(world, committee, reverse("meeting_create", args=[world.home.slug]), "2027-01-14")


def change(world, committee):
    _meeting_page(world, committee, reverse("meeting_edit", args=[meeting_of(world, committee).pk]), "2027-01-21")


def cancel(world, committee):
    meeting = meeting_of(world, committee)
    response = world.client_for(world.organizer).post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": "Snow"})
    assert response.status_code == 302


def approve(world, committee):
    meeting = meeting_of(world, committee, days=-3)
    minutes = Minutes.objects.create(meeting=meeting, body="We met.")
    meeting_services.approve_minutes(minutes, world.organizer)


def create_item(world, committee):
    task_services.create_item(
        created_by=world.lead,
        coalition=world.home,
        committee=committee,
        title="Train",
        owner_agency=world.member_agency,
    )


def update_item(world, committee):
    task_services.record_update(item_of(world, committee), world.lead, status=ActionItem.Status.IN_PROGRESS)


def close_item(world, committee):
    task_services.record_update(item_of(world, committee), world.lead, status=ActionItem.Status.DONE)


def overdue(world, committee):
    item = item_of(world, committee, due_on=timezone.localdate() - timedelta(days=1))
    ActionItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(days=5))
    delivery.announce_overdue()


def change_role(world, committee):
    area = ResponseArea.objects.create(coalition=world.home, name="Shelter")
    role = AgencyRoleFactory(agency=world.member_agency, response_area=area)
    form = AgencyRoleForm(
        {"response_area": area.pk, "description": "Beds for adults", "ages": "all", "capacity": "limited"},
        instance=role,
        areas=ResponseArea.objects.filter(coalition=world.home),
    )
    assert form.is_valid(), form.errors
    member_services.save_role(form, world.member)


def confirm_role(world, committee):
    area = ResponseArea.objects.create(coalition=world.home, name="Shelter")
    member_services.confirm_role(AgencyRoleFactory(agency=world.member_agency, response_area=area), world.member)


def inquiry(world, committee):
    response = Client().post(
        reverse("public_contact", args=[world.home.slug]),
        {"name": "A neighbour", "email": "neighbour@example.net", "message": "Who do I call about a motel?"},
    )
    assert response.status_code in (200, 302)
    assert Inquiry.objects.exists()


CAUSES: dict[str, Callable] = {
    "meeting.scheduled": schedule,
    "meeting.changed": change,
    "meeting.cancelled": cancel,
    "minutes.approved": approve,
    "action_item.created": create_item,
    "action_item.changed": update_item,
    "action_item.overdue": overdue,
    "action_item.closed": close_item,
    "role.changed": change_role,
    "role.confirmed": confirm_role,
    "inquiry.received": inquiry,
}
# The events that belong to a committee (the rest are the coalition's).
OF_A_COMMITTEE = [name for name in NAMES if name.startswith(("meeting.", "minutes.", "action_item."))]


def test_every_event_has_a_cause():
    assert set(CAUSES) == set(NAMES)


@pytest.mark.parametrize("name", list(NAMES))
def test_each_event_is_recorded_once_for_each_endpoint_that_hears_it(world, name):
    hears = endpoint(world.home, [name])
    hears_all = endpoint(world.home, url="https://all.example.org/")
    endpoint(world.home, [other for other in NAMES if other != name], url="https://others.example.org/")
    endpoint(world.home, [name], url="https://paused.example.org/", is_active=False)
    endpoint(world.other, [name])
    CAUSES[name](world, None)
    event = WebhookEvent.objects.get(name=name)
    sent = delivery.body(event)
    assert sent["type"] == name
    assert sent["coalition"] == world.home.slug
    assert isinstance(sent["data"]["id"], int)
    assert sent["data"]["url"].startswith("http")
    assert "data" not in event.payload  # no copy of its words is kept: they are read at each send
    assert sorted(WebhookDelivery.objects.filter(event=event).values_list("endpoint", flat=True)) == sorted(
        [hears.pk, hears_all.pk]
    )


@pytest.mark.parametrize("visibility", ["members_committee", "restricted_committee"])
@pytest.mark.parametrize("name", OF_A_COMMITTEE)
def test_nothing_of_a_committee_not_open_to_every_member_is_recorded(world, name, visibility):
    endpoint(world.home)
    CAUSES[name](world, getattr(world, visibility))
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("name", OF_A_COMMITTEE)
def test_what_an_open_committee_does_is_recorded_with_its_name(world, name):
    endpoint(world.home)
    CAUSES[name](world, world.open_committee)
    assert delivery.body(WebhookEvent.objects.get(name=name))["data"]["committee"] == world.open_committee.name


def test_a_public_message_is_announced_without_its_words_or_its_sender(world):
    endpoint(world.home, ["inquiry.received"])
    inquiry(world, None)
    sent = delivery.body(WebhookEvent.objects.get())
    assert "neighbour" not in json.dumps(sent).lower()
    assert "motel" not in json.dumps(sent)
    assert set(sent["data"]) == {"id", "received_at", "language", "url"}


def test_an_item_becomes_overdue_once_however_often_the_pass_runs(world):
    hook = endpoint(world.home, ["action_item.overdue"])
    overdue(world, None)
    delivery.announce_overdue()
    delivery.announce_overdue(timezone.now() + timedelta(hours=1))
    assert WebhookDelivery.objects.filter(endpoint=hook).count() == 1
    # moved to a new due date that passes too: overdue again, once
    item = ActionItem.objects.get()
    ActionItem.objects.filter(pk=item.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    delivery.announce_overdue()
    assert WebhookDelivery.objects.filter(endpoint=hook).count() == 2


@pytest.mark.parametrize("visibility", ["members_committee", "restricted_committee"])
def test_an_item_from_a_closed_committee_s_meeting_makes_no_event_though_it_names_no_committee(world, visibility):
    endpoint(world.home)
    meeting = meeting_of(world, getattr(world, visibility), days=-2)
    task_services.create_item(
        created_by=world.lead, coalition=world.home, title="Train", owner_agency=world.member_agency, meeting=meeting
    )
    item = item_of(world, meeting=meeting, due_on=timezone.localdate() - timedelta(days=1))
    ActionItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(days=5))
    task_services.record_update(item, world.lead, status=ActionItem.Status.IN_PROGRESS)
    delivery.announce_overdue()
    task_services.record_update(item, world.lead, status=ActionItem.Status.DONE)
    assert ActionItem.objects.filter(meeting=meeting, committee=None).count() == 2
    assert not WebhookEvent.objects.exists()


def test_an_item_due_today_or_closed_is_not_overdue(world):
    endpoint(world.home, ["action_item.overdue"])
    item_of(world, due_on=timezone.localdate())
    item_of(world, due_on=timezone.localdate() - timedelta(days=1), status=ActionItem.Status.DONE)
    delivery.announce_overdue()
    assert not WebhookEvent.objects.exists()


def test_a_change_rolled_back_records_nothing(world):
    from django.db import transaction

    endpoint(world.home)
    with pytest.raises(RuntimeError), transaction.atomic():
        create_item(world, None)
        raise RuntimeError("the request failed after the change")
    assert not WebhookEvent.objects.exists()
    assert not ActionItem.objects.exists()


def test_an_event_with_no_endpoint_costs_one_query(world, django_assert_num_queries):
    item = item_of(world)
    from coordination import events

    with django_assert_num_queries(1):
        events.announce("action_item.changed", item, coalition_id=world.home.pk)
