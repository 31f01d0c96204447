"""The newcomer's path, proven: `make smoke` (and CI) runs this.

From a fresh clone of the current commit in a temporary folder, with the
default settings (SQLite, embedded Redis) and a new virtual environment that
holds only requirements.txt, it does what the README tells a newcomer to:

1. `make run` on a free port, until the login page answers;
2. the Celery worker answers a ping;
3. a password reset goes through the worker and its e-mail lands in var/mail/;
4. each demo login reaches the dashboard (the organizer and the lead give the
   code `manage.py demo_code` prints, as the README says);
5. beat has had the worker record its heartbeat (the every-minute sweep);
6. Ctrl-C (SIGINT to the process group) stops every process `make run`
   started, the embedded Redis included, and frees the port.

It prints how long each step took. If a step fails, or `make run` exits, it
names the step and shows the last lines of the log. Standard library only, so
it runs before anything is installed. KEEP_SMOKE=1 keeps the temporary folder.
"""

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "roundtable-demo"  # the demo logins' password (README)
DEMO_LOGINS = {
    "organizer@example.org": "Dana Whitfield",
    "lead@example.org": "Marcus Reyes",
    "member@example.org": "Lena Ortiz",
}
INSTALL_SECONDS = 1200  # a fresh virtual environment, packages from the registry or pip's cache
LOG_TAIL = 40


class SmokeFailure(Exception):
    pass


class Run:
    """`make run` in a fresh clone, and every process it starts."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.clone = folder / "roundtable"
        self.log_path = folder / "make-run.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.seen: dict[int, str] = {}  # every descendant seen: pid -> command line
        self.env = newcomer_environment(self.port)

    # --- the processes -----------------------------------------------------

    def start(self) -> None:
        log = open(self.log_path, "wb")  # noqa: SIM115 - open for the life of the run
        self.process = subprocess.Popen(
            ["make", "run"],
            cwd=self.clone,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal would give it
        )

    def watch(self) -> None:
        """Note the processes now running under `make run`; fail if it has exited."""
        for pid, command in descendants(self.process.pid).items():
            self.seen.setdefault(pid, command)
        code = self.process.poll()
        if code is not None:
            raise SmokeFailure(f"`make run` exited with code {code}")

    def wait_for(self, what: str, check, timeout: float, interval: float = 1.0):
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            self.watch()
            try:
                result = check()
            except (OSError, urllib.error.URLError, sqlite3.Error, subprocess.SubprocessError) as error:
                result, last_error = None, str(error)
            if result:
                return result
            time.sleep(interval)
        detail = f" (last error: {last_error})" if last_error else ""
        raise SmokeFailure(f"{what}: not within {timeout:.0f} s{detail}")

    def interrupt(self) -> None:
        self.watch()
        os.killpg(self.process.pid, signal.SIGINT)

    def kill_everything(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            self.seen.update(descendants(self.process.pid))
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in [self.process.pid, *self.seen]:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
            time.sleep(2)

    def last_error(self) -> str:
        """The last exception a process printed (e.g. a missing module), if any."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        errors = re.findall(r"\b(\w+(?:Error|Exception): .+)$", text, re.MULTILINE)
        return errors[-1].strip() if errors else ""

    def log_tail(self) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        return "\n".join(f"    {line}" for line in lines[-LOG_TAIL:]) or "    (nothing was printed)"

    # --- what a newcomer does ----------------------------------------------

    def venv(self, program: str) -> str:
        return str(self.clone / ".venv" / "bin" / program)

    def login_page_answers(self) -> bool:
        with urllib.request.urlopen(f"{self.base}/accounts/login/", timeout=5) as response:  # noqa: S310 - our http URL
            return response.status == 200 and b"password" in response.read().lower()

    def worker_answers(self) -> bool:
        result = subprocess.run(
            [self.venv("celery"), "-A", "coordination", "inspect", "ping", "--timeout", "5"],
            cwd=self.clone,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode == 0 and "pong" in result.stdout

    def reset_password(self, email: str) -> None:
        browser = Browser(self.base)
        page = browser.get("/accounts/password/reset/")
        browser.post("/accounts/password/reset/", page, {"email": email})
        if not browser.url.endswith("/accounts/password/reset/sent/"):
            raise SmokeFailure(f"the password reset form did not go through (it ended on {browser.url})")

    def mail_to(self, email: str) -> Path | None:
        mail = self.clone / "var" / "mail"
        for path in sorted(mail.glob("*")) if mail.exists() else []:
            if email in path.read_text(errors="replace"):
                return path
        return None

    def log_in(self, email: str, name: str) -> None:
        browser = Browser(self.base)
        page = browser.get("/accounts/login/")
        body = browser.post("/accounts/login/", page, {"username": email, "password": PASSWORD})
        if browser.url.endswith("/accounts/second-factor/authenticate/"):
            # the demo organizer and lead give their authenticator app's code, as the README says
            code = subprocess.run(
                [self.venv("python"), "manage.py", "demo_code"],
                cwd=self.clone,
                env=self.env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            body = browser.post("/accounts/second-factor/authenticate/", body, {"code": code})
        if not browser.url.endswith("/dashboard/"):
            raise SmokeFailure(f"{email} did not reach the dashboard (ended on {browser.url})")
        if name not in body:
            raise SmokeFailure(f"{email} reached the dashboard, but it does not name {name}")

    def heartbeat(self) -> str | None:
        database = self.clone / "var" / "roundtable.sqlite3"
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
            row = connection.execute("SELECT last_run_at FROM coordination_heartbeat WHERE name = 'sweep'").fetchone()
        return row[0] if row else None

    def everything_stopped(self) -> bool:
        if self.process.poll() is None:
            return False
        alive = [pid for pid in self.seen if pid_alive(pid)]
        return not alive and not port_open(self.port) and not redis_answers(self.clone / "var" / "redis.sock")

    def left_behind(self) -> str:
        alive = [f"{pid}: {self.seen[pid]}" for pid in self.seen if pid_alive(pid)]
        problems = [f"still running: {line}" for line in alive]
        if port_open(self.port):
            problems.append(f"something still listens on port {self.port}")
        if redis_answers(self.clone / "var" / "redis.sock"):
            problems.append("the embedded Redis still answers on var/redis.sock")
        if self.process.poll() is None:
            problems.append("`make run` itself has not exited")
        return "; ".join(problems)


class Browser:
    """A person with cookies: GET a form, POST it back with its CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.url = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            self.url = response.geturl()
            return response.read().decode()

    def post(self, path: str, page: str, fields: dict[str, str]) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not token:
            raise SmokeFailure(f"{path} has no CSRF token in its form")
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **fields}).encode()
        with self.opener.open(self.base + path, data=data, timeout=30) as response:
            self.url = response.geturl()
            return response.read().decode()


# --- the machine -----------------------------------------------------------


def newcomer_environment(port: int) -> dict[str, str]:
    """This environment less every variable Roundtable reads (so the defaults
    apply: SQLite, embedded Redis, mail to var/mail/) and less this checkout's
    virtual environment."""
    app_variables = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    dropped = app_variables | {"VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    if os.environ.get("VIRTUAL_ENV"):
        bin_dir = str(Path(os.environ["VIRTUAL_ENV"]) / "bin")
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bin_dir)
    env["WEB_PORT"] = str(port)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def redis_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        probe.settimeout(1)
        try:
            probe.connect(str(path))
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping is left


def descendants(root: int) -> dict[int, str]:
    """Every process below `root`, honcho's own sessions included."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found: dict[int, str] = {}
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        found[pid] = command
        stack.extend(children.get(pid, []))
    return found


def clone_current_commit(target: Path) -> str:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    commit = commit.stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True)
    if dirty.stdout.strip():
        print("  (uncommitted changes are not part of this run: it tests the commit)")
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target)], check=True)
    subprocess.run(["git", "checkout", "--quiet", "--detach", commit], cwd=target, check=True)
    return commit


