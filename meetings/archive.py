"""Import an existing archive of minutes: a folder of .docx, .pdf (with text),
.md and .txt files as coalitions keep them.

Every file is read and dated first; if any cannot be, nothing is written
(unless the caller skips those files). Then, in one transaction, each file
becomes the minutes of the coalition's meeting on its date (created if
missing), with the original kept as an attachment. A file already imported
is recognised by its content, so running the import again adds nothing."""

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction

from coordination import files, privacy
from coordination.models import Coalition

from .models import Meeting, Minutes
from .services import keep_file, local_datetime

EXTENSIONS = {".docx", ".pdf", ".md", ".txt"}
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_PATTERNS = [
    ("ymd", re.compile(r"(?<!\d)(19\d{2}|20\d{2})[-_. ](\d{1,2})[-_. ](\d{1,2})(?!\d)")),
    ("ymd", re.compile(r"(?<!\d)(19\d{2}|20\d{2})(\d{2})(\d{2})(?!\d)")),
    ("mdy", re.compile(r"(?<!\d)(\d{1,2})[-_./](\d{1,2})[-_./](\d{4}|\d{2})(?!\d)")),
    ("month", re.compile(rf"\b({MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)),
]


class Unreadable(Exception):
    """A file that cannot be imported, with the reason a person can act on."""


def find_date(*texts: str) -> date | None:
    for text in texts:
        for kind, pattern in DATE_PATTERNS:
            for match in pattern.finditer(text):
                a, b, c = match.groups()
                try:
                    if kind == "ymd":
                        return date(int(a), int(b), int(c))
                    if kind == "mdy":
                        year = int(c) + (2000 if len(c) == 2 else 0)
                        return date(year, int(a), int(b))
                    return date(int(c), MONTHS[a.lower()], int(b))
                except ValueError:
                    continue
    return None


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark (Notepad's "Unicode")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise Unreadable("the text is in an unknown encoding") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("the text is in an unknown encoding")


def read_docx(path: Path) -> str:
    import docx

    try:
        files.check_inflated_size(path)
    except files.Refused as refused:
        raise Unreadable(str(refused)) from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a broken file
        raise Unreadable(f"not a readable Word document ({type(exc).__name__})") from None
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        lines.append(f"## {text}" if style.startswith("heading") else text)
    return "\n\n".join(lines)


def read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PdfReadError, ValueError, OSError) as exc:
        raise Unreadable(f"not a readable PDF ({exc})") from None
    if not text.strip():
        raise Unreadable("the PDF has no text (a scanned image?); run it through OCR first")
    return text


READERS: dict[str, Callable[[Path], str]] = {".md": read_text, ".txt": read_text, ".docx": read_docx, ".pdf": read_pdf}


@dataclass
class Parsed:
    path: Path
    day: date
    text: str
    data: bytes


@dataclass
class Report:
    imported: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    meetings_created: int = 0
    minutes_written: int = 0
    attachments_added: int = 0
    written: bool = False
    # what the privacy guard found, per file: nothing is written while there is any, unless checked
    findings: list[tuple[str, list]] = field(default_factory=list)


def parse_folder(folder: Path) -> tuple[list[Parsed], list[tuple[str, str]]]:
    parsed, unreadable = [], []
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    for path in paths:
        name = str(path.relative_to(folder))
        try:
            files.check_name(path.name)
        except files.Refused as refused:
            unreadable.append((files.shown(name), str(refused)))
            continue
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            unreadable.append((name, f"{path.suffix or 'no extension'} files are not minutes Roundtable can read"))
            continue
        size = path.stat().st_size
        if size > settings.ATTACHMENT_MAX_MB * 1024 * 1024:
            unreadable.append(
                (name, f"{size / 1024 / 1024:.1f} MB is larger than the {settings.ATTACHMENT_MAX_MB} MB a file may be")
            )
            continue
        try:
            with path.open("rb") as stream:
                files.check_content(path.name, stream)
        except files.Refused as refused:
            unreadable.append((name, str(refused)))
            continue
        try:
            text = reader(path)
        except Unreadable as exc:
            unreadable.append((name, str(exc)))
            continue
        if not text.strip():
            unreadable.append((name, "the file is empty"))
            continue
        if len(text) > settings.LONG_TEXT_MAX:
            unreadable.append(
                (
                    name,
                    f"its text is {len(text):,} characters, more than the {settings.LONG_TEXT_MAX:,} minutes may "
                    "hold; split it into the meetings it covers",
                )
            )
            continue
        first_lines = "\n".join(text.strip().splitlines()[:5])
        day = find_date(path.stem, first_lines)
        if day is None:
            unreadable.append((name, "no meeting date in the file name or its first lines"))
            continue
        parsed.append(Parsed(path, day, text.strip(), path.read_bytes()))
    return parsed, unreadable


def _meeting_on(coalition: Coalition, day: date, start: time, duration: timedelta) -> tuple[Meeting, bool]:
    zone = Meeting(coalition=coalition).zone
    midnight = datetime.combine(day, time.min, tzinfo=zone)
    existing = (
        Meeting.objects.filter(
            coalition=coalition, committee=None, starts_at__gte=midnight, starts_at__lt=midnight + timedelta(days=1)
        )
        .order_by("starts_at")
        .first()
    )
    if existing:
        return existing, False
    starts_at = local_datetime(day, start, zone)
    meeting = Meeting.objects.create(
        coalition=coalition,
        title="Coalition meeting",
        starts_at=starts_at,
        ends_at=starts_at + duration,
        status=Meeting.Status.HELD,
    )
    return meeting, True


def import_archive(
    coalition: Coalition,
    folder: Path,
    *,
    dry_run: bool = False,
    skip_unreadable: bool = False,
    checked: bool = False,
    start: time = time(12, 0),
    duration: timedelta = timedelta(minutes=90),
    progress: Callable[[str], None] = lambda line: None,
) -> Report:
    parsed, unreadable = parse_folder(folder)
    report = Report(unreadable=unreadable)
    report.findings = [(item.path.name, found) for item in parsed if (found := privacy.scan(item.text))]
    if unreadable and not skip_unreadable:
        return report
    if report.findings and not checked:
        return report
    saved_files: list[str] = []
    try:
        with transaction.atomic():
            for number, item in enumerate(parsed, start=1):
                meeting, created = _meeting_on(coalition, item.day, start, duration)
                report.meetings_created += created
                minutes = Minutes.objects.filter(meeting=meeting).first()
                if minutes is None or not minutes.body.strip():
                    minutes = minutes or Minutes(meeting=meeting)
                    minutes.body = item.text
                    minutes.status = Minutes.Status.APPROVED
                    minutes.approved_at = meeting.ends_at
                    minutes.save()
                    report.minutes_written += 1
                    note = "minutes imported"
                elif minutes.body.strip() == item.text:
                    note = "minutes already there"
                else:
                    note = "kept the minutes written in Roundtable"
                content_type = mimetypes.guess_type(item.path.name)[0] or "application/octet-stream"
                kept = keep_file(minutes, item.path.name, item.data, content_type, store=not dry_run)
                if kept is not None:
                    if not dry_run:
                        saved_files.append(kept.file.name)
                    report.attachments_added += 1
                report.imported.append(item.path.name)
                progress(
                    f"[{number}/{len(parsed)}] {item.path.name}: meeting of {item.day:%B %-d, %Y} "
                    f"({'created' if created else 'found'}), {note}"
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        return report
    except Exception:
        from django.core.files.storage import default_storage

        for name in saved_files:
            default_storage.delete(name)
        raise
    report.written = True
    return report


class _DryRun(Exception):
    """Rolls the transaction back at the end of a dry run."""
