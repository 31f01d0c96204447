"""Action item digests (one a day, at the person's hour), escalations, the
leads' weekly review, stale-role requests and MOU reviews: each once."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from coordination import notifications
from coordination.models import CoalitionRole, Notification
from tasks import notices
from tasks.models import ActionItem

from ..factories import AgencyRoleFactory, CoalitionFactory, CoalitionRoleFactory, MembershipFactory

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
        title=title,
        owner_agency=world.member_agency,
        due_on=due,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        **{"coalition": world.home, "assignee": deputy, **fields},
    )


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        notifications.sweep()


SUBJECTS = {Kind.ACTION_DIGEST: "Your action items"}


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


def to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_overdue_items_escalate_to_the_agency_after_7_days_and_to_leads_after_14_inside_their_digest(world, deputy):
    late = item(world, deputy, "Confirm the public number", date(2027, 1, 4))  # 8 days late on the 12th
    sweep_at(MORNING)
    escalations = Notification.objects.filter(kind=Kind.ESCALATION_AGENCY, object_id=late.pk)
    assert list(escalations.values_list("status", flat=True)) == [Notification.Status.IN_DIGEST]
    assert not Notification.objects.filter(kind=Kind.ESCALATION_LEADS).exists()
    # The representative's one e-mail of the day tells it in its own section, once.
    [digest] = to(deputy.email)
    assert "OVERDUE AND ESCALATED TO YOU" in digest.body and digest.body.count("Confirm the public number") == 1
    assert "1 of them escalated to you" in digest.subject

    sweep_at(MORNING + timedelta(days=7))
    leads = Notification.objects.filter(kind=Kind.ESCALATION_LEADS, object_id=late.pk)
    assert list(leads.values_list("email", "status")) == [(world.lead.email, Notification.Status.IN_DIGEST)]
    assert Notification.objects.filter(kind=Kind.ESCALATION_AGENCY).count() == 1
    [message] = to(world.lead.email)  # a lead without a person record gets a digest of their own
    assert message.subject.startswith("Your action items") and "escalated to you" in message.subject
    assert "15 days overdue" in message.body and late.get_absolute_url() in message.body
    assert len(to(deputy.email)) == 2  # one a day


def test_the_leads_weekly_review_comes_in_their_monday_digest(world, deputy):
    item(world, deputy, "Confirm the public number", date(2027, 1, 8))
    monday = datetime(2027, 1, 18, 16, 5, tzinfo=UTC)
    sweep_at(monday - timedelta(days=1))
    assert not to(world.lead.email)
    sweep_at(monday)
    sweep_at(monday + timedelta(hours=1))
    assert Notification.objects.get(kind=Kind.LEAD_REVIEW).status == Notification.Status.IN_DIGEST
    [digest] = to(world.lead.email)
    assert "weekly review" in digest.subject
    assert f"FOR REVIEW: this week in {world.home.name}" in digest.body and "1 overdue" in digest.body
    assert "/actions/review/" in digest.body
    sweep_at(monday + timedelta(days=1))
    assert len(to(world.lead.email)) == 1  # the review is told once; nothing else is owed to the lead


def test_a_lead_with_items_escalations_and_the_review_gets_one_email_a_day(world, deputy):
    """What the demo's first sweep used to send one lead as nine e-mails."""
    from ..factories import PersonFactory

    lead = PersonFactory(user=world.lead, email=world.lead.email, agency=world.member_agency, digest_hour=8)
    for n in range(5):
        item(world, deputy, f"Late item {n}", date(2027, 1, 1))  # escalated to the agency and the leads
    item(world, deputy, "The lead's own", date(2027, 1, 19), assignee=lead)
    monday = datetime(2027, 1, 18, 16, 5, tzinfo=UTC)
    sweep_at(monday)
    sweep_at(monday + timedelta(minutes=1))
    [digest] = to(lead.email)
    assert digest.body.count("Late item") == 5 and "The lead's own" in digest.body and "FOR REVIEW" in digest.body
    assert Notification.objects.filter(kind=Kind.ESCALATION_LEADS, email=lead.email).count() == 5  # all recorded
    assert len(to(deputy.email)) == 1


