"""What /readyz reports: whether this deployment can do its work now.

Each check answers ok or not, with a word on why, within about a second:
- database: a query of the schema answers (the migrations' table);
- redis: the broker answers a PING;
- worker: at least one Celery worker answers a ping through the broker;
- beat: the scheduler has ticked within BEAT_STALE (its scheduler writes a
  heartbeat every BEAT_TICK, coordination.beat);
- backlog: no e-mail owed has waited longer than BACKLOG_LIMIT.

A monitor polls it; a down worker, Redis or database shows at once, a
stopped beat within a minute."""

import logging
import time
from datetime import timedelta

import redis
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .celery import app as celery_app

log = logging.getLogger(__name__)

BEAT_TICK = timedelta(seconds=10)
BEAT_STALE = timedelta(seconds=45)
BACKLOG_LIMIT = timedelta(minutes=15)
ANSWER_SECONDS = 1.0
BEAT = "beat"


def _database() -> tuple[bool, str]:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # a locked or stuck database answers no, not never
                cursor.execute("SET LOCAL statement_timeout = %s", [int(ANSWER_SECONDS * 2000)])
            cursor.execute("SELECT 1 FROM django_migrations LIMIT 1")
        return True, "answers"
    except DatabaseError as error:
        connection.close()
        return False, f"does not answer ({type(error).__name__})"


def _redis_client() -> redis.Redis:
    url = settings.REDIS_URL.replace("redis+socket://", "unix://", 1)
    return redis.Redis.from_url(url, socket_connect_timeout=ANSWER_SECONDS, socket_timeout=ANSWER_SECONDS)


def _redis() -> tuple[bool, str]:
    try:
        _redis_client().ping()
        return True, "answers"
    except (redis.RedisError, OSError) as error:
        return False, f"does not answer ({type(error).__name__})"


def _worker() -> tuple[bool, str]:
    try:
        replies = celery_app.control.ping(timeout=ANSWER_SECONDS, limit=1)
    except Exception as error:  # the broker itself is away
        return False, f"cannot be asked ({type(error).__name__})"
    return (True, "answers") if replies else (False, f"no worker answered within {ANSWER_SECONDS:g} s")


def _beat(now) -> tuple[bool, str]:
    from .models import Heartbeat

    last = Heartbeat.objects.filter(name=BEAT).values_list("last_run_at", flat=True).first()
    if last is None:
        return False, "has never ticked"
    age = now - last
    if age > BEAT_STALE:
        return False, f"silent for {int(age.total_seconds())} s"
    return True, f"ticked {int(age.total_seconds())} s ago"


def _backlog(now) -> tuple[bool, str]:
    from django.db.models import Min

    from .models import Notification
    from .notifications import owed

    oldest = owed(Notification.objects.all(), now).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    if oldest is None:
        return True, "nothing waiting"
    age = now - oldest
    return age <= BACKLOG_LIMIT, f"the oldest e-mail owed has waited {int(age.total_seconds() // 60)} min"


# A check that cannot be answered without another part is not asked when that part is down.
NEEDS = {"worker": "redis", "beat": "database", "backlog": "database"}

# The last report and when it was made: a burst of requests (a monitor, or
# someone outside) costs one round of checks every CACHE_SECONDS per process.
CACHE_SECONDS = 5
_last: tuple[float, dict] = (0.0, {})


def readiness() -> dict:
    """Every check, and whether all passed (at most CACHE_SECONDS old)."""
    global _last
    if time.monotonic() - _last[0] < CACHE_SECONDS:
        return _last[1]
    report = _check()
    _last = (time.monotonic(), report)
    return report


def _check() -> dict:
    now = timezone.now()
    started = time.monotonic()
    checks = {}
    for name, check in (
        ("database", _database),
        ("redis", _redis),
        ("worker", _worker),
        ("beat", lambda: _beat(now)),
        ("backlog", lambda: _backlog(now)),
    ):
        needs = NEEDS.get(name)
        if needs and not checks[needs]["ok"]:  # (asking would wait on it again)
            ok, detail = False, f"unknown: the {'broker' if needs == 'redis' else 'database'} does not answer"
        else:
            try:
                ok, detail = check()
            except DatabaseError:
                connection.close()
                ok, detail = False, "unknown: the database does not answer"
        checks[name] = {"ok": ok, "detail": detail}
    ready = all(check["ok"] for check in checks.values())
    if not ready:
        log.warning("Not ready: %s", {name: c["detail"] for name, c in checks.items() if not c["ok"]})
    return {"status": "ok" if ready else "unhealthy", "checks": checks, "seconds": round(time.monotonic() - started, 3)}
