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
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection, transaction
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


def table_counts(cursor=None, tables=None) -> dict[str, int]:
    """Rows in every table of the database (Django's and ours), read with
    `cursor` (the backup's snapshot, or the SQLite copy) or this connection."""
    if cursor is None:
        with connection.cursor() as own:
            return table_counts(own, connection.introspection.table_names())
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (a table name from the database itself)
        counts[table] = cursor.fetchone()[0]
    return counts


def schema(cursor=None) -> dict[str, str]:
    """The latest migration applied of every app."""
    if cursor is None:
        rows = MigrationRecorder(connection).applied_migrations()
    else:
        cursor.execute("SELECT app, name FROM django_migrations")
        rows = cursor.fetchall()
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _pg_env() -> tuple[list[str], dict]:
    """pg_dump's and pg_restore's connection arguments, the password in the environment."""
    s = connection.settings_dict
    args = ["--host", s["HOST"] or "127.0.0.1", "--port", str(s["PORT"] or 5432), "--username", s["USER"]]
    env = {"PGPASSWORD": s["PASSWORD"]} if s["PASSWORD"] else {}
    return args, env


def _dump_database(folder: Path) -> tuple[Path, dict[str, int], dict[str, str]]:
    """The dump, and the row counts and schema of exactly what it holds."""
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        args, env = _pg_env()
        # one snapshot for the dump and the counts: rows written meanwhile are in neither
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}", *args]
            result = subprocess.run(
                [*command, "--file", str(target), connection.settings_dict["NAME"]],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
            )
            if result.returncode:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            counts = table_counts(cursor, connection.introspection.table_names(cursor))
            return target, counts, schema(cursor)
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            cursor = copy.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            tables = [row[0] for row in cursor.fetchall()]
            return target, table_counts(cursor, tables), schema(cursor)
        finally:
            copy.close()
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def create(target: Path, *, key: str = "") -> dict:
    """Write the archive to `target`; returns its manifest."""
    with tempfile.TemporaryDirectory(prefix="roundtable-backup-") as work:
        folder = Path(work)
        dump, counts, applied = _dump_database(folder)
        members = {dump.name: dump}
        root = Path(settings.MEDIA_ROOT)
        for path in _media_files():
            name = f"media/{path.relative_to(root).as_posix()}"
            copy = folder / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:  # a copy, so a file written meanwhile is archived as hashed
                shutil.copyfile(path, copy)
            except FileNotFoundError:
                continue  # deleted meanwhile (an expired export)
            members[name] = copy
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "engine": connection.vendor,
            "schema": applied,
            "counts": counts,
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


DATABASE_MEMBERS = {"database.dump", "database.sqlite3"}


def _safe_name(name: str) -> bool:
    """A member's name: the database dump, or media/ and a plain relative path under it."""
    if name in DATABASE_MEMBERS:
        return True
    parts = PurePosixPath(name).parts
    return (
        name.startswith("media/")
        and not PurePosixPath(name).is_absolute()
        and len(parts) > 1
        and all(part not in ("", ".", "..") for part in parts)
        and PurePosixPath(*parts).as_posix() == name
    )


def verify(path: Path, folder: Path, *, key: str = "", allow_unencrypted: bool = False) -> Verified:
    """Unpack the archive into `folder` and check it: a manifest of the known
    format, every member listed, safely named, present, of its size and
    SHA-256, and nothing else; with BACKUP_KEY set, an archive that was not
    encrypted with it is refused (unless allowed). Raises BackupError saying
    what does not verify."""
    plain = path
    if is_encrypted(path):
        if not key:
            raise BackupError("The archive is encrypted: set BACKUP_KEY to the key it was made with.")
        plain = folder / "archive.tar"
        _decrypt(path, plain, key)
    elif key and not allow_unencrypted:
        raise BackupError(
            "The archive is not encrypted, though BACKUP_KEY is set: anyone could have made it. "
            "Restore it with --allow-unencrypted if you know where it comes from."
        )
    try:
        with tarfile.open(plain) as archive:
            names = archive.getnames()
            if "manifest.json" not in names:
                raise BackupError("The archive has no manifest.json: it is not a Roundtable backup.")
            archive.extractall(folder / "unpacked", filter="data")
    except tarfile.TarError:
        raise BackupError("The archive cannot be read: it is damaged, cut short, or not a Roundtable backup.") from None
    unpacked = folder / "unpacked"
    try:
        manifest = json.loads((unpacked / "manifest.json").read_text())
    except ValueError:
        raise BackupError("The manifest is not valid JSON.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    listed = set(manifest.get("files", {}))
    if unsafe := sorted(name for name in listed if not _safe_name(name)):
        raise BackupError(f"The manifest names files outside the uploads: {unsafe[:3]}")
    if len(listed & DATABASE_MEMBERS) != 1:
        raise BackupError("The archive holds no database dump.")
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


def _unknown_migrations(applied: dict[str, str]) -> list[str]:
    """Migrations the archive's database has that this code does not know (a newer release's)."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in applied.items() if (app, name) not in known]


def restore(path: Path, *, key: str = "", allow_unencrypted: bool = False) -> dict[str, int]:
    """Restore an archive into this (empty) database and MEDIA_ROOT; returns
    the row counts restored, which must equal the manifest's. Everything is
    checked before anything is written; the database is loaded in one
    transaction, and the files are put in place only after it."""
    if connection.introspection.table_names():
        raise BackupError("The database is not empty: restore only into a new, empty database.")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="roundtable-restore-") as work:
        checked = verify(path, Path(work), key=key, allow_unencrypted=allow_unencrypted)
        manifest = checked.manifest
        if manifest["engine"] != connection.vendor:
            raise BackupError(f"The archive holds a {manifest['engine']} database; this one is {connection.vendor}.")
        if unknown := _unknown_migrations(manifest["schema"]):
            raise BackupError(f"The archive comes from a newer Roundtable (migrations {unknown[:3]}): upgrade first.")
        files = [name for name in manifest["files"] if name.startswith("media/")]
        for name in files:
            destination = media_root / name.removeprefix("media/")
            if not destination.resolve().is_relative_to(media_root.resolve()):
                raise BackupError(f"{name} would be written outside MEDIA_ROOT.")
            if destination.exists():
                raise BackupError(f"{destination} exists: restore into an empty MEDIA_ROOT.")
        _load_database(checked.folder)
        connection.close()
        counts = table_counts()
        if counts != manifest["counts"]:
            wrong = {t: (counts.get(t), n) for t, n in manifest["counts"].items() if counts.get(t) != n}
            raise BackupError(
                f"The restored tables do not match the manifest's counts: {wrong}. "
                "Drop this database before trying again."
            )
        for name in files:
            destination = media_root / name.removeprefix("media/")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(checked.folder / name, destination)
    return counts


def _load_database(folder: Path) -> None:
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", *args]
        command += ["--dbname", connection.settings_dict["NAME"], str(folder / "database.dump")]
        result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
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
