"""The notification ledger: queue a message once, send it once, in batches.

A message owed is a row whose unique key (kind, object, period, address)
makes a second request for the same message a no-op. Rows reach the broker
in batches (`dispatch`, run by the minute's sweep, oldest first; a message
asked for by a person, such as a password reset, goes at once after commit).
A worker claims a batch's rows with one conditional update that only one
batch can win, composes them from data read a kind at a time, and sends them
over one SMTP connection, marking each row sent as soon as the server takes
it.

A message the server refuses is retried alone, or failed at once if the
refusal is permanent. A server that cannot be reached is an outage: found
once per batch, it backs the whole batch off and holds every other batch
for a while (the breaker), so a dead or silent server does not hold the
workers. Retries follow a schedule that spans about a day; rows failed by an
outage go out by themselves once the server answers again. A claimed row not
sent within STALE_CLAIM belongs to a worker that died and goes back.

Whether a person may be e-mailed at all is one rule for every kind: each kind
is registered with a `Topic` (which of the person's choices it follows), and
the batch asks the recipient rule, which the members app registers, before
composing. A message to someone away or opted out is skipped, not retried.
"""

import logging
import secrets
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .celery import app as celery_app
from .mail import absolute_url, build_message
from .models import Coalition, Heartbeat, Invitation, Lease, Notification, User

log = logging.getLogger(__name__)
Status = Notification.Status

# A claimed row not marked sent after this long belongs to a worker that
# died; a batch at work renews its claim every CLAIM_RENEW, and no single
# send can take longer than EMAIL_TIMEOUT (20 s by default).
STALE_CLAIM = timedelta(minutes=2)
CLAIM_RENEW = timedelta(seconds=30)
# A row handed to the broker whose task has not run after this long was lost on the way.
LOST_TASK = timedelta(minutes=2)
# One sweep at a time: beat starts one a minute, and one may take longer.
# A sweep that dies holding the lease loses it after this long.
SWEEP_LEASE = timedelta(minutes=10)
# How long a batch keeps trying to write "sent" when the database is away:
# past that the row's claim goes stale and the message is sent again (with
# the same Message-ID).
MARK_RETRY_SECONDS = 300
# The cache key of the last sweep's duration (coordination/metrics.py reads it).
SWEEP_SECONDS = "metrics:sweep-seconds"
# Heartbeats of the mail server: the last batch it took and the last time it could not be reached.
SMTP_OK, SMTP_DOWN = "smtp-ok", "smtp-down"


def retry_delay(attempt: int) -> int:
    """Seconds before try `attempt + 1`: 1, 2, 4... minutes (EMAIL_RETRY_SECONDS
    doubling), then every hour (60 times EMAIL_RETRY_SECONDS)."""
    base = settings.EMAIL_RETRY_SECONDS
    return min(base * 2 ** min(max(attempt - 1, 0), 16), 60 * base)


def retry_budget() -> timedelta:
    """How long a message is retried before it is marked failed."""
    return timedelta(seconds=sum(retry_delay(attempt) for attempt in range(1, settings.EMAIL_MAX_RETRIES + 1)))


def message_id(notification: Notification) -> str:
    """The same Message-ID on every try of one message: should a retry follow a
    send whose confirmation was lost, mail programs see one message, not two."""
    host = urlsplit(settings.SITE_URL).hostname or "roundtable"
    return f"<notification-{notification.pk}@{host}>"


class Topic(StrEnum):
    """Which of a person's choices a kind of e-mail follows. The members app's
    recipient rule says what each means for a person."""

    ACCOUNT = "account"  # invitations to Roundtable, password resets: always sent
    NOTICE = "notice"  # sent unless the person is inactive or away
    REMINDERS = "reminders"  # ...and unless they turned off meeting notices and requests
    DIGEST = "digest"  # ...and unless they turned off the daily digest


def local_today(coalition: Coalition | None = None, now: datetime | None = None) -> date:
    """The date on the coalition's wall clock, or on the server's without one."""
    now = now or timezone.now()
    return timezone.localdate(now, ZoneInfo(coalition.time_zone)) if coalition else timezone.localdate(now)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"
    DEFERRED = "deferred"  # the mail server is out: held without a try
    NOT_CLAIMED = "not claimed"


