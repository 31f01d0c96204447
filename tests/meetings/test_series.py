"""A series schedules its meetings ahead, keeps local time across DST, and
follows edits without touching past or hand-edited meetings."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from meetings import services
from meetings.models import Meeting, MeetingSeries
from meetings.tasks import extend_all_series

pytestmark = pytest.mark.django_db

SERIES = {
    "title": "Monthly coalition meeting",
    "kind": "general",
    "frequency": "monthly",
    "interval": 1,
    "weekday": 3,
    "week_of_month": 2,
    "start_time": "12:00",
    "end_time": "13:30",
    "starts_on": "2026-11-01",
    "place": "County Library",
}


def create_series(world, **changes):
    client = world.client_for(world.organizer)
    return client.post(reverse("series_create", args=[world.home.slug]), {**SERIES, **changes}, follow=True)


@time_machine.travel("2026-11-02 12:00:00Z", tick=False)
def test_the_second_thursday_at_noon_stays_at_noon_across_the_clock_change(world, settings):
    settings.MEETING_HORIZON_DAYS = 200
    response = create_series(world)
    assert "7 meetings scheduled" in response.content.decode()
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert [m.occurrence for m in meetings][:3] == [date(2026, 11, 12), date(2026, 12, 10), date(2027, 1, 14)]
    assert all(m.local_start.time() == time(12, 0) and m.local_start.weekday() == 3 for m in meetings)
    # Pacific standard time in winter, daylight time from March 14, 2027.
    offsets = {m.occurrence.month: m.local_start.utcoffset() for m in meetings}
    assert offsets[1] == timedelta(hours=-8) and offsets[4] == timedelta(hours=-7)


@time_machine.travel("2026-11-02 12:00:00Z", tick=False)
def test_editing_the_series_moves_coming_meetings_but_not_past_or_hand_edited_ones(world, settings):
    settings.MEETING_HORIZON_DAYS = 120
    create_series(world, starts_on="2026-10-01")
    series = MeetingSeries.objects.get()
    past = Meeting.objects.create(
        coalition=world.home,
        series=series,
        occurrence=date(2026, 10, 8),
        title=series.title,
        starts_at=services.series_times(series, date(2026, 10, 8))[0],
        ends_at=services.series_times(series, date(2026, 10, 8))[1],
    )
    december = Meeting.objects.get(occurrence=date(2026, 12, 10))
    client = world.client_for(world.organizer)
    client.post(
        reverse("meeting_edit", args=[december.pk]),
        {
            "title": "Holiday meeting",
            "kind": "general",
            "date": "2026-12-10",
            "start_time": "15:00",
            "end_time": "16:00",
        },
    )
    client.post(
        reverse("series_edit", args=[world.home.slug, series.pk]),
        {**SERIES, "starts_on": "2026-10-01", "start_time": "13:00", "end_time": "14:00", "place": "Civic Center"},
    )

    november = Meeting.objects.get(occurrence=date(2026, 11, 12))
    assert november.local_start.time() == time(13, 0) and november.place == "Civic Center"
    december.refresh_from_db()
    assert december.title == "Holiday meeting" and december.local_start.time() == time(15, 0)
    past.refresh_from_db()
    assert past.local_start.time() == time(12, 0)
    assert november.history.count() == 2
    # its story: scheduled by the series, then moved with it, a new calendar revision
    assert [e.kind for e in november.events.order_by("at", "pk")] == ["scheduled", "changed"]
    assert november.events.get(kind="scheduled").summary.startswith("Scheduled by the series")
    assert november.sequence == 1


@time_machine.travel("2026-11-02 12:00:00Z", tick=False)
def test_dates_the_rule_no_longer_has_are_cancelled_and_syncing_twice_changes_nothing(world, settings):
    settings.MEETING_HORIZON_DAYS = 120
    create_series(world)
    series = MeetingSeries.objects.get()
    series.week_of_month = 3
    series.save()
    counts = services.sync_series(series)
    assert counts == {"created": 4, "updated": 0, "cancelled": 4}
    assert services.sync_series(series) == {"created": 0, "updated": 0, "cancelled": 0}
    cancelled = Meeting.objects.filter(status=Meeting.Status.CANCELLED)
    assert {m.occurrence.day for m in cancelled} <= set(range(8, 15))
    assert all(m.cancel_reason == "No longer part of the series." for m in cancelled)


def test_the_hourly_task_extends_every_series_to_the_horizon(world, settings):
    settings.MEETING_HORIZON_DAYS = 60
    with time_machine.travel("2026-11-02 12:00:00Z", tick=False):
        create_series(world)
        assert Meeting.objects.count() == 2
    with time_machine.travel("2027-01-02 12:00:00Z", tick=False):
        assert extend_all_series() == 1
        assert Meeting.objects.count() == 4


def test_a_monthly_series_needs_its_week_and_must_end_after_it_starts(world):
    response = create_series(world, week_of_month="", ends_on="2026-01-01")
    html = response.content.decode()
    assert "Choose which of the month&#x27;s weekdays" in html
    assert "The series must end after it starts." in html
    assert not MeetingSeries.objects.exists()


@pytest.mark.parametrize("role", ["lead", "member"])
def test_only_organizers_create_series(world, role):
    client = world.client_for(getattr(world, role))
    assert client.post(reverse("series_create", args=[world.home.slug]), SERIES).status_code == 403
    assert not MeetingSeries.objects.exists()


def test_series_describe_themselves_in_words():
    series = MeetingSeries(frequency="monthly", weekday=3, week_of_month=2, start_time=time(12), end_time=time(13, 30))
    assert series.describe() == "The second Thursday of each month, 12:00–13:30"
    weekly = MeetingSeries(frequency="weekly", interval=2, weekday=0, start_time=time(9), end_time=time(10))
    assert weekly.describe() == "Every 2 weeks on Monday, 09:00–10:00"
