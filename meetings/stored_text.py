"""Where meetings store free text, for the archive scan (coordination/stored_text.py):
minutes, agenda items, cancellation reasons, guests' names, and the text of
the files kept with the minutes. The meeting's history sentences may quote
an agenda item's title or a cancellation reason: a removal reaches them too."""

import hashlib
import logging
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from coordination.stored_text import Source, register

from . import archive
from .models import AgendaItem, Attachment, Attendance, Meeting, Minutes
from .services import STORED_NAME_LENGTH, shortened

log = logging.getLogger(__name__)

# The files whose text can be rewritten in place; others are deleted to remove a finding.
REWRITABLE = {".txt", ".md", ".csv"}
READERS = {**archive.READERS, ".csv": archive.read_text}


def _deleted_meetings(coalition_id: int) -> Q:
    """The history records of the coalition's meetings' rows, deleted
    meetings' included (the meetings' own history says whose they were)."""
    return Q(meeting_id__in=Meeting.objects.filter(coalition_id=coalition_id).values("id")) | Q(
        meeting_id__in=Meeting.history.filter(coalition_id=coalition_id).values("id")
    )


def _events(meeting_id: int):
    from .models import MeetingEvent

    return [(MeetingEvent.objects.filter(meeting_id=meeting_id), ("summary",))]


def attachment_text(attachment: Attachment) -> str:
    """The file's text, where Roundtable can read it (text, Word, PDF with
    text); "" for any other file, and for one that cannot be read (an
    encrypted PDF, a broken file), which is logged and never stops a scan."""
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
    except archive.Unreadable:
        return ""
    except Exception:  # the readers' libraries raise many kinds for a file they cannot read
        log.warning("Attachment %s could not be read for the privacy scan.", attachment.pk, exc_info=True)
        return ""


def _delete_file_on_commit(storage, name: str) -> None:
    transaction.on_commit(lambda: storage.delete(name))


def redact_attachment(attachment: Attachment, strip) -> str:
    """A text file is written again without the words; any other kind cannot
    be rewritten safely, so it is deleted (the minutes keep their own text).
    Old files leave storage once the removal commits."""
    name, storage, old = attachment.name, attachment.file.storage, attachment.file.name
    if Path(name).suffix.lower() not in REWRITABLE:
        attachment.delete()
        _delete_file_on_commit(storage, old)
        return f"The file “{name}” was deleted: a {Path(name).suffix or 'file'} cannot be rewritten safely."
    data = strip(attachment_text(attachment)).encode()
    sha256 = hashlib.sha256(data).hexdigest()
    if attachment.minutes.attachments.filter(sha256=sha256).exclude(pk=attachment.pk).exists():
        attachment.delete()  # now the same as another file of these minutes: one is enough
        _delete_file_on_commit(storage, old)
        return f"Removed: “{name}” is now the same as another file of these minutes, which is kept."
    attachment.sha256, attachment.size = sha256, len(data)
    attachment.file.save(shortened(name, STORED_NAME_LENGTH), ContentFile(data), save=False)
    attachment.save(update_fields=["file", "size", "sha256"])
    if attachment.file.name != old:
        _delete_file_on_commit(storage, old)
    return f"Removed from the file “{name}”."


def register_sources() -> None:
    register(
        Source(
            key="meetings.minutes",
            model=Minutes,
            fields=("body", "decisions", "restricted_body"),
            coalition="meeting__coalition",
            history_coalition=_deleted_meetings,
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
            history_coalition=_deleted_meetings,
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
            related=("coalition",),
            copies=lambda meeting: _events(meeting.id),
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