# --- Owing ---------------------------------------------------------------------


def queue(
    kind: str,
    object_id: int,
    email: str,
    *,
    period: str = "",
    user: User | None = None,
    coalition=None,
) -> Notification | None:
    """Record that a message is owed and send it after commit. Returns None if
    the same message was already recorded."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                object_id=object_id,
                period=period,
                email=email,
                user=user,
                coalition=coalition,
                queued_at=timezone.now(),
            )
    except IntegrityError:
        return None
    _enqueue_after_commit([notification.pk])
    return notification


_COLUMNS = ("kind", "object_id", "period", "email", "user_id", "coalition_id", "status")


def owe(
    kind: str, object_id: int, email: str, *, period: str = "", user_id=None, coalition_id=None, status=Status.PENDING
) -> tuple:
    """One row for `queue_many`."""
    return (kind, object_id, period, email, user_id, coalition_id, status)


def queue_many(rows: Iterable[tuple], *, send_now: bool = False) -> list[int]:
    """Record many owed messages (tuples from `owe`) in a few statements;
    those already recorded are left alone (the unique key, ON CONFLICT DO
    NOTHING). Returns the new rows' ids. The sweep's dispatch hands them to
    the broker; with `send_now` they go after commit instead."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    columns = (*_COLUMNS, "attempts", "last_error", "claimed_by", "outage", "created_at", "next_attempt_at")
    columns += ("queued_at",)
    now = timezone.now()
    queued_at = now if send_now else None
    ids: list[int] = []
    chunk: list[tuple] = []

    def insert() -> None:
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
        params = [value for row in chunk for value in (*row, 0, "", "", False, now, now, queued_at)]
        # The table and columns are the model's own; every value is a parameter.
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} ON CONFLICT DO NOTHING RETURNING id"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
        chunk.clear()

    with transaction.atomic():
        for row in rows:
            chunk.append(row)
            if len(chunk) == 500:
                insert()
        if chunk:
            insert()
    if send_now:
        _enqueue_after_commit(ids)
    return ids


def _batch_task():
    # By name from the Celery app (the task module imports this one; apps.py
    # imports the task module at start-up).
    return celery_app.tasks["coordination.send_batch"]


def _enqueue(ids: list[int]) -> int:
    """Hand rows already marked queued to the broker, a batch a task. Returns
    how many went; the rest are marked not queued for the next sweep."""
    size = settings.EMAIL_BATCH_SIZE
    task = _batch_task()
    for start in range(0, len(ids), size):
        try:
            task.delay(ids=ids[start : start + size])
        except Exception:  # the broker is down: the sweep hands them over later
            log.warning("Could not queue %s e-mails; the sweep will retry.", len(ids) - start, exc_info=True)
            Notification.objects.filter(pk__in=ids[start:], status=Status.PENDING).update(queued_at=None)
            return start
    return len(ids)


def _enqueue_after_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))


def dispatch(now: datetime | None = None) -> int:
    """Hand to the broker every row owed now and not handed yet, oldest
    first, a batch a task. Run by the sweep, one at a time."""
    now = now or timezone.now()
    owed = Notification.objects.filter(status=Status.PENDING, queued_at__isnull=True, next_attempt_at__lte=now)
    ids = list(owed.order_by("next_attempt_at", "pk").values_list("pk", flat=True))
    sent = 0
    for chunk in _chunks(ids):
        Notification.objects.filter(pk__in=chunk).update(queued_at=now)
        went = _enqueue(chunk)
        sent += went
        if went < len(chunk):  # the broker is gone: `_enqueue` left the rest for the next sweep
            break
    return sent


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    """Ids a statement at a time, so that no IN list grows with the backlog."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- Sending -----------------------------------------------------------------------


def _is_outage(exc: Exception) -> bool:
    """Whether a failure is the server's (unreachable, silent, closing, refusing
    us) rather than one message's (a refused address or content)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return exc.smtp_code == 421
    return isinstance(exc, OSError)  # smtplib's errors are OSErrors: connect, HELO, login, disconnect, timeout


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError)  # an address the mail library cannot write


