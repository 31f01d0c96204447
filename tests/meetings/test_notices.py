"""Meeting invitations, reminders and change notices go out once each, at
the right local time, and never from a rolled-back change."""

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.models import Heartbeat, Notification
from meetings import services
from meetings.models import Meeting

pytestmark = pytest.mark.django_db(transaction=True)

Kind = Notification.Kind


def meeting_at(world, when: datetime, **fields) -> Meeting:
    return Meeting.objects.create(
        coalition=world.home,
        title="Monthly coalition meeting",
        starts_at=when,
        ends_at=when + timedelta(hours=1),
        **fields,
    )


def sweep_at(moment: datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        return notifications.sweep()


def kinds() -> list[str]:
    """The meeting e-mails sent (the weekly lead review may go out on the same days)."""
    sent = Notification.objects.filter(status=Notification.Status.SENT, kind__startswith="meeting_")
    return sorted(n.kind for n in sent)


def test_an_invitation_goes_to_each_representative_once_with_calendar_and_rsvp(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    meeting_at(world, start, place="County Library")
    sweep_at(start - timedelta(days=20))
    sweep_at(start - timedelta(days=20, minutes=-1))
    assert kinds() == [Kind.MEETING_INVITATION]
    meeting_mail = [m for m in mail.outbox if "Monthly coalition meeting" in m.subject]
    assert len(meeting_mail) == 1
    message = meeting_mail[0]
    assert message.to == ["deputy@sheriff.example.org"]
    assert message.subject == "Invitation: Monthly coalition meeting, Jan 14 at 12:00 PM"
    assert "/meetings/rsvp/" in message.body and "County Library" in message.body
    raw = message_from_bytes(message.message().as_bytes())
    calendars = [part for part in raw.walk() if part.get_content_type() == "text/calendar"]
    assert len(calendars) == 1 and "METHOD:REQUEST" in calendars[0].get_payload(decode=True).decode()


def test_far_meetings_wait_for_their_invitation(world, invitees):
    start = datetime(2027, 6, 10, 19, 0, tzinfo=UTC)
    meeting_at(world, start)
    sweep_at(start - timedelta(days=90))
    assert mail.outbox == []


def test_reminders_go_out_seven_days_and_one_day_before_and_once_each(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    meeting_at(world, start)
    for moment in (
        start - timedelta(days=20),
        start - timedelta(days=7) + timedelta(minutes=1),
        start - timedelta(days=7) + timedelta(minutes=2),
        start - timedelta(days=1) + timedelta(minutes=1),
        start - timedelta(hours=2),
    ):
        sweep_at(moment)
    assert kinds() == [Kind.MEETING_INVITATION, Kind.MEETING_REMINDER, Kind.MEETING_REMINDER]
    subjects = [m.subject for m in mail.outbox]
    assert subjects[1] == "Reminder: Monthly coalition meeting, Thursday, Jan 14 at 12:00 PM"


def test_a_meeting_scheduled_late_gets_no_burst_of_old_reminders(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    sweep_at(start - timedelta(days=3))
    meeting_at(world, start)
    sweep_at(start - timedelta(days=2))
    assert kinds() == [Kind.MEETING_INVITATION]


def test_reminders_fire_once_across_both_clock_changes(world, invitees):
    world.home.meeting_reminders = "1d"
    world.home.save()
    # 1:30 and 2:30 local: one happens twice in November, one never in March.
    fall = meeting_at(world, datetime(2027, 11, 8, 9, 30, tzinfo=UTC))  # Nov 8, 01:30 PST; due Nov 7, 01:30
    spring = meeting_at(world, datetime(2027, 3, 15, 9, 30, tzinfo=UTC))  # Mar 15, 02:30 PDT; due Mar 14, 02:30
    for meeting in (fall, spring):
        moment = meeting.starts_at - timedelta(days=1, hours=4)
        while moment < meeting.starts_at - timedelta(hours=12):
            sweep_at(moment)
            moment += timedelta(minutes=15)
    reminders = Notification.objects.filter(kind=Kind.MEETING_REMINDER)
    assert reminders.count() == 2
    assert {n.object_id for n in reminders} == set(
        Notification.objects.filter(kind=Kind.MEETING_INVITATION).values_list("object_id", flat=True)
    )


def test_rescheduling_tells_the_invited_and_recomputes_the_reminder(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    meeting = meeting_at(world, start)
    sweep_at(start - timedelta(days=7) + timedelta(minutes=1))
    assert kinds() == [Kind.MEETING_INVITATION, Kind.MEETING_REMINDER]
    with time_machine.travel(start - timedelta(days=6), tick=False):
        client = world.client_for(world.organizer)  # logged in then: sessions expire when idle
        response = client.post(
            reverse("meeting_edit", args=[meeting.pk]),
            {
                "title": meeting.title,
                "kind": "general",
                "date": "2027-01-21",
                "start_time": "12:00",
                "end_time": "13:00",
            },
        )
        assert response.status_code == 302
    changed = [m for m in mail.outbox if m.subject.startswith("Changed:")]
    assert len(changed) == 1 and "Jan 21" in changed[0].subject
    # It says what the time was, and what it is now (the coalition's wall clock).
    was, now = "Thursday, January 14, 2027, 12:00 PM–1:00 PM", "Thursday, January 21, 2027, 12:00 PM–1:00 PM"
    assert f"- When: was {was}; now {now}." in changed[0].body
    html = changed[0].alternatives[0][0]
    assert f"<strong>When</strong>: was <del>{was}</del>; now <strong>{now}</strong>." in html
    sweep_at(datetime(2027, 1, 14, 20, 1, tzinfo=UTC))  # the old 7-day point of the new date
    assert kinds().count(Kind.MEETING_REMINDER) == 2


def test_cancelling_sends_a_cancel_notice_with_a_calendar_cancel(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    meeting = meeting_at(world, start)
    sweep_at(start - timedelta(days=10))
    with time_machine.travel(start - timedelta(days=9), tick=False):
        services.cancel(meeting, "Room flooded")
    notice = mail.outbox[-1]
    assert notice.subject == "Cancelled: Monthly coalition meeting, Jan 14"
    assert "Room flooded" in notice.body
    assert b"METHOD:CANCEL" in notice.message().as_bytes()
    sweep_at(start - timedelta(days=1) + timedelta(minutes=1))
    assert Kind.MEETING_REMINDER not in kinds()


def test_a_rollback_after_changing_a_meeting_queues_nothing(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    meeting = meeting_at(world, start)
    sweep_at(start - timedelta(days=10))
    before = Notification.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.cancel(meeting, "Changed our minds")
        raise RuntimeError("the request failed after the change")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    assert Notification.objects.count() == before
    assert not [m for m in mail.outbox if m.subject.startswith("Cancelled")]


def test_people_who_stop_the_emails_from_the_link_get_none(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    meeting_at(world, start)
    sweep_at(start - timedelta(days=20))
    link = mail.outbox[0].body.split("Stop or restart these e-mails: ")[1].split()[0]
    path = link.replace("http://127.0.0.1:8000", "")
    from django.test import Client

    Client().post(path, {"receives_digest": "on", "digest_hour": "8"})  # reminders unticked
    world.member.person.refresh_from_db()
    assert world.member.person.receives_reminders is False
    sweep_at(start - timedelta(days=7) + timedelta(minutes=1))
    assert len(mail.outbox) == 1


def test_someone_away_is_invited_once_back_and_not_reminded_while_away(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    meeting_at(world, start)
    invitees[0].away_until = date(2027, 1, 8)
    invitees[0].save()
    sweep_at(start - timedelta(days=20))
    sweep_at(start - timedelta(days=7) + timedelta(minutes=1))  # the 7-day reminder falls due on the 7th
    assert kinds() == []
    sweep_at(start - timedelta(days=5))  # back on the 9th
    assert kinds() == [Kind.MEETING_INVITATION]
    invitations = [m for m in mail.outbox if m.subject.startswith("Invitation:")]
    assert [m.to for m in invitations] == [["deputy@sheriff.example.org"]]


def test_the_sweep_leaves_a_heartbeat_and_organizers_are_warned_when_it_stops(world, invitees):
    from django.db.migrations.recorder import MigrationRecorder

    def warned() -> bool:
        page = world.client_for(world.organizer).get(reverse("dashboard")).content.decode()
        return "Reminders are not going out." in page

    set_up = MigrationRecorder.Migration.objects
    set_up.update(applied=timezone.now() - timedelta(minutes=2))  # a fresh start: beat has its first chance
    assert not warned()
    set_up.update(applied=timezone.now() - timedelta(minutes=11))  # set up a while ago, and beat never ran
    assert warned()
    notifications.sweep()
    assert Heartbeat.objects.get(name="sweep")
    assert not warned()
    assert (
        "Reminders are not going out." not in world.client_for(world.member).get(reverse("dashboard")).content.decode()
    )
    Heartbeat.objects.filter(name="sweep").update(last_run_at=timezone.now() - timedelta(minutes=11))  # it stopped
    assert warned()


def test_organizers_read_the_log_and_resend_a_failed_email(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    meeting_at(world, start)
    sweep_at(start - timedelta(days=20))
    sent = Notification.objects.get()
    Notification.objects.filter(pk=sent.pk).update(
        status=Notification.Status.FAILED, last_error="SMTPServerDisconnected"
    )
    client = world.client_for(world.organizer)
    page = client.get(reverse("notification_log", args=[world.home.slug]), {"status": "failed"}).content.decode()
    assert "deputy@sheriff.example.org" in page and "SMTPServerDisconnected" in page
    client.post(reverse("notification_log", args=[world.home.slug]), {"resend": sent.pk})
    sent.refresh_from_db()
    assert sent.status == Notification.Status.SENT and len(mail.outbox) == 2
    assert world.client_for(world.lead).get(reverse("notification_log", args=[world.home.slug])).status_code == 403


def test_a_meeting_scheduled_in_a_rolled_back_transaction_is_never_announced(world, invitees):
    start = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError), transaction.atomic():
        meeting_at(world, start)
        raise RuntimeError("the request failed after scheduling")
    sweep_at(start - timedelta(days=7) + timedelta(minutes=1))
    assert not Meeting.objects.exists()
    assert kinds() == [] and not [m for m in mail.outbox if "Monthly coalition meeting" in m.subject]


def test_the_sweep_invites_as_the_meeting_page_would_in_a_few_queries_whatever_the_meetings(world):
    """ensure_invitations_of (the sweep's, set-wise) makes the same rows as
    ensure_invitations (one meeting's), committees included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from meetings import invitations
    from meetings.models import Attendance, Meeting

    from ..factories import AgencyFactory, CommitteeFactory, CommitteeMemberFactory, MembershipFactory, PersonFactory

    for _ in range(3):
        agency = AgencyFactory()
        MembershipFactory(agency=agency, coalition=world.home, primary_representative=PersonFactory(agency=agency))
    committee = CommitteeFactory(coalition=world.home)
    for person in PersonFactory.create_batch(2):
        CommitteeMemberFactory(committee=committee, person=person)
    start = timezone.now() + timezone.timedelta(days=3)

    def meetings(tag):
        return [
            Meeting.objects.create(
                coalition=world.home,
                title=f"{tag} {i}",
                starts_at=start,
                ends_at=start + timezone.timedelta(hours=1),
                committee=committee if i % 2 else None,
            )
            for i in range(6)
        ]

    one_by_one, set_wise = meetings("one"), meetings("set")
    for meeting in one_by_one:
        invitations.ensure_invitations(meeting)
    with CaptureQueriesContext(connection) as captured:
        invitations.ensure_invitations_of(set_wise)
    assert len(captured) <= 5

    def invited(group):
        return sorted(
            (m.title.split()[1], a.person_id, a.agency_id) for m in group for a in Attendance.objects.filter(meeting=m)
        )

    assert invited(one_by_one) == invited(set_wise) and invited(set_wise)
    assert invitations.ensure_invitations_of(set_wise) == 0  # nothing twice
