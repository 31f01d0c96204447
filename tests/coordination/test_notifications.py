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


def test_a_server_that_cannot_be_reached_holds_the_batch_then_fails_it_after_the_last_try_as_an_outage(settings):
    import time_machine

    from coordination.models import Heartbeat

    closed_port = free_port()  # nothing listens there: the connection is refused
    settings.MAILERS = {
        "default": {
            "BACKEND": "coordination.smtp.EmailBackend",
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
    assert Heartbeat.objects.filter(name=notifications.SMTP_DOWN).exists()

    # While the breaker is open a batch does not even try: no attempt counted.
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    assert notifications.deliver(notification.pk) == notifications.Outcome.DEFERRED
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.queued_at is None

    for outcome in (notifications.Outcome.RETRY, notifications.Outcome.FAILED):
        with time_machine.travel(notification.next_attempt_at + timedelta(seconds=1)):
            assert notifications.deliver(notification.pk) == outcome
        notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.outage  # goes by itself once the server answers again
    assert notification.attempts == 3
    assert notification.sent_at is None


def test_the_retry_schedule_grows_to_hourly_and_spans_about_a_day(settings):
    delays = [notifications.retry_delay(attempt) for attempt in range(1, settings.EMAIL_MAX_RETRIES + 1)]
    assert delays == sorted(delays)
    assert delays[:3] == [60, 120, 240]
    assert max(delays) == 3600  # hourly: no task waits in the broker, the ledger holds the time
    assert timedelta(hours=20) < notifications.retry_budget() < timedelta(hours=30)


def test_a_message_about_a_deleted_user_is_skipped_not_sent(smtp_mailer):
    user = UserFactory()
    notification = reset_notification(user)
    user.delete()
    assert notifications.deliver(notification.pk) == notifications.Outcome.SKIPPED
    assert smtp_mailer.messages == []
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SKIPPED


def test_the_sweep_hands_over_rows_whose_task_was_lost_and_leaves_rows_just_queued(smtp_mailer):
    """Redis was down when the request committed, or the task vanished: the
    row waits in the ledger and the sweep (every minute) sends it."""
    user = UserFactory()
    lost = reset_notification(user)
    Notification.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    never_queued = Notification.objects.create(
        kind=Notification.Kind.PASSWORD_RESET, object_id=user.pk, email=user.email, period="never"
    )
    just_queued = Notification.objects.create(
        kind=Notification.Kind.PASSWORD_RESET,
        object_id=user.pk,
        email=user.email,
        period="just",
        queued_at=timezone.now(),
    )
    counts = notifications.sweep()
    assert counts["requeued"] == 1 and counts["dispatched"] == 2
    for row, status in ((lost, "sent"), (never_queued, "sent"), (just_queued, "pending")):
        row.refresh_from_db()
        assert row.status == status
    assert len(smtp_mailer.messages) == 2


def test_a_claim_left_by_a_dead_worker_comes_back_within_two_minutes_and_a_live_one_does_not(smtp_mailer):
    dead = reset_notification(UserFactory())
    alive = reset_notification(UserFactory())
    Notification.objects.filter(pk=dead.pk).update(
        status=Notification.Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=2, seconds=5)
    )
    Notification.objects.filter(pk=alive.pk).update(
        status=Notification.Status.SENDING, claimed_at=timezone.now() - timedelta(seconds=40)
    )
    assert timedelta(minutes=2) >= notifications.STALE_CLAIM
    assert notifications.sweep()["requeued"] == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == Notification.Status.SENT
    assert alive.status == Notification.Status.SENDING
    assert [m["To"] for m in smtp_mailer.messages] == [dead.email]


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
    with Lease.held("sweep", notifications.SWEEP_LEASE) as first:
        assert first
        assert notifications.sweep() == {"queued": 0, "requeued": 0, "dispatched": 0, "skipped": 1}
        assert not Heartbeat.objects.filter(name="sweep").exists()
        lost.refresh_from_db()
        assert lost.status == Notification.Status.PENDING and not smtp_mailer.messages
    assert notifications.sweep() == {"queued": 0, "requeued": 0, "dispatched": 1}
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
        Notification.objects.filter(pk=lost.pk).update(queued_at=long_ago)
        assert notifications.queue_depth() == 0
        assert notifications.requeue_lost() == 1 and notifications.dispatch() == 1
        assert notifications.queue_depth() == 1

        # Minutes later the row is still pending (no worker): its task waits in the queue.
        Notification.objects.filter(pk=lost.pk).update(queued_at=long_ago)
        assert notifications.requeue_lost() == 0
        dead = reset_notification(UserFactory())
        Notification.objects.filter(pk=dead.pk).update(
            status=Notification.Status.SENDING,
            claimed_at=timezone.now() - notifications.STALE_CLAIM - timedelta(minutes=1),
            queued_at=long_ago,
        )
        assert notifications.requeue_lost() == 1  # the dead worker's row only
        assert notifications.dispatch() == 1
        assert notifications.queue_depth() == 2

        purge = lambda: connection.default_channel.queue_purge(celery_app.conf.task_default_queue)  # noqa: E731
        with celery_app.connection_for_write() as connection:
            purge()
            Notification.objects.update(queued_at=long_ago)
            assert notifications.requeue_lost() == 2  # the queue is empty: both were lost after all
            assert notifications.dispatch() == 2
            assert notifications.queue_depth() == 1  # one task carries both
            purge()  # no worker will take them
    finally:
        _point_celery_at(*saved)


# --- Batches ---------------------------------------------------------------------


class CountingInbox:
    """A real SMTP server that keeps who got what over which connection, and
    answers as `answer(address)` says (None: accept)."""

    def __init__(self, answer=lambda address: None):
        self.received: list[tuple[str, tuple]] = []
        self.answer = answer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.answer(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos[0], session.peer))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(settings):
    from aiosmtpd.controller import Controller

    handler = CountingInbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "coordination.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "use_tls": False, "timeout": 5},
        }
    }
    yield handler
    controller.stop()


