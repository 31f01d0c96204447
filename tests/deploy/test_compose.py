"""The production stack, validated by a real compose implementation
(Debian's docker-compose: `docker-compose config`)."""

import importlib
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from celery.app.utils import find_app
from django.conf import settings

from .test_settings import manage
from .variables import read_by_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "compose-test-" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2


def compose_config(**env: str) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: `make test` installs Debian's docker-compose package"
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "EMAIL_HOST", "SITE_HOST"}}
    return subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config"],
        cwd=ROOT / "tests",  # no stray .env file is read
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def stack() -> dict:
    result = compose_config(SECRET_KEY=SECRET_KEY, EMAIL_HOST="smtp.example.org", SITE_HOST="roundtable.example.org")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_the_stack_has_web_worker_one_beat_postgres_and_redis(stack):
    services = stack["services"]
    assert set(services) == {"proxy", "migrate", "web", "worker", "beat", "backup", "db", "redis"}
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "coordination", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "coordination", "beat"]
    assert services["beat"]["deploy"]["replicas"] == 1


def test_redis_keeps_an_append_only_file_and_never_evicts(stack):
    command = stack["services"]["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    # compose v1 writes volumes as "source:target:mode", newer ones as mappings
    targets = [v.split(":")[1] if isinstance(v, str) else v["target"] for v in stack["services"]["redis"]["volumes"]]
    assert "/data" in targets


def test_every_long_running_service_has_a_health_check_and_data_has_volumes(stack):
    for name in ("proxy", "web", "worker", "beat", "backup", "db", "redis"):
        assert stack["services"][name]["healthcheck"]["test"], name
    assert {"postgres", "redis", "backups"} <= set(stack["volumes"])


def test_a_nightly_backup_keeps_its_archives_and_the_files_in_a_volume(stack):
    backup = stack["services"]["backup"]
    assert "manage.py backup --keep" in " ".join(backup["command"])
    # every hour it looks, and backs up when no archive is younger than a day
    assert "-mmin -1430" in " ".join(backup["command"]) and "sleep 3600" in " ".join(backup["command"])
    targets = {v.split(":")[1] if isinstance(v, str) else v["target"] for v in backup["volumes"]}
    assert {"/app/var/media", "/app/var/backups"} <= targets
    assert backup["environment"]["BACKUP_DIR"] == "/app/var/backups"


def _published(service: dict) -> set[str]:
    return {
        port if isinstance(port, str) else f"{port['published']}:{port['target']}" for port in service.get("ports", [])
    }


def test_only_the_proxy_is_reachable_from_outside_and_it_is_the_one_hop_the_app_trusts(stack):
    """A web port published beside the proxy let anyone send a forged
    X-Forwarded-For straight to the app, whose last hop it trusts: a login
    lockout dodged by rotating addresses. Only Caddy publishes ports; it
    trusts no proxy before it (so it writes the address it saw, dropping the
    client's), and the app trusts exactly its one hop."""
    services = stack["services"]
    assert {name for name, service in services.items() if service.get("ports")} == {"proxy"}
    assert {re.sub(r"/(tcp|udp)$", "", p) for p in _published(services["proxy"])} == {"80:80", "443:443"}
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    directives = "\n".join(line for line in caddyfile.splitlines() if not line.lstrip().startswith("#"))
    assert "name web" in directives and "port 8000" in directives and "trusted_proxies" not in directives
    mounted = [v if isinstance(v, str) else f"{v['source']}:{v['target']}" for v in services["proxy"]["volumes"]]
    assert any(
        v.endswith("deploy/Caddyfile:/etc/caddy/Caddyfile:ro") or "Caddyfile:/etc/caddy/Caddyfile" in v for v in mounted
    )
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] in ("1", 1)
        assert services[name]["environment"]["TRUST_X_FORWARDED_PROTO"] == "true"


def test_web_scales_to_several_processes_sharing_the_database_and_the_files(stack):
    """`docker compose up --scale web=3`: the proxy finds every replica by
    name, and the files one replica stores (attachments, exports the worker
    writes) must be there for the others."""
    assert not stack["services"]["web"].get("ports")  # (a fixed host port would forbid replicas)
    for name in ("web", "worker"):
        volumes = stack["services"][name]["volumes"]
        sources = {v.split(":")[0]: v.split(":")[1] if isinstance(v, str) else v["target"] for v in volumes}
        assert sources.get("media") == "/app/var/media", name  # MEDIA_ROOT, VAR_DIR being /app/var
    assert "media" in stack["volumes"]


def test_the_app_runs_in_production_mode_against_postgres_and_redis(stack):
    for name in ("web", "worker", "beat", "migrate"):
        env = stack["services"][name]["environment"]
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["SECRET_KEY"] == SECRET_KEY
    assert stack["services"]["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "SITE_HOST"])
def test_the_stack_refuses_to_start_without_a_secret_key_or_a_host_name(missing):
    given = {"SECRET_KEY": SECRET_KEY, "EMAIL_HOST": "smtp.example.org", "SITE_HOST": "roundtable.example.org"}
    result = compose_config(**{k: v for k, v in given.items() if k != missing})
    assert result.returncode != 0
    assert f"Set {missing}" in result.stderr


# --- the image and the stack run what the app reads and what `make run` runs ---


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def image_command() -> list[str]:
    return json.loads(re.search(r"^CMD (\[.*\])$", dockerfile(), re.MULTILINE)[1])


def image_environment() -> set[str]:
    block = re.search(r"^ENV ((?:.*\\\n)*.*)$", dockerfile(), re.MULTILINE)[1]
    return set(re.findall(r"([A-Z_]+)=", block))


def procfile() -> dict[str, list[str]]:
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, command = line.split(":", 1)
        commands[name] = [part.removeprefix(".venv/bin/") for part in shlex.split(command)]
    return commands


def test_the_image_serves_what_the_web_service_runs(stack):
    command = image_command()
    assert stack["services"]["web"]["command"] == command
    assert command[0] == "gunicorn"
    module, attribute = command[1].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))


def test_worker_and_beat_run_in_production_as_make_run_runs_them(stack):
    local = procfile()
    assert stack["services"]["worker"]["command"] == local["worker"]
    production_beat = stack["services"]["beat"]["command"]
    assert production_beat[:-1] == local["beat"][:-1]
    # beat keeps its schedule in the image's VAR_DIR, which is the beat volume
    schedule = production_beat[-1].removeprefix("--schedule=")
    assert schedule.startswith("/app/var/")
    assert "VAR_DIR=/app/var" in dockerfile()
    # compose v1 writes volumes as "source:target:mode", newer ones as mappings
    mounts = {
        tuple(v.split(":")[:2]) if isinstance(v, str) else (v["source"], v["target"])
        for v in stack["services"]["beat"]["volumes"]
    }
    assert ("beat", "/app/var") in mounts


def test_celery_finds_the_app_the_commands_name_with_every_scheduled_task():
    app = find_app("coordination")
    app.loader.import_default_modules()
    assert app.main == "coordination"
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_the_stack_passes_every_variable_the_settings_read_and_no_other(stack):
    read = read_by_settings()
    for name in ("migrate", "web", "worker", "beat", "backup"):
        passed = set(stack["services"][name]["environment"])
        # a variable the stack does not pass is silently ignored in production
        assert read - passed - image_environment() == set(), name
        # a variable the settings do not read is a typo or a leftover
        assert passed - read == set(), name


def test_the_stack_environment_starts_the_app_in_production_mode(stack, tmp_path):
    environment = {key: str(value or "") for key, value in stack["services"]["web"]["environment"].items()}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{**environment, "VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
