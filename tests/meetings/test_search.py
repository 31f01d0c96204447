"""A newcomer searches the minutes since 2013 and finds what was decided;
restricted text never shows to those who may not read it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from meetings.models import AgendaItem, Meeting, Minutes

pytestmark = pytest.mark.django_db


def meeting_on(world, year, month, title="Monthly coalition meeting", committee=None):
    start = datetime(year, month, 10, 19, 0, tzinfo=UTC)
    return Meeting.objects.create(
        coalition=world.home, committee=committee, title=title, starts_at=start, ends_at=start + timedelta(hours=1)
    )


def results(world, user, q):
    return world.client_for(user).get(reverse("meeting_search", args=[world.home.slug]), {"q": q}).content.decode()


@pytest.fixture
def archive(world):
    old = meeting_on(world, 2014, 3)
    Minutes.objects.create(
        meeting=old,
        body="The hospitality association reported on hotel outreach: front-desk training in six hotels.",
        decisions="Start hotel outreach in Redding motels",
        restricted_body="Operation Nightfall timing agreed.",
    )
    AgendaItem.objects.create(meeting=old, title="Hotel outreach update", notes="Flyers printed")
    AgendaItem.objects.create(meeting=old, title="Case review of hotel referral", is_case_review=True)
    secret = meeting_on(world, 2015, 6, title="Operations briefing", committee=world.restricted_committee)
    Minutes.objects.create(meeting=secret, body="Hotel outreach surveillance plan.")
    meeting_on(world, 2019, 1)
    return old


def test_search_finds_minutes_decisions_and_agenda_since_2014_with_highlights(world, archive):
    html = results(world, world.member, "hotel outreach")
    assert "1 meeting found" in html
    assert "March 10, 2014" in html
    assert "<mark>hotel</mark> <mark>outreach</mark>" in html.replace("<mark>Hotel</mark>", "<mark>hotel</mark>")
    assert "Decisions:" in html and "Agenda:" in html


def test_restricted_text_is_never_found_by_those_who_may_not_read_it(world, archive):
    member = results(world, world.member, "nightfall")
    assert "Nightfall" not in member and "0 meetings found" in member
    assert "Case review of hotel referral" not in results(world, world.member, "referral")
    organizer = results(world, world.organizer, "nightfall")
    assert "Restricted part:" in organizer and "<mark>Nightfall</mark>" in organizer
    lead = results(world, world.lead, "surveillance")
    assert "Operations briefing" not in lead and "0 meetings found" in lead


def test_snippets_escape_what_the_minutes_contain(world, archive):
    Minutes.objects.filter(meeting=archive).update(body='hotel <script>alert("x")</script> outreach')
    html = results(world, world.organizer, "hotel")
    assert "<script>alert" not in html
    assert "<mark>hotel</mark>" in html


def test_search_runs_a_fixed_number_of_queries(world, archive, django_assert_max_num_queries):
    for year in range(2016, 2026):
        m = meeting_on(world, year, 5)
        Minutes.objects.create(meeting=m, body=f"Hotel outreach in {year}.", decisions="Keep going with hotel outreach")
        AgendaItem.objects.create(meeting=m, title="Hotel outreach")
    client = world.client_for(world.member)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("meeting_search", args=[world.home.slug]), {"q": "hotel outreach"})
    assert "11 meetings found" in response.content.decode()


def test_postgres_searches_minutes_through_the_gin_index_and_sqlite_without_it(world, archive):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT id FROM meetings_minutes WHERE "
                "to_tsvector('english'::regconfig, COALESCE(body, '') || ' ' || COALESCE(decisions, '')) "
                "@@ websearch_to_tsquery('english'::regconfig, 'hotels')"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "minutes_search_idx" in plan
            # Stemming: "hotels" finds "hotel outreach".
            assert "1 meeting found" in results(world, world.member, "hotels")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'minutes_search_idx'")
            assert cursor.fetchall() == []
            assert "1 meeting found" in results(world, world.member, "hotel")
