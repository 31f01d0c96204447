"""/metrics: off without METRICS_TOKEN, refused without it, and then the
figures a monitor graphs: requests by route and status, latency, the
e-mail ledger, webhook deliveries, the sweep. Under gunicorn with several
processes, METRICS_DIR adds up every process's requests."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import urllib3
from django.urls import reverse

from coordination import notifications
from coordination.models import Notification

from ..conftest import database_url, free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scrape-me-0123456789"


def value(text: str, name: str, **labels) -> float:
    """A sample's value from the exposition text (labels in any order)."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(found.get(key) == str(wanted) for key, wanted in labels.items()):
            return float(match[3])
    raise AssertionError(f"no {name} {labels} in the metrics")


def test_metrics_are_off_without_a_token_and_refused_without_the_right_one(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_the_ledger_and_the_requests_are_counted(client, db, settings):
    settings.METRICS_TOKEN = TOKEN
    for kind, status in [("password_reset", "failed"), ("invitation", "failed"), ("invitation", "pending")]:
        Notification.objects.create(kind=kind, object_id=1, email=f"{kind}{status}@example.org", status=status)
    for _ in range(3):
        client.get(reverse("login"))
    client.get("/no/such/page/")
    notifications.sweep()
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    assert value(text, "roundtable_emails", status="failed") == 2
    assert value(text, "roundtable_emails", status="pending") == Notification.objects.filter(status="pending").count()
    assert value(text, "roundtable_http_requests_total", method="GET", route="login", status="2xx") >= 3
    assert value(text, "roundtable_http_requests_total", method="GET", route="unmatched", status="4xx") >= 1
    assert value(text, "roundtable_http_request_seconds_count", method="GET", route="login") >= 3
    assert value(text, "roundtable_sweep_seconds") >= 0
    assert value(text, "roundtable_sweep_age_seconds") < 60
    assert value(text, "roundtable_webhook_deliveries", status="failed") == 0
    assert "/no/such/page" not in text  # routes by name, never an address


@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_every_process_s_requests_are_added_up(tmp_path, redis_url):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "DEBUG": "true",
        "METRICS_TOKEN": TOKEN,
        "METRICS_DIR": str(tmp_path / "metrics"),
        "VAR_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "gunicorn", "coordination.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--workers", "3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    http = urllib3.PoolManager(retries=False, timeout=10)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if http.request("GET", f"http://127.0.0.1:{port}/healthz").status == 200:
                    break
            except urllib3.exceptions.HTTPError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.5)
        for _ in range(30):  # new connections: spread over the three processes
            assert (
                http.request("GET", f"http://127.0.0.1:{port}/accounts/login/", headers={"Connection": "close"}).status
                == 200
            )
        text = http.request(
            "GET", f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        ).data.decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    assert value(text, "roundtable_http_requests_total", method="GET", route="login", status="2xx") == 30
    assert value(text, "roundtable_http_request_seconds_count", method="GET", route="login") == 30
