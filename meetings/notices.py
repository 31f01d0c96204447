"""What the meetings app e-mails: invitations (with the calendar file and
RSVP links), reminders before each meeting, and notices when a meeting is
rescheduled or cancelled. Each goes through the notification ledger, keyed
so it is sent once; reminders are keyed by the meeting's start time, so a
rescheduled meeting's reminders are computed again, not sent at the old time."""

from datetime import UTC, timedelta
from email.message import MIMEPart

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.mail import absolute_url, build_message
from coordination.models import Notification
from members.email_settings import may_email_filter, settings_url

from . import calendar, invitations
from .models import Attendance, Meeting

# Invitations go out once a meeting is this close (a series' far meetings wait).
INVITE_AHEAD = timedelta(days=30)
# A reminder missed by more than this (the sweeper was down) is not sent late.
GRACE = timedelta(hours=12)
Kind = Notification.Kind
Topic = notifications.Topic


def _recipients(meeting: Meeting, now=None):
    """The invitees to e-mail now; someone away is invited once back, if the
    meeting is still ahead."""
    invitations.ensure_invitations(meeting)
    today = notifications.local_today(meeting.coalition, now)
    return (
        meeting.attendances.filter(may_email_filter(Topic.REMINDERS, today, prefix="person__"))
        .exclude(person__email="")
        .select_related("person")
    )


def queue_due(now=None) -> int:
    """Queue the invitations and reminders that have fallen due. Safe to run
    any number of times, at once or in turn: the ledger keeps one of each."""
    now = now or timezone.now()
    count = 0
    soon = (
        Meeting.objects.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + INVITE_AHEAD)
        .select_related("coalition")
        .order_by("starts_at")
    )
    for meeting in soon.iterator():
        due = [
            label
            for label, offset in meeting.coalition.reminder_offsets
            if now - GRACE < _due_at(meeting, offset) <= now
        ]
        with transaction.atomic():
            for row in _recipients(meeting, now):
                email = row.person.email
                if notifications.queue(Kind.MEETING_INVITATION, row.pk, email, coalition=meeting.coalition):
                    count += 1
                # Only the nearest reminder that is due: no burst of old ones.
                if due and notifications.queue(
                    Kind.MEETING_REMINDER,
                    row.pk,
                    email,
                    period=f"{due[-1]}@{meeting.starts_at:%Y%m%dT%H%M}",
                    coalition=meeting.coalition,
                ):
                    count += 1
    return count


def _due_at(meeting: Meeting, offset: timedelta):
    """The reminder's time on the coalition's wall clock: 7 days before noon
    is noon, whatever the clocks did in between."""
    return (meeting.local_start - offset).astimezone(UTC)


def queue_change_notices(meeting: Meeting) -> int:
    """After a reschedule or cancellation: tell everyone already invited. Call
    inside the change's transaction; a rollback takes the notices with it."""
    version = meeting.history.order_by("-history_id").values_list("history_id", flat=True).first()
    count = 0
    invited = Notification.objects.filter(kind=Kind.MEETING_INVITATION, object_id__in=meeting.attendances.values("pk"))
    for row in meeting.attendances.filter(pk__in=invited.values("object_id")).select_related("person"):
        if notifications.queue(
            Kind.MEETING_CHANGED, row.pk, row.person.email, period=f"v{version}", coalition=meeting.coalition
        ):
            count += 1
    return count


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


def _with_calendar(message: EmailMultiAlternatives, meeting: Meeting, method: str) -> EmailMultiAlternatives:
    sequence = meeting.history.count() - 1
    body = calendar.calendar_for([meeting], meeting.coalition.name, {meeting.pk: sequence}, method=method)
    part = MIMEPart()
    part.set_content(
        body.decode(), subtype="calendar", params={"method": method}, disposition="attachment", filename="meeting.ics"
    )
    message.attach(part)
    return message


def _row(notification: Notification) -> Attendance | None:
    return (
        Attendance.objects.select_related("meeting__coalition", "meeting__committee", "person")
        .filter(pk=notification.object_id, person__isnull=False)
        .first()
    )


def compose_invitation(notification: Notification):
    row = _row(notification)
    if row is None or row.meeting.status != Meeting.Status.SCHEDULED:
        return None
    message = build_message("meeting_invitation", _context(row), [notification.email])
    return _with_calendar(message, row.meeting, "REQUEST")


def compose_reminder(notification: Notification):
    row = _row(notification)
    if row is None or row.meeting.status != Meeting.Status.SCHEDULED:
        return None
    if not notification.period.endswith(f"@{row.meeting.starts_at:%Y%m%dT%H%M}"):
        return None  # rescheduled since: the new time has its own reminder
    message = build_message("meeting_reminder", _context(row), [notification.email])
    return _with_calendar(message, row.meeting, "REQUEST")


def compose_changed(notification: Notification):
    row = _row(notification)
    if row is None:
        return None
    message = build_message("meeting_changed", _context(row), [notification.email])
    method = "CANCEL" if row.meeting.status == Meeting.Status.CANCELLED else "REQUEST"
    return _with_calendar(message, row.meeting, method)


def queue_minutes_approved(minutes) -> int:
    """Tell the invitees the minutes are approved. Inside the approval's transaction."""
    version = minutes.history.order_by("-history_id").values_list("history_id", flat=True).first()
    count = 0
    for row in _recipients(minutes.meeting):
        if notifications.queue(
            Kind.MINUTES_APPROVED, row.pk, row.person.email, period=f"v{version}", coalition=minutes.meeting.coalition
        ):
            count += 1
    return count


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
    notifications.register(Kind.MEETING_INVITATION, compose_invitation, topic=Topic.REMINDERS)
    notifications.register(Kind.MEETING_REMINDER, compose_reminder, topic=Topic.REMINDERS)
    notifications.register(Kind.MEETING_CHANGED, compose_changed, topic=Topic.REMINDERS)
    notifications.register_sweeper(queue_due)
