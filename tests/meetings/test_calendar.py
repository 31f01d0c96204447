"""Calendar files parse back cleanly, keep local time, and the feed shows
only what its owner may see."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings.models import Meeting

pytestmark = pytest.mark.django_db


def make(world, when, **fields):
    return Meeting.objects.create(
        coalition=world.home,
        title=fields.pop("title", "Monthly meeting"),
        starts_at=when,
        ends_at=when + timedelta(minutes=90),
        **fields,
    )


def events(body: bytes) -> dict:
    calendar = Calendar.from_ical(body)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}, calendar


def test_a_meeting_file_keeps_its_local_time_zone_and_parses_back(world):
    meeting = make(world, datetime(2027, 7, 8, 19, 0, tzinfo=UTC), place="County Library")
    response = world.client_for(world.member).get(reverse("meeting_ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    found, calendar = events(response.content)
    event = found["Monthly meeting"]
    start = event.decoded("dtstart")
    assert event["dtstart"].params["TZID"] == "America/Los_Angeles"
    assert (start.hour, start.minute) == (12, 0)
    assert start.astimezone(UTC) == datetime(2027, 7, 8, 19, 0, tzinfo=UTC)
    assert str(event["location"]) == "County Library"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    # a UID on the deployment's own domain (SITE_URL's), the same for the meeting's life
    assert str(event["uid"]) == f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname}"
    assert "@roundtable" not in str(event["uid"])
    # DTSTAMP is when the file was made, not the meeting's start
    assert abs(event.decoded("dtstamp") - timezone.now()) < timedelta(minutes=1)


def test_a_rescheduled_meeting_has_a_higher_sequence_and_a_cancelled_one_says_so(world):
    meeting = make(world, timezone.now() + timedelta(days=3))
    organizer = world.client_for(world.organizer)
    when = meeting.local_start + timedelta(hours=1)
    fields = {"title": meeting.title, "kind": "general", "date": f"{when:%Y-%m-%d}", "end_time": "23:59"}
    assert (
        organizer.post(
            reverse("meeting_edit", args=[meeting.pk]), {**fields, "start_time": f"{when:%H:%M}"}
        ).status_code
        == 302
    )
    # saving it unchanged, or recording that it was held, is no new revision
    organizer.post(reverse("meeting_edit", args=[meeting.pk]), {**fields, "start_time": f"{when:%H:%M}"})
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.SCHEDULED)
    organizer.post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": "Room flooded"})
    body = world.client_for(world.member).get(reverse("meeting_ics", args=[meeting.pk])).content
    event = events(body)[0]["Monthly meeting"]
    assert int(event["sequence"]) == 2
    assert str(event["status"]) == "CANCELLED"
    assert "Room flooded" in str(event["description"])


def test_the_personal_feed_needs_no_login_shows_only_visible_meetings_and_can_be_reset(world):
    soon = timezone.now() + timedelta(days=3)
    make(world, soon, title="Coalition meeting")
    make(world, soon, title="Operations briefing", committee=world.restricted_committee)
    client = world.client_for(world.member)
    page = client.get(reverse("calendar_settings")).content.decode()
    world.member.refresh_from_db()
    feed = reverse("calendar_feed", args=[world.member.calendar_token])
    assert feed in page
    found, _ = events(Client().get(feed).content)
    assert set(found) == {"Coalition meeting"}
    client.post(reverse("calendar_settings"))
    assert Client().get(feed).status_code == 404
