"""Scheduling meetings in the coalition's local time, invitations, agendas,
minutes and series."""

import hashlib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coordination import events
from coordination.text import without_controls

from .models import AgendaItem, Attachment, Meeting, MeetingEvent, MeetingSeries, Minutes
from .notices import CHANGED_FIELDS, queue_change_notices, queue_minutes_approved

UTC = ZoneInfo("UTC")


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped when the clocks spring forward."""


def local_datetime(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The aware datetime of a local date and time. Refuses a time that does not
    exist that day; of a time that happens twice (clocks fall back), takes the
    first."""
    candidate = datetime.combine(day, at, tzinfo=zone)
    round_trip = candidate.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != candidate.replace(tzinfo=None):
        raise NonexistentLocalTime(f"{at:%H:%M} does not exist on {day:%B %-d, %Y} in {zone.key}: the clocks change.")
    return candidate


# The steps of a meeting's story that are announced (webhooks), by name.
ANNOUNCED = {
    MeetingEvent.Kind.SCHEDULED: "meeting.scheduled",
    MeetingEvent.Kind.CHANGED: "meeting.changed",
    MeetingEvent.Kind.CANCELLED: "meeting.cancelled",
    MeetingEvent.Kind.APPROVED: "minutes.approved",
}


def note(meeting: Meeting, kind: str, summary: str, user=None) -> MeetingEvent:
    """A step in the meeting's story, shown on its page (and announced, if it is one of ANNOUNCED)."""
    event = MeetingEvent.objects.create(meeting=meeting, kind=kind, summary=summary[:500], user=user)
    if kind in ANNOUNCED:
        events.announce(ANNOUNCED[kind], meeting, coalition_id=meeting.coalition_id)
    return event


def _when(meeting: Meeting) -> str:
    return f"{meeting.local_start:%a %b %-d, %Y, %-I:%M %p}–{meeting.local_end:%-I:%M %p}"


@transaction.atomic
def cancel(meeting: Meeting, reason: str, user=None) -> Meeting:
    """Cancelled: a new revision, sent to the invitees at once (whatever the
    coalition's setting: nobody should come to a meeting that is off)."""
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence"])
    told = queue_change_notices(meeting)
    note(meeting, MeetingEvent.Kind.CANCELLED, f"Cancelled: {reason}" + (f" ({told} told)." if told else ""), user)
    return meeting


LABELS = {"title": "title", "starts_at": "start", "ends_at": "end", "place": "place", "video_url": "video link"}


@transaction.atomic
def save_meeting(form, user=None) -> Meeting:
    """Save the meeting form. A change invitees' calendars must follow (time,
    place, title, video link) is a new revision; a coalition that sends
    automatically tells those invited at once, otherwise the meeting's page
    offers "Send update"."""
    before = Meeting.objects.filter(pk=form.instance.pk).values(*CHANGED_FIELDS).first()
    instance = form.instance
    changed = [field for field in CHANGED_FIELDS if before is not None and before[field] != getattr(instance, field)]
    if changed:
        instance.sequence += 1
    if before is not None:
        # the sweep or another organizer may have sent invitations since the form was read: keep what they wrote
        instance.invited_at, instance.told_sequence = (
            Meeting.objects.select_for_update().filter(pk=instance.pk).values_list("invited_at", "told_sequence").get()
        )
    meeting = form.save()
    if before is None:
        note(meeting, MeetingEvent.Kind.SCHEDULED, f"Scheduled for {_when(meeting)}.", user)
    elif changed:
        note(
            meeting,
            MeetingEvent.Kind.CHANGED,
            f"Changed the {', '.join(LABELS[f] for f in changed)}: now {_when(meeting)}"
            + (f", {meeting.place}." if meeting.place else "."),
            user,
        )
        if meeting.coalition.send_invitations == meeting.coalition.Invitations.AUTOMATIC:
            send_update(meeting, user)
    return meeting


def send_waiting_updates(coalition, user=None) -> int:
    """A coalition now sending automatically: the changes waiting for an
    organizer's "Send update" go now. Returns how many meetings."""
    waiting = Meeting.objects.filter(
        coalition=coalition,
        status=Meeting.Status.SCHEDULED,
        starts_at__gt=timezone.now(),
        invited_at__isnull=False,
        sequence__gt=F("told_sequence"),
    ).select_related("coalition")
    sent = 0
    for meeting in waiting:
        with transaction.atomic():
            send_update(meeting, user)
        sent += 1
    return sent


