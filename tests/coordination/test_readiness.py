"""/readyz, with real parts taken away one by one: a web process whose
database and Redis are reached through proxies, a real Celery worker and a
real beat. Each part's loss turns the answer to 503 within a minute, and the
check at fault says so."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import urllib3
from django.conf import settings

from coordination import health
from coordination.models import Heartbeat

from ..conftest import database_url, free_port, running_worker
from ..proxy import Proxy

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _through(proxy: Proxy, url: str) -> str:
    parts = urlsplit(url)
    path = parts.path if parts.scheme != "redis+socket" else "/0"
    user = parts.netloc.rpartition("@")[0] + "@" if "@" in parts.netloc else ""
    return f"{parts.scheme.replace('+socket', '')}://{user}127.0.0.1:{proxy.port}{path}"


def _target(url: str):
    parts = urlsplit(url)
    if parts.scheme == "redis+socket":
        return parts.path
    return (parts.hostname or "127.0.0.1", parts.port or (6379 if parts.scheme.startswith("redis") else 5432))


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _ready(port: int) -> tuple[int, dict]:
    http = urllib3.PoolManager(timeout=10, retries=False)
    response = http.request("GET", f"http://127.0.0.1:{port}/readyz")
    return response.status, response.json()


def _until(port: int, condition, seconds: float = 60) -> dict:
    """Poll /readyz until condition(status, report): within `seconds` (a minute), or fail."""
    started = time.monotonic()
    while True:
        status, report = _ready(port)
        if condition(status, report):
            assert status == 503, report
            return report
        assert time.monotonic() - started < seconds, report
        time.sleep(1)


def test_readyz_turns_unhealthy_within_a_minute_of_each_part_going_down(redis_url, smtp_server, tmp_path):
    db = database_url()
    sqlite = db.startswith("sqlite")
    db_proxy = None if sqlite else Proxy(_target(db))
    redis_proxy = Proxy(_target(redis_url))
    env = {"DEBUG": "true", "DATABASE_URL": db, "REDIS_URL": redis_url}
    web_env = {
        **env,
        "DATABASE_URL": db if sqlite else _through(db_proxy, db),
        "REDIS_URL": _through(redis_proxy, redis_url),
    }
    port = free_port()
    web = _start(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], web_env, tmp_path / "web.log"
    )
    beat = _start(
        [sys.executable, "-m", "celery", "-A", "coordination", "beat", "--schedule", str(tmp_path / "schedule")],
        env,
        tmp_path / "beat.log",
    )
    moved = None
    try:
        with running_worker(redis_url, smtp_server.port, tmp_path) as worker:
            deadline = time.monotonic() + 60
            while True:  # the web process answering, beat having ticked
                try:
                    status, report = _ready(port)
                    if status == 200:
                        break
                except (urllib3.exceptions.HTTPError, ValueError):
                    pass
                assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()[-2000:]
                time.sleep(1)
            assert {name: check["ok"] for name, check in report["checks"].items()} == dict.fromkeys(
                ["database", "redis", "worker", "beat", "backlog"], True
            )

            worker.kill()
            report = _until(port, lambda status, r: not r["checks"]["worker"]["ok"], 60)
            assert "no worker answered" in report["checks"]["worker"]["detail"]

        os.killpg(beat.pid, signal.SIGKILL)
        beat.wait(10)
        report = _until(port, lambda status, r: not r["checks"]["beat"]["ok"], 60)
        assert "silent for" in report["checks"]["beat"]["detail"]

        redis_proxy.stop()
        report = _until(port, lambda status, r: not r["checks"]["redis"]["ok"], 60)
        assert report["checks"]["worker"]["detail"] == "unknown: the broker does not answer"

        if sqlite:  # a database file gone: a new empty one has no schema
            name = Path(db.removeprefix("sqlite:///"))
            moved = name.with_suffix(".away")
            name.rename(moved)
        else:
            db_proxy.stop()
        report = _until(port, lambda status, r: not r["checks"]["database"]["ok"], 60)
        assert report["status"] == "unhealthy"
        assert report["seconds"] < 5  # a monitor's request is answered, not left waiting
    finally:
        for process in (web, beat):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if moved is not None:
            Path(str(moved.with_suffix(".sqlite3"))).unlink(missing_ok=True)
            moved.rename(moved.with_suffix(".sqlite3"))
        redis_proxy.stop()
        if db_proxy:
            db_proxy.stop()
        _drop_beat_tasks(redis_url)


def _drop_beat_tasks(redis_url: str) -> None:
    """Beat sent its periodic tasks to the default queue, which no test worker reads."""
    settings.REDIS_URL, saved = redis_url, settings.REDIS_URL
    try:
        health._redis_client().delete("celery")
    finally:
        settings.REDIS_URL = saved


def test_readiness_in_this_process_names_each_check(db, monkeypatch):
    Heartbeat.beat(health.BEAT)
    monkeypatch.setattr(health, "_last", (0.0, {}))  # (no report kept from another test)
    report = health.readiness()
    assert set(report["checks"]) == {"database", "redis", "worker", "beat", "backlog"}
    assert report["checks"]["database"]["ok"] and report["checks"]["beat"]["ok"]
