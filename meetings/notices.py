"""What the meetings app e-mails: invitations (with the calendar file and
RSVP links), reminders before each meeting, and notices when a meeting is
changed or cancelled. Each goes through the notification ledger, keyed so it
is sent once; reminders are keyed by the meeting's start time, so a
rescheduled meeting's reminders are computed again, not sent at the old time.

Invitations go out when an organizer sends them ("Send invitations now"), or,
for a coalition that sends them automatically, a month ahead. Once a meeting
is invited, newcomers (a new representative) are invited by the sweep. A
change is sent at once by an automatic coalition, and by an organizer's "Send
update" otherwise; a cancellation always goes at once."""

from datetime import UTC, timedelta
from email.message import MIMEPart

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.mail import absolute_url, build_message
from coordination.models import Coalition, Notification
from coordination.text import whole_number
from members.email_settings import may_email_filter, settings_url

from . import calendar, invitations
from .models import Attendance, Meeting, MeetingEvent

# A coalition that invites automatically does so once a meeting is this close
# (a series' far meetings wait).
INVITE_AHEAD = timedelta(days=30)
# A reminder missed by more than this (the sweeper was down) is not sent late.
GRACE = timedelta(hours=12)
Kind = Notification.Kind
Topic = notifications.Topic


def _recipients(meeting: Meeting, now=None):
    """The invitees to e-mail now; someone away is invited once back, if the
    meeting is still ahead."""
    invitations.ensure_invitations(meeting)
    return _reachable(Attendance.objects.filter(meeting=meeting), notifications.local_today(meeting.coalition, now))


def _reachable(attendances, today):
    return (
        attendances.filter(person__isnull=False)
        .filter(may_email_filter(Topic.REMINDERS, today, prefix="person__"))
        .exclude(person__email="")
    )


def _uninvited(attendances):
    return attendances.exclude(
        Exists(Notification.objects.filter(kind=Kind.MEETING_INVITATION, object_id=OuterRef("pk")))
    )


def queue_due(now=None) -> int:
    """Record the invitations and reminders that have fallen due: a few
    queries a coalition with meetings ahead, whatever the invitees. Safe to
    run any number of times: the ledger keeps one of each."""
    now = now or timezone.now()
    soon = (
        Meeting.objects.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now)
        .filter(
            Q(invited_at__isnull=False)
            | Q(starts_at__lte=now + INVITE_AHEAD, coalition__send_invitations=Coalition.Invitations.AUTOMATIC)
        )
        .select_related("coalition")
        .order_by("starts_at")
    )
    by_coalition: dict = {}
    for meeting in soon:
        by_coalition.setdefault(meeting.coalition, []).append(meeting)
    rows = []
    for coalition, meetings in by_coalition.items():
        invitations.ensure_invitations_of(meetings)
        invitees = _reachable(
            Attendance.objects.filter(meeting__in=meetings), notifications.local_today(coalition, now)
        )
        invited_now: dict[int, int] = {}
        for pk, email, meeting_id in _uninvited(invitees).values_list("pk", "person__email", "meeting_id"):
            rows.append(notifications.owe(Kind.MEETING_INVITATION, pk, email, coalition_id=coalition.pk))
            invited_now[meeting_id] = invited_now.get(meeting_id, 0) + 1
        # the story of each meeting invited for the first time by this sweep
        MeetingEvent.objects.bulk_create(
            MeetingEvent(
                meeting=meeting,
                at=now,
                kind=MeetingEvent.Kind.INVITED,
                summary=f"Invitations sent automatically to {invited_now[meeting.pk]} "
                f"{'person' if invited_now[meeting.pk] == 1 else 'people'}, a month ahead.",
            )
            for meeting in meetings
            if meeting.invited_at is None and meeting.pk in invited_now
        )
        _mark_invited(Meeting.objects.filter(pk__in=invited_now), now)
        # Only the nearest reminder that is due: no burst of old ones.
        reminders = {}
        for meeting in meetings:
            due = [
                label for label, offset in coalition.reminder_offsets if now - GRACE < _due_at(meeting, offset) <= now
            ]
            if due:
                reminders[meeting.pk] = f"{due[-1]}@{meeting.starts_at:%Y%m%dT%H%M}"
        if not reminders:
            continue
        to_remind = list(invitees.filter(meeting_id__in=reminders).values_list("pk", "meeting_id", "person__email"))
        reminded = set(
            Notification.objects.filter(
                kind=Kind.MEETING_REMINDER, object_id__in=[pk for pk, _, _ in to_remind], period__in=reminders.values()
            ).values_list("object_id", "period")
        )
        rows += [
            notifications.owe(Kind.MEETING_REMINDER, pk, email, period=reminders[meeting_id], coalition_id=coalition.pk)
            for pk, meeting_id, email in to_remind
            if (pk, reminders[meeting_id]) not in reminded
        ]
    return len(notifications.queue_many(rows))


