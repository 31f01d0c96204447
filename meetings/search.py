"""Search the archive: meeting titles, agendas, minutes and decisions.

On PostgreSQL the minutes are searched with full-text search (English
stemming, so "hotels" finds "hotel outreach") over a GIN index, with
highlighted snippets from ts_headline; elsewhere (SQLite in development) a
case-insensitive match with snippets cut in Python. Restricted text
(restricted minutes, case-review items) is searched only where the user may
read it, so a hit can never reveal it."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import AgendaItem, Meeting, Minutes
from .rules import restricted_parts_filter

LIMIT = 50
START, STOP = "\x02", "\x03"
CONFIG = "english"


@dataclass
class Hit:
    meeting: Meeting
    snippets: list[tuple[str, SafeString]] = field(default_factory=list)


def minutes_vector(*fields: str) -> SearchVector:
    return SearchVector(*fields, config=CONFIG)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _marked(text: str) -> SafeString:
    """Escape a headline, then turn its markers into <mark>."""
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def _snippet(text: str, terms: list[str], width: int = 90) -> SafeString | None:
    lower = text.lower()
    positions = [lower.find(t) for t in terms if lower.find(t) >= 0]
    if not positions:
        return None
    at = min(positions)
    start, end = max(0, at - width), min(len(text), at + width)
    piece = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    return _marked(pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", piece))


def search(user, coalition, text: str) -> list[Hit]:
    text = text.strip()
    if not text:
        return []
    meetings = Meeting.objects.visible_to(user).filter(coalition=coalition)
    restricted_ok = restricted_parts_filter(user, prefix="meeting__")
    hits: dict[int, Hit] = {}

    def hit(meeting: Meeting) -> Hit:
        return hits.setdefault(meeting.pk, Hit(meeting))

    terms = [t.lower() for t in re.findall(r"\w+", text)]
    minutes = Minutes.objects.filter(meeting__in=meetings).select_related("meeting__committee", "meeting__coalition")
    if _postgres():
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        options = {"start_sel": START, "stop_sel": STOP, "max_fragments": 2, "max_words": 30, "min_words": 10}
        found = (
            minutes.annotate(document=minutes_vector("body", "decisions"))
            .filter(document=query)
            .annotate(headline=SearchHeadline("body", query, config=CONFIG, **options))
            .annotate(decision_headline=SearchHeadline("decisions", query, config=CONFIG, **options))[:LIMIT]
        )
        for m in found:
            if START in m.decision_headline:
                hit(m.meeting).snippets.append(("Decisions", _marked(m.decision_headline)))
            if START in m.headline or not hit(m.meeting).snippets:
                hit(m.meeting).snippets.append(("Minutes", _marked(m.headline)))
        secret = (
            minutes.filter(restricted_ok)
            .annotate(document=minutes_vector("restricted_body"))
            .filter(document=query)
            .annotate(headline=SearchHeadline("restricted_body", query, config=CONFIG, **options))[:LIMIT]
        )
        for m in secret:
            hit(m.meeting).snippets.append(("Restricted part", _marked(m.headline)))
    else:
        word_match = Q()
        for term in terms:
            word_match |= Q(body__icontains=term) | Q(decisions__icontains=term)
        for m in minutes.filter(word_match)[:LIMIT]:
            for label, body in (("Decisions", m.decisions), ("Minutes", m.body)):
                snippet = _snippet(body, terms)
                if snippet:
                    hit(m.meeting).snippets.append((label, snippet))
        secret_match = Q()
        for term in terms:
            secret_match |= Q(restricted_body__icontains=term)
        for m in minutes.filter(restricted_ok).filter(secret_match)[:LIMIT]:
            snippet = _snippet(m.restricted_body, terms)
            if snippet:
                hit(m.meeting).snippets.append(("Restricted part", snippet))

    title_match = Q()
    item_match = Q()
    for term in terms:
        title_match |= Q(title__icontains=term)
        item_match |= Q(title__icontains=term) | Q(notes__icontains=term)
    for meeting in meetings.filter(title_match).select_related("committee", "coalition").order_by("-starts_at")[:LIMIT]:
        hit(meeting).snippets.append(("Title", _snippet(meeting.title, terms)))
    items = AgendaItem.objects.filter(meeting__in=meetings).filter(item_match)
    items = items.filter(Q(is_case_review=False) | restricted_ok)
    for item in items.select_related("meeting__committee", "meeting__coalition")[:LIMIT]:
        text_of_item = (
            item.title
            if not item.notes or (item.is_case_review and not item.notes_allowed)
            else f"{item.title}: {item.notes}"
        )
        snippet = _snippet(text_of_item, terms)
        if snippet:
            hit(item.meeting).snippets.append(("Agenda", snippet))

    return sorted(hits.values(), key=lambda h: h.meeting.starts_at, reverse=True)[:LIMIT]
