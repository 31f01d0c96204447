"""Settings come from the environment; a bad value stops start-up and names
the variable; production settings pass Django's deployment checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .variables import read_by_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "roundtable.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://roundtable.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "DATABASE_URL": "postgres://roundtable:secret@db.example.org:5432/roundtable",
    "REDIS_URL": "redis://redis.example.org:6379/0",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Start from this environment, less what the tests set for themselves
    # (the browser tests allow Django in Playwright's event loop).
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and not k.startswith("EMAIL_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "VAR_DIR": str(ROOT / "var"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "twenty-five"),
        ("SESSION_IDLE_MINUTES", "0"),
        ("DATABASE_URL", "nosuchdb://somewhere/roundtable"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("TIME_ZONE", "Pacific/Atlantis"),
        ("SITE_URL", "roundtable.example.org"),
        ("QUICK_EXIT_URL", "javascript:alert(1)"),
        ("CSRF_TRUSTED_ORIGINS", "roundtable.example.org"),
        ("SECRET_KEY", "short"),
        ("EMAIL_TIMEOUT", "300"),
        ("EMAIL_BATCH_SIZE", "0"),
        ("API_RATE_LIMIT", "300 per minute"),
        ("WEBHOOK_TIMEOUT", "300"),
        ("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "perhaps"),
        ("BACKUP_KEY", "not-a-fernet-key"),
        ("BACKUP_KEEP", "0"),
        ("LOG_FORMAT", "xml"),
        ("ADMINS", "Ops Team"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(variable, value):
    result = manage("check", **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert variable in last_line


@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_HOST"])
def test_production_refuses_to_start_without_required_values(variable):
    env = {k: v for k, v in PRODUCTION.items() if k != variable}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{variable} must be set when DEBUG is off" in result.stderr


def test_every_variable_the_settings_read_is_documented_in_env_example():
    read = read_by_settings()
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read - documented == set()
    readme = (ROOT / "README.md").read_text()
    assert {name for name in read if f"`{name}`" not in readme} == set()


def test_development_generates_a_secret_key_once(tmp_path):
    first = manage("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", VAR_DIR=str(tmp_path))
    second = manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", VAR_DIR=str(tmp_path)
    )
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert second.stdout.strip() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_cookies_are_for_this_host_over_https_only():
    """__Host- cookies: sent over HTTPS only, set by this host alone (no
    Domain a sibling subdomain could set), on every path."""
    shown = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN, "
        "s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH)",
        **PRODUCTION,
    )
    assert shown.stdout.strip().splitlines()[-1].split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "None",
        "None",
        "/",
        "/",
    ]