def send_update(meeting: Meeting, user=None) -> int:
    """Tell those invited what changed since they last heard. Returns how many are told."""
    told = queue_change_notices(meeting)
    if told:
        note(meeting, MeetingEvent.Kind.UPDATE, f"Update sent to {told} {'person' if told == 1 else 'people'}.", user)
    return told


# --- Agenda ----------------------------------------------------------------------


def renumber(meeting: Meeting) -> None:
    for position, item in enumerate(meeting.agenda_items.order_by("position", "pk"), start=1):
        if item.position != position * 10:
            item.position = position * 10
            item.save(update_fields=["position"])


@transaction.atomic
def move_item(item: AgendaItem, direction: int) -> None:
    """Swap the item with its neighbour above (-1) or below (+1)."""
    renumber(item.meeting)
    item.refresh_from_db()
    items = list(item.meeting.agenda_items.order_by("position"))
    index = items.index(item)
    other = index + direction
    if 0 <= other < len(items):
        neighbour = items[other]
        item.position, neighbour.position = neighbour.position, item.position
        item.save(update_fields=["position"])
        neighbour.save(update_fields=["position"])


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            coalition_id=meeting.coalition_id, committee_id=meeting.committee_id, starts_at__lt=meeting.starts_at
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def add_approval_item(meeting: Meeting) -> AgendaItem | None:
    """The standing first item: approve the previous meeting's minutes."""
    previous = previous_meeting(meeting)
    if previous is None or meeting.agenda_items.filter(approves_minutes_of=previous).exists():
        return None
    return AgendaItem.objects.create(
        meeting=meeting,
        position=0,
        title=f"Approve the minutes of {previous.local_start:%B %-d, %Y}",
        approves_minutes_of=previous,
        minutes_allotted=5,
    )


def review_item(meeting: Meeting, title: str, notes: str) -> tuple[AgendaItem, bool]:
    """The agenda item of that title, its notes brought up to date, or added
    last. Returns it and whether it was added."""
    item = meeting.agenda_items.filter(title=title).first()
    if item is not None:
        item.notes = notes
        item.save(update_fields=["notes"])
        return item, False
    last = meeting.agenda_items.order_by("-position").first()
    item = AgendaItem.objects.create(
        meeting=meeting, title=title, notes=notes, position=(last.position if last else 0) + 10
    )
    return item, True


# --- Minutes ---------------------------------------------------------------------


def minutes_outline(meeting: Meeting) -> str:
    """A draft that follows the agenda: a section per item with its presenter
    (a case review unnamed: what it discussed goes in the restricted part)."""
    sections = []
    for number, item in enumerate(
        meeting.agenda_items.select_related("presenter", "presenter_agency").order_by("position", "pk"), start=1
    ):
        if item.is_case_review:
            # open minutes reach every invitee: a case review is neither named nor attributed
            sections.append(f"## {number}. Case review\n\nNotes, if any, go in the restricted part.")
            continue
        heading = f"## {number}. {item.title}"
        who = ", ".join(
            name
            for name in (
                item.presenter and item.presenter.full_name,
                item.presenter_agency and item.presenter_agency.name,
            )
            if name
        )
        lines = [heading]
        if who:
            lines.append(f"*Presented by {who}.*")
        sections.append("\n\n".join(lines))
    return "\n\n".join(sections) + ("\n" if sections else "")


@transaction.atomic
def save_minutes(minutes: Minutes) -> bool:
    """Save a draft. Changing approved minutes sends them back to draft, to be
    approved again. Returns whether they went back to draft."""
    reopened = minutes.pk is not None and minutes.status == Minutes.Status.APPROVED
    if reopened:
        minutes.status, minutes.approved_by, minutes.approved_at = Minutes.Status.DRAFT, None, None
    minutes.save()
    return reopened


@transaction.atomic
def approve_minutes(minutes: Minutes, user) -> Minutes:
    minutes.status, minutes.approved_by, minutes.approved_at = Minutes.Status.APPROVED, user, timezone.now()
    minutes.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    meeting = minutes.meeting
    if meeting.status == Meeting.Status.SCHEDULED and meeting.ends_at < timezone.now():
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
    queue_minutes_approved(minutes)
    note(meeting, MeetingEvent.Kind.APPROVED, "The invitees are told.", user)
    return minutes


