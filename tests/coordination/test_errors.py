"""Errors reach someone: without Sentry, each kind of error logged is kept
with a count and the day's go to ADMINS in one e-mail through the ledger;
with SENTRY_DSN, a real HTTP receiver standing in for Sentry gets the web's
errors and a real worker's failed task, without the request's content."""

import gzip
import json
import logging
import os
import subprocess
import sys
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from coordination import errors
from coordination.celery import app as celery_app
from coordination.models import Heartbeat, Notification, ServerError

from ..conftest import running_worker, wait_for
from ..webhooks.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def fail(logger: str = "django.request", text: str = "Internal Server Error: /c/shasta/") -> None:
    try:
        {}["missing"]
    except KeyError:
        logging.getLogger(logger).error(text, exc_info=True)


def test_each_kind_of_error_is_kept_once_with_a_count(settings):
    settings.SENTRY_DSN = ""
    fail()
    fail()
    fail(logger="coordination.tasks", text="A task failed.")
    logging.getLogger("members").warning("Only a warning.")
    kinds = {(e.logger, e.exception, e.count) for e in ServerError.objects.all()}
    assert kinds == {("django.request", "KeyError", 2), ("coordination.tasks", "KeyError", 1)}
    error = ServerError.objects.get(logger="django.request")
    assert error.where.startswith("tests/coordination/test_errors.py:")
    assert "KeyError: 'missing'" in error.message


def test_the_day_s_errors_go_to_the_admins_once_a_day(settings):
    settings.SENTRY_DSN = ""
    settings.ADMINS = ["ops@county.example.org", "it@county.example.org"]
    fail()
    assert errors.report_due() == 1
    rows = Notification.objects.filter(kind=Notification.Kind.SERVER_ERRORS)
    assert sorted(rows.values_list("email", flat=True)) == sorted(settings.ADMINS)
    assert sorted(row.status for row in rows) == [Notification.Status.SENT] * 2  # (tasks run inline here)
    message = mail.outbox[-1]
    assert "1 kind of server error" in message.subject
    assert "KeyError" in message.body and "tests/coordination/test_errors.py" in message.body
    # an hour later, the next pass sends nothing; a day later, only what was seen since
    assert errors.report_due(timezone.now() + timedelta(hours=1)) == 0
    day_before = timezone.now() - timedelta(days=1)
    ServerError.objects.update(last_seen=day_before - timedelta(hours=1))
    Heartbeat.objects.filter(name="error-report").update(last_run_at=day_before)
    assert errors.report_due() == 0  # nothing new since
    fail(logger="webhooks.delivery", text="A webhook failed.")
    Heartbeat.objects.filter(name="error-report").update(last_run_at=day_before)
    assert errors.report_due() == 1


def test_with_sentry_or_without_admins_no_report_is_sent(settings):
    settings.ADMINS = ["ops@county.example.org"]
    settings.SENTRY_DSN = "http://key@127.0.0.1:9/1"
    fail()
    assert not ServerError.objects.exists()
    assert errors.report_due() == 0
    settings.SENTRY_DSN, settings.ADMINS = "", []
    fail()
    assert errors.report_due() == 0
    assert not Notification.objects.filter(kind=Notification.Kind.SERVER_ERRORS).exists()


def _events(receiver: Receiver) -> list[dict]:
    """The events in what the Sentry SDK sent (envelopes, maybe compressed)."""
    found = []
    for request in receiver.received:
        body = request.body
        encoding = request.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        lines = body.decode().splitlines()
        for header, item in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(item))
    return found


@pytest.mark.worker
def test_with_sentry_the_web_s_and_a_task_s_errors_are_reported_without_content(
    world, redis_url, smtp_server, tmp_path
):
    with Receiver() as sentry:
        dsn = sentry.url.replace("http://", "http://publickey@").replace("/hook", "/42")
        production = {"DEBUG": "false", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "x", "EMAIL_HOST": "x"}
        env = {**os.environ, "SENTRY_DSN": dsn, **production}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        script = (
            "import logging, sentry_sdk\n"
            "try:\n    {}['missing']\nexcept KeyError:\n"
            "    logging.getLogger('webhooks.delivery').error('A webhook POST failed unexpectedly.', exc_info=True)\n"
            "sentry_sdk.flush(10)\n"
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env={**env, "VAR_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert _events(sentry), (result.stdout, result.stderr, sentry.received)
        with running_worker(redis_url, smtp_server.port, tmp_path, SENTRY_DSN=dsn) as worker:
            celery_app.send_task("coordination.send_batch", kwargs={"wrong": 1})  # a task that fails
            wait_for(
                lambda: any(e.get("exception") and "send_batch" in json.dumps(e) for e in _events(sentry)),
                log=worker.log_path,
            )
        events = _events(sentry)
    web = [e for e in events if "KeyError" in json.dumps(e.get("exception", {}))]
    assert web, events
    task = [e for e in events if "send_batch" in json.dumps(e)]
    assert task and "TypeError" in json.dumps(task[0]["exception"])
    assert not ServerError.objects.exists()  # Sentry has them: nothing kept for the e-mail
