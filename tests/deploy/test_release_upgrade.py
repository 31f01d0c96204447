"""A database built by the previous release (deploy/previous-release names
its commit) upgrades to this code with `migrate` and keeps its data: the
previous release's own code makes it (migrations, the demo coalitions, an
uploaded attachment), this code migrates it, and every table's rows and a
sample of content are the same after as before.

The previous release's code comes from git. A checkout without that commit
(a shallow clone) uses deploy/previous-release.tar.gz instead: the same
database (SQLite), files and snapshot, made by that code with
`python tests/deploy/test_release_upgrade.py` when a release moves the file."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = (ROOT / "deploy" / "previous-release").read_text().split()[0]

# Read by each release's own code: every table's count, and content a person would miss.
SNAPSHOT = """
import hashlib, json
from django.db import connection
from django.core.files.storage import default_storage
from meetings.models import Attachment, Meeting, Minutes
from tasks.models import ActionItem
from members.models import Agency
from coordination.models import User
quote = connection.ops.quote_name
counts = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
print(json.dumps({
    "counts": counts,
    "meetings": sorted([m.title, m.starts_at.isoformat(), m.status] for m in Meeting.objects.all()),
    "minutes": sorted(
        hashlib.sha256((m.body + m.restricted_body + m.decisions).encode()).hexdigest() for m in Minutes.objects.all()
    ),
    "items": sorted([i.title, i.status, str(i.due_on), i.owner_agency.name] for i in ActionItem.objects.all()),
    "agencies": sorted(Agency.objects.values_list("name", flat=True)),
    "logins": sorted(User.objects.values_list("email", "password")),
    "files": sorted(
        [a.name, hashlib.sha256(default_storage.open(a.file.name).read()).hexdigest()] for a in Attachment.objects.all()
    ),
}))
"""

UPLOAD = """
import hashlib
from django.core.files.base import ContentFile
from meetings.models import Attachment, Minutes
minutes = Minutes.objects.order_by("pk").first()
data = b"%PDF-1.4 the annex of the first minutes"
attachment = Attachment(minutes=minutes, name="annex.pdf", size=len(data), content_type="application/pdf",
                        sha256=hashlib.sha256(data).hexdigest())
attachment.file.save("annex.pdf", ContentFile(data))
"""


def run(code: Path, *args: str, url: str, var: Path) -> str:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VAR_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DATABASE_URL": url,
        "VAR_DIR": str(var),
        "DEBUG": "true",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=code, env=environment, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (
        f"{code.name}: manage.py {args[0]} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
    )
    return result.stdout


ARTIFACT = ROOT / "deploy" / "previous-release.tar.gz"


def previous_code(folder: Path) -> Path | None:
    """The previous release's code, from git; None when this checkout lacks the commit."""
    archive = subprocess.run(["git", "archive", "--format=tar", PREVIOUS], cwd=ROOT, capture_output=True)
    if archive.returncode:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as opened:
        opened.extractall(folder, filter="data")
    return folder


def build(code: Path, url: str, var: Path) -> dict:
    """A database made by `code`: migrated, the demo coalitions, an upload; its snapshot."""
    run(code, "migrate", "--noinput", url=url, var=var)
    run(code, "seed_demo", url=url, var=var)
    run(code, "shell", "-c", UPLOAD, url=url, var=var)
    return json.loads(run(code, "shell", "-c", SNAPSHOT, url=url, var=var).splitlines()[-1])


def unpack_artifact(var: Path) -> tuple[str, dict]:
    """The committed database of the previous release (SQLite), its files and its snapshot."""
    assert ARTIFACT.exists(), f"This checkout lacks {PREVIOUS} and {ARTIFACT.name}: clone with history."
    with tarfile.open(ARTIFACT) as opened:
        opened.extractall(var, filter="data")
    stamp = json.loads((var / "artifact.json").read_text())
    assert stamp["commit"] == PREVIOUS, f"{ARTIFACT.name} was made by {stamp['commit']}, not {PREVIOUS}: remake it"
    return f"sqlite:///{var / 'roundtable.sqlite3'}", stamp["before"]


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_release_upgrades_and_keeps_every_row(tmp_path, empty_database):
    var = tmp_path / "var"
    code = previous_code(tmp_path / "previous")
    if code is not None:
        url, before = empty_database, build(code, empty_database, var)
    else:
        url, before = unpack_artifact(var)

    run(ROOT, "migrate", "--noinput", url=url, var=var)
    after = json.loads(run(ROOT, "shell", "-c", SNAPSHOT, url=url, var=var).splitlines()[-1])
    run(ROOT, "migrate", "--check", url=url, var=var)

    assert before["files"] and before["meetings"] and before["minutes"]
    for part in ("meetings", "minutes", "items", "agencies", "logins", "files"):
        assert after[part] == before[part], part
    # every table the previous release had keeps its rows (new permissions and content types aside)
    grows = {"auth_permission", "django_content_type", "django_migrations"}
    changed = {
        table: (rows, after["counts"].get(table))
        for table, rows in before["counts"].items()
        if table not in grows and after["counts"].get(table) != rows
    }
    assert changed == {}


def test_the_committed_database_of_the_previous_release_is_that_release_s():
    """The fallback for shallow checkouts is kept in step with deploy/previous-release."""
    with tarfile.open(ARTIFACT) as opened:
        stamp = json.loads(opened.extractfile("artifact.json").read())
    assert stamp["commit"] == PREVIOUS


def make_artifact() -> None:
    """Build deploy/previous-release.tar.gz with the previous release's code (SQLite)."""
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        code = previous_code(folder / "previous")
        assert code is not None, f"git has no {PREVIOUS}"
        var = folder / "var"
        before = build(code, f"sqlite:///{var / 'roundtable.sqlite3'}", var)
        (var / "artifact.json").write_text(json.dumps({"commit": PREVIOUS, "before": before}))
        with tarfile.open(ARTIFACT, "w:gz") as out:
            for name in ("roundtable.sqlite3", "media", "artifact.json"):
                out.add(var / name, arcname=name)
    print(f"Wrote {ARTIFACT} ({ARTIFACT.stat().st_size:,} bytes) from {PREVIOUS}.")


if __name__ == "__main__":
    make_artifact()
