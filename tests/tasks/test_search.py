"""The action list's search: titles and descriptions, the best matches first
on PostgreSQL (a word in the title counts most, the newest first among
equals), through the GIN index of the items' stored search document; a
plain match on SQLite. What the user may not see stays hidden."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks.filters import ActionItemFilter
from tasks.models import ActionItem
from tests.helpers import plans

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking and index use are PostgreSQL's")


def make(world, title, description="", days_ago=0, **kw):
    return ActionItem.objects.create(
        coalition=world.home,
        title=title,
        description=description,
        owner_agency=world.member_agency,
        created_at=timezone.now() - timedelta(days=days_ago),
        **kw,
    )


def listed(world, user, **params) -> list[str]:
    """The titles the action list shows, in its order."""
    client = world.client_for(user)
    html = client.get(reverse("action_list", args=[world.home.slug]), {"scope": "all", **params}).content.decode()
    return re.findall(r'<a href="/actions/\d+/">([^<]+)</a>', html)


@pytest.fixture
def items(world):
    return {
        "described": make(world, "Call the shelter", "Ask whether the hotline forwards calls at night", days_ago=3),
        "titled": make(world, "Print hotline posters", days_ago=30),
        "both": make(world, "Hotline hours", "The hotline number goes on the hotline card", days_ago=60),
        "other": make(world, "Map shelter beds", days_ago=1),
    }


def test_search_finds_titles_and_descriptions_and_nothing_the_user_may_not_see(world, items):
    make(world, "Hotline wiretap request", committee=world.restricted_committee)
    found = {"Call the shelter", "Print hotline posters", "Hotline hours"}
    assert set(listed(world, world.organizer, q="hotline")) == found | {"Hotline wiretap request"}
    assert set(listed(world, world.member, q="hotline")) == found
    assert listed(world, world.member, q="wiretap") == []


@on_postgres
def test_the_best_matches_come_first_and_the_newest_among_equals(world, items):
    # "Hotline hours" has the word in its title and twice in its description,
    # "Print hotline posters" in its title; "Call the shelter" only in its description.
    assert listed(world, world.organizer, q="hotline") == ["Hotline hours", "Print hotline posters", "Call the shelter"]
    make(world, "Hotline stickers", days_ago=10)
    assert listed(world, world.organizer, q="hotline")[1:3] == ["Hotline stickers", "Print hotline posters"]


@on_postgres
def test_a_sort_the_user_chose_wins_over_the_ranking(world, items):
    assert listed(world, world.organizer, q="hotline", sort="title") == [
        "Call the shelter",
        "Hotline hours",
        "Print hotline posters",
    ]


@on_postgres
def test_stemming_finds_a_poster_when_asked_for_posters_and_a_phrase_in_quotes(world, items):
    make(world, "Order a poster frame")
    assert set(listed(world, world.organizer, q="posters")) == {"Print hotline posters", "Order a poster frame"}
    assert listed(world, world.organizer, q='"hotline card"') == ["Hotline hours"]
    assert set(listed(world, world.organizer, q="hotline -shelter")) == {"Hotline hours", "Print hotline posters"}


@on_postgres
def test_a_word_in_more_items_than_are_ranked_lists_them_newest_first(world, items, monkeypatch):
    monkeypatch.setattr(ActionItemFilter, "RANKED_AT_MOST", 2)
    assert listed(world, world.organizer, q="hotline") == ["Call the shelter", "Print hotline posters", "Hotline hours"]


def test_the_search_runs_the_same_queries_however_many_items_match(world, items):
    client = world.client_for(world.organizer)
    url = reverse("action_list", args=[world.home.slug])
    client.get(url)  # the session's first save

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"scope": "all", "q": "hotline"}).status_code == 200
        return len(captured)

    few = queries()
    for n in range(30):
        make(world, f"Hotline follow-up {n}", "Check the hotline log")
    assert queries() == few


# --- PostgreSQL: through the index ---------------------------------------------


SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def word(n: int) -> str:
    return "".join(SYLLABLES[n // 70**k % 70] for k in range(3))


@pytest.fixture
def many_items(world):
    """Five thousand items, a fifth of them the coalition's: a word in every
    one, one in a single item, words of every frequency between; the index's
    pending rows merged and the statistics taken, as autovacuum would."""
    other_agency = world.other_member.person.agency
    now = timezone.now()
    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.other if n % 5 else world.home,
            owner_agency=other_agency if n % 5 else world.member_agency,
            title=f"Update the {word(n % 400)} contact list",
            description=" ".join(word(n * k % 6000) for k in range(1, 8))
            + (" Ask the Weaverville team." if n == 1235 else ""),
            created_at=now - timedelta(hours=n),
            due_on=(now + timedelta(days=n % 90)).date(),
        )
        for n in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('action_document_idx'::regclass)")
        cursor.execute("ANALYZE tasks_actionitem")


def _plans(world, user, **params) -> str:
    """EXPLAIN of each query the action list ran on the items, sequential
    scans priced out of reach (on a few thousand rows PostgreSQL may read a
    table whole; what matters is that an index serves each query)."""
    client = world.client_for(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("action_list", args=[world.home.slug]), {"scope": "all", **params}).status_code == 200
    searched = [
        c["sql"]
        for c in captured.captured_queries
        if 'FROM "tasks_actionitem"' in c["sql"] and c["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert searched
    return plans(*searched)


@on_postgres
def test_a_rare_word_is_found_through_the_gin_index(world, many_items):
    for user in (world.organizer, world.member):
        plan = _plans(world, user, q="weaverville")
        assert "Bitmap Index Scan on action_document_idx" in plan, plan
        assert "Seq Scan on tasks_actionitem" not in plan, plan
    assert listed(world, world.organizer, q="weaverville") == [f"Update the {word(1235 % 400)} contact list"]


@on_postgres
def test_a_common_word_lists_through_indexes_only(world, many_items):
    for params in ({"q": "contact"}, {"q": "contact", "sort": "-due_on"}):
        plan = _plans(world, world.organizer, **params)
        assert "Seq Scan on tasks_actionitem" not in plan, plan
