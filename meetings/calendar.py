"""Meetings as iCalendar: one file per meeting, and each user's feed."""

from collections.abc import Iterable

from django.urls import reverse
from icalendar import Calendar, Event

from coordination.mail import absolute_url

from .models import Meeting

PRODID = "-//Roundtable//Coalition meetings//EN"


def meeting_event(meeting: Meeting, sequence: int = 0) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@roundtable")
    event.add("summary", meeting.title if not meeting.committee_id else f"{meeting.title} ({meeting.committee.name})")
    # Local times with their zone, so calendars keep noon at noon across DST.
    event.add("dtstart", meeting.local_start)
    event.add("dtend", meeting.local_end)
    event.add("dtstamp", meeting.starts_at)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    if meeting.place:
        event.add("location", meeting.place)
    url = absolute_url(reverse("meeting", args=[meeting.pk]))
    event.add("url", url)
    description = [meeting.coalition.name, url]
    if meeting.video_url:
        description.insert(1, f"Video: {meeting.video_url}")
    if meeting.status == Meeting.Status.CANCELLED and meeting.cancel_reason:
        description.insert(1, f"Cancelled: {meeting.cancel_reason}")
    event.add("description", "\n".join(description))
    return event


def calendar_for(
    meetings: Iterable[Meeting], name: str, sequences: dict[int, int] | None = None, method: str | None = None
) -> bytes:
    """A calendar of the meetings; with a method (REQUEST, CANCEL) it is an
    invitation that mail programs offer to add or remove."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, (sequences or {}).get(meeting.pk, 0)))
    calendar.add_missing_timezones()
    return calendar.to_ical()