def _due_at(meeting: Meeting, offset: timedelta):
    """The reminder's time on the coalition's wall clock: 7 days before noon
    is noon, whatever the clocks did in between."""
    return (meeting.local_start - offset).astimezone(UTC)


def _mark_invited(meetings, now) -> None:
    """The meetings are invited from now (those not yet): the invitees know their current revision."""
    meetings.filter(invited_at__isnull=True).update(invited_at=now, told_sequence=F("sequence"))


@transaction.atomic
def send_invitations(meeting: Meeting, user=None, now=None) -> int:
    """ "Send invitations now": an invitation to every invitee not yet sent
    one, at once, whenever the meeting is. Returns how many are queued."""
    now = now or timezone.now()
    invitations.ensure_invitations(meeting)
    rows = _uninvited(
        _reachable(Attendance.objects.filter(meeting=meeting), notifications.local_today(meeting.coalition, now))
    ).values_list("pk", "person__email")
    queued = notifications.queue_many(
        (
            notifications.owe(Kind.MEETING_INVITATION, pk, email, coalition_id=meeting.coalition_id)
            for pk, email in rows
        ),
        send_now=True,
    )
    first = meeting.invited_at is None
    _mark_invited(Meeting.objects.filter(pk=meeting.pk), now)
    meeting.refresh_from_db(fields=["invited_at", "told_sequence"])
    if queued or first:
        MeetingEvent.objects.create(
            meeting=meeting,
            user=user,
            kind=MeetingEvent.Kind.INVITED,
            summary=f"Invitations sent to {len(queued)} {'person' if len(queued) == 1 else 'people'}.",
        )
    return len(queued)


def queue_change_notices(meeting: Meeting) -> int:
    """Tell everyone already invited what changed since they were last told
    (a reschedule, a new place, a cancellation), and mark them told. Call
    inside the change's transaction; a rollback takes the notices with it."""
    meeting.refresh_from_db(fields=["invited_at", "told_sequence", "sequence"])  # the sweep may have invited since
    if meeting.invited_at is None or meeting.told_sequence is None or meeting.told_sequence >= meeting.sequence:
        return 0
    period = f"s{meeting.told_sequence}-{meeting.sequence}"
    invited = Notification.objects.filter(kind=Kind.MEETING_INVITATION, object_id__in=meeting.attendances.values("pk"))
    rows = meeting.attendances.filter(pk__in=invited.values("object_id")).values_list("pk", "person__email")
    queued = notifications.queue_many(
        (
            notifications.owe(Kind.MEETING_CHANGED, pk, email, period=period, coalition_id=meeting.coalition_id)
            for pk, email in rows
            if email
        ),
        send_now=True,
    )
    Meeting.objects.filter(pk=meeting.pk).update(told_sequence=meeting.sequence)
    meeting.told_sequence = meeting.sequence
    return len(queued)


# --- What the messages say ------------------------------------------------------


def _context(row: Attendance) -> dict:
    meeting = row.meeting
    token = invitations.rsvp_token(row)
    return {
        "meeting": meeting,
        "coalition": meeting.coalition,
        "person": row.person,
        "meeting_url": absolute_url(reverse("meeting", args=[meeting.pk])),
        "rsvp_url": absolute_url(reverse("rsvp_link", args=[token])),
        "settings_url": settings_url(row.person),
    }


def _with_calendar(message: EmailMultiAlternatives, row: Attendance, method: str):
    body = calendar.invitation(row, method)
    part = MIMEPart()
    part.set_content(
        body.decode(), subtype="calendar", params={"method": method}, disposition="attachment", filename="meeting.ics"
    )
    message.attach(part)
    return message


def _row(notification: Notification) -> Attendance | None:
    return _rows([notification]).get(notification.object_id)


def _rows(batch: list[Notification]) -> dict[int, Attendance]:
    return (
        Attendance.objects.select_related("meeting__coalition", "meeting__committee", "person")
        .filter(person__isnull=False)
        .in_bulk({n.object_id for n in batch})
    )


def _batch(build, details=None):
    """A composer of a batch of meeting notices from one query, the
    invitations with their meetings and people (and a second, for notices
    that say more: details(batch, rows))."""

    def compose_many(batch: list[Notification]) -> dict:
        rows = _rows(batch)
        more = details(batch, rows) if details else {}
        messages = {}
        for notification in batch:
            row = rows.get(notification.object_id)
            messages[notification.pk] = (
                None if row is None else build(notification, row, **more.get(notification.pk, {}))
            )
        return messages

    def compose_one(notification: Notification):
        return compose_many([notification])[notification.pk]

    return compose_one, compose_many


def _invitation(notification: Notification, row: Attendance):
    if row.meeting.status != Meeting.Status.SCHEDULED:
        return None
    message = build_message("meeting_invitation", _context(row), [notification.email])
    return _with_calendar(message, row, "REQUEST")