def smtp_beats() -> dict[str, datetime]:
    """When a batch last got through to the mail server, and when one last could not."""
    return dict(Heartbeat.objects.filter(name__in=[SMTP_OK, SMTP_DOWN]).values_list("name", "last_run_at"))


def failing_since(beats: dict[str, datetime]) -> datetime | None:
    """Since when the mail server has not been reached (from `smtp_beats`), or None."""
    down, ok = beats.get(SMTP_DOWN), beats.get(SMTP_OK)
    return down if down and (ok is None or down > ok) else None


def owed(rows, now: datetime):
    """The rows owed now: waiting for a worker or being sent."""
    return rows.filter(status__in=[Status.PENDING, Status.SENDING], next_attempt_at__lte=now)


def breaker_open_until(now: datetime, beats: dict[str, datetime] | None = None) -> datetime | None:
    """After the mail server could not be reached, batches hold their rows
    for EMAIL_RETRY_SECONDS instead of each waiting out a timeout; the first
    batch after that finds out whether it is back."""
    down = failing_since(smtp_beats() if beats is None else beats)
    reopen = down + timedelta(seconds=settings.EMAIL_RETRY_SECONDS) if down else None
    return reopen if reopen and reopen > now else None


def _write(update: Callable[[], object]) -> None:
    """A write that must not be lost to a dropped database connection: the
    connection is opened again and the write retried, for MARK_RETRY_SECONDS."""
    deadline = time.monotonic() + MARK_RETRY_SECONDS
    pause = 0.2
    while True:
        try:
            update()
            return
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or time.monotonic() > deadline:
                raise
            log.warning("Lost the database while recording an e-mail; trying again.", exc_info=True)
            connection.close()
            time.sleep(pause)
            pause = min(pause * 2, 10)


def _back_off(rows: list[Notification], error: str, *, outage: bool, now: datetime) -> dict[int, Outcome]:
    """Rows not sent go back for a later try (their attempt counted), or fail
    once their retries are spent. A statement per distinct attempt count."""
    outcomes: dict[int, Outcome] = {}
    by_attempts: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_attempts[row.attempts].append(row.pk)
    for attempts, pks in by_attempts.items():
        last_try = attempts > settings.EMAIL_MAX_RETRIES
        _write(
            lambda pks=pks, attempts=attempts, last_try=last_try: Notification.objects.filter(pk__in=pks).update(
                status=Status.FAILED if last_try else Status.PENDING,
                next_attempt_at=now + timedelta(seconds=retry_delay(attempts)),
                queued_at=None,
                claimed_by="",
                outage=outage and last_try,
                last_error=error[:2000],
            )
        )
        outcomes.update(dict.fromkeys(pks, Outcome.FAILED if last_try else Outcome.RETRY))
    return outcomes


def deliver_batch(ids: list[int]) -> dict[int, Outcome]:
    """Claim, compose and send a batch of rows. Returns each row's outcome."""
    now = timezone.now()
    outcomes = dict.fromkeys(ids, Outcome.NOT_CLAIMED)
    if reopen := breaker_open_until(now):
        held = Notification.objects.filter(pk__in=ids, status=Status.PENDING)
        held_ids = list(held.values_list("pk", flat=True))
        held.filter(pk__in=held_ids).update(queued_at=None, next_attempt_at=reopen)
        outcomes.update(dict.fromkeys(held_ids, Outcome.DEFERRED))
        return outcomes
    token = secrets.token_hex(8)
    Notification.objects.filter(
        pk__in=ids, status=Status.PENDING, next_attempt_at__lte=now + timedelta(seconds=5)
    ).update(status=Status.SENDING, claimed_at=now, claimed_by=token, attempts=F("attempts") + 1)
    rows = list(
        Notification.objects.filter(claimed_by=token, status=Status.SENDING)
        .select_related("user", "coalition")
        .order_by("pk")
    )
    if not rows:
        return outcomes
    try:
        allowed = may_send_many(rows)
        messages = compose_many([row for row in rows if row.pk in allowed])
    except Exception as exc:  # a message that cannot be written must not come back every two minutes for ever
        log.exception("Composing a batch of %s e-mails failed.", len(rows))
        outcomes.update(_back_off(rows, f"{type(exc).__name__}: {exc}", outage=False, now=now))
        return outcomes
    skipped = [row.pk for row in rows if messages.get(row.pk) is None]
    if skipped:
        _write(lambda: _finish(skipped, Status.SKIPPED))
        outcomes.update(dict.fromkeys(skipped, Outcome.SKIPPED))
        log.info("%s e-mails not needed any more (recipient away or opted out, or nothing to tell).", len(skipped))
    outcomes.update(_send(token, [(row, messages[row.pk]) for row in rows if messages.get(row.pk) is not None]))
    return outcomes


