"""Backups that restore: one archive holding a consistent dump of the
database, the uploaded files and a manifest of both.

The archive is a tar file:
- manifest.json: the format, when and by which code it was made (the latest
  migration of every app), the database engine, the row count of every
  table, and the SHA-256 and size of every other member;
- database.dump (PostgreSQL: pg_dump's custom format, one snapshot) or
  database.sqlite3 (SQLite: its online backup API, consistent while the app
  runs);
- media/...: every uploaded file (attachments, imports).

With BACKUP_KEY set, the whole archive is encrypted (Fernet, AES-128 with an
HMAC, from the cryptography package) in chunks, so a large archive never
sits whole in memory. `restore` refuses an archive whose manifest or any
member does not verify, restores only into an empty database, and checks
every table's count against the manifest before it says it is done."""

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MAGIC = b"RTBACKUP-FERNET-1\n"
CHUNK = 8 * 1024 * 1024


class BackupError(Exception):
    """An archive that cannot be made or trusted; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's and ours)."""
    counts = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (a table name from the database itself)
            counts[table] = cursor.fetchone()[0]
    return counts


def schema() -> dict[str, str]:
    """The latest migration applied of every app."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _pg_env() -> tuple[list[str], dict]:
    """pg_dump's and pg_restore's connection arguments, the password in the environment."""
    s = connection.settings_dict
    args = ["--host", s["HOST"] or "127.0.0.1", "--port", str(s["PORT"] or 5432), "--username", s["USER"]]
    env = {"PGPASSWORD": s["PASSWORD"]} if s["PASSWORD"] else {}
    return args, env


def _dump_database(folder: Path) -> Path:
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        args, env = _pg_env()
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", *args, "--file", str(target)]
        result = subprocess.run(
            [*command, connection.settings_dict["NAME"]], env={**_environ(), **env}, capture_output=True, text=True
        )
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return target
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return target
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _environ() -> dict:
    import os

    return dict(os.environ)


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def create(target: Path, *, key: str = "") -> dict:
    """Write the archive to `target`; returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="roundtable-backup-") as work:
        folder = Path(work)
        dump = _dump_database(folder)
        members = {dump.name: dump}
        root = Path(settings.MEDIA_ROOT)
        for path in _media_files():
            members[f"media/{path.relative_to(root).as_posix()}"] = path
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "engine": connection.vendor,
            "schema": schema(),
            "counts": table_counts(),
            "files": {name: {"sha256": _sha256(path), "size": path.stat().st_size} for name, path in members.items()},
        }
        plain = folder / "archive.tar"
        with tarfile.open(plain, "w") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            for name, path in members.items():
                archive.add(path, arcname=name, recursive=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        if key:
            _encrypt(plain, partial, key)
        else:
            shutil.copyfile(plain, partial)
        partial.replace(target)  # a backup is either whole or absent
    return manifest


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        raise BackupError("BACKUP_KEY is not a Fernet key (32 url-safe base64-encoded bytes).") from None


def _encrypt(source: Path, target: Path, key: str) -> None:
    fernet = _fernet(key)
    with open(source, "rb") as plain, open(target, "wb") as out:
        out.write(MAGIC)
        while block := plain.read(CHUNK):
            token = fernet.encrypt(block)
            out.write(len(token).to_bytes(4, "big") + token)


def _decrypt(source: Path, target: Path, key: str) -> None:
    fernet = _fernet(key)
    with open(source, "rb") as sealed, open(target, "wb") as out:
        sealed.read(len(MAGIC))
        while header := sealed.read(4):
            token = sealed.read(int.from_bytes(header, "big"))
            try:
                out.write(fernet.decrypt(token))
            except InvalidToken:
                raise BackupError("The archive does not decrypt with BACKUP_KEY (a wrong key, or altered).") from None


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


@dataclass
class Verified:
    folder: Path
    manifest: dict


def verify(path: Path, folder: Path, *, key: str = "") -> Verified:
    """Unpack the archive into `folder` and check it: a manifest of the known
    format, every member listed, present, of its size and SHA-256, and nothing
    else. Raises BackupError saying what does not verify."""
    plain = path
    if is_encrypted(path):
        if not key:
            raise BackupError("The archive is encrypted: set BACKUP_KEY to the key it was made with.")
        plain = folder / "archive.tar"
        _decrypt(path, plain, key)
    try:
        with tarfile.open(plain) as archive:
            names = archive.getnames()
            if "manifest.json" not in names:
                raise BackupError("The archive has no manifest.json: it is not a Roundtable backup.")
            archive.extractall(folder / "unpacked", filter="data")
    except tarfile.TarError as error:
        raise BackupError(f"The archive cannot be read: {error}") from None
    unpacked = folder / "unpacked"
    try:
        manifest = json.loads((unpacked / "manifest.json").read_text())
    except ValueError:
        raise BackupError("The manifest is not valid JSON.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    listed = set(manifest.get("files", {}))
    present = {name for name in names if (unpacked / name).is_file()} - {"manifest.json"}
    if unexpected := present - listed:
        raise BackupError(f"The archive holds files its manifest does not list: {sorted(unexpected)[:5]}")
    for name, facts in manifest["files"].items():
        member = unpacked / name
        if not member.is_file():
            raise BackupError(f"{name} is missing from the archive.")
        if member.stat().st_size != facts["size"] or _sha256(member) != facts["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the archive is damaged or altered.")
    return Verified(unpacked, manifest)


def restore(path: Path, *, key: str = "") -> dict[str, int]:
    """Restore an archive into this (empty) database and MEDIA_ROOT; returns
    the row counts restored, which must equal the manifest's."""
    if connection.introspection.table_names():
        raise BackupError("The database is not empty: restore only into a new, empty database.")
    with tempfile.TemporaryDirectory(prefix="roundtable-restore-") as work:
        checked = verify(path, Path(work), key=key)
        manifest = checked.manifest
        if manifest["engine"] != connection.vendor:
            raise BackupError(f"The archive holds a {manifest['engine']} database; this one is {connection.vendor}.")
        _load_database(checked.folder)
        media_root = Path(settings.MEDIA_ROOT)
        for name in manifest["files"]:
            if name.startswith("media/"):
                destination = media_root / name.removeprefix("media/")
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(checked.folder / name, destination)
    connection.close()
    counts = table_counts()
    if counts != manifest["counts"]:
        wrong = {t: (counts.get(t), n) for t, n in manifest["counts"].items() if counts.get(t) != n}
        raise BackupError(f"The restored tables do not match the manifest's counts: {wrong}")
    return counts


def _load_database(folder: Path) -> None:
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", *args]
        command += ["--dbname", connection.settings_dict["NAME"], str(folder / "database.dump")]
        result = subprocess.run(command, env={**_environ(), **env}, capture_output=True, text=True)
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        return
    connection.ensure_connection()
    with sqlite3.connect(folder / "database.sqlite3") as source:
        source.backup(connection.connection)
    source.close()


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives in `folder`; returns those deleted."""
    archives = sorted(folder.glob("roundtable-*.tar*"), key=lambda path: path.stat().st_mtime, reverse=True)
    archives = [path for path in archives if not path.name.endswith(".partial")]
    for old in archives[keep:]:
        old.unlink()
    return archives[keep:]
