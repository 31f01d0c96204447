"""Calendar files parse back cleanly, keep local time, and the feed shows
only what its owner may see."""

from datetime import UTC, datetime, timedelta

import pytest
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
    assert str(event["uid"]) == f"meeting-{meeting.pk}@roundtable"


def test_a_rescheduled_meeting_has_a_higher_sequence_and_a_cancelled_one_says_so(world):
    meeting = make(world, timezone.now() + timedelta(days=3))
    meeting.starts_at += timedelta(hours=1)
    meeting.ends_at += timedelta(hours=1)
    meeting.save()
    meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, "Room flooded"
    meeting.save()
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
