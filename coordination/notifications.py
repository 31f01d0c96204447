"""The notification ledger: queue a message once, send it once.

`queue()` writes a row whose unique key (kind, object, period, address) makes
a second request for the same message a no-op, and hands its id to Celery
after the transaction commits. `deliver()` claims the row with a conditional
update that only one worker can win, builds the message from the row's
object at send time, sends it, and records the outcome. A failure leaves the
row pending for a retry with backoff; after the last try it stays visible as
failed. The sweeper requeues rows whose task was lost (Redis down at commit,
a worker killed mid-send).

Whether a person may be e-mailed at all is one rule for every kind: each kind
is registered with a `Topic` (which of the person's choices it follows), and
`deliver()` asks the recipient rule, which the members app registers, before
composing. A message to someone away or opted out is skipped, not retried.
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .celery import app as celery_app
from .mail import absolute_url, build_message
from .models import Coalition, Invitation, Notification, User

log = logging.getLogger(__name__)

# A claimed row not marked sent after this long belongs to a worker that died.
STALE_CLAIM = timedelta(minutes=10)
# A pending row whose task has not run after this long was lost on the way.
LOST_TASK = timedelta(minutes=2)
# One sweep at a time: beat starts one a minute, and one may take longer.
# A sweep that dies holding the lease loses it after this long.
SWEEP_LEASE = timedelta(minutes=10)


def retry_delay(attempt: int) -> int:
    """Seconds before try `attempt + 1`: 1, 2, 4... minutes (EMAIL_RETRY_SECONDS
    doubling), at most 30, well inside half the broker's visibility timeout."""
    return min(settings.EMAIL_RETRY_SECONDS * 2 ** max(attempt - 1, 0), 1800)


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
    NOT_CLAIMED = "not claimed"


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
                kind=kind, object_id=object_id, period=period, email=email, user=user, coalition=coalition
            )
    except IntegrityError:
        return None
    _enqueue_after_commit(notification.pk)
    return notification


def _send_task():
    # By name from the Celery app (the task module imports this one; apps.py
    # imports the task module at start-up).
    return celery_app.tasks["coordination.send_notification"]


def _enqueue_after_commit(notification_id: int) -> None:
    def enqueue() -> None:
        try:
            _send_task().delay(notification_id=notification_id)
        except Exception:  # Redis down: the sweeper finds the row later.
            log.warning("Could not queue notification %s; the sweeper will retry.", notification_id, exc_info=True)

    transaction.on_commit(enqueue)


def deliver(notification_id: int) -> Outcome:
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING).update(
        status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return Outcome.NOT_CLAIMED
    notification = Notification.objects.select_related("user", "coalition").get(pk=notification_id)
    if not may_send(notification):
        _finish(notification, Notification.Status.SKIPPED)
        log.info("Notification %s skipped: its recipient is away or does not want it.", notification.pk)
        return Outcome.SKIPPED
    message = compose(notification)
    if message is None:
        _finish(notification, Notification.Status.SKIPPED)
        return Outcome.SKIPPED
    message.extra_headers["Message-ID"] = message_id(notification)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        last_try = notification.attempts > settings.EMAIL_MAX_RETRIES
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.FAILED if last_try else Notification.Status.PENDING,
            next_attempt_at=now + timedelta(seconds=retry_delay(notification.attempts)),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.warning("Sending notification %s failed (attempt %s): %s", notification.pk, notification.attempts, exc)
        return Outcome.FAILED if last_try else Outcome.RETRY
    _finish(notification, Notification.Status.SENT)
    return Outcome.SENT


def _finish(notification: Notification, status: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(status=status, sent_at=timezone.now(), last_error="")


def resend(notification: Notification) -> None:
    """An organizer's second chance for a message that failed after every retry."""
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    _enqueue_after_commit(notification.pk)


def queue_depth() -> int | None:
    """How many messages wait in the broker's queue for a worker; None when
    the broker does not answer. Tasks run inline (tests) have no queue."""
    if celery_app.conf.task_always_eager:
        return 0
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
            declared = connection.default_channel.queue_declare(queue=celery_app.conf.task_default_queue)
            return declared.message_count
    except Exception:
        log.warning("Could not read the broker's queue depth.", exc_info=True)
        return None


def requeue_lost() -> int:
    """Hand to Celery again the rows whose task was lost. Returns how many.

    A row claimed by a worker that died is released and queued again at once
    (its message was taken). A pending row whose task has not run after
    LOST_TASK is queued again only when the broker's queue is empty: while a
    backlog drains, the row's message is most likely still in it, and
    queueing it again would grow the backlog with every sweep."""
    now = timezone.now()
    stale = Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    released = list(stale.values_list("pk", flat=True))
    if released:
        stale.filter(pk__in=released).update(status=Notification.Status.PENDING)
    lost = Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lt=now - LOST_TASK)
    if queue_depth():
        lost = lost.filter(pk__in=released)
    count = 0
    send_notification = _send_task()
    for notification_id in lost.values_list("pk", flat=True).iterator():
        send_notification.delay(notification_id=notification_id)
        count += 1
    return count


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
COMPOSERS: dict[str, Composer] = {
    Notification.Kind.INVITATION: compose_invitation,
    Notification.Kind.PASSWORD_RESET: compose_password_reset,
}
TOPICS: dict[str, Topic] = {
    Notification.Kind.INVITATION: Topic.ACCOUNT,
    Notification.Kind.PASSWORD_RESET: Topic.ACCOUNT,
}
# Periodic finders of due messages, run by the sweep every minute; each
# queues ledger rows (duplicates are refused by the ledger's unique key).
SWEEPERS: list[Callable[[], int]] = []
# Whether the notification's recipient may be e-mailed about its topic on a
# date; the members app fills it (the base knows nothing of people). Until
# then everyone may.
RecipientRule = Callable[[Notification, Topic, date], bool]
_recipient_rule: RecipientRule | None = None


def register(kind: str, composer: Composer, *, topic: Topic = Topic.NOTICE) -> None:
    """Apps add their kinds of message (meetings: invitations, reminders...),
    each with the topic whose opt-out it follows."""
    COMPOSERS[kind] = composer
    TOPICS[kind] = topic


def register_recipient_rule(rule: RecipientRule) -> None:
    global _recipient_rule
    _recipient_rule = rule


def may_send(notification: Notification) -> bool:
    """The recipient rule, on the coalition's date (the server's without one)."""
    if _recipient_rule is None:
        return True
    topic = TOPICS.get(notification.kind, Topic.NOTICE)
    return _recipient_rule(notification, topic, local_today(notification.coalition))


def register_sweeper(sweeper: Callable[[], int]) -> None:
    if sweeper not in SWEEPERS:
        SWEEPERS.append(sweeper)


def sweep() -> dict[str, int]:
    """The minute's work: queue what has fallen due, requeue what was lost,
    and leave a heartbeat for the dashboard. One at a time: a sweep that
    finds another under way (its lease held) does nothing, so sweeps that
    outlast the minute never overlap and queue the same backlog twice."""
    from .models import Heartbeat, Lease

    with Lease.held("sweep", SWEEP_LEASE) as mine:
        if not mine:
            return {"queued": 0, "requeued": 0, "skipped": 1}
        queued = sum(sweeper() for sweeper in SWEEPERS)
        requeued = requeue_lost()
        Heartbeat.beat("sweep")
    return {"queued": queued, "requeued": requeued}


def compose(notification: Notification) -> EmailMultiAlternatives | None:
    return COMPOSERS[notification.kind](notification)
