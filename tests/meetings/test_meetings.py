"""Scheduling meetings in the coalition's time zone, who sees them, and the archive."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import NonexistentLocalTime, local_datetime

from ..factories import CommitteeMemberFactory

pytestmark = pytest.mark.django_db


def make_meeting(coalition, when: datetime, committee=None, title="Monthly meeting", **fields) -> Meeting:
    return Meeting.objects.create(
        coalition=coalition,
        committee=committee,
        title=title,
        starts_at=when,
        ends_at=when + timedelta(hours=1),
        **fields,
    )


def schedule(client, coalition, **fields):
    data = {
        "title": "Monthly meeting",
        "kind": "general",
        "date": "2027-01-14",
        "start_time": "12:00",
        "end_time": "13:30",
    }
    data.update(fields)
    return client.post(reverse("meeting_create", args=[coalition.slug]), data)


def test_organizer_schedules_a_meeting_in_local_time_whatever_the_season(world):
    client = world.client_for(world.organizer)
    schedule(client, world.home, date="2027-01-14")
    schedule(client, world.home, date="2027-07-08", title="Summer meeting")
    winter = Meeting.objects.get(title="Monthly meeting")
    summer = Meeting.objects.get(title="Summer meeting")
    # Noon in Los Angeles is 20:00 UTC in winter and 19:00 UTC in summer.
    assert winter.starts_at == datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    assert summer.starts_at == datetime(2027, 7, 8, 19, 0, tzinfo=UTC)
    assert winter.local_start.time() == summer.local_start.time() == time(12, 0)
    assert winter.created_by == world.organizer


def test_a_time_skipped_by_the_clock_change_is_refused(world):
    response = schedule(
        world.client_for(world.organizer), world.home, date="2027-03-14", start_time="02:30", end_time="03:30"
    )
    assert response.status_code == 200
    assert "does not exist on March 14, 2027" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_repeated_time_on_the_fall_back_night_is_its_first_occurrence():
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Los_Angeles")
    assert local_datetime(date(2027, 11, 7), time(1, 30), zone).utcoffset() == timedelta(hours=-7)
    with pytest.raises(NonexistentLocalTime):
        local_datetime(date(2027, 3, 14), time(2, 30), zone)


def test_a_meeting_must_end_after_it_starts(world):
    response = schedule(world.client_for(world.organizer), world.home, start_time="13:00", end_time="12:00")
    assert "The meeting must end after it starts." in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("role", ["lead", "member"])
def test_only_organizers_schedule_change_or_cancel(world, role):
    meeting = make_meeting(world.home, timezone.now() + timedelta(days=3))
    client = world.client_for(getattr(world, role))
    assert schedule(client, world.home).status_code == 403
    assert client.get(reverse("meeting_edit", args=[meeting.pk])).status_code == 403
    assert client.post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": "No"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_cancelling_needs_a_reason_and_shows_it(world):
    meeting = make_meeting(world.home, timezone.now() + timedelta(days=3))
    client = world.client_for(world.organizer)
    client.post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": ""})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    response = client.post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": "Room flooded"}, follow=True)
    assert "This meeting is cancelled: Room flooded." in response.content.decode()


def test_rescheduling_keeps_the_earlier_time_in_the_history(world):
    client = world.client_for(world.organizer)
    schedule(client, world.home)
    meeting = Meeting.objects.get()
    client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        {
            "title": "Monthly meeting",
            "kind": "general",
            "date": "2027-01-21",
            "start_time": "12:00",
            "end_time": "13:30",
        },
    )
    meeting.refresh_from_db()
    assert meeting.local_start.date() == date(2027, 1, 21)
    starts = [record.starts_at.date() for record in meeting.history.order_by("history_date")]
    assert starts == [date(2027, 1, 14), date(2027, 1, 21)]


def test_restricted_committee_meetings_are_hidden_from_those_outside(world):
    when = timezone.now() + timedelta(days=5)
    secret = make_meeting(world.home, when, committee=world.restricted_committee, title="Operations briefing")
    open_meeting = make_meeting(world.home, when, title="Coalition meeting")
    for user in (world.lead, world.member):
        client = world.client_for(user)
        assert client.get(reverse("meeting", args=[secret.pk])).status_code == 404
        page = client.get(reverse("meeting_list", args=[world.home.slug])).content.decode()
        assert "Operations briefing" not in page and "Coalition meeting" in page
    CommitteeMemberFactory(committee=world.restricted_committee, person=world.member.person)
    assert world.client_for(world.member).get(reverse("meeting", args=[secret.pk])).status_code == 200
    assert world.client_for(world.organizer).get(reverse("meeting", args=[secret.pk])).status_code == 200
    assert world.client_for(world.other_member).get(reverse("meeting", args=[open_meeting.pk])).status_code == 404


def test_the_archive_goes_back_year_by_year(world):
    make_meeting(world.home, datetime(2013, 11, 14, 20, 0, tzinfo=UTC), title="First meeting")
    make_meeting(world.home, datetime(2019, 5, 9, 19, 0, tzinfo=UTC), title="Spring 2019")
    client = world.client_for(world.member)
    page = client.get(reverse("meeting_list", args=[world.home.slug]), {"year": 2013}).content.decode()
    assert "First meeting" in page and "Spring 2019" not in page
    assert ">2019<" in page and ">2013<" in page


@pytest.mark.parametrize("count", [5, 120])
def test_meeting_pages_run_a_fixed_number_of_queries(world, django_assert_max_num_queries, count):
    # all in one year's archive, plus as many upcoming
    start = datetime(timezone.now().year, 1, 1, 20, 0, tzinfo=UTC)
    for i in range(count):
        make_meeting(world.home, start + timedelta(hours=i), committee=world.open_committee if i % 2 else None)
        make_meeting(world.home, timezone.now() + timedelta(days=1, hours=i))
    meeting = Meeting.objects.first()
    client = world.client_for(world.organizer)
    for url in [reverse("meeting_list", args=[world.home.slug]), reverse("meeting", args=[meeting.pk])]:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


def test_demo_coalition_has_met_monthly_since_november_2013(db):
    call_command("seed_demo")
    meetings = Meeting.objects.filter(coalition__slug="shasta", committee=None).order_by("starts_at")
    first = meetings.first()
    assert first.local_start.date() == date(2013, 11, 14)
    assert first.local_start.time() == time(12, 0)
    assert meetings.filter(starts_at__gt=timezone.now()).count() >= 2
    assert all(m.local_start.weekday() == 3 and 8 <= m.local_start.day <= 14 for m in meetings)


def test_the_dashboard_names_the_next_meeting_the_user_may_see(world):
    soon = timezone.now() + timedelta(days=2)
    make_meeting(world.home, soon, committee=world.restricted_committee, title="Operations briefing")
    make_meeting(world.home, soon + timedelta(days=1), title="Monthly coalition meeting", place="Library")
    page = world.client_for(world.member).get(reverse("dashboard")).content.decode()
    assert "Next meeting:" in page
    assert "Monthly coalition meeting" in page and "Operations briefing" not in page
    organizer_page = world.client_for(world.organizer).get(reverse("dashboard")).content.decode()
    assert "Operations briefing" in organizer_page


@pytest.mark.parametrize("year", ["99999", "-5", "0", "1899", "2013x", "１２"])
def test_an_archive_year_no_calendar_can_hold_is_a_not_found_not_a_crash(world, year):
    client = world.client_for(world.member)
    response = client.get(reverse("meeting_list", args=[world.home.slug]), {"year": year})
    assert response.status_code == 404


@pytest.mark.parametrize("text", ["\x00", "hotel\x00outreach", "\x02\x1b[31m", "\x7f"])
def test_the_minutes_search_takes_control_characters_without_a_crash(world, text):
    client = world.client_for(world.member)
    response = client.get(reverse("meeting_search", args=[world.home.slug]), {"q": text})
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()