def test_leads_mail_carries_their_settings_link_and_stops_while_they_are_away(world, deputy):
    from ..factories import PersonFactory

    lead_person = PersonFactory(user=world.lead, email=world.lead.email, agency=None)
    item(world, deputy, "Confirm the public number", date(2027, 1, 4))
    monday = datetime(2027, 1, 18, 16, 5, tzinfo=UTC)
    sweep_at(monday)
    [digest] = to(world.lead.email)
    assert "FOR REVIEW" in digest.body
    assert "Change the hour, pause while away, or stop: http" in digest.body
    lead_person.away_until = date(2027, 1, 31)
    lead_person.save()
    sweep_at(monday + timedelta(days=7))
    assert len(to(world.lead.email)) == 1


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


def test_a_digest_tried_again_after_an_outage_still_carries_the_weekly_review(world, deputy, settings):
    """The review is marked told when the digest is composed; composed anew
    for a retry, the same digest tells it again, and the next day's does not."""
    from tasks.notices import compose_digests

    from ..factories import PersonFactory

    PersonFactory(user=world.lead, email=world.lead.email, agency=world.member_agency)
    item(world, deputy, "Confirm the public number", date(2027, 1, 8))
    monday = datetime(2027, 1, 18, 16, 5, tzinfo=UTC)
    settings.CELERY_TASK_ALWAYS_EAGER = False  # recorded, not sent: the test composes
    with time_machine.travel(monday, tick=False):
        notices.queue_due()
    digest = Notification.objects.get(kind=Kind.ACTION_DIGEST, email=world.lead.email)
    with time_machine.travel(monday + timedelta(minutes=1)):
        assert "FOR REVIEW" in compose_digests([digest])[digest.pk].body
    with time_machine.travel(monday + timedelta(minutes=5)):
        assert "FOR REVIEW" in compose_digests([digest])[digest.pk].body  # the retry
    with time_machine.travel(monday + timedelta(days=1)):
        notices.queue_due()
    tuesday = Notification.objects.filter(kind=Kind.ACTION_DIGEST, email=world.lead.email).exclude(pk=digest.pk)
    assert all("FOR REVIEW" not in (compose_digests([d])[d.pk] or mail.EmailMessage()).body for d in tuesday)


def test_a_digest_with_items_of_two_coalitions_is_on_both_e_mails_sent_pages(world, deputy):
    """The deputy's agency sits at both tables: one digest tells of both
    coalitions' items, and each coalition's organizers find it, and can
    resend it, on their "E-mails sent" page; a third coalition's cannot."""
    MembershipFactory(agency=world.member_agency, coalition=world.other)
    item(world, deputy, "Publish the reporting line", date(2027, 1, 13))
    item(world, deputy, "Brief the Siskiyou schools", date(2027, 1, 13), coalition=world.other)
    sweep_at(MORNING)
    (digest,) = sent(Kind.ACTION_DIGEST)
    assert "Publish the reporting line" in digest.body and "Brief the Siskiyou schools" in digest.body
    row = Notification.objects.get(kind=Kind.ACTION_DIGEST)
    assert row.status == Notification.Status.SENT
    row.status = Notification.Status.FAILED
    row.save()
    third = CoalitionFactory(name="Trinity Test Coalition", slug="trinity-test")
    organizers = {
        coalition: CoalitionRoleFactory(coalition=coalition, role=CoalitionRole.Role.ORGANIZER).user
        for coalition in (world.home, world.other, third)
    }
    for coalition, organizer in organizers.items():
        page = world.client_for(organizer).get(reverse("notification_log", args=[coalition.slug]))
        assert page.status_code == 200
        assert (deputy.email in page.content.decode()) == (coalition != third), coalition
    refused = world.client_for(organizers[third]).post(
        reverse("notification_log", args=[third.slug]), {"resend": row.pk}
    )
    assert refused.status_code == 404
    resent = world.client_for(organizers[world.other]).post(
        reverse("notification_log", args=[world.other.slug]), {"resend": row.pk}
    )
    assert resent.status_code == 302
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT  # sent again (tasks run at once in tests)
    assert len(sent(Kind.ACTION_DIGEST)) == 2
