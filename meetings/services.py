"""Scheduling meetings in the coalition's local time."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction

from .models import Meeting

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


@transaction.atomic
def cancel(meeting: Meeting, reason: str) -> Meeting:
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.save(update_fields=["status", "cancel_reason"])
    return meeting
