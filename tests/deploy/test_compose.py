"""The production stack, validated by a real compose implementation
(Debian's docker-compose: `docker-compose config`)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_config(**env: str) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: `make test` installs Debian's docker-compose package"
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "EMAIL_HOST"}}
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
    result = compose_config(SECRET_KEY="s" * 60, EMAIL_HOST="smtp.example.org")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_the_stack_has_web_worker_one_beat_postgres_and_redis(stack):
    services = stack["services"]
    assert set(services) == {"migrate", "web", "worker", "beat", "db", "redis"}
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
    for name in ("web", "worker", "beat", "db", "redis"):
        assert stack["services"][name]["healthcheck"]["test"], name
    assert {"postgres", "redis"} <= set(stack["volumes"])


def test_the_app_runs_in_production_mode_against_postgres_and_redis(stack):
    for name in ("web", "worker", "beat", "migrate"):
        env = stack["services"][name]["environment"]
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["SECRET_KEY"] == "s" * 60
    assert stack["services"]["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_stack_refuses_to_start_without_a_secret_key():
    result = compose_config(EMAIL_HOST="smtp.example.org")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
