"""The minutes' page lists the items the meeting produced as the meeting's
page does: a few, their count and a link to the action list showing all of
them, so a meeting that produced hundreds costs its minutes' page what one
that produced a few does, in HTML and in queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from tasks.models import ActionItem
from tasks.pages import SHOWN

pytestmark = pytest.mark.django_db

ROW = r'<li class="mb-1"><a href="/actions/\d+/">Decision item (\d+)</a>'


@pytest.fixture
def meeting(world):
    start = timezone.now() - timedelta(hours=3)
    return Meeting.objects.create(
        coalition=world.home, title="Monthly", starts_at=start, ends_at=start + timedelta(hours=1)
    )


def _items(world, meeting, first: int, n: int) -> None:
    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.home,
            meeting=meeting,
            title=f"Decision item {i:04}",
            owner_agency=world.member_agency,
            due_on=timezone.localdate() + timedelta(days=i % 40),
        )
        for i in range(first, first + n)
    )


def _minutes_page(client, meeting) -> tuple[str, int]:
    url = reverse("minutes_edit", args=[meeting.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_the_minutes_page_lists_the_last_items_added_their_count_and_a_link_to_all(world, meeting):
    _items(world, meeting, 0, 3)
    client = world.client_for(world.organizer)
    client.get(reverse("minutes_edit", args=[meeting.pk]))  # the session's first request saves it
    html, few_queries = _minutes_page(client, meeting)
    assert re.findall(ROW, html) == ["0000", "0001", "0002"]
    assert "(3)" in html and "See all" not in html

    _items(world, meeting, 3, 2 * SHOWN)
    html, queries = _minutes_page(client, meeting)
    shown = [f"{i:04}" for i in range(3 + 2 * SHOWN - SHOWN, 3 + 2 * SHOWN)]
    assert re.findall(ROW, html) == shown  # the last added, in the order added
    total = 3 + 2 * SHOWN
    assert f"({total}, the last {SHOWN} added)" in html
    link = f'href="/c/{world.home.slug}/actions/?scope=all&amp;meeting={meeting.pk}">See all {total} items'
    assert link in html
    assert queries == few_queries

    _items(world, meeting, total, 400)
    again, many_queries = _minutes_page(client, meeting)
    assert len(re.findall(ROW, again)) == SHOWN
    assert f"See all {total + 400} items from this meeting" in again
    assert many_queries == few_queries
    assert len(again) < len(html) + 500  # a count's digits more, not 400 rows

    # The link leads to every one of them, and only them.
    listed = client.get(f"/c/{world.home.slug}/actions/?scope=all&meeting={meeting.pk}").content.decode()
    assert f"{total + 400} items." in listed


def test_an_item_added_with_htmx_appears_at_the_end_of_a_long_list(world, meeting):
    _items(world, meeting, 0, 3 * SHOWN)
    added = {"action-title": "Send the protocol", "action-owner_agency": world.member_agency.pk, "action-priority": 2}
    url = reverse("meeting_actions", args=[meeting.pk])
    html = world.client_for(world.organizer).post(url, added, headers={"HX-Request": "true"}).content.decode()
    titles = re.findall(r'<li class="mb-1"><a href="/actions/\d+/">([^<]+)</a>', html)
    assert len(titles) == SHOWN and titles[-1] == "Send the protocol"
    assert f"See all {3 * SHOWN + 1} items from this meeting" in html
    assert ActionItem.objects.get(title="Send the protocol").meeting == meeting
