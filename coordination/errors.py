"""Errors reach someone.

With SENTRY_DSN, Sentry's SDK reports errors of the web (with the request's
route and id, never its body, cookies or query) and of Celery tasks.

Without it, every ERROR logged (a server error, a failed task, a failure we
log) is kept as a `ServerError` row, one per kind of error (its logger, its
exception and where in our code it arose) with a count; once a day the
deployment's ADMINS are e-mailed through the ledger what was new or seen
again since the last report."""

import hashlib
import logging
import traceback
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

log = logging.getLogger(__name__)
ROOT = Path(settings.BASE_DIR)


def _where(exc_info) -> str:
    """The innermost frame of our own code (file:line in function), else the last frame."""
    frames = traceback.extract_tb(exc_info[2]) if exc_info and exc_info[2] else []
    ours = [frame for frame in frames if frame.filename.startswith(str(ROOT)) and "/.venv/" not in frame.filename]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return ""
    name = Path(frame.filename)
    return f"{name.relative_to(ROOT) if name.is_relative_to(ROOT) else name.name}:{frame.lineno} in {frame.name}"


class ErrorRecorder(logging.Handler):
    """Keeps each ERROR as a ServerError row (when Sentry is not set up). Never
    raises: an error that cannot be kept stays in the log."""

    def __init__(self):
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        if settings.SENTRY_DSN or record.name.startswith(__name__) or connection.in_atomic_block:
            return  # (inside a failing transaction the row would go with it; the log keeps it)
        try:
            note(record)
        except Exception:
            self.handleError(record)


def note(record: logging.LogRecord) -> None:
    from .logs import request_id
    from .models import ServerError

    exception = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
    where = _where(record.exc_info)
    key = f"{record.name}|{exception}|{where or record.msg}"
    fingerprint = hashlib.sha256(key.encode()).hexdigest()
    now = timezone.now()
    message = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        message = f"{message} ({exception}: {record.exc_info[1]})"
    fields = {
        "last_seen": now,
        "message": message[:500],
        "request_id": getattr(record, "request_id", "") or request_id.get(),
    }
    try:
        with transaction.atomic():
            if not ServerError.objects.filter(fingerprint=fingerprint).update(count=F("count") + 1, **fields):
                ServerError.objects.create(
                    fingerprint=fingerprint,
                    logger=record.name[:100],
                    exception=exception[:100],
                    where=where[:300],
                    first_seen=now,
                    **fields,
                )
    except DatabaseError:
        connection.close()
        raise


def report_due(now=None) -> int:
    """Once a day: e-mail ADMINS the errors seen since the last report. Returns how many kinds."""
    from . import notifications
    from .models import Heartbeat, Notification, ServerError

    now = now or timezone.now()
    if not settings.ADMINS or settings.SENTRY_DSN:
        return 0
    last = Heartbeat.objects.filter(name="error-report").values_list("last_run_at", flat=True).first()
    if last is not None and now - last < timedelta(hours=23, minutes=30):
        return 0  # (run hourly by beat; reports once a day)
    since = last or now - timedelta(days=1)
    seen = ServerError.objects.filter(last_seen__gt=since).count()
    if seen:
        period = now.strftime("%Y-%m-%d")
        notifications.queue_many(
            (
                notifications.owe(Notification.Kind.SERVER_ERRORS, int(since.timestamp()), email, period=period)
                for email in settings.ADMINS
            ),
            send_now=True,
        )
    Heartbeat.beat("error-report")
    return seen


def compose_report(notification):
    from datetime import UTC, datetime

    from .mail import build_message
    from .models import ServerError

    since = datetime.fromtimestamp(notification.object_id, UTC)
    errors = list(ServerError.objects.filter(last_seen__gt=since).order_by("-count")[:50])
    if not errors:
        return None
    context = {
        "errors": errors,
        "since": since,
        "more": ServerError.objects.filter(last_seen__gt=since).count() - len(errors),
    }
    return build_message("server_errors", context, [notification.email])


def setup_sentry() -> None:
    """Report to Sentry when SENTRY_DSN is set: errors of requests and tasks, no personal data."""
    if not settings.SENTRY_DSN:
        return
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,  # a variable may hold what a person typed
        max_breadcrumbs=0,  # (log lines and queries before the error: the same)
        traces_sample_rate=0,
        before_send=_without_content,
    )


def _without_content(event, hint):
    """No form data, cookies, query or headers leave the system: they may hold what a person typed."""
    request = event.get("request")
    if request:
        # the address too: a path may carry a password-reset or invitation token (the
        # event's transaction names the route instead)
        for key in ("data", "cookies", "query_string", "headers", "env", "url"):
            request.pop(key, None)
    from .logs import request_id

    if value := request_id.get():
        event.setdefault("tags", {})["request_id"] = value
    return event
