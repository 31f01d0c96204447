"""Meetings as iCalendar (RFC 5545): one file per meeting, each user's feed,
and the files sent with invitations, updates and cancellations (iTIP, RFC
5546: METHOD REQUEST or CANCEL, the coalition as ORGANIZER, the recipient as
ATTENDEE with their answer)."""

from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from coordination.mail import absolute_url

from .models import Attendance, Meeting

PRODID = "-//Roundtable//Coalition meetings//EN"
PARTSTAT = {
    Attendance.Rsvp.YES: "ACCEPTED",
    Attendance.Rsvp.NO: "DECLINED",
    Attendance.Rsvp.MAYBE: "TENTATIVE",
}


def uid(meeting: Meeting) -> str:
    """Globally unique and the same for the meeting's life: on the deployment's own domain."""
    return f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname}"


def organizer_address(meeting: Meeting) -> str:
    """The coalition's address, or the address our e-mails come from."""
    return meeting.coalition.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _address(email: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    for name, value in params.items():
        address.params[name.replace("_", "-").upper()] = value
    return address


def meeting_event(meeting: Meeting, stamp: datetime, attendee: Attendance | None = None) -> Event:
    event = Event()
    event.add("uid", uid(meeting))
    event.add("summary", meeting.title if not meeting.committee_id else f"{meeting.title} ({meeting.committee.name})")
    # Local times with their zone, so calendars keep noon at noon across DST.
    event.add("dtstart", meeting.local_start)
    event.add("dtend", meeting.local_end)
    event.add("dtstamp", stamp)  # when this file was made (RFC 5545 3.8.7.2)
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    event.add("organizer", _address(organizer_address(meeting), cn=meeting.coalition.name))
    if attendee is not None:
        event.add(
            "attendee",
            _address(
                attendee.person.email,
                cn=attendee.person.full_name,
                role="REQ-PARTICIPANT",
                partstat=PARTSTAT.get(attendee.rsvp, "NEEDS-ACTION"),
                rsvp="TRUE",
            ),
        )
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


def _calendar(name: str, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    return calendar


def calendar_for(meetings: Iterable[Meeting], name: str) -> bytes:
    """A calendar of the meetings, to download or subscribe to."""
    calendar = _calendar(name)
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitation(row: Attendance, method: str) -> bytes:
    """The file of one invitee's e-mail: REQUEST (an invitation, an update, a
    reminder) or CANCEL, naming the coalition as organizer and the invitee as
    attendee with their answer so far."""
    meeting = row.meeting
    calendar = _calendar(meeting.coalition.name, method)
    calendar.add_component(meeting_event(meeting, timezone.now(), attendee=row))
    calendar.add_missing_timezones()
    return calendar.to_ical()
