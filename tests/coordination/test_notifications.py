"""The notification ledger sends each message once, retries failures, and
never drops one (coordination/notifications.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coordination import notifications
from coordination.models import Notification

from ..conftest import free_port
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def reset_notification(user) -> Notification:
    return Notification.objects.create(kind=Notification.Kind.PASSWORD_RESET, object_id=user.pk, email=user.email)


def test_a_message_reaches_the_smtp_server_once_however_often_it_is_delivered(smtp_mailer):
    user = UserFactory(full_name="Rosa Delgado")
    notification = reset_notification(user)

    assert notifications.deliver(notification.pk) == notifications.Outcome.SENT
    assert notifications.deliver(notification.pk) == notifications.Outcome.NOT_CLAIMED

    assert len(smtp_mailer.messages) == 1
    message = smtp_mailer.messages[0]
    assert message["To"] == user.email
    assert message["Subject"] == "Reset your Roundtable password"
    assert "Hello Rosa Delgado" in message.get_body(("plain",)).get_content()
    assert "<a href=" in message.get_body(("html",)).get_content()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_queueing_the_same_message_twice_records_it_once(db):
    user = UserFactory()
    first = notifications.queue(Notification.Kind.PASSWORD_RESET, user.pk, user.email, period="w1")
    second = notifications.queue(Notification.Kind.PASSWORD_RESET, user.pk, user.email, period="w1")
    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1


def test_a_failed_send_stays_pending_with_the_error_then_fails_after_the_last_try(settings):
    closed_port = free_port()  # nothing listens there: the connection is refused
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port, "use_tls": False, "timeout": 2},
        }
    }
    settings.EMAIL_MAX_RETRIES = 2
    notification = reset_notification(UserFactory())

    assert notifications.deliver(notification.pk) == notifications.Outcome.RETRY
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert "Connection refused" in notification.last_error or "ConnectionRefused" in notification.last_error
    assert notification.next_attempt_at > timezone.now()

    assert notifications.deliver(notification.pk) == notifications.Outcome.RETRY
    assert notifications.deliver(notification.pk) == notifications.Outcome.FAILED
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 3
    assert notification.sent_at is None


def test_retry_delays_grow_and_stay_within_half_the_visibility_timeout(settings):
    delays = [notifications.retry_delay(attempt) for attempt in range(1, 12)]
    assert delays == sorted(delays)
    assert delays[0] == 60
    assert max(delays) <= settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] / 2


def test_a_message_about_a_deleted_user_is_skipped_not_sent(smtp_mailer):
    user = UserFactory()
    notification = reset_notification(user)
    user.delete()
    assert notifications.deliver(notification.pk) == notifications.Outcome.SKIPPED
    assert smtp_mailer.messages == []
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SKIPPED


def test_the_sweeper_requeues_messages_whose_task_was_lost(smtp_mailer):
    """Redis was down when the request committed: the row waits in the ledger
    and the sweeper (running every minute) sends it."""
    user = UserFactory()
    lost = reset_notification(user)
    Notification.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    recent = Notification.objects.create(
        kind=Notification.Kind.PASSWORD_RESET, object_id=user.pk, email=user.email, period="recent"
    )
    assert notifications.requeue_lost() == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == Notification.Status.SENT
    assert recent.status == Notification.Status.PENDING
    assert len(smtp_mailer.messages) == 1


def test_the_sweeper_releases_a_claim_left_by_a_dead_worker(smtp_mailer):
    notification = reset_notification(UserFactory())
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENDING,
        claimed_at=timezone.now() - notifications.STALE_CLAIM - timedelta(minutes=1),
        next_attempt_at=timezone.now() - timedelta(minutes=20),
    )
    assert notifications.requeue_lost() == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(smtp_mailer.messages) == 1


def test_plain_text_parts_and_subjects_are_not_html_escaped(smtp_mailer):
    user = UserFactory(full_name="Pat O'Brien & Co")
    notifications.deliver(reset_notification(user).pk)
    message = smtp_mailer.messages[0]
    assert "Hello Pat O'Brien & Co" in message.get_body(("plain",)).get_content()
    assert "Pat O&#x27;Brien &amp; Co" in message.get_body(("html",)).get_content()


def test_a_sweep_while_another_is_under_way_does_nothing_and_the_next_one_does_the_work(smtp_mailer):
    """Beat starts a sweep every minute; one that outlasts the minute holds
    the lease, so the next finds it held and queues nothing twice."""
    from coordination.models import Heartbeat, Lease

    lost = reset_notification(UserFactory())
    Notification.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    with Lease.held("sweep", notifications.SWEEP_LEASE) as first:
        assert first
        assert notifications.sweep() == {"queued": 0, "requeued": 0, "skipped": 1}
        assert not Heartbeat.objects.filter(name="sweep").exists()
        lost.refresh_from_db()
        assert lost.status == Notification.Status.PENDING and not smtp_mailer.messages
    assert notifications.sweep() == {"queued": 0, "requeued": 1}
    lost.refresh_from_db()
    assert lost.status == Notification.Status.SENT and len(smtp_mailer.messages) == 1


def test_a_lease_left_by_a_sweep_that_died_is_taken_once_it_runs_out(db):
    from coordination.models import Lease

    Lease.objects.create(name="sweep", holder="dead", until=timezone.now() + timedelta(minutes=1))
    with Lease.held("sweep", notifications.SWEEP_LEASE) as mine:
        assert not mine
    Lease.objects.filter(name="sweep").update(until=timezone.now() - timedelta(seconds=1))
    with Lease.held("sweep", notifications.SWEEP_LEASE) as mine:
        assert mine
        assert Lease.objects.get(name="sweep").until > timezone.now() + timedelta(minutes=9)
    assert Lease.objects.get(name="sweep").until == Lease.FREE  # let go on leaving, even for a clock set back


@pytest.mark.django_db(transaction=True)
def test_of_sweeps_started_at_once_in_separate_connections_exactly_one_holds_the_lease():
    import threading

    from django.db import connection

    from coordination.models import Lease

    barrier = threading.Barrier(4)
    leaving = threading.Event()
    won = []

    def take():
        try:
            barrier.wait()
            with Lease.held("sweep", notifications.SWEEP_LEASE) as mine:
                won.append(mine)
                leaving.wait(5)  # the winner holds it while the others try
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    while len(won) < 4 and any(t.is_alive() for t in threads):
        threading.Event().wait(0.05)
    leaving.set()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, False, False, True]


def test_a_row_waiting_in_a_backlog_is_not_queued_again_but_a_dead_workers_row_is(redis_url):
    """No worker runs: messages stay in the (real) broker's queue, as in a
    backlog that takes longer than LOST_TASK to drain. The sweep queues a
    lost row again only once the queue is empty; a row claimed by a worker
    that died goes back at once, its message having been taken."""
    import secrets

    from coordination.celery import app as celery_app

    from ..conftest import _point_celery_at

    saved = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    _point_celery_at(redis_url, f"requeue-test-{secrets.token_hex(4)}")
    celery_app.conf.task_always_eager = False  # the fixture puts it back
    try:
        long_ago = timezone.now() - timedelta(minutes=5)
        lost = reset_notification(UserFactory())
        Notification.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
        assert notifications.queue_depth() == 0
        assert notifications.requeue_lost() == 1
        assert notifications.queue_depth() == 1

        # A minute later the row is still pending (no worker): its message waits in the queue.
        assert notifications.requeue_lost() == 0
        dead = reset_notification(UserFactory())
        Notification.objects.filter(pk=dead.pk).update(
            status=Notification.Status.SENDING,
            claimed_at=timezone.now() - notifications.STALE_CLAIM - timedelta(minutes=1),
            next_attempt_at=long_ago,
        )
        assert notifications.requeue_lost() == 1  # the dead worker's row only
        assert notifications.queue_depth() == 2

        purge = lambda: connection.default_channel.queue_purge(celery_app.conf.task_default_queue)  # noqa: E731
        with celery_app.connection_for_write() as connection:
            purge()
            assert notifications.requeue_lost() == 2  # the queue is empty: both were lost after all
            purge()  # no worker will take them
    finally:
        _point_celery_at(*saved)