# --- Series ------------------------------------------------------------------------


def series_times(series: MeetingSeries, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(series.coalition.time_zone)
    times = []
    for at in (series.start_time, series.end_time):
        try:
            times.append(local_datetime(day, at, zone))
        except NonexistentLocalTime:
            # The clocks skip this time on this one night: the meeting starts
            # when the clocks show it an hour later.
            times.append(datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone))
    return times[0], times[1]


@transaction.atomic
def sync_series(series: MeetingSeries, horizon_days: int | None = None) -> dict[str, int]:
    """Bring the series' coming meetings in line with its rule, up to the
    horizon: create the missing ones, update those not changed by hand, and
    cancel those the rule no longer has. Past meetings are never touched.
    Safe to run again: it changes nothing the second time."""
    horizon_days = horizon_days or settings.MEETING_HORIZON_DAYS
    zone = ZoneInfo(series.coalition.time_zone)
    today = timezone.now().astimezone(zone).date()
    dates = series.occurrences(today, today + timedelta(days=horizon_days))
    coming = {m.occurrence: m for m in series.meetings.filter(occurrence__gte=today)}
    counts = {"created": 0, "updated": 0, "cancelled": 0}
    fields = {
        "coalition_id": series.coalition_id,
        "committee_id": series.committee_id,
        "title": series.title,
        "kind": series.kind,
        "place": series.place,
        "video_url": series.video_url,
    }
    for day in dates:
        starts_at, ends_at = series_times(series, day)
        meeting = coming.get(day)
        if meeting is None:
            meeting = Meeting.objects.create(
                series=series,
                occurrence=day,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=series.created_by,
                **fields,
            )
            note(meeting, MeetingEvent.Kind.SCHEDULED, f"Scheduled by the series: {_when(meeting)}.")
            counts["created"] += 1
        elif not meeting.changed_by_hand and meeting.status == Meeting.Status.SCHEDULED:
            wanted = {**fields, "starts_at": starts_at, "ends_at": ends_at}
            if any(getattr(meeting, name) != value for name, value in wanted.items()):
                if any(getattr(meeting, name) != wanted[name] for name in CHANGED_FIELDS if name in wanted):
                    meeting.sequence += 1
                for name, value in wanted.items():
                    setattr(meeting, name, value)
                meeting.save(update_fields=[*wanted, "sequence"])
                note(meeting, MeetingEvent.Kind.CHANGED, f"Changed with its series: {_when(meeting)}.")
                if series.coalition.send_invitations == series.coalition.Invitations.AUTOMATIC:
                    send_update(meeting)
                counts["updated"] += 1
    for day, meeting in coming.items():
        if day not in dates and not meeting.changed_by_hand and meeting.status == Meeting.Status.SCHEDULED:
            cancel(meeting, "No longer part of the series.")
            counts["cancelled"] += 1
    return counts


STORED_NAME_LENGTH = 80


def shortened(name: str, limit: int) -> str:
    """The name cut to `limit` characters, keeping its extension."""
    if len(name) <= limit:
        return name
    suffix = Path(name).suffix[:16]
    return name[: limit - len(suffix)].rstrip(". ") + suffix


def keep_file(
    minutes: Minutes, name: str, data: bytes, content_type: str, user=None, *, store: bool = True
) -> Attachment | None:
    """Keep a file with the minutes, once (by content). With store=False (a
    dry run) the row is made but nothing is written to storage."""
    digest = hashlib.sha256(data).hexdigest()
    if minutes.attachments.filter(sha256=digest).exists():
        return None
    name = shortened(Path(without_controls(name)).name or "file", Attachment._meta.get_field("name").max_length)
    attachment = Attachment(
        minutes=minutes, name=name, size=len(data), content_type=content_type, sha256=digest, uploaded_by=user
    )
    # file systems refuse a name over 255 bytes: the stored copy's is kept short
    stored = shortened(name, STORED_NAME_LENGTH)
    if store:
        attachment.file.save(stored, ContentFile(data), save=False)
    else:
        attachment.file.name = f"dry-run/{stored}"
    attachment.save()
    return attachment


def attach(minutes: Minutes, upload, user) -> Attachment | None:
    """An organizer's upload."""
    return keep_file(minutes, upload.name, upload.read(), upload.content_type or "application/octet-stream", user)
