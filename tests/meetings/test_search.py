"""A newcomer searches the minutes since 2013 and finds what was decided,
the most relevant first; restricted text never shows to those who may not
read it. On PostgreSQL, every part is searched through its GIN index."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import CommitteeMember
from meetings import search
from meetings.models import AgendaItem, Meeting, Minutes
from tests.helpers import plans

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="index use is PostgreSQL's plan")


def meeting_on(world, year, month, title="Monthly coalition meeting", committee=None):
    start = datetime(year, month, 10, 19, 0, tzinfo=UTC)
    return Meeting.objects.create(
        coalition=world.home, committee=committee, title=title, starts_at=start, ends_at=start + timedelta(hours=1)
    )


def results(world, user, q):
    return world.client_for(user).get(reverse("meeting_search", args=[world.home.slug]), {"q": q}).content.decode()


def shown(html: str) -> list[str]:
    """The dates of the meetings a results page lists, in its order."""
    return re.findall(r"· (\w+ \d+, \d{4})", html)


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


def test_the_meeting_where_the_word_is_dense_comes_before_one_where_it_appears_once(world):
    dense = meeting_on(world, 2016, 4)
    Minutes.objects.create(
        meeting=dense,
        body="Shelter beds: the shelter opened. Shelter staff trained. The shelter waitlist is down.",
    )
    once = meeting_on(world, 2024, 9)
    Minutes.objects.create(meeting=once, body="Members thanked the volunteers; the shelter sent its regards.")
    html = results(world, world.member, "shelter")
    assert "2 meetings found" in html
    assert shown(html) == ["April 10, 2016", "September 10, 2024"]


def test_a_word_in_the_title_or_decisions_counts_more_than_in_the_text(world):
    Minutes.objects.create(meeting=meeting_on(world, 2024, 1), body="The motel list was read.")
    decided = meeting_on(world, 2019, 1)
    Minutes.objects.create(meeting=decided, body="Nothing new.", decisions="Visit every motel on the interstate")
    meeting_on(world, 2015, 1, title="Motel outreach night")
    assert shown(results(world, world.member, "motel")) == ["January 10, 2015", "January 10, 2019", "January 10, 2024"]


def test_among_equal_ranks_the_newest_comes_first(world):
    for year in (2015, 2023, 2019):
        Minutes.objects.create(meeting=meeting_on(world, year, 2), body="Truck stop posters went up.")
    assert shown(results(world, world.member, "posters")) == [
        "February 10, 2023",
        "February 10, 2019",
        "February 10, 2015",
    ]


def test_a_common_word_shows_the_fifty_best_and_newest_not_the_fifty_oldest(world):
    start = datetime(2014, 1, 6, 18, 0, tzinfo=UTC)
    meetings = Meeting.objects.bulk_create(
        Meeting(
            coalition=world.home,
            title="Weekly call",
            starts_at=start + timedelta(weeks=n),
            ends_at=start + timedelta(weeks=n, hours=1),
        )
        for n in range(60)
    )
    Minutes.objects.bulk_create(Minutes(meeting=m, body="The hotline log was reviewed.") for m in meetings)
    html = results(world, world.member, "hotline")
    assert "60 meetings found for “hotline”; the 50 most relevant are shown" in html
    dates = shown(html)
    newest = [m.starts_at for m in meetings[-50:]][::-1]
    assert dates == [f"{d:%B} {d.day}, {d:%Y}" for d in newest]


def test_a_word_in_more_meetings_than_are_ranked_ranks_the_newest_and_says_so(world, monkeypatch):
    monkeypatch.setattr(search, "WINDOW", 3)
    for year in range(2015, 2021):
        Minutes.objects.create(meeting=meeting_on(world, year, 6), body="Hotline calls were counted.")
    Minutes.objects.create(meeting=meeting_on(world, 2014, 6), body="Hotline, hotline, hotline and the hotline again.")
    html = results(world, world.member, "hotline")
    assert "At least 3 meetings found" in html and "the newest 3 matches are ranked" in html
    assert shown(html) == ["June 10, 2020", "June 10, 2019", "June 10, 2018"]


def test_restricted_minutes_are_searched_for_the_committees_members_and_staff_only(world):
    """A committee's restricted part: found by the coalition's organizers and
    leads and the committee's members; to anyone else the meeting is not there
    at all, and the count does not give it away."""
    committee = world.open_committee
    meeting = meeting_on(world, 2022, 3, title="Awareness planning", committee=committee)
    Minutes.objects.create(meeting=meeting, body="Posters agreed.", restricted_body="The Lantern informant met us.")
    for user in (world.organizer, world.lead):
        html = results(world, user, "lantern")
        assert "1 meeting found" in html and "Restricted part:" in html and "<mark>Lantern</mark>" in html
    html = results(world, world.member, "lantern")
    assert "0 meetings found" in html and "Lantern" not in html
    html = results(world, world.member, "posters")
    assert "1 meeting found" in html and "Restricted part" not in html and "Lantern" not in html
    CommitteeMember.objects.create(committee=committee, person=world.member.person)
    html = results(world, world.member, "lantern")
    assert "1 meeting found" in html and "<mark>Lantern</mark>" in html


def test_a_case_review_items_notes_are_found_only_if_kept_and_only_by_those_who_may_read_them(world):
    meeting = meeting_on(world, 2021, 5)
    AgendaItem.objects.create(
        meeting=meeting, title="Case review: minor", notes="Placement at Juniper House", is_case_review=True
    )
    AgendaItem.objects.create(
        meeting=meeting,
        title="Case review: adult",
        notes="Referred to Cedar Lodge",
        is_case_review=True,
        notes_allowed=True,
    )
    AgendaItem.objects.create(meeting=meeting, title="Open items", notes="Birch posters printed")
    organizer = results(world, world.organizer, "juniper")
    assert "0 meetings found" in organizer and "Juniper House" not in organizer
    organizer = results(world, world.organizer, "cedar")
    assert "1 meeting found" in organizer and "Case review: adult: Referred to <mark>Cedar</mark> Lodge" in organizer
    assert "0 meetings found" in results(world, world.member, "cedar")
    assert "Case review" not in results(world, world.member, "case")
    assert "1 meeting found" in results(world, world.member, "birch")


def _queries(client, url, q) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"q": q}).status_code == 200
    return len(captured)


def test_the_search_runs_the_same_few_queries_whatever_it_finds(world, archive):
    client = world.client_for(world.organizer)
    url = reverse("meeting_search", args=[world.home.slug])
    client.get(url)  # the session's first save
    few = _queries(client, url, "hotel outreach")
    for year in range(2016, 2026):
        m = meeting_on(world, year, 5, title="Hotel outreach")
        Minutes.objects.create(
            meeting=m,
            body=f"Hotel outreach in {year}.",
            decisions="Keep going with hotel outreach",
            restricted_body="Hotel list",
        )
        AgendaItem.objects.create(meeting=m, title="Hotel outreach", notes="Hotel flyers")
        AgendaItem.objects.create(meeting=m, title="Hotel outreach, again")
    many = _queries(client, url, "hotel outreach")
    assert "12 meetings found" in client.get(url, {"q": "hotel outreach"}).content.decode()
    assert many == few <= 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's; SQLite matches letters")
def test_stemming_finds_hotel_outreach_when_asked_for_hotels(world, archive):
    html = results(world, world.member, "hotels")
    assert "1 meeting found" in html and "<mark>hotel</mark> outreach" in html
    assert "Agenda:" in html and "<mark>Hotel</mark> outreach update" in html


# --- PostgreSQL: every part through its index ------------------------------------


TABLES = ("meetings_meeting", "meetings_minutes", "meetings_agendaitem")
INDEXES = ("minutes_document_idx", "minutes_restricted_document_idx", "meeting_document_idx", "agenda_document_idx")


SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def word(n: int) -> str:
    """A made-up word of three syllables, one for each number below 343,000."""
    return "".join(SYLLABLES[n // 70**k % 70] for k in range(3))


@pytest.fixture
def big_archive(world):
    """Three thousand meetings with minutes and agendas, a fifth of them the
    coalition's (as the busiest coalition holds a fifth of a state's), a word
    in every minutes and one in a single meeting, words of every frequency
    between, the statistics taken: enough rows that reading a whole table
    costs what it would."""
    start = datetime(2013, 11, 1, 18, 0, tzinfo=UTC)
    committee = world.restricted_committee
    meetings = Meeting.objects.bulk_create(
        Meeting(
            coalition=world.other if n % 5 else world.home,  # the coalition holds a fifth
            committee=committee if n % 35 == 0 else None,
            title=f"General meeting on {word(n % 50)}",
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n, hours=2),
        )
        for n in range(3000)
    )
    Minutes.objects.bulk_create(
        Minutes(
            meeting=m,
            body="The coalition reviewed the referral protocol. " * (1 + n % 5)
            + " ".join(word(n * k % 4000) for k in range(1, 30))
            + (" The Weaverville team joined." if n == 1235 else ""),
            decisions=f"Approve the {word(n % 300)} calendar",
            restricted_body=f"The coalition heard the {word(n % 100)} timing." if n % 20 == 0 else "",
        )
        for n, m in enumerate(meetings)
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=m, position=k, title=title, notes=f"The coalition agreed on {word(n * k % 3000)}.")
        for n, m in enumerate(meetings)
        for k, title in enumerate(["Welcome", "Agency updates", "Protocol review"])
    )
    with connection.cursor() as cursor:
        # New rows wait in a GIN index's pending list until (auto)vacuum merges them.
        for index in INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE meetings_meeting, meetings_minutes, meetings_agendaitem")
    return meetings


def _plans(user, world, q) -> str:
    """EXPLAIN of each query the search page ran on the meetings' tables,
    with sequential scans priced out of reach: on a few thousand rows
    PostgreSQL may well read a whole table; what matters is that an index can
    serve each query, as it must on a hundred thousand meetings."""
    client = world.client_for(user)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("meeting_search", args=[world.home.slug]), {"q": q}).content.decode()
    searched = [c["sql"] for c in captured.captured_queries if any(f'"{t}"' in c["sql"] for t in TABLES)]
    assert searched, html
    return plans(*searched)


@on_postgres
def test_a_rare_word_is_found_through_the_gin_index_of_every_part(world, big_archive):
    plan = _plans(world.organizer, world, "weaverville")
    for index in (
        "minutes_document_idx",
        "minutes_restricted_document_idx",
        "meeting_document_idx",
        "agenda_document_idx",
    ):
        assert f"Bitmap Index Scan on {index}" in plan, plan
    for table in TABLES:
        assert f"Seq Scan on {table}" not in plan, plan
    assert "1 meeting found" in results(world, world.organizer, "weaverville")


@on_postgres
def test_a_common_word_is_ranked_through_indexes_only(world, big_archive, monkeypatch):
    """A word in every minutes: the newest matches are read newest first along
    an index of the meetings' starts (statewide, (coalition, starts_at)),
    each meeting's minutes and agenda by their index, never a whole table.
    (The newest hundred of the coalition's six hundred, as statewide the
    newest thousand of eighteen thousand.)"""
    monkeypatch.setattr(search, "WINDOW", 100)
    for user in (world.organizer, world.member):
        plan = _plans(user, world, "coalition")
        for table in TABLES:
            assert f"Seq Scan on {table}" not in plan, plan
        assert "Index Scan Backward using meeting" in plan, plan


@on_postgres
def test_the_search_documents_fill_themselves_and_are_no_model_fields(world):
    """Rows written by COPY or any SQL are searchable: PostgreSQL computes the
    documents; Django's models do not know them."""
    meeting = meeting_on(world, 2030, 1, title="Added by SQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO meetings_minutes (meeting_id, body, restricted_body, decisions, status, updated_at) "
            "VALUES (%s, 'Quokka sightings', '', '', 'draft', now())",
            [meeting.pk],
        )
        cursor.execute("SELECT count(*) FROM meetings_minutes WHERE search_document @@ 'quokka'::tsquery")
        assert cursor.fetchone() == (1,)
    assert "search_document" not in {getattr(f, "column", None) for f in Minutes._meta.get_fields()}
    assert "1 meeting found" in results(world, world.member, "quokka")


def test_the_search_sees_the_meetings_each_user_may_see_and_no_other(world):
    """The search's filter on meetings, written for joins, says what
    Meeting.objects.visible_to says, for every kind of user and committee."""
    CommitteeMember.objects.create(committee=world.restricted_committee, person=world.member.person)
    for committee in (None, world.open_committee, world.members_committee, world.restricted_committee):
        meeting_on(world, 2020, 1, committee=committee)
    Meeting.objects.create(
        coalition=world.other,
        title="Elsewhere",
        starts_at=datetime(2020, 1, 1, tzinfo=UTC),
        ends_at=datetime(2020, 1, 1, 1, tzinfo=UTC),
    )
    for user in (world.organizer, world.lead, world.member, world.other_member):
        expected = set(Meeting.objects.visible_to(user).filter(coalition=world.home).values_list("pk", flat=True))
        assert (
            set(Meeting.objects.filter(search.visible_meetings(user, world.home)).values_list("pk", flat=True))
            == expected
        )
