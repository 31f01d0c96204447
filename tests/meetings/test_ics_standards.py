"""The calendar files of an invitation, an update and a cancellation follow
iCalendar (RFC 5545) and iTIP (RFC 5546): read back by a strict parser (the
`ical` library validates every property against the RFC), checked for what
iTIP requires of REQUEST and CANCEL, and imported into two real calendar
programs from Debian, khal (which keeps the whole event) and calcurse (which
reports any line it cannot read)."""

import shutil
import subprocess
from datetime import timedelta
from email import message_from_bytes
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream

from meetings import invitations
from meetings.models import Meeting

pytestmark = pytest.mark.django_db(transaction=True)

# iTIP's table of what each method must carry (RFC 5546, 3.2.2 and 3.2.5).
REQUIRED = {
    "REQUEST": ("ATTENDEE", "DTSTAMP", "DTSTART", "ORGANIZER", "SEQUENCE", "SUMMARY", "UID"),
    "CANCEL": ("ATTENDEE", "DTSTAMP", "ORGANIZER", "SEQUENCE", "UID"),
}


@pytest.fixture
def invitee(world, invitees):
    world.home.contact_email = "coalition@shasta.example.org"
    world.home.save()
    return invitees[0]


def calendar_file(message) -> str:
    parsed = message_from_bytes(message.message().as_bytes())
    [part] = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True).decode()


def check_itip(text: str, method: str, sequence: int, partstat: str) -> None:
    calendar = IcsCalendarStream.calendar_from_ics(text)  # strict: raises on anything off the RFC
    assert calendar.method == method
    [event] = calendar.events
    # (a MIME text part travels with CRLF line ends; reading it back gives LF)
    unfolded = text.replace("\r\n", "\n").replace("\n ", "")
    event_lines = unfolded.split("BEGIN:VEVENT")[1].split("END:VEVENT")[0].split("\n")
    for name in REQUIRED[method]:
        assert any(line.split(";")[0].split(":")[0] == name for line in event_lines), f"{method} lacks {name}"
    assert event.organizer.uri == "mailto:coalition@shasta.example.org"
    assert event.organizer.common_name == "Shasta Test Coalition"
    [attendee] = event.attendees
    assert attendee.uri == "mailto:deputy@sheriff.example.org" and attendee.status == partstat
    assert event.sequence == sequence
    assert event.uid.endswith("@" + urlsplit(settings.SITE_URL).hostname)
    assert abs(event.dtstamp - timezone.now()) < timedelta(minutes=2)  # made now, not the meeting's start
    if method == "CANCEL":
        assert event.status == "CANCELLED"


class Khal:
    def __init__(self, root):
        self.vdir = root / "calendar"
        self.vdir.mkdir()
        self.config = root / "khal.conf"
        self.config.write_text(
            f"[calendars]\n[[meetings]]\npath = {self.vdir}\n"
            "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
            "default_timezone = America/Los_Angeles\nlocal_timezone = America/Los_Angeles\n"
            f"[sqlite]\npath = {root / 'khal.db'}\n"
        )

    def run(self, *args) -> str:
        done = subprocess.run(["khal", "-c", str(self.config), *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def stored(self) -> str:
        [event] = self.vdir.iterdir()
        return event.read_text().replace("\r\n ", "").replace("\n ", "")


def calcurse_reads(root, text: str) -> str:
    folder = root / "calcurse"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    source = root / "import.ics"
    source.write_text(text)
    done = subprocess.run(
        ["calcurse", "-D", str(folder), "-i", str(source)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    report = " ".join(done.stdout.split())
    assert "1 app / 0 events / 0 todos / 0 skipped" in report, report
    return (folder / "apts").read_text()


def test_invitation_update_and_cancellation_follow_itip_and_import_into_real_calendars(world, invitee, tmp_path):
    start = (timezone.now() + timedelta(days=40)).replace(second=0, microsecond=0)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Monthly coalition meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    organizer = world.client_for(world.organizer)
    khal = Khal(tmp_path)

    # the invitation: REQUEST, revision 0, no answer yet
    organizer.post(reverse("send_invitations", args=[meeting.pk]), {"send": "invitations"})
    invitation = calendar_file(mail.outbox[-1])
    check_itip(invitation, "REQUEST", 0, "NEEDS-ACTION")
    (tmp_path / "invitation.ics").write_text(invitation)
    khal.run("import", "--batch", str(tmp_path / "invitation.ics"))
    stored = khal.stored()
    [organizer_line] = [line for line in stored.splitlines() if line.startswith("ORGANIZER")]
    assert "Shasta Test Coalition" in organizer_line and organizer_line.endswith(":mailto:coalition@shasta.example.org")
    [attendee_line] = [line for line in stored.splitlines() if line.startswith("ATTENDEE")]
    assert "PARTSTAT=NEEDS-ACTION" in attendee_line and attendee_line.endswith(":mailto:deputy@sheriff.example.org")
    assert "SEQUENCE:0" in stored
    assert f"{meeting.local_start:%H:%M}" in calcurse_reads(tmp_path, invitation)

    # they answer yes; the meeting moves an hour later: an update, revision 1, their answer kept
    row = meeting.attendances.get(person=invitee)
    invitations.record_rsvp(row, "yes")
    later = meeting.local_start + timedelta(hours=1)
    organizer.post(
        reverse("meeting_edit", args=[meeting.pk]),
        {
            "title": meeting.title,
            "kind": "general",
            "date": f"{later:%Y-%m-%d}",
            "start_time": f"{later:%H:%M}",
            "end_time": f"{later + timedelta(hours=1):%H:%M}",
        },
    )
    update = calendar_file(mail.outbox[-1])
    assert mail.outbox[-1].subject.startswith("Changed:")
    check_itip(update, "REQUEST", 1, "ACCEPTED")
    (tmp_path / "update.ics").write_text(update)
    khal.run("import", "--batch", str(tmp_path / "update.ics"))
    assert "SEQUENCE:1" in khal.stored()
    listed = khal.run("list", "--format", "{start-time} {title}", f"{later:%Y-%m-%d}", "2d")
    assert f"{later:%H:%M} Monthly coalition meeting" in listed  # the coalition's wall clock
    calcurse_reads(tmp_path, update)

    # cancelled: CANCEL, revision 2
    organizer.post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": "Room flooded"})
    cancellation = calendar_file(mail.outbox[-1])
    check_itip(cancellation, "CANCEL", 2, "ACCEPTED")
    (tmp_path / "cancel.ics").write_text(cancellation)
    khal.run("import", "--batch", str(tmp_path / "cancel.ics"))
    stored = khal.stored()
    assert "SEQUENCE:2" in stored and "STATUS:CANCELLED" in stored
    assert "CANCELLED" in khal.run("list", "--format", "{title} {status}", f"{later:%Y-%m-%d}", "2d")
    calcurse_reads(tmp_path, cancellation)


def test_the_downloaded_file_and_the_feed_parse_strictly(world, invitee):
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Monthly meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    client = world.client_for(world.member)
    client.get(reverse("calendar_settings"))  # gives the member a feed address
    world.member.refresh_from_db()
    for body in (
        client.get(reverse("meeting_ics", args=[meeting.pk])).content,
        client.get(reverse("calendar_feed", args=[world.member.calendar_token])).content,
    ):
        calendar = IcsCalendarStream.calendar_from_ics(body.decode())
        assert calendar.method is None  # a calendar to keep, not a message to answer
        [event] = calendar.events
        assert event.organizer.uri == "mailto:coalition@shasta.example.org"
        assert event.sequence == 0 and not event.attendees
