"""The reminder part of the benchmark. A settling sweep first records what
the data set itself owes (its scheduled meetings' invitations, its people's
digests and escalations) and marks it sent, as on a site that has been
running; then, at scale 1, 100,000 more people, each with an item due in the
next days, spread over every agency of the statewide data set; then

1. one sweep (`notifications.sweep()`, the minute's work) that finds their
   digests, records them and hands them to a real Redis broker, and a second
   sweep that finds everything already recorded (then each sweeper alone, to
   show where its time goes);
2. e-mails a second per worker process: a fixed number of digests sent by
   real Celery workers (1, then 2 processes) to a mail server in a process
   of its own that only counts (`bench.sink`);
3. the workers' peak memory (VmHWM of each process, from /proc);
4. queries per e-mail: one batch delivered in this process (to the same
   mail server), its queries counted.

The people, items, ledger rows, heartbeats and the sweep's lease are taken
away afterwards (and the tables vacuumed), so the pages measure the same
data set whether or not this part ran: the data set itself stays what the
page table describes. Workers, the mail server and the queue's Redis keys
are gone when it ends, whatever happened."""

import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from coordination import notifications
from coordination.celery import app as celery_app
from coordination.models import Heartbeat, Lease, Notification
from members.models import Membership, Person
from tasks.models import ActionItem

from .copy import load, next_id, reset_sequences

# What the issue sets for e-mail at statewide scale.
TARGETS = {"sweep_s": 60, "per_process": 200, "memory_mb": 300}
Status = Notification.Status
DIGEST = Notification.Kind.ACTION_DIGEST
TAG = "reminders.bench.example.org"  # the added people's addresses end with it


@dataclass
class Rate:
    processes: int
    emails: int
    seconds: float
    per_second: float
    per_process: float
    peak_pool_mb: float  # the largest pool process
    peak_main_mb: float  # the worker's main process, which only hands out tasks
    received: int = 0  # what the sink counted


@dataclass
class Reminders:
    backlog: int  # what the data set itself owed (meeting invitations, digests, escalations...)
    backlog_s: float
    people_added: int
    people_due: int  # digests the measured sweep recorded
    recorded: int  # every ledger row it recorded (escalations, told in the digests, too)
    dispatched: int
    batches: int  # tasks in the broker's queue after it
    sweep_s: float
    second_recorded: int
    second_dispatched: int
    second_sweep_s: float
    second_sweepers: dict[str, float]  # each sweeper alone, run again after the second sweep
    batch_queries: int
    batch_emails: int
    queries_per_email: float
    rates: list[Rate] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def run(people: int, emails: int, redis_url: str, workers: tuple[int, ...] = (1, 2), say=print) -> Reminders:
    """Add the people, measure, and put everything back."""
    before = _snapshot()
    queue = f"bench-reminders-{uuid.uuid4().hex[:8]}"
    try:
        # DEBUG off, as in production: on, Django would format and keep every query the sweep runs.
        with override_settings(DEBUG=False), _celery_at(redis_url, queue):
            try:
                return _measure(people, emails, workers, queue, say)
            finally:
                _delete_queue(queue)
    finally:
        _restore(before)
        say("Reminder part: the added people, items and ledger rows are gone again.")


