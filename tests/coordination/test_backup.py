"""Backups that restore: a database full of the demo coalitions and uploaded
files is backed up, restored into another, empty database by another
process, and every table and file compared. An archive that does not verify
(altered, the wrong key) or a database that is not empty is refused, and
nothing is written."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from ..conftest import database_url

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def filled(settings):
    call_command("seed_demo", verbosity=0)
    files = {
        "attachments/2024/minutes-annex.pdf": b"%PDF-1.4 annex " + os.urandom(2048),
        "imports/archive/2013-11.txt": "Minutes of the first meeting — ñ".encode(),
    }
    for name, content in files.items():
        default_storage.save(name, ContentFile(content))
    return files


def manage(*args: str, url: str, var: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": url, "VAR_DIR": str(var), "DEBUG": "true", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


def everything(url: str, var: Path) -> list:
    """Every row of every model, as dumpdata writes them, ordered."""
    result = manage("dumpdata", "--natural-foreign", "--indent", "0", url=url, var=var)
    assert result.returncode == 0, result.stderr
    return sorted(json.loads(result.stdout), key=lambda row: (row["model"], str(row["pk"])))


def test_a_backup_restores_into_an_empty_database_with_every_table_and_file(filled, settings, tmp_path, empty_database):
    archive = tmp_path / "backups" / "nightly.tar"
    call_command("backup", output=str(archive), verbosity=0)
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["engine"] == connection.vendor
    assert manifest["schema"]["webhooks"] == "0001_webhooks"
    assert manifest["counts"]["meetings_meeting"] > 0
    assert {f"media/{name}" for name in filled} <= set(manifest["files"])

    elsewhere = tmp_path / "elsewhere"
    restored = manage("restore", str(archive), url=empty_database, var=elsewhere)
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout and "meetings_meeting" in restored.stdout

    assert everything(empty_database, elsewhere) == everything(database_url(), tmp_path)
    for name, content in filled.items():
        assert (elsewhere / "media" / name).read_bytes() == content
    # the restored site runs: its migrations are all applied
    check = manage("migrate", "--check", url=empty_database, var=elsewhere)
    assert check.returncode == 0, check.stdout + check.stderr


def test_an_encrypted_backup_needs_its_key(filled, settings, tmp_path, empty_database):
    key = Fernet.generate_key().decode()
    settings.BACKUP_KEY = key
    archive = tmp_path / "sealed.tar.enc"
    call_command("backup", output=str(archive), verbosity=0)
    assert b"Shasta" not in archive.read_bytes()
    var = tmp_path / "elsewhere"
    without = manage("restore", str(archive), url=empty_database, var=var)
    assert without.returncode != 0 and "set BACKUP_KEY" in without.stderr
    wrong = manage("restore", str(archive), url=empty_database, var=var, BACKUP_KEY=Fernet.generate_key().decode())
    assert wrong.returncode != 0 and "does not decrypt" in wrong.stderr
    right = manage("restore", str(archive), url=empty_database, var=var, BACKUP_KEY=key)
    assert right.returncode == 0, right.stderr


def test_an_altered_archive_is_refused_and_nothing_is_written(filled, tmp_path, empty_database):
    archive = tmp_path / "nightly.tar"
    call_command("backup", output=str(archive), verbosity=0)
    data = bytearray(archive.read_bytes())
    annex = data.find(b"%PDF-1.4 annex")
    data[annex + 20] ^= 0xFF  # one byte of one uploaded file
    archive.write_bytes(bytes(data))
    var = tmp_path / "elsewhere"
    result = manage("restore", str(archive), url=empty_database, var=var)
    assert result.returncode != 0
    assert "media/attachments/2024/minutes-annex.pdf does not match its checksum" in result.stderr
    assert not (var / "media").exists()
    check = manage("migrate", "--check", url=empty_database, var=var)
    assert check.returncode != 0  # still empty: nothing was restored


def test_a_database_that_is_not_empty_is_refused(filled, tmp_path):
    archive = tmp_path / "nightly.tar"
    call_command("backup", output=str(archive), verbosity=0)
    result = manage("restore", str(archive), url=database_url(), var=tmp_path)
    assert result.returncode != 0 and "not empty" in result.stderr


def test_the_nightly_job_keeps_the_newest_archives(db, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    for _ in range(3):
        call_command("backup", keep=2, verbosity=0)
        import time

        time.sleep(1.1)  # (archives are named by the second)
    assert len(list((tmp_path / "backups").glob("roundtable-*.tar"))) == 2


@pytest.mark.parametrize("name", ["media/../escaped.txt", "media/{tmp}/escaped.txt", "settings.py", "media/a/./b"])
def test_an_archive_naming_files_outside_the_uploads_is_refused(db, tmp_path, empty_database, name):
    import hashlib
    import io

    name = name.format(tmp=tmp_path)  # (media//tmp/...: an absolute path after media/)
    data = b"planted"
    manifest = {
        "format": 1,
        "created_at": "2026-12-07T00:00:00+00:00",
        "engine": connection.vendor,
        "schema": {},
        "counts": {},
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}},
    }
    archive = tmp_path / "crafted.tar"
    with tarfile.open(archive, "w") as out:
        for member, content in (("manifest.json", json.dumps(manifest).encode()), (name, data)):
            info = tarfile.TarInfo(member)
            info.size = len(content)
            out.addfile(info, io.BytesIO(content))
    var = tmp_path / "elsewhere" / "var"
    result = manage("restore", str(archive), url=empty_database, var=var)
    assert result.returncode != 0
    assert "outside the uploads" in result.stderr
    assert not list(tmp_path.rglob("escaped.txt"))


def test_with_a_key_set_an_archive_that_is_not_encrypted_needs_saying_so(filled, tmp_path, empty_database):
    archive = tmp_path / "plain.tar"
    call_command("backup", output=str(archive), verbosity=0)
    key = Fernet.generate_key().decode()
    var = tmp_path / "elsewhere"
    refused = manage("restore", str(archive), url=empty_database, var=var, BACKUP_KEY=key)
    assert refused.returncode != 0 and "not encrypted" in refused.stderr
    allowed = manage("restore", "--allow-unencrypted", str(archive), url=empty_database, var=var, BACKUP_KEY=key)
    assert allowed.returncode == 0, allowed.stderr
