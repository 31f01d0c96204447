"""Logs a machine reads: one JSON object a line, each with its request's id,
the same id the answer carries and the Celery tasks the request queued log
under, in a real worker."""

import io
import json
import logging

import pytest
from django.urls import reverse

from coordination import logs

from ..conftest import running_worker, wait_for


def test_every_answer_carries_a_request_id_and_a_sane_given_one_is_kept(client, db):
    made = client.get(reverse("login"))["X-Request-ID"]
    assert len(made) == 32
    assert client.get(reverse("login"))["X-Request-ID"] != made
    kept = client.get(reverse("login"), headers={"X-Request-ID": "proxy-abc-12345"})["X-Request-ID"]
    assert kept == "proxy-abc-12345"
    hostile = client.get(reverse("login"), headers={"X-Request-ID": "x\r\nSet-Cookie: a=b" + "z" * 10})
    assert hostile["X-Request-ID"] != "x" and "\n" not in hostile["X-Request-ID"]


def test_a_json_line_holds_the_message_the_request_id_and_the_traceback():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    logger = logging.getLogger("roundtable.test.json")
    logger.addHandler(handler)
    token = logs.request_id.set("req-0123456789")
    try:
        try:
            raise ValueError('the "quoted" failure')
        except ValueError:
            logger.exception("It failed for %s.", "Shasta")
    finally:
        logs.request_id.reset(token)
        logger.removeHandler(handler)
    line = json.loads(out.getvalue())
    assert line["message"] == "It failed for Shasta."
    assert line["level"] == "ERROR" and line["logger"] == "roundtable.test.json"
    assert line["request_id"] == "req-0123456789"
    assert 'ValueError: the "quoted" failure' in line["exception"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_logs_under_the_request_s_id(world, redis_url, smtp_server, tmp_path):
    with running_worker(redis_url, smtp_server.port, tmp_path, LOG_FORMAT="json") as worker:
        response = world.client_for(world.organizer).post(
            reverse("invite", args=[world.home.slug]),
            {"full_name": "Grace Okafor", "email": "grace@cps.example.org", "role": "lead"},
            headers={"X-Request-ID": "invite-request-42"},
        )
        assert response["X-Request-ID"] == "invite-request-42"

        def logged():
            lines = [json.loads(line) for line in worker.log_path.read_text().splitlines() if line.startswith("{")]
            return [line for line in lines if line["message"].startswith("A batch of")]

        batch = wait_for(logged, log=worker.log_path)
    assert batch[0]["request_id"] == "invite-request-42"
    assert batch[0]["logger"] == "coordination.tasks"
