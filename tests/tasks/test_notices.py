"""Action item digests (one a day, at the person's hour), escalations, the
leads' weekly review, stale-role requests and MOU reviews: each once."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from coordination import notifications
from coordination.models import Notification
from tasks.models import ActionItem

from ..factories import AgencyRoleFactory

pytestmark = pytest.mark.django_db(transaction=True)

Kind = Notification.Kind
# Tuesday, January 12, 2027, 08:05 in Los Angeles.
MORNING = datetime(2027, 1, 12, 16, 5, tzinfo=UTC)


@pytest.fixture
def deputy(world):
    person = world.member.person
    person.email = "deputy@sheriff.example.org"
    person.save()
    membership = world.member_agency.memberships.get()
    membership.primary_representative = person
    membership.save()
    return person


def item(world, deputy, title, due, **fields):
    return ActionItem.objects.create(
        coalition=world.home,
        title=title,
        owner_agency=world.member_agency,
        assignee=deputy,
        due_on=due,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        **fields,
    )


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        notifications.sweep()


SUBJECTS = {Kind.ACTION_DIGEST: "Your action items", Kind.LEAD_REVIEW: "Weekly review"}


def sent(kind) -> list:
    """The e-mails of one kind that reached the outbox, by their subject."""
    return [m for m in mail.outbox if m.subject.startswith(SUBJECTS[kind])]


def test_one_digest_a_day_at_the_persons_hour_listing_all_their_items(world, deputy):
    item(world, deputy, "Publish the reporting line", date(2027, 1, 13))
    item(world, deputy, "Train the night shift", date(2027, 1, 10))
    item(world, deputy, "Far away", date(2027, 3, 1))
    sweep_at(MORNING - timedelta(minutes=10))  # 07:55 local: not yet
    assert not sent(Kind.ACTION_DIGEST)
    sweep_at(MORNING)
    sweep_at(MORNING + timedelta(hours=3))
    digests = sent(Kind.ACTION_DIGEST)
    assert len(digests) == 1
    body = digests[0].body
    assert "Publish the reporting line" in body and "Train the night shift" in body and "Far away" not in body
    assert "2 days overdue" in body
    sweep_at(MORNING + timedelta(days=1))
    assert len(sent(Kind.ACTION_DIGEST)) == 2


def test_no_digest_while_away_or_when_turned_off(world, deputy):
    item(world, deputy, "Publish the reporting line", date(2027, 1, 13))
    deputy.away_until = date(2027, 1, 15)
    deputy.save()
    sweep_at(MORNING)
    assert not sent(Kind.ACTION_DIGEST)
    deputy.away_until = None
    deputy.receives_digest = False
    deputy.save()
    sweep_at(MORNING + timedelta(days=1))
    assert not sent(Kind.ACTION_DIGEST)


def test_overdue_items_escalate_to_the_agency_after_7_days_and_to_leads_after_14(world, deputy):
    late = item(world, deputy, "Confirm the public number", date(2027, 1, 4))  # 8 days late on the 12th
    sweep_at(MORNING)
    assert Notification.objects.filter(kind=Kind.ESCALATION_AGENCY, object_id=late.pk).count() == 1
    assert not Notification.objects.filter(kind=Kind.ESCALATION_LEADS).exists()
    sweep_at(MORNING + timedelta(days=7))
    leads = Notification.objects.filter(kind=Kind.ESCALATION_LEADS, object_id=late.pk)
    assert list(leads.values_list("email", flat=True)) == [world.lead.email]
    assert Notification.objects.filter(kind=Kind.ESCALATION_AGENCY).count() == 1
    message = next(m for m in mail.outbox if m.to == [world.lead.email] and m.subject.startswith("Overdue"))
    assert "15 days overdue" in message.body and "/actions/review/" in message.body


def test_the_leads_weekly_review_goes_out_monday_morning(world, deputy):
    item(world, deputy, "Confirm the public number", date(2027, 1, 4))
    monday = datetime(2027, 1, 18, 16, 5, tzinfo=UTC)
    sweep_at(monday - timedelta(days=1))
    assert not sent(Kind.LEAD_REVIEW)
    sweep_at(monday)
    sweep_at(monday + timedelta(hours=1))
    reviews = [m for m in mail.outbox if m.subject.startswith("Weekly review")]
    assert [m.to for m in reviews] == [[world.lead.email]]
    assert "1 overdue" in reviews[0].subject


def test_stale_roles_get_a_confirm_request_whose_link_confirms_in_one_click(world, deputy):
    area = world.home.response_areas.get(name="Investigation")
    role = AgencyRoleFactory(
        agency=world.member_agency, response_area=area, confirmed_at=datetime(2026, 3, 1, tzinfo=UTC)
    )
    sweep_at(MORNING)
    sweep_at(MORNING + timedelta(hours=2))
    requests = [m for m in mail.outbox if m.subject.startswith("Please confirm")]
    assert len(requests) == 1 and requests[0].to == ["deputy@sheriff.example.org"]
    assert "Change what you receive, or pause while away: http" in requests[0].body
    link = next(word for word in requests[0].body.split() if "/confirm/" in word).replace("http://127.0.0.1:8000", "")
    page = Client().get(link)
    assert "Is this still right for Test Sheriff" in page.content.decode()
    role.refresh_from_db()
    assert role.is_stale  # opening the link changes nothing
    Client().post(link)
    role.refresh_from_db()
    assert not role.is_stale and role.confirmed_by == world.member
    assert Client().get(link[:-3] + "abc/").status_code == 410


def test_a_confirm_request_waits_until_the_representative_is_back(world, deputy):
    area = world.home.response_areas.get(name="Investigation")
    AgencyRoleFactory(agency=world.member_agency, response_area=area, confirmed_at=datetime(2026, 3, 1, tzinfo=UTC))
    deputy.away_until = date(2027, 1, 20)
    deputy.save()
    sweep_at(MORNING)
    assert not [m for m in mail.outbox if m.subject.startswith("Please confirm")]
    sweep_at(MORNING + timedelta(days=9))
    requests = [m for m in mail.outbox if m.subject.startswith("Please confirm")]
    assert [m.to for m in requests] == [["deputy@sheriff.example.org"]]


def test_organizers_hear_of_an_mou_review_30_days_ahead_once(world, deputy):
    membership = world.member_agency.memberships.get()
    membership.mou_review_on = date(2027, 2, 5)
    membership.save()
    sweep_at(MORNING - timedelta(days=10))
    assert not [m for m in mail.outbox if m.subject.startswith("MOU review")]
    sweep_at(MORNING)
    sweep_at(MORNING + timedelta(days=1))
    notices = [m for m in mail.outbox if m.subject.startswith("MOU review")]
    assert [m.to for m in notices] == [[world.organizer.email]]
    assert "Test Sheriff" in notices[0].subject


def test_approved_minutes_reach_the_invitees_without_the_restricted_part(world, deputy):
    from meetings import services
    from meetings.models import Meeting, Minutes

    start = datetime(2026, 11, 12, 20, 0, tzinfo=UTC)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Monthly", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    minutes = Minutes.objects.create(
        meeting=meeting, body="We agreed on hotel outreach.", restricted_body="Operation timing."
    )
    item(world, deputy, "Train two hotels", date(2026, 12, 10), meeting=meeting)
    services.approve_minutes(minutes, world.lead)
    message = next(m for m in mail.outbox if m.subject.startswith("Approved minutes"))
    assert message.to == ["deputy@sheriff.example.org"]
    assert "We agreed on hotel outreach." in message.body and "Train two hotels" in message.body
    assert "Operation timing" not in message.body and "Operation timing" not in message.alternatives[0].content


def test_leads_mail_carries_their_settings_link_and_stops_while_they_are_away(world, deputy):
    from ..factories import PersonFactory

    lead_person = PersonFactory(user=world.lead, email=world.lead.email, agency=None)
    item(world, deputy, "Confirm the public number", date(2027, 1, 4))
    monday = datetime(2027, 1, 18, 16, 5, tzinfo=UTC)
    sweep_at(monday)
    review = next(m for m in mail.outbox if m.subject.startswith("Weekly review"))
    assert "Change what you receive, or pause while away: http" in review.body
    lead_person.away_until = date(2027, 1, 31)
    lead_person.save()
    sweep_at(monday + timedelta(days=7))
    assert len([m for m in mail.outbox if m.subject.startswith("Weekly review")]) == 1