def _reminder(notification: Notification, row: Attendance):
    if row.meeting.status != Meeting.Status.SCHEDULED:
        return None
    if not notification.period.endswith(f"@{row.meeting.starts_at:%Y%m%dT%H%M}"):
        return None  # rescheduled since: the new time has its own reminder
    message = build_message("meeting_reminder", _context(row), [notification.email])
    return _with_calendar(message, row, "REQUEST")


CHANGED_FIELDS = ("title", "starts_at", "ends_at", "place", "video_url")


def _when(record: dict, zone) -> str:
    start, end = record["starts_at"].astimezone(zone), record["ends_at"].astimezone(zone)
    return f"{start:%A, %B %-d, %Y, %-I:%M %p}–{end:%-I:%M %p}"


def _told(period: str) -> tuple[int, int] | None:
    """A change notice's period, "s<revision they knew>-<revision it tells>"."""
    told, _, now = period.removeprefix("s").partition("-")
    told, now = whole_number(told), whole_number(now)
    return None if told is None or now is None or not period.startswith("s") else (told, now)


def _what_changed(batch: list[Notification], rows: dict[int, Attendance]) -> dict[int, dict]:
    """For each change notice, what changed from the revision the invitees
    knew to the meeting as it is now (as the facts below it and the calendar
    file say): [(what, was, is now)], in one query."""
    meetings = {row.meeting_id: row.meeting for row in rows.values()}
    versions: dict[int, list[dict]] = {}
    for record in (
        Meeting.history.filter(id__in=meetings)
        .order_by("history_id")
        .values("id", "history_id", "sequence", *CHANGED_FIELDS)
    ):
        versions.setdefault(record["id"], []).append(record)
    found = {}
    for notification in batch:
        row = rows.get(notification.object_id)
        told = _told(notification.period)
        history = versions.get(row.meeting_id, []) if row else []
        known = [record for record in history if told and record["sequence"] == told[0]]
        if not known:  # not found: nothing to compare with
            continue
        before, after = known[-1], history[-1]
        zone = meetings[row.meeting_id].zone
        changes = []
        if before["title"] != after["title"]:
            changes.append(("Title", before["title"], after["title"]))
        if (before["starts_at"], before["ends_at"]) != (after["starts_at"], after["ends_at"]):
            changes.append(("When", _when(before, zone), _when(after, zone)))
        if before["place"] != after["place"]:
            changes.append(("Where", before["place"] or "not given", after["place"] or "not given"))
        if before["video_url"] != after["video_url"]:
            changes.append(("Video link", before["video_url"] or "none", after["video_url"] or "none"))
        found[notification.pk] = {"changes": changes}
    return found


def _changed(notification: Notification, row: Attendance, changes=()):
    message = build_message("meeting_changed", {**_context(row), "changes": changes}, [notification.email])
    method = "CANCEL" if row.meeting.status == Meeting.Status.CANCELLED else "REQUEST"
    return _with_calendar(message, row, method)


compose_invitation, compose_invitations = _batch(_invitation)
compose_reminder, compose_reminders = _batch(_reminder)
compose_changed, compose_changes = _batch(_changed, _what_changed)


def queue_minutes_approved(minutes) -> int:
    """Tell the invitees the minutes are approved. Inside the approval's transaction."""
    version = minutes.history.order_by("-history_id").values_list("history_id", flat=True).first()
    meeting = minutes.meeting
    rows = _recipients(meeting).values_list("pk", "person__email")
    return len(
        notifications.queue_many(
            (
                notifications.owe(
                    Kind.MINUTES_APPROVED, pk, email, period=f"v{version}", coalition_id=meeting.coalition_id
                )
                for pk, email in rows
            ),
            send_now=True,
        )
    )


def compose_minutes_approved(notification: Notification):
    from .models import Minutes

    row = _row(notification)
    if row is None:
        return None
    minutes = Minutes.objects.filter(meeting=row.meeting, status=Minutes.Status.APPROVED).first()
    if minutes is None:
        return None
    context = {
        **_context(row),
        "minutes": minutes,
        # Only the open part: the restricted part never leaves the site.
        "items": row.meeting.action_items.select_related("owner_agency").order_by("due_on"),
    }
    return build_message("minutes_approved", context, [notification.email])


def register() -> None:
    notifications.register(Kind.MINUTES_APPROVED, compose_minutes_approved, topic=Topic.REMINDERS)
    notifications.register(Kind.MEETING_INVITATION, compose_invitation, topic=Topic.REMINDERS, many=compose_invitations)
    notifications.register(Kind.MEETING_REMINDER, compose_reminder, topic=Topic.REMINDERS, many=compose_reminders)
    notifications.register(Kind.MEETING_CHANGED, compose_changed, topic=Topic.REMINDERS, many=compose_changes)
    notifications.register_sweeper(queue_due)