# --- the run -----------------------------------------------------------------


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="roundtable-smoke-"))
    run = Run(folder)
    timings: list[tuple[str, float]] = []
    step = "clone the current commit"
    started = time.monotonic()

    def done(name: str, since: float) -> float:
        elapsed = time.monotonic() - since
        timings.append((name, elapsed))
        print(f"  ok  {name}  ({elapsed:.1f} s)", flush=True)
        return time.monotonic()

    print(f"Smoke test of `make run` in {folder}", flush=True)
    try:
        t = time.monotonic()
        commit = clone_current_commit(run.clone)
        t = done(f"{step} ({commit[:10]})", t)

        step = f"make run: install, migrate, demo data, then the login page answers on port {run.port}"
        run.start()
        run.wait_for(step, run.login_page_answers, INSTALL_SECONDS, interval=2)
        t = done(step, t)
        serving_since = t

        step = "the Celery worker answers a ping"
        run.wait_for(step, run.worker_answers, 120, interval=2)
        t = done(step, t)

        step = "a password reset e-mail, sent by the worker, lands in var/mail/"
        run.reset_password("member@example.org")
        run.wait_for(step, lambda: run.mail_to("member@example.org"), 60)
        t = done(step, t)

        for email, name in DEMO_LOGINS.items():
            step = f"{email} logs in and reaches the dashboard"
            run.log_in(email, name)
            t = done(step, t)

        step = "beat has the worker record its heartbeat (the every-minute sweep)"
        run.wait_for(step, run.heartbeat, max(10.0, 150 - (time.monotonic() - serving_since)), interval=3)
        t = done(step, t)

        step = "Ctrl-C stops every process make run started, the embedded Redis included, and frees the port"
        run.interrupt()
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and not run.everything_stopped():
            time.sleep(0.5)
        if not run.everything_stopped():
            raise SmokeFailure(run.left_behind())
        done(f"{step} ({len(run.seen)} processes)", t)
    except (SmokeFailure, subprocess.CalledProcessError, OSError, urllib.error.URLError) as error:
        cause = run.last_error()
        cause = f"\n  The error printed last: {cause}" if cause else ""
        print(f"\nSMOKE TEST FAILED at step: {step}\n  {error}{cause}\n")
        print(f"Last lines of `make run`:\n{run.log_tail()}\n")
        run.kill_everything()
        print(f"The temporary folder is kept for a look: {folder}")
        print("smoke: 0 passed, 1 failed")
        return 1

    total = time.monotonic() - started
    print(f"\nThe newcomer's path works: {len(timings)} steps in {total:.0f} s.")
    print(f"smoke: {len(timings)} passed, 0 failed")
    if os.environ.get("KEEP_SMOKE"):
        print(f"Kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