def owe_digests(count: int, tag: str = "p") -> list[int]:
    """`count` people with an item due today, and their digests owed."""
    from datetime import date

    from members.models import Person
    from tasks.models import ActionItem

    from ..factories import AgencyFactory, CoalitionFactory, MembershipFactory

    coalition, agency = CoalitionFactory(), AgencyFactory()
    MembershipFactory(coalition=coalition, agency=agency)
    people = Person.objects.bulk_create(
        Person(agency=agency, full_name=f"Person {i}", email=f"{tag}{i}@example.org", digest_hour=0)
        for i in range(count)
    )
    ActionItem.objects.bulk_create(
        ActionItem(coalition=coalition, title=f"Item {i}", owner_agency=agency, assignee=p, due_on=date.today())
        for i, p in enumerate(people)
    )
    rows = [
        notifications.owe(Notification.Kind.ACTION_DIGEST, p.pk, p.email, period=date.today().isoformat())
        for p in people
    ]
    return notifications.queue_many(rows)


def test_a_batch_goes_over_one_connection_with_a_fixed_number_of_queries_and_one_sent_mark_a_message(inbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notifications.deliver_batch(owe_digests(2, tag="warm-"))  # first-time writes (heartbeat rows) out of the way
    queries = {}
    for count in (5, 25):
        ids = owe_digests(count, tag=f"b{count}-")
        with CaptureQueriesContext(connection) as captured:
            outcomes = notifications.deliver_batch(ids)
        assert set(outcomes.values()) == {notifications.Outcome.SENT}
        queries[count] = len(captured)
    assert queries[25] - queries[5] == 20  # the "sent" mark of each message; the rest is per batch
    assert len(inbox.received) == 32
    assert len({peer for _, peer in inbox.received}) == 3  # one connection a batch


def test_a_refused_address_fails_alone_and_a_busy_mailbox_is_retried_alone(inbox):
    ids = owe_digests(5)
    inbox.answer = lambda address: {
        "p1@example.org": "550 No such user",
        "p3@example.org": "452 Mailbox busy, try later",
    }.get(address)
    outcomes = notifications.deliver_batch(ids)
    rows = {n.email: n for n in Notification.objects.filter(pk__in=ids)}
    assert rows["p1@example.org"].status == Notification.Status.FAILED and not rows["p1@example.org"].outage
    assert "550" in rows["p1@example.org"].last_error
    assert rows["p3@example.org"].status == Notification.Status.PENDING
    assert rows["p3@example.org"].next_attempt_at > timezone.now()
    assert sorted(to for to, _ in inbox.received) == ["p0@example.org", "p2@example.org", "p4@example.org"]
    assert list(outcomes.values()).count(notifications.Outcome.SENT) == 3
    assert notifications.breaker_open_until(timezone.now()) is None  # one message's trouble is no outage


def test_a_server_closing_mid_batch_is_an_outage_the_rest_back_off_together_and_other_batches_wait(inbox):
    from coordination.models import Heartbeat

    first, second = owe_digests(6, tag="x"), owe_digests(3, tag="y")
    inbox.answer = lambda address: "421 Shutting down" if address == "x3@example.org" else None
    outcomes = notifications.deliver_batch(first)
    assert [outcomes[pk] for pk in first] == [notifications.Outcome.SENT] * 3 + [notifications.Outcome.RETRY] * 3
    held = Notification.objects.filter(pk__in=first[3:])
    assert {(n.status, n.attempts, n.queued_at) for n in held} == {(Notification.Status.PENDING, 1, None)}
    assert Heartbeat.objects.filter(name=notifications.SMTP_DOWN).exists()
    # The next batch does not try while the breaker is open: no connection, no attempt spent.
    inbox.answer = lambda address: None
    assert set(notifications.deliver_batch(second).values()) == {notifications.Outcome.DEFERRED}
    assert {n.attempts for n in Notification.objects.filter(pk__in=second)} == {0}
    assert len(inbox.received) == 3


def test_rows_failed_by_an_outage_go_by_themselves_once_the_server_answers_again(inbox, settings):
    import time_machine

    from coordination.models import Heartbeat

    ids = owe_digests(3)
    old = owe_digests(1, tag="old")
    Notification.objects.filter(pk__in=ids + old).update(
        status=Notification.Status.FAILED, outage=True, attempts=settings.EMAIL_MAX_RETRIES + 1
    )
    Notification.objects.filter(pk__in=old).update(created_at=timezone.now() - timedelta(hours=100))
    refused = owe_digests(1, tag="refused")
    Notification.objects.filter(pk__in=refused).update(status=Notification.Status.FAILED, outage=False)
    Heartbeat.beat(notifications.SMTP_DOWN)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        notifications.sweep()  # still down as far as anyone knows: the oldest batch probes, and gets through
        assert len(inbox.received) == 3
        notifications.sweep()
    assert sorted(to for to, _ in inbox.received) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    # Past EMAIL_RESEND_FAILED_HOURS, and a message the server refused, stay failed for a person to resend.
    assert set(Notification.objects.filter(pk__in=old + refused).values_list("status", flat=True)) == {"failed"}


def test_resend_all_failed_tries_each_again_from_the_start(inbox, django_capture_on_commit_callbacks):
    ids = owe_digests(3)
    Notification.objects.filter(pk__in=ids).update(status=Notification.Status.FAILED, attempts=31, last_error="x")
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.resend_failed(Notification.objects.filter(pk__in=ids[:2])) == 2
    assert sorted(to for to, _ in inbox.received) == ["p0@example.org", "p1@example.org"]
    assert {n.attempts for n in Notification.objects.filter(pk__in=ids[:2])} == {1}
    assert Notification.objects.get(pk=ids[2]).status == Notification.Status.FAILED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    __import__("django.db", fromlist=["connection"]).connection.vendor != "postgresql",
    reason="cuts the connection with pg_terminate_backend",
)
def test_the_sent_mark_survives_a_dropped_database_connection(inbox):
    """The database connection is cut while the server takes each message:
    the mark is written on a new connection, and nothing goes twice."""
    import psycopg
    from django.db import connections

    ids = owe_digests(4)
    connection = connections["default"]  # this thread's: the SMTP server's thread reads its pid
    connection.ensure_connection()
    params = connection.get_connection_params()
    killer = psycopg.connect(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "dbname", "password")}, autocommit=True
    )
    handle = inbox.handle_DATA

    async def cut_then_accept(server, session, envelope):
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
        return await handle(server, session, envelope)

    inbox.handle_DATA = cut_then_accept
    try:
        outcomes = notifications.deliver_batch(ids)
    finally:
        killer.close()
    assert set(outcomes.values()) == {notifications.Outcome.SENT}
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}
    assert len(inbox.received) == 4


def test_a_batch_that_cannot_be_composed_is_retried_then_failed_not_left_claimed(inbox, monkeypatch, settings):
    def broken(rows):
        raise KeyError("a template variable")

    monkeypatch.setitem(notifications.MANY_COMPOSERS, Notification.Kind.ACTION_DIGEST, broken)
    settings.EMAIL_MAX_RETRIES = 0
    ids = owe_digests(2)
    assert set(notifications.deliver_batch(ids).values()) == {notifications.Outcome.FAILED}
    rows = Notification.objects.filter(pk__in=ids)
    assert {(n.status, n.outage) for n in rows} == {(Notification.Status.FAILED, False)}
    assert all("KeyError" in n.last_error for n in rows)
    assert not inbox.received