def _send(token: str, batch: list[tuple[Notification, EmailMultiAlternatives]]) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    if not batch:
        return outcomes
    mailer = mailers.create_connection("default")
    renewed = time.monotonic()
    outage = False
    _relaxed_commits(True)
    try:
        for index, (row, message) in enumerate(batch):
            if time.monotonic() - renewed > CLAIM_RENEW.total_seconds():
                _write(
                    lambda: Notification.objects.filter(claimed_by=token, status=Status.SENDING).update(
                        claimed_at=timezone.now()
                    )
                )
                renewed = time.monotonic()
            message.extra_headers["Message-ID"] = message_id(row)
            if _list_headers is not None:
                message.extra_headers.update(_list_headers(row, TOPICS.get(row.kind, Topic.NOTICE)))
            try:
                if index == 0:
                    mailer.open()  # once a batch: every message goes over this connection
                mailer.send_messages([message])
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                now = timezone.now()
                if _is_outage(exc):
                    log.warning("The mail server failed; %s e-mails held for a retry: %s", len(batch) - index, error)
                    Heartbeat.beat(SMTP_DOWN)
                    outcomes.update(_back_off([r for r, _ in batch[index:]], error, outage=True, now=now))
                    outage = True
                    break
                if _is_permanent(exc):
                    _write(lambda row=row, error=error: _fail_now(row.pk, error))
                    outcomes[row.pk] = Outcome.FAILED
                else:
                    outcomes.update(_back_off([row], error, outage=False, now=now))
                log.warning("E-mail %s refused: %s", row.pk, error)
                continue
            _write(lambda row=row: _finish([row.pk], Status.SENT))
            outcomes[row.pk] = Outcome.SENT
    finally:
        _relaxed_commits(False)
        try:
            mailer.close()
        except Exception:
            log.debug("Closing the mail connection failed.", exc_info=True)
    if Outcome.SENT in outcomes.values() and not outage:
        Heartbeat.beat(SMTP_OK)
    return outcomes


def _relaxed_commits(on: bool) -> None:
    """While a batch marks its rows sent, one a message, PostgreSQL need not
    wait for each commit to reach the disk (synchronous_commit off): a worker
    that dies loses nothing committed; only a crash of the database server
    itself could forget the last fraction of a second of marks, whose
    messages would then go again under the same Message-ID. Other databases
    have no such switch and are left as they are."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")
    except (OperationalError, InterfaceError):
        log.warning("Could not set synchronous_commit on the database connection.", exc_info=True)


def deliver(notification_id: int) -> Outcome:
    """One row on its own (a batch of one)."""
    return deliver_batch([notification_id])[notification_id]


def _finish(pks: list[int], status: str) -> None:
    Notification.objects.filter(pk__in=pks).update(
        status=status, sent_at=timezone.now(), last_error="", claimed_by="", outage=False
    )


def _fail_now(pk: int, error: str) -> None:
    Notification.objects.filter(pk=pk).update(
        status=Status.FAILED, last_error=error[:2000], claimed_by="", queued_at=None, outage=False
    )


# --- Second chances ---------------------------------------------------------------


def resend(notification: Notification) -> None:
    """An organizer's second chance for a message that failed after every retry."""
    resend_failed(Notification.objects.filter(pk=notification.pk))