def _measure(people: int, emails: int, workers: tuple[int, ...], queue: str, say) -> Reminders:
    say("Reminder part: a first sweep records what the data set itself owes (as a running site has)...")
    began = time.perf_counter()
    backlog = settle()
    settle_s = time.perf_counter() - began
    _delete_queue(queue)
    say(f"  {backlog:,} rows recorded and marked sent in {settle_s:.1f} s")
    added = add_people(people)
    say(f"Reminder part: {added:,} people added, each with an item due; sweeping...")
    began = time.perf_counter()
    first = notifications.sweep()
    sweep_s = time.perf_counter() - began
    digests = Notification.objects.filter(kind=DIGEST, status=Status.PENDING)
    due = digests.count()
    batches = _queue_length(queue)
    say(f"  first sweep: {first['queued']:,} rows recorded ({due:,} digests), {batches:,} batches in {sweep_s:.1f} s")
    began = time.perf_counter()
    second = notifications.sweep()
    second_s = time.perf_counter() - began
    say(f"  second sweep: {second['queued']} recorded, {second['dispatched']} handed over, in {second_s:.2f} s")
    sweepers = {}
    for sweeper in notifications.SWEEPERS:  # where a sweep with nothing to record spends its time
        began = time.perf_counter()
        sweeper()
        sweepers[sweeper.__module__] = round(time.perf_counter() - began, 2)
    say("  each sweeper alone: " + ", ".join(f"{name} {seconds} s" for name, seconds in sweepers.items()))
    _delete_queue(queue)  # the runs below send batches of their own, a fixed number

    owed = list(digests.order_by("pk").values_list("pk", flat=True))
    batch = owed[: settings.EMAIL_BATCH_SIZE]
    with _sink() as sink:
        options = {"host": "127.0.0.1", "port": sink.port, "use_tls": False, "timeout": 20}
        smtp = {"default": {"BACKEND": "coordination.smtp.EmailBackend", "OPTIONS": options}}
        reset_queries()  # the log keeps 9,000 queries at most: a full one would capture none
        with override_settings(MAILERS=smtp), CaptureQueriesContext(connection) as captured:
            outcomes = notifications.deliver_batch(batch)
    sent = sum(outcome == notifications.Outcome.SENT for outcome in outcomes.values())
    per_email = len(captured) / max(sent, 1)
    say(f"  one batch in-process: {len(captured)} queries for {sent} e-mails ({per_email:.2f} an e-mail)")

    owed = owed[len(batch) :]
    emails = min(emails, len(owed) // len(workers))
    result = Reminders(
        backlog=backlog,
        backlog_s=round(settle_s, 1),
        people_added=added,
        people_due=due,
        recorded=first["queued"],
        dispatched=first["dispatched"],
        batches=batches,
        sweep_s=round(sweep_s, 2),
        second_recorded=second["queued"],
        second_dispatched=second["dispatched"],
        second_sweep_s=round(second_s, 3),
        second_sweepers=sweepers,
        batch_queries=len(captured),
        batch_emails=sent,
        queries_per_email=round(per_email, 2),
    )
    for n, processes in enumerate(workers):
        rate = send_rate(owed[n * emails : (n + 1) * emails], processes, queue)
        say(
            f"  {processes} worker process{'es' if processes > 1 else ''}: {rate.emails:,} e-mails in "
            f"{rate.seconds:.1f} s, {rate.per_process:.0f} a second a process; peak {rate.peak_pool_mb:.0f} MB"
        )
        result.rates.append(rate)
    result.missed = [
        name
        for name, over in (
            ("sweep", sweep_s > TARGETS["sweep_s"]),
            ("rate", any(r.per_process < TARGETS["per_process"] for r in result.rates)),
            ("memory", any(r.peak_pool_mb > TARGETS["memory_mb"] for r in result.rates)),
        )
        if over
    ]
    return result


def settle() -> int:
    """The data set's own messages recorded and marked sent (its scheduled
    meetings' invitations, its people's digests and escalations today), as a
    site that has been running has them: the measured sweep then finds the
    added people's digests, not a backlog of years. Returns how many."""
    notifications.sweep()
    now = timezone.now()
    rows = Notification.objects.all()
    rows.filter(status=Status.IN_DIGEST, sent_at__isnull=True).update(sent_at=now)
    return (
        rows.filter(status=Status.PENDING).update(status=Status.SENT, sent_at=now, queued_at=None)
        + rows.filter(status=Status.IN_DIGEST).count()
    )


def add_people(count: int) -> int:
    """`count` people spread over every agency with an active membership, each
    with one open item of that coalition assigned to them, due today or in
    the next two days (not overdue: they add digests, not escalations)."""
    homes = list(
        Membership.objects.filter(status=Membership.Status.ACTIVE)
        .order_by("agency_id", "pk")
        .distinct("agency_id")
        .values_list("agency_id", "coalition_id")
    )
    first = next_id(Person)
    today = timezone.localdate()
    now = timezone.now()
    load(
        Person,
        ["id", "agency_id", "full_name", "email", "digest_hour"],
        ((first + i, homes[i % len(homes)][0], f"Reminded {i:06}", f"reminded{i}@{TAG}", 0) for i in range(count)),
    )
    load(
        ActionItem,
        ["coalition_id", "title", "owner_agency_id", "assignee_id", "due_on", "priority", "status", "created_at"],
        (
            (
                homes[i % len(homes)][1],
                f"Confirm the referral contact ({i})",
                homes[i % len(homes)][0],
                first + i,
                today + timedelta(days=i % 3),
                2,
                ActionItem.Status.OPEN,
                now,
            )
            for i in range(count)
        ),
    )
    reset_sequences(Person, ActionItem)
    _analyze()
    return count


def send_rate(ids: list[int], processes: int, queue: str) -> Rate:
    """Hand `ids` to the broker in batches and time real workers sending them,
    from the first batch handed over to the last row marked sent."""
    size = settings.EMAIL_BATCH_SIZE
    task = celery_app.tasks["coordination.send_batch"]
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-reminders-")))
        sink = stack.enter_context(_sink())
        worker = stack.enter_context(_worker(processes, queue, sink.port, folder))
        sent = Notification.objects.filter(pk__gte=min(ids), pk__lte=max(ids), status=Status.SENT)
        baseline = sent.count()
        began = time.perf_counter()
        for start in range(0, len(ids), size):
            task.delay(ids=ids[start : start + size])
        seconds = _wait_sent(sent, baseline + len(ids), began, worker.log)
        peak_pool, peak_main = _peaks(worker.process.pid)
    return Rate(
        processes=processes,
        emails=len(ids),
        seconds=round(seconds, 1),
        per_second=round(len(ids) / seconds, 1),
        per_process=round(len(ids) / seconds / processes, 1),
        peak_pool_mb=round(peak_pool, 1),
        peak_main_mb=round(peak_main, 1),
        received=sink.received,
    )


def _wait_sent(sent, wanted: int, began: float, log: Path, stall: float = 120) -> float:
    """Seconds from `began` until `sent` counts `wanted` rows; fails when it
    does not move for `stall` seconds. `sent` is the sent rows of the id range
    of the rows handed over (owed digests in order of id; no other row of the
    range changes meanwhile): one index scan a poll, not a 20,000-id list."""
    last_change = time.perf_counter()
    done = 0
    while True:
        now = done
        done = sent.count()
        if done >= wanted:
            return time.perf_counter() - began
        if done != now:
            last_change = time.perf_counter()
        elif time.perf_counter() - last_change > stall:
            raise RuntimeError(f"{done} of {wanted} rows sent, none for {stall} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


@dataclass
class _Sink:
    port: int
    received: int = 0


@contextmanager
def _sink():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.sink", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=settings.BASE_DIR,
    )
    sink = _Sink(port)
    try:
        if process.stdout.readline().strip() != f"ready {port}":
            raise RuntimeError("The mail sink did not start.")
        yield sink
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
        sink.received = int(output.rpartition("received ")[2] or 0)


@dataclass
class _Worker:
    process: subprocess.Popen
    log: Path


@contextmanager
def _worker(processes: int, queue: str, smtp_port: int, folder: Path):
    """`celery worker` consuming the bench's queue with DEBUG off (on, Django
    would keep every query a worker runs), sending to the sink."""
    log = folder / f"worker-{processes}.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": celery_app.conf.broker_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "localhost",
    }
    command = [sys.executable, "-m", "celery", "-A", "coordination", "worker", "-Q", queue, "-n", f"{queue}@%h"]
    command += ["--concurrency", str(processes), "--without-mingle", "--without-gossip", "--loglevel", "INFO"]
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, env=environment, stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield _Worker(process, log)
    finally:
        process.terminate()  # a warm shutdown: nothing is left running
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _peaks(pid: int) -> tuple[float, float]:
    """The peak resident memory (VmHWM) of the worker's pool processes (the
    largest) and of its main process, in MB."""

    def peak(process: int) -> float:
        for line in Path(f"/proc/{process}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return max((peak(child) for child in children), default=0.0), peak(pid)


def database_url() -> str:
    """The URL of the database this process uses, for the workers it starts."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The broker ------------------------------------------------------------------


@contextmanager
def _celery_at(broker_url: str, queue: str):
    """This process's tasks to the bench's broker and queue. Celery caches its
    routing (app.amqp) and connection pool on first use, so both are dropped."""

    def point(url: str, name: str) -> None:
        celery_app.conf.broker_url = url
        celery_app.conf.task_default_queue = name
        celery_app.__dict__.pop("amqp", None)
        celery_app._pool = None

    saved = celery_app.conf.broker_url, celery_app.conf.task_default_queue
    point(broker_url, queue)
    try:
        yield
    finally:
        point(*saved)


def _queue_length(queue: str) -> int:
    with celery_app.connection_for_write() as broker:
        return broker.default_channel.client.llen(queue)


def _delete_queue(queue: str) -> None:
    """Every Redis key of the queue: its lists (one a priority) and its bindings."""
    with celery_app.connection_for_write() as broker:
        client = broker.default_channel.client
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)


# --- Putting things back -------------------------------------------------------------


@dataclass
class _Before:
    person: int
    item: int
    notification: int
    heartbeats: list[dict]
    leases: list[dict]


def _snapshot() -> _Before:
    return _Before(
        person=next_id(Person),
        item=next_id(ActionItem),
        notification=next_id(Notification),
        heartbeats=list(Heartbeat.objects.values()),
        leases=list(Lease.objects.values()),
    )


def _restore(before: _Before) -> None:
    """Raw deletes: Django's cascade would load every row first."""
    with connection.cursor() as cursor:
        for model, first in ((Notification, before.notification), (ActionItem, before.item), (Person, before.person)):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE id >= %s", [first])  # noqa: S608 - the model's table
    Heartbeat.objects.all().delete()
    Heartbeat.objects.bulk_create(Heartbeat(**row) for row in before.heartbeats)
    Lease.objects.all().delete()
    Lease.objects.bulk_create(Lease(**row) for row in before.leases)
    _analyze(vacuum=True)


def _analyze(vacuum: bool = False) -> None:
    """Fresh statistics for the tables this part changes (and, once it is
    done, their dead rows vacuumed away, so the pages read what they read before)."""
    if connection.vendor != "postgresql":
        return
    command = "VACUUM (ANALYZE)" if vacuum and not connection.in_atomic_block else "ANALYZE"
    with connection.cursor() as cursor:
        for model in (Person, ActionItem, Notification):
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


# --- What it writes ----------------------------------------------------------------


def as_json(result: Reminders, meta: dict) -> dict:
    return {"meta": meta, "targets": TARGETS, "result": asdict(result)}


MARK = "<!-- bench:reminders -->"


def as_markdown(result: Reminders, meta: dict) -> str:
    """Starts with MARK, which tells the README writer where this part begins."""

    def met(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = [
        MARK,
        f"Reminders and e-mail, measured {meta['when']} on {meta['machine']}, {meta['database']}, scale "
        f"{meta['scale']}: {result.people_added:,} people added to the data set, each with an item due, after "
        "what the data set itself owes was recorded and marked sent (as on a site that has been running); "
        "Redis broker, real Celery workers, a mail server in its own process that only counts.",
        "",
        "| measure | figure | target | |",
        "| --- | ---: | ---: | --- |",
        f"| settling sweep, not a target: the data set's own {result.backlog:,} messages (its scheduled meetings' "
        f"invitations, its people's digests and escalations) | {result.backlog_s} s | | |",
        f"| first sweep: {result.recorded:,} ledger rows recorded ({result.people_due:,} digests), "
        f"{result.batches:,} batches queued | {result.sweep_s} s | under {TARGETS['sweep_s']} s "
        f"(for 100,000) | {met('sweep' not in result.missed)} |",
        f"| second sweep: {result.second_recorded} recorded, {result.second_dispatched} queued | "
        f"{result.second_sweep_s} s | | |",
        "| the same, each sweeper alone: "
        + ", ".join(f"{name} {seconds} s" for name, seconds in result.second_sweepers.items())
        + " | | | |",
        f"| queries per e-mail (one batch of {result.batch_emails}: {result.batch_queries} queries) | "
        f"{result.queries_per_email} | | |",
    ]
    for rate in result.rates:
        processes = f"{rate.processes} worker process{'es' if rate.processes > 1 else ''}"
        lines.append(
            f"| {processes}: {rate.emails:,} e-mails in {rate.seconds} s ({rate.per_second}/s) | "
            f"{rate.per_process}/s a process | at least {TARGETS['per_process']}/s | "
            f"{met(rate.per_process >= TARGETS['per_process'])} |"
        )
    for rate in result.rates:
        lines.append(
            f"| peak memory, {rate.processes}-process worker: largest pool process (main process "
            f"{rate.peak_main_mb} MB) | {rate.peak_pool_mb} MB | under {TARGETS['memory_mb']} MB | "
            f"{met(rate.peak_pool_mb <= TARGETS['memory_mb'])} |"
        )
    lines += [
        "",
        "The rate is timed from the first batch handed to the broker to the last row marked sent, over a "
        "fixed number of the owed digests (oldest first), not all of them. Peak memory is each process's "
        "VmHWM. The added people and everything this part records are deleted afterwards.",
    ]
    return "\n".join(lines) + "\n"
