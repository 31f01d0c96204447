"""A page never renders more text than it can show: long minutes show their
first page on the meeting's page and are read in full a page at a time, each
page read from the database alone (a 50 MB text is never loaded whole)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from meetings.models import Meeting, Minutes
from meetings.pages import text_page, text_page_count

pytestmark = pytest.mark.django_db


def pages_of(text: str, size: int) -> list[str]:
    read = lambda start, end: text[start:end]  # noqa: E731
    count = text_page_count(len(text), size)
    return [text_page(read, len(text), number, size).text for number in range(1, count + 1)]


@given(st.text(alphabet=st.sampled_from("ab <>/\n#*-"), max_size=3000), st.integers(min_value=3, max_value=400))
def test_the_pages_are_the_whole_text_in_order_each_within_the_size(text, size):
    pages = pages_of(text, size)
    assert "".join(pages) == text
    assert all(len(page) <= size for page in pages)
    assert all(pages) or pages == [""]


def test_a_page_ends_at_a_paragraph_break_else_a_line_else_a_space_never_inside_a_tag():
    first, *rest = pages_of("First paragraph, long.\n\nSecond one." + " more" * 10, 40)
    assert first == "First paragraph, long.\n\n" and rest
    first, *rest = pages_of("One line of the minutes\nanother line" + " more" * 10, 40)
    assert first == "One line of the minutes\n"
    first, *rest = pages_of("Word " * 5 + '<a href="https://example.org/" title="a long title">x</a>', 40)
    assert first == "Word " * 5 and rest[0].startswith("<a href")
    # Out of range: the nearest page.
    text = "Paragraph.\n\n" * 100
    assert text_page(lambda s, e: text[s:e], len(text), 10**6, 100).number == text_page_count(len(text), 100)
    assert text_page(lambda s, e: text[s:e], len(text), -2, 100).number == 1


# a text column selected as it is (not inside SUBSTRING or LENGTH)
WHOLE_TEXT = re.compile(r'(SELECT |, )"meetings_minutes"\."(body|restricted_body|decisions)"')


def _meeting(world, **minutes):
    now = timezone.now() - timedelta(days=3)
    meeting = Meeting.objects.create(
        coalition=world.home, title="The long one", starts_at=now, ends_at=now + timedelta(hours=2)
    )
    Minutes.objects.create(meeting=meeting, **minutes)
    return meeting


def _paragraphs(total: int) -> tuple[str, int]:
    paragraphs, length = [], 0
    while length < total:
        paragraph = (
            f"Paragraph {len(paragraphs):05} of the long minutes. " + "The coalition discussed the protocol. " * 2
        )
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs), len(paragraphs)


def test_the_meeting_page_shows_the_first_page_and_the_rest_reads_page_by_page(world, client):
    body, paragraphs = _paragraphs(settings.LONG_TEXT_MAX)
    meeting = _meeting(
        world, body=body, restricted_body="Secret " * 5000, decisions="\n".join(f"Decision {d}" for d in range(80))
    )
    client.force_login(world.organizer)

    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert len(page) < 100_000  # the minutes alone are 200,000 characters
    count = text_page_count(len(body), settings.MINUTES_PAGE_CHARS)
    assert count > 5 and f"Read the full minutes ({count} pages)" in page
    assert len(re.findall(r"<li>Decision \d+</li>", page)) == settings.DECISIONS_SHOWN and "All the decisions" in page

    read = reverse("minutes_read", args=[meeting.pk])
    seen = []
    for number in range(1, count + 1):
        html = client.get(read, {"part": "body", "page": number}).content.decode()
        assert len(html) < 60_000 and f"Page {number} of {count}" in html
        assert ('rel="next"' in html) == (number < count) and ('rel="prev"' in html) == (number > 1)
        seen += re.findall(r"Paragraph (\d{5})", html)
    assert seen == [f"{n:05}" for n in range(paragraphs)]
    # pages out of range or not numbers show the nearest page, never an error
    assert "Paragraph 00000" in client.get(read, {"page": "-3"}).content.decode()
    assert f"Page {count} of {count}" in client.get(read, {"page": "99999"}).content.decode()
    assert "Paragraph 00000" in client.get(read, {"page": "two"}).content.decode()
    decisions = client.get(read, {"part": "decisions"}).content.decode()
    assert len(re.findall(r"<li>Decision \d+</li>", decisions)) == 80


def test_minutes_of_fifty_megabytes_are_never_read_whole(world, client):
    """The importer once stored a 50 MB text as minutes: the meeting's page and
    each page of the minutes read a page's worth of it from the database."""
    body, _ = _paragraphs(5_000_000)  # 5 MB is enough to tell, and quick to write
    meeting = _meeting(world, body=body)
    client.force_login(world.organizer)
    size = settings.MINUTES_PAGE_CHARS
    count = text_page_count(len(body), size)
    for url, params in (
        (reverse("meeting", args=[meeting.pk]), {}),
        (reverse("minutes_read", args=[meeting.pk]), {"page": count // 2}),
        (reverse("minutes_read", args=[meeting.pk]), {"page": count}),
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        html = response.content.decode()
        assert response.status_code == 200 and len(html) < 200_000
        assert f"({count} pages)" in html or f"of {count}." in html
        # no query brought the whole text back: the page's text is all the page holds
        assert len(html) < 4 * size
        selected = [q["sql"].split(" FROM ")[0] for q in captured.captured_queries]
        assert not [columns for columns in selected if WHOLE_TEXT.search(columns)]


def test_a_cut_never_falls_inside_an_html_tag_of_the_minutes(world, client):
    line = 'See <a href="https://example.org/protocol" title="the county protocol">the protocol</a> and more. '
    meeting = _meeting(world, body=line * 1000)  # no line breaks at all: cut at spaces outside tags
    client.force_login(world.organizer)
    read = reverse("minutes_read", args=[meeting.pk])
    count = text_page_count(len(line) * 1000, settings.MINUTES_PAGE_CHARS)
    for number in range(1, count + 1):
        html = client.get(read, {"page": number}).content.decode()
        links = re.findall(r'<a href="https://example.org/protocol"[^>]*>([^<]*)</a>', html)
        assert links and set(links) == {"the protocol"}
        assert "href=&quot;" not in html and "&lt;a" not in html


def test_the_restricted_part_reads_in_pages_only_for_those_who_may(world, client):
    meeting = _meeting(world, body="Open minutes.", restricted_body="Secret " * 5000)
    read = reverse("minutes_read", args=[meeting.pk])
    client.force_login(world.member)
    assert "Secret" not in client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert client.get(read, {"part": "restricted"}).status_code == 403
    assert client.get(read, {"part": "anything"}).status_code == 404
    client.force_login(world.organizer)
    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    count = text_page_count(len("Secret " * 5000), settings.MINUTES_PAGE_CHARS)
    assert count > 1 and f"Read the full restricted part ({count} pages)" in page
    assert "Secret" in client.get(read, {"part": "restricted", "page": 2}).content.decode()
    # a meeting of a restricted committee: its minutes' pages are as hidden as the meeting
    hidden = _meeting(world, body="Task force minutes.")
    hidden.committee = world.restricted_committee
    hidden.save()
    client.force_login(world.member)
    assert client.get(reverse("minutes_read", args=[hidden.pk])).status_code == 404


def test_minutes_longer_than_a_form_takes_are_read_not_put_in_a_form(world, client):
    """Imported before the limits held: the edit page says so instead of
    sending megabytes in a text box that could never be saved."""
    meeting = _meeting(world, body="A line of old minutes.\n" * 20_000)  # 460,000 characters
    client.force_login(world.organizer)
    html = client.get(reverse("minutes_edit", args=[meeting.pk])).content.decode()
    assert "too long to edit here" in html and len(html) < 50_000
    assert reverse("minutes_read", args=[meeting.pk]) in html
    short = _meeting(world, body="Short minutes.")
    short.title = "Another"
    Meeting.objects.filter(pk=short.pk).update(title="Another")
    assert "Short minutes." in client.get(reverse("minutes_edit", args=[short.pk])).content.decode()
