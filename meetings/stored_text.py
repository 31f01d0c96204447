"""Where meetings store free text, for the archive scan (coordination/stored_text.py):
minutes, agenda items, cancellation reasons, guests' names, and the text of
the files kept with the minutes. The meeting's history sentences may quote
an agenda item's title or a cancellation reason: a removal reaches them too."""

import hashlib
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.urls import reverse

from coordination.stored_text import Source, register

from . import archive
from .models import AgendaItem, Attachment, Attendance, Meeting, Minutes

# The files whose text can be rewritten in place; others are deleted to remove a finding.
REWRITABLE = {".txt", ".md", ".csv"}
READERS = {**archive.READERS, ".csv": archive.read_text}


def _events(meeting_id: int):
    from .models import MeetingEvent

    return [(MeetingEvent.objects.filter(meeting_id=meeting_id), ("summary",))]


def attachment_text(attachment: Attachment) -> str:
    """The file's text, where Roundtable can read it (text, Word, PDF with text)."""
    suffix = Path(attachment.name).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        return ""
    try:
        with attachment.file.open("rb") as stored:
            data = stored.read()
        with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
            copy.write(data)
            copy.flush()
            return reader(Path(copy.name))
    except (OSError, archive.Unreadable):
        return ""


def redact_attachment(attachment: Attachment, words: set[str]) -> str:
    """A text file is written again without the words; any other kind cannot
    be rewritten safely, so it is deleted (the minutes keep their own text)."""
    name = attachment.name
    if Path(name).suffix.lower() not in REWRITABLE:
        attachment.file.delete(save=False)
        attachment.delete()
        return f"The file “{name}” was deleted: a {Path(name).suffix or 'file'} cannot be rewritten safely."
    text = attachment_text(attachment)
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "[removed]")
    data = text.encode()
    old = attachment.file.name
    attachment.file.save(Path(old).name, ContentFile(data), save=False)
    attachment.size, attachment.sha256 = len(data), hashlib.sha256(data).hexdigest()
    attachment.save(update_fields=["file", "size", "sha256"])
    if attachment.file.name != old:
        attachment.file.storage.delete(old)
    return f"Removed from the file “{name}”."


def register_sources() -> None:
    register(
        Source(
            key="meetings.minutes",
            model=Minutes,
            fields=("body", "decisions", "restricted_body"),
            coalition="meeting__coalition",
            label="Minutes",
            related=("meeting__coalition",),
            where=lambda minutes: (f"Minutes of {minutes.meeting}", reverse("minutes_read", args=[minutes.meeting_id])),
            copies=lambda minutes: _events(minutes.meeting_id),
        )
    )
    register(
        Source(
            key="meetings.agendaitem",
            model=AgendaItem,
            fields=("title", "notes"),
            coalition="meeting__coalition",
            label="Agenda item",
            related=("meeting__coalition",),
            where=lambda item: (f"Agenda of {item.meeting}", reverse("agenda_item", args=[item.meeting_id, item.pk])),
            copies=lambda item: _events(item.meeting_id),
        )
    )
    register(
        Source(
            key="meetings.meeting",
            model=Meeting,
            fields=("cancel_reason",),
            coalition="coalition",
            label="Reason for cancelling",
            where=lambda meeting: (f"Cancellation of {meeting}", reverse("meeting", args=[meeting.pk])),
            copies=lambda meeting: _events(meeting.pk),
        )
    )
    register(
        Source(
            key="meetings.attendance",
            model=Attendance,
            fields=("guest_name",),
            coalition="meeting__coalition",
            label="Guest",
            related=("meeting__coalition",),
            where=lambda row: (f"Attendance at {row.meeting}", reverse("attendance", args=[row.meeting_id])),
            copies=lambda row: _events(row.meeting_id),
        )
    )
    register(
        Source(
            key="meetings.attachment",
            model=Attachment,
            fields=("file",),
            coalition="minutes__meeting__coalition",
            label="Attached file",
            related=("minutes__meeting__coalition",),
            where=lambda file: (
                f"“{file.name}”, with the minutes of {file.minutes.meeting}",
                reverse("attachment", args=[file.pk]),
            ),
            read=attachment_text,
            redact_file=redact_attachment,
        )
    )