def resend_failed(rows) -> int:
    """Every failed row of `rows` tried again from the start, oldest first,
    after commit. Returns how many."""
    now = timezone.now()
    ids = list(rows.filter(status=Status.FAILED).order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        Notification.objects.filter(pk__in=chunk, status=Status.FAILED).update(
            status=Status.PENDING,
            last_error="",
            outage=False,
            claimed_by="",
            attempts=0,
            next_attempt_at=now,
            queued_at=now,
        )
    _enqueue_after_commit(ids)
    return len(ids)


def revive_outage_failures(now: datetime) -> int:
    """Rows failed only because the server was out, within
    EMAIL_RESEND_FAILED_HOURS, go out by themselves once it answers again:
    all of them once a batch has got through since the outage, else the
    oldest batch as a probe (one failed try fails it again at once)."""
    failed = Notification.objects.filter(
        status=Status.FAILED,
        outage=True,
        created_at__gte=now - timedelta(hours=settings.EMAIL_RESEND_FAILED_HOURS),
    )
    beats = smtp_beats()
    if breaker_open_until(now, beats):
        return 0
    back = beats.get(SMTP_OK) is not None and failing_since(beats) is None
    ids = failed.order_by("pk").values_list("pk", flat=True)
    if not back:
        ids = ids[: settings.EMAIL_BATCH_SIZE]
    ids = list(ids)
    for chunk in _chunks(ids):
        Notification.objects.filter(pk__in=chunk).update(
            status=Status.PENDING, outage=False, claimed_by="", next_attempt_at=now, queued_at=None
        )
    return len(ids)


def queue_depth() -> int | None:
    """How many tasks wait in the broker's queue for a worker; None when
    the broker does not answer. Tasks run inline (tests) have no queue."""
    if celery_app.conf.task_always_eager:
        return 0
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1)
            declared = broker.default_channel.queue_declare(queue=celery_app.conf.task_default_queue)
            return declared.message_count
    except Exception:
        log.warning("Could not read the broker's queue depth.", exc_info=True)
        return None


def requeue_lost(now: datetime | None = None) -> int:
    """Rows whose task was lost go back to be dispatched. Returns how many.

    A row claimed by a worker that died (its claim not renewed for
    STALE_CLAIM) is released at once. A row handed to the broker whose task
    has not run after LOST_TASK goes back only when the broker's queue is
    empty: while a backlog drains, its task is most likely still in it."""
    now = now or timezone.now()
    stale = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    released = stale.update(status=Status.PENDING, claimed_by="", queued_at=None)
    lost = Notification.objects.filter(status=Status.PENDING, queued_at__lt=now - LOST_TASK)
    if lost.exists() and queue_depth() == 0:
        released += lost.update(queued_at=None)
    return released


def health(rows=None) -> dict:
    """What the "E-mails sent" page and the dashboard show: the broker's
    queue depth, how many messages are owed and how old the oldest is, and
    whether the mail server is failing."""
    rows = Notification.objects.all() if rows is None else rows
    now = timezone.now()
    oldest = owed(rows, now).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    return {
        "depth": queue_depth(),
        "oldest_age": now - oldest if oldest else None,
        "failing_since": failing_since(smtp_beats()),
    }


# --- What each kind of message says ----------------------------------------


