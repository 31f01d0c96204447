"""Search the archive: meeting titles, agendas, minutes and decisions.

On PostgreSQL each part is searched with full-text search (English stemming,
so "hotels" finds "hotel outreach") through the stored search documents of
migration 0007 and their GIN indexes, never by reading every row, and ranked
in one query: a meeting's score is the sum of the ts_rank of each of its
parts that matches (a word in the title counts most, then in the decisions,
the agenda and the text of the minutes; the more often, the higher), the
newest first among equal scores. Of a part that matches in more than WINDOW
meetings (a word in nearly every minutes), the newest WINDOW are ranked, so a
common word costs no more than a rare one. Highlighted snippets (ts_headline,
which reads the whole text) are made for the meetings shown only.

Elsewhere (SQLite in development) a case-insensitive match, scored by how
often the words occur, with snippets cut in Python. Restricted text
(restricted minutes, case-review items) is searched only where the user may
read it, so a hit can never reveal it."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Concat, Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coordination import access, fulltext
from coordination.models import committee_filter

from .models import AgendaItem, Meeting, Minutes
from .rules import restricted_parts_filter

LIMIT = 50  # meetings shown
WINDOW = 1000  # of a part matching in more meetings than this, the newest are ranked
AGENDA_SHOWN = 3  # matching agenda items shown a meeting
START, STOP = "\x02", "\x03"
CONFIG = fulltext.CONFIG

# The parts of a meeting searched, in the order their snippets show.
MINUTES, RESTRICTED, TITLE, AGENDA = 1, 2, 4, 8  # bits, as a meeting may match in several
# Without ts_rank (SQLite): what an occurrence of a word counts in each part,
# in the proportions of ts_rank's weights (A 1.0, B 0.4, C 0.2, D 0.1).
TITLE_WEIGHT, DECISIONS_WEIGHT, AGENDA_WEIGHT, TEXT_WEIGHT = 1.0, 0.4, 0.2, 0.1
FRAGMENTS = {"max_fragments": 2, "max_words": 30, "min_words": 10}
# ts_headline reads at most this many characters of minutes for a page of
# hits, and at least HEADLINE_MIN of each part (the first, of longer ones).
HEADLINE_BUDGET, HEADLINE_MIN = 1_000_000, 20_000


@dataclass
class Hit:
    meeting: Meeting
    snippets: list[tuple[str, SafeString]] = field(default_factory=list)
    score: float = 0.0


class Hits(list):
    """The meetings shown, best first; `found` is how many matched, and
    `more` says a part matched in more than WINDOW meetings, of which only
    the newest were ranked (and counted)."""

    def __init__(self, hits=(), found: int = 0, more: bool = False):
        super().__init__(hits)
        self.found = found
        self.more = more
        self.window = WINDOW


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


def search(user, coalition, text: str) -> Hits:
    text = text.strip()
    if not text:
        return Hits()
    restricted_ok = restricted_parts_filter(user, prefix="meeting__")
    if fulltext.on_postgres():
        return _ranked(user, coalition, restricted_ok, text)
    meetings = Meeting.objects.visible_to(user).filter(coalition=coalition)
    return _matched(meetings, restricted_ok, text)


def visible_meetings(user, coalition, prefix: str = "") -> Q:
    """The coalition's meetings the user may see, as Meeting.objects.visible_to
    gives them, as a filter through a foreign key: a search joins each row's
    meeting once instead of testing it against a subquery of every meeting.
    (The coalition is one the user stands in, or none of its meetings.)"""
    if coalition.pk not in access.standing(user).coalitions:
        return Q(pk__in=[])
    committee = Q(**{f"{prefix}committee__isnull": True}) | committee_filter(user, prefix=f"{prefix}committee__")
    return Q(**{f"{prefix}coalition": coalition}) & committee


# --- PostgreSQL ----------------------------------------------------------------


def _parts(user, coalition, restricted_ok: Q, search) -> list:
    """For each part, the matches' (meeting, its start, rank, which parts
    matched), the newest WINDOW: each filter is served by the part's GIN
    index, or for a word in most rows, by the meetings' (coalition,
    starts_at) index. The minutes and their restricted part are one branch,
    the restricted part matched only where the user may read it."""
    written = Q(fulltext.matches("search_document", search))
    secret = restricted_ok & Q(fulltext.matches("restricted_document", search))
    minutes = Minutes.objects.filter(visible_meetings(user, coalition, prefix="meeting__")).filter(written | secret)
    minutes = minutes.annotate(
        hit_meeting=F("meeting_id"),
        hit_start=F("meeting__starts_at"),
        hit_rank=fulltext.rank("search_document", search)
        + Case(When(secret, then=fulltext.rank("restricted_document", search)), default=Value(0.0)),
        hit_part=Case(When(written, then=Value(MINUTES)), default=Value(0))
        + Case(When(secret, then=Value(RESTRICTED)), default=Value(0)),
    )
    titles = (
        Meeting.objects.filter(visible_meetings(user, coalition))
        .filter(fulltext.matches("search_document", search))
        .annotate(
            hit_meeting=F("pk"),
            hit_start=F("starts_at"),
            hit_rank=fulltext.rank("search_document", search),
            hit_part=Value(TITLE),
        )
    )
    agenda = (
        AgendaItem.objects.filter(visible_meetings(user, coalition, prefix="meeting__"))
        .filter(Q(is_case_review=False) | restricted_ok)
        .filter(fulltext.matches("search_document", search))
        .annotate(
            hit_meeting=F("meeting_id"),
            hit_start=F("meeting__starts_at"),
            hit_rank=fulltext.rank("search_document", search),
            hit_part=Value(AGENDA),
        )
    )
    return [
        rows.order_by("-hit_start").values_list("hit_meeting", "hit_start", "hit_rank", "hit_part")[:WINDOW]
        for rows in (minutes, titles, agenda)
    ]


def _ranked(user, coalition, restricted_ok: Q, text: str) -> Hits:
    search = fulltext.query(text)
    selects, params = [], []
    for part in _parts(user, coalition, restricted_ok, search):
        try:
            sql, part_params = part.query.sql_with_params()
        except EmptyResultSet:  # e.g. restricted minutes for one who may read none
            continue
        selects.append(f"({sql})")
        params.extend(part_params)
    if not selects:
        return Hits()
    # One query ranks every part: the sum of a meeting's ranks, the newest
    # first among equals; with how many meetings matched, and the most rows
    # one branch gave (the minutes' rows are those with parts below TITLE).
    sql = (
        f"WITH hit AS ({' UNION ALL '.join(selects)}) "  # noqa: S608 - the ORM's SQL, values in params
        "SELECT hit_meeting, sum(hit_rank) AS score, bit_or(hit_part), count(*) OVER (), "
        "(SELECT max(n) FROM (SELECT count(*) AS n FROM hit "
        "GROUP BY CASE WHEN hit_part < %s THEN 0 ELSE hit_part END) AS branch) "
        "FROM hit GROUP BY hit_meeting, hit_start ORDER BY score DESC, hit_start DESC, hit_meeting DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, TITLE, LIMIT])
        rows = cursor.fetchall()
    if not rows:
        return Hits()
    parts = {pk: found for pk, _score, found, _count, _most in rows}
    hits = _snippets(parts, search, restricted_ok)
    ordered = []
    for pk, score, _parts_found, _count, _most in rows:
        if pk in hits:
            hits[pk].score = score
            ordered.append(hits[pk])
    return Hits(ordered, found=rows[0][3], more=rows[0][4] >= WINDOW)


def _with(parts: dict[int, int], part: int) -> list[int]:
    return [pk for pk, found in parts.items() if found & part]


def _headline(text, search, condition: Q, **options) -> Case:
    """ts_headline of the text where the condition holds, "" elsewhere."""
    options = {"start_sel": START, "stop_sel": STOP, "config": CONFIG, **options}
    return Case(
        When(condition, then=SearchHeadline(text, search, **options)), default=Value(""), output_field=TextField()
    )


def _snippets(parts: dict[int, int], search, restricted_ok: Q) -> dict[int, Hit]:
    """The meetings shown, with a highlighted snippet of each part that
    matched: ts_headline, which parses the text it is given, runs on these
    meetings' texts only, and reads at most HEADLINE_BUDGET characters in all
    (the first of each part of very long minutes)."""
    titled = _with(parts, TITLE)
    chosen = Meeting.objects.filter(pk__in=list(parts)).select_related("committee", "coalition")
    if titled:
        chosen = chosen.annotate(title_headline=_headline("title", search, Q(pk__in=titled), highlight_all=True))
    hits = {meeting.pk: Hit(meeting) for meeting in chosen}
    snippets: dict[int, list[tuple[int, str, SafeString]]] = {pk: [] for pk in hits}

    written, restricted = _with(parts, MINUTES), _with(parts, RESTRICTED)
    if written or restricted:
        read = max(HEADLINE_BUDGET // (len(written) + len(restricted)), HEADLINE_MIN)
        minutes = Minutes.objects.filter(meeting_id__in=written + restricted).values_list(
            "meeting_id",
            _headline(Left("decisions", read), search, Q(meeting_id__in=written), **FRAGMENTS),
            _headline(Left("body", read), search, Q(meeting_id__in=written), **FRAGMENTS),
            # Only where the restricted part matched, which only those who may read it search.
            _headline(Left("restricted_body", read), search, Q(meeting_id__in=restricted) & restricted_ok, **FRAGMENTS),
        )
        for pk, decisions, body, secret in minutes:
            if pk not in snippets:
                continue
            if START in decisions:
                snippets[pk].append((MINUTES, "Decisions", _marked(decisions)))
            if pk in written and (START in body or not snippets[pk]):
                snippets[pk].append((MINUTES, "Minutes", _marked(body)))
            if START in secret:
                snippets[pk].append((RESTRICTED, "Restricted part", _marked(secret)))

    for pk in titled:
        if pk in hits:
            snippets[pk].append((TITLE, "Title", _marked(hits[pk].meeting.title_headline)))

    on_agenda = _with(parts, AGENDA)
    if on_agenda:
        # What the agenda shows of an item: a case-review item's notes only if kept.
        shown = Case(
            When(Q(notes="") | Q(is_case_review=True, notes_allowed=False), then=F("title")),
            default=Concat("title", Value(": "), "notes", output_field=TextField()),
            output_field=TextField(),
        )
        items = (
            AgendaItem.objects.filter(meeting_id__in=on_agenda)
            .filter(Q(is_case_review=False) | restricted_ok)
            .filter(fulltext.matches("search_document", search))
            .order_by("meeting_id", "position", "pk")
            .values_list(
                "meeting_id", SearchHeadline(shown, search, start_sel=START, stop_sel=STOP, config=CONFIG, **FRAGMENTS)
            )
        )
        for pk, item in items:
            agenda = [s for s in snippets.get(pk, []) if s[0] == AGENDA]
            if pk in snippets and START in item and len(agenda) < AGENDA_SHOWN:
                snippets[pk].append((AGENDA, "Agenda", _marked(item)))

    for pk, found in snippets.items():
        hits[pk].snippets = [(label, snippet) for _part, label, snippet in sorted(found, key=lambda s: s[0])]
    return hits


# --- SQLite (development) ----------------------------------------------------------


def _matched(meetings, restricted_ok: Q, text: str) -> Hits:
    """The same parts matched case-insensitively, each word on its own; a
    meeting scores by how often the words occur in what it shows."""
    terms = [t.lower() for t in re.findall(r"\w+", text)]
    if not terms:
        return Hits()

    def any_word(*names: str) -> Q:
        match = Q()
        for term in terms:
            for name in names:
                match |= Q(**{f"{name}__icontains": term})
        return match

    def occurrences(value: str) -> int:
        lower = value.lower()
        return sum(lower.count(t) for t in terms)

    hits: dict[int, Hit] = {}
    found: dict[int, list[tuple[int, str, SafeString]]] = {}
    counts: list[int] = []

    def add(meeting: Meeting, part: int, label: str, snippet: SafeString | None, score: float) -> None:
        if snippet is None:  # the words are in text this part does not show
            return
        hit = hits.setdefault(meeting.pk, Hit(meeting))
        hit.score += score
        shown = [s for s in found.setdefault(meeting.pk, []) if s[0] == part]
        if part != AGENDA or len(shown) < AGENDA_SHOWN:
            found[meeting.pk].append((part, label, snippet))

    def newest(rows, start: str = "meeting__starts_at") -> list:
        rows = list(rows.order_by(f"-{start}")[:WINDOW])
        counts.append(len(rows))
        return rows

    minutes = Minutes.objects.filter(meeting__in=meetings).select_related("meeting__committee", "meeting__coalition")
    for m in newest(minutes.filter(any_word("body", "decisions"))):
        add(m.meeting, MINUTES, "Decisions", _snippet(m.decisions, terms), occurrences(m.decisions) * DECISIONS_WEIGHT)
        add(m.meeting, MINUTES, "Minutes", _snippet(m.body, terms), occurrences(m.body) * TEXT_WEIGHT)
    for m in newest(minutes.filter(restricted_ok).filter(any_word("restricted_body"))):
        score = occurrences(m.restricted_body) * TEXT_WEIGHT
        add(m.meeting, RESTRICTED, "Restricted part", _snippet(m.restricted_body, terms), score)
    titled = meetings.filter(any_word("title")).select_related("committee", "coalition")
    for meeting in newest(titled, start="starts_at"):
        add(meeting, TITLE, "Title", _snippet(meeting.title, terms), occurrences(meeting.title) * TITLE_WEIGHT)
    items = AgendaItem.objects.filter(meeting__in=meetings).filter(any_word("title", "notes"))
    items = items.filter(Q(is_case_review=False) | restricted_ok).select_related(
        "meeting__committee", "meeting__coalition"
    )
    for item in newest(items):
        shown = (
            item.title
            if not item.notes or (item.is_case_review and not item.notes_allowed)
            else f"{item.title}: {item.notes}"
        )
        add(item.meeting, AGENDA, "Agenda", _snippet(shown, terms), occurrences(shown) * AGENDA_WEIGHT)

    for pk, snippets in found.items():
        hits[pk].snippets = [(label, snippet) for _part, label, snippet in sorted(snippets, key=lambda s: s[0])]
    ranked = sorted(hits.values(), key=lambda h: (h.score, h.meeting.starts_at, h.meeting.pk), reverse=True)
    return Hits(ranked[:LIMIT], found=len(ranked), more=max(counts) >= WINDOW)
