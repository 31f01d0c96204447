"""A page never renders more text than it can show: the longest minutes (200,000
characters, about sixty pages) show their first page on the meeting's page and
are read in full a page at a time."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from coordination.text import text_pages
from meetings.models import Meeting, Minutes

pytestmark = pytest.mark.django_db


@given(st.text(alphabet=st.sampled_from("ab \n#*-"), max_size=3000), st.integers(min_value=5, max_value=400))
def test_pages_hold_the_whole_text_in_order_each_within_the_size(text, size):
    pages = text_pages(text, size)
    assert "".join(pages) == text
    assert all(len(page) <= size for page in pages)
    assert all(pages) or pages == [""]


def test_a_page_ends_at_a_paragraph_break_when_one_falls_in_its_second_half():
    text = "First paragraph, long enough.\n\nSecond one." + " more" * 10
    first, *rest = text_pages(text, 40)
    assert first == "First paragraph, long enough.\n\n" and rest


def _long_minutes(world):
    now = timezone.now() - timedelta(days=3)
    meeting = Meeting.objects.create(
        coalition=world.home, title="The long one", starts_at=now, ends_at=now + timedelta(hours=2)
    )
    paragraphs, length, n = [], 0, 0
    while length < settings.LONG_TEXT_MAX - 200:
        paragraph = f"Paragraph {n:04} of the long minutes. " + "The coalition discussed the protocol. " * 2
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
        n += 1
    body = "\n\n".join(paragraphs)
    Minutes.objects.create(
        meeting=meeting,
        body=body,
        restricted_body="Secret " * 5000,
        decisions="\n".join(f"Decision {d}" for d in range(80)),
    )
    return meeting, n


def test_the_meeting_page_shows_the_first_page_and_the_rest_reads_page_by_page(world, client):
    meeting, paragraphs = _long_minutes(world)
    client.force_login(world.organizer)

    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert len(page) < 100_000  # the minutes alone are 200,000 characters
    count = len(text_pages(meeting.minutes.body, settings.MINUTES_PAGE_CHARS))
    assert count > 5 and f"the full minutes are {count} pages" in page
    assert len(re.findall(r"<li>Decision \d+</li>", page)) == settings.DECISIONS_SHOWN and "All 80 decisions" in page

    read = reverse("minutes_read", args=[meeting.pk])
    seen = []
    for number in range(1, count + 1):
        html = client.get(read, {"part": "body", "page": number}).content.decode()
        assert len(html) < 60_000
        seen += re.findall(r"Paragraph (\d{4})", html)
    assert seen == [f"{n:04}" for n in range(paragraphs)]
    # pages out of range or not numbers show the nearest page, never an error
    assert "Paragraph 0000" in client.get(read, {"page": "-3"}).content.decode()
    assert f"Page {count} of {count}" in client.get(read, {"page": "99999"}).content.decode()
    decisions = client.get(read, {"part": "decisions"}).content.decode()
    assert len(re.findall(r"<li>Decision \d+</li>", decisions)) == 80


def test_the_restricted_part_reads_in_pages_only_for_those_who_may(world, client):
    meeting, _ = _long_minutes(world)
    read = reverse("minutes_read", args=[meeting.pk])
    client.force_login(world.member)
    assert "Secret" not in client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert client.get(read, {"part": "restricted"}).status_code == 403
    assert client.get(read, {"part": "anything"}).status_code == 404
    client.force_login(world.organizer)
    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert "the restricted part is 2 pages" in page
    assert "Secret" in client.get(read, {"part": "restricted", "page": 2}).content.decode()