def _password_link(user: User, url_name: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute_url(reverse(url_name, args=[uid, default_token_generator.make_token(user)]))


def compose_invitation(notification: Notification) -> EmailMultiAlternatives | None:
    invitation = (
        Invitation.objects.select_related("user", "coalition", "invited_by").filter(pk=notification.object_id).first()
    )
    if invitation is None or not invitation.user.is_active:
        return None
    user = invitation.user
    context = {
        "invitation": invitation,
        "user": user,
        "coalition": invitation.coalition,
        "has_password": user.has_usable_password(),
        "accept_url": _password_link(user, "invitation_accept"),
        "login_url": absolute_url(reverse("login")),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    return build_message("invitation", context, [notification.email])


def compose_password_reset(notification: Notification) -> EmailMultiAlternatives | None:
    user = User.objects.filter(pk=notification.object_id, is_active=True).first()
    if user is None:
        return None
    context = {
        "user": user,
        "reset_url": _password_link(user, "password_reset_confirm"),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    return build_message("password_reset", context, [notification.email])


Composer = Callable[[Notification], EmailMultiAlternatives | None]
# A kind sent in numbers composes a batch at once, from data read a kind at
# a time (a fixed number of queries a batch, not a message).
ManyComposer = Callable[[list[Notification]], dict[int, EmailMultiAlternatives | None]]
COMPOSERS: dict[str, Composer] = {
    Notification.Kind.INVITATION: compose_invitation,
    Notification.Kind.PASSWORD_RESET: compose_password_reset,
}
MANY_COMPOSERS: dict[str, ManyComposer] = {}
TOPICS: dict[str, Topic] = {
    Notification.Kind.INVITATION: Topic.ACCOUNT,
    Notification.Kind.PASSWORD_RESET: Topic.ACCOUNT,
}
# Periodic finders of due messages, run by the sweep every minute in the
# order registered; each records ledger rows (`queue_many`: duplicates are
# left alone by the ledger's unique key) and returns how many were new.
SWEEPERS: list[Callable[[], int]] = []
# Which of a batch's rows may be e-mailed, given each row's topic and date;
# the members app fills it (the base knows nothing of people). Until then
# everyone may.
RecipientRule = Callable[[list[tuple[Notification, Topic, date]]], set[int]]
_recipient_rule: RecipientRule | None = None


def register(kind: str, composer: Composer, *, topic: Topic = Topic.NOTICE, many: ManyComposer | None = None) -> None:
    """Apps add their kinds of message (meetings: invitations, reminders...),
    each with the topic whose opt-out it follows."""
    COMPOSERS[kind] = composer
    TOPICS[kind] = topic
    if many is not None:
        MANY_COMPOSERS[kind] = many


def register_recipient_rule(rule: RecipientRule) -> None:
    global _recipient_rule
    _recipient_rule = rule


# The headers each message carries for its recipient's mail program (the
# members app's List-Unsubscribe, RFC 2369 and 8058), from the row and its topic.
ListHeaders = Callable[[Notification, Topic], dict[str, str]]
_list_headers: ListHeaders | None = None


def register_list_headers(headers: ListHeaders) -> None:
    global _list_headers
    _list_headers = headers


def may_send_many(rows: list[Notification]) -> set[int]:
    """The recipient rule, each row on its coalition's date (the server's without one)."""
    if _recipient_rule is None:
        return {row.pk for row in rows}
    zones: dict[int | None, date] = {}
    entries = []
    for row in rows:
        if row.coalition_id not in zones:
            zones[row.coalition_id] = local_today(row.coalition)
        entries.append((row, TOPICS.get(row.kind, Topic.NOTICE), zones[row.coalition_id]))
    return _recipient_rule(entries)


def compose_many(rows: list[Notification]) -> dict[int, EmailMultiAlternatives | None]:
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    messages: dict[int, EmailMultiAlternatives | None] = {}
    for kind, group in by_kind.items():
        if many := MANY_COMPOSERS.get(kind):
            messages.update(many(group))
        else:
            messages.update((row.pk, COMPOSERS[kind](row)) for row in group)
    return messages


def register_sweeper(sweeper: Callable[[], int]) -> None:
    if sweeper not in SWEEPERS:
        SWEEPERS.append(sweeper)


def sweep() -> dict[str, int]:
    """The minute's work: record what has fallen due, take back what was
    lost or failed by an outage now over, hand everything owed to the broker
    oldest first, and leave a heartbeat for the dashboard. One at a time: a
    sweep that finds another under way (its lease held) does nothing."""
    with Lease.held("sweep", SWEEP_LEASE) as mine:
        if not mine:
            return {"queued": 0, "requeued": 0, "dispatched": 0, "skipped": 1}
        now = timezone.now()
        started = time.monotonic()
        queued = sum(sweeper() for sweeper in SWEEPERS)
        requeued = requeue_lost(now) + revive_outage_failures(now)
        dispatched = dispatch()
        Heartbeat.beat("sweep")
        # how long it took, for /metrics (the cache is Redis in production: every process sees it)
        cache.set(SWEEP_SECONDS, round(time.monotonic() - started, 3), None)
    return {"queued": queued, "requeued": requeued, "dispatched": dispatched}
