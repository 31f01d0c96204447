"""Tasks go through a real Celery worker on real Redis, after commit, and
sending stays exactly-once when a task runs twice."""

import time

import pytest
from django.urls import reverse

from coordination import notifications
from coordination.models import Notification
from coordination.tasks import send_notification

from ..conftest import wait_for
from ..factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_an_invitation_is_sent_by_the_worker_after_the_request_commits(world, celery_worker):
    organizer = world.client_for(world.organizer)
    response = organizer.post(
        reverse("invite", args=[world.home.slug]),
        {"full_name": "Grace Okafor", "email": "grace@cps.example.org", "role": "lead"},
    )
    assert response.status_code == 302

    def delivered():
        return Notification.objects.filter(email="grace@cps.example.org", status=Notification.Status.SENT).first()

    notification = wait_for(delivered, log=celery_worker.log_path)
    assert notification.kind == Notification.Kind.INVITATION
    messages = [m for m in celery_worker.messages if m["To"] == "grace@cps.example.org"]
    assert len(messages) == 1
    assert world.home.name in messages[0]["Subject"]
    assert "/accounts/invitation/" in messages[0].get_body(("plain",)).get_content()


def test_the_same_send_queued_twice_reaches_the_inbox_once(db, celery_worker):
    user = UserFactory(email="twice@example.org")
    notification = Notification.objects.create(
        kind=Notification.Kind.PASSWORD_RESET, object_id=user.pk, email=user.email
    )
    send_notification.delay(notification_id=notification.pk)
    send_notification.delay(notification_id=notification.pk)

    def sent():
        notification.refresh_from_db()
        return notification.status == Notification.Status.SENT

    wait_for(sent, log=celery_worker.log_path)
    time.sleep(2)  # give the second task every chance to send a duplicate
    assert [m["To"] for m in celery_worker.messages].count("twice@example.org") == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_due_meeting_reminders_reach_the_smtp_server_once_per_invitee_even_when_swept_three_times_at_once(
    world, celery_worker
):
    import threading
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from coordination import notifications
    from meetings.models import Meeting

    from ..factories import AgencyFactory, MembershipFactory, PersonFactory

    addresses = ["rep1@agency.example.org", "rep2@agency.example.org", "rep3@agency.example.org"]
    for address in addresses:
        agency = AgencyFactory()
        MembershipFactory(
            agency=agency, coalition=world.home, primary_representative=PersonFactory(agency=agency, email=address)
        )
    start = timezone.now() + timedelta(days=7) - timedelta(minutes=1)
    Meeting.objects.create(
        coalition=world.home, title="Monthly coalition meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )

    def sweep():
        try:
            notifications.sweep()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def reminders():
        return [m for m in celery_worker.messages if m["Subject"].startswith("Reminder:") and m["To"] in addresses]

    wait_for(lambda: len(reminders()) >= 3, log=celery_worker.log_path)
    time.sleep(2)  # any duplicate would arrive now
    assert sorted(m["To"] for m in reminders()) == sorted(addresses)
    for message in reminders():
        assert [p.get_content_type() for p in message.walk()].count("text/calendar") == 1
        # Its mail program can stop meeting e-mails in one click (RFC 8058).
        assert "/email/unsubscribe/" in message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    invitations = [m for m in celery_worker.messages if m["Subject"].startswith("Invitation:") and m["To"] in addresses]
    assert sorted(m["To"] for m in invitations) == sorted(addresses)
    assert Notification.objects.filter(email__in=addresses).count() == 6


def test_smtp_down_then_back_delivers_everything_once(world, redis_url, tmp_path, settings):
    """The mail server is unreachable when the messages are due: the first
    batch finds the outage and the others are held without a try; the sweep
    hands them over again as they fall due; once it is back, everything
    arrives, once."""
    from aiosmtpd.controller import Controller

    from ..conftest import SMTPInbox, free_port, running_worker, sweeping

    settings.EMAIL_RETRY_SECONDS = 1
    port = free_port()
    users = [UserFactory(email=f"person{i}@example.org") for i in range(3)]
    with running_worker(redis_url, port, tmp_path, EMAIL_RETRY_SECONDS="1") as worker:
        log_path = worker.log_path
        for user in users:
            notifications.queue(Notification.Kind.PASSWORD_RESET, user.pk, user.email, period="down-then-back")

        def outage_found():
            rows = Notification.objects.filter(period="down-then-back")
            return rows.filter(attempts__gte=1).exists() and not rows.exclude(status="pending").exists()

        wait_for(outage_found, log=log_path)
        inbox = SMTPInbox()
        smtp = Controller(inbox, hostname="127.0.0.1", port=port)
        smtp.start()
        try:
            with sweeping():
                wait_for(
                    lambda: Notification.objects.filter(period="down-then-back", status="sent").count() == 3,
                    log=log_path,
                )
                time.sleep(3)  # any duplicate would arrive now
            # (the test's own messages: at 8 in the morning the world's people are owed their digest too)
            expected = sorted(u.email for u in users)
            own = [m for m in inbox.messages if m["To"] in expected]
            message_ids = [m["Message-ID"] for m in own]
            assert sorted(m["To"] for m in own) == expected
            assert len(set(message_ids)) == len(message_ids) == 3
            assert all(n.last_error == "" for n in Notification.objects.filter(period="down-then-back"))
        finally:
            smtp.stop()


def test_a_worker_killed_mid_batch_leaves_every_email_sent_exactly_once(world, redis_url, tmp_path):
    """SIGKILL in the middle of a batch; a new worker and the sweep finish it.
    Counted by Message-ID at the SMTP server: every message, none twice."""
    from datetime import timedelta

    import time_machine
    from aiosmtpd.controller import Controller
    from django.utils import timezone

    from ..conftest import SMTPInbox, free_port, running_worker

    class SlowInbox(SMTPInbox):
        async def handle_DATA(self, server, session, envelope):
            import asyncio

            await asyncio.sleep(0.3)
            return await super().handle_DATA(server, session, envelope)

    inbox = SlowInbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    users = [UserFactory(email=f"batch{i}@example.org") for i in range(12)]
    try:
        with running_worker(redis_url, smtp.port, tmp_path) as first:
            for user in users:
                notifications.queue(Notification.Kind.PASSWORD_RESET, user.pk, user.email, period="killed")
            wait_for(lambda: len(inbox.messages) >= 3, log=first.log_path)
            first.kill()
        with running_worker(redis_url, smtp.port, tmp_path) as second:
            # The killed worker's claims and unacknowledged tasks: the sweep finds them.
            with time_machine.travel(timezone.now() + timedelta(minutes=15)):
                notifications.requeue_lost()
            notifications.dispatch()
            wait_for(
                lambda: Notification.objects.filter(period="killed", status="sent").count() == 12,
                timeout=60,
                log=second.log_path,
            )
            time.sleep(2)
        by_id: dict = {}
        for message in inbox.messages:
            by_id.setdefault(message["Message-ID"], set()).add(message["To"])
        assert len(by_id) == 12
        assert set().union(*by_id.values()) == {u.email for u in users}
    finally:
        smtp.stop()
