"""Logs a machine can read, and a request's id carried wherever its work goes.

Every request gets an id: the proxy's X-Request-ID when it sends a sane one,
else a new one; the answer carries it back in X-Request-ID. Every log line
written while the request is served, and by every Celery task it queues
(the id rides in the task's headers), carries it as `request_id`.

With LOG_FORMAT=json (the default when DEBUG is off) each line is one JSON
object: time, level, logger, message, request_id, and the exception's
traceback when there is one."""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")
HEADER = "request_id"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        value = given if SANE.fullmatch(given) else uuid.uuid4().hex
        request.request_id = value
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = value
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (empty outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        for key in ("task_name", "task_id", "route", "status", "ms"):
            if value := getattr(record, key, None):
                line[key] = value
        return json.dumps(line, ensure_ascii=False, default=str)


# --- Into Celery's tasks ------------------------------------------------------------


def _publishing(headers=None, **kwargs) -> None:
    """A task queued while a request is served carries the request's id."""
    if headers is not None and (value := request_id.get()) and HEADER not in headers:
        headers[HEADER] = value


_tokens: dict[str, contextvars.Token] = {}


def _starting(task_id=None, task=None, **kwargs) -> None:
    value = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER) if task else None
    _tokens[task_id] = request_id.set(value or "")


def _finished(task_id=None, **kwargs) -> None:
    if (token := _tokens.pop(task_id, None)) is not None:
        request_id.reset(token)


def connect_celery() -> None:
    from celery import signals

    signals.before_task_publish.connect(_publishing, weak=False, dispatch_uid="roundtable-request-id-out")
    signals.task_prerun.connect(_starting, weak=False, dispatch_uid="roundtable-request-id-in")
    signals.task_postrun.connect(_finished, weak=False, dispatch_uid="roundtable-request-id-done")
