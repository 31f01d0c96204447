"""Measure every main page of the busiest coalition as its organizer, a lead
and an agency member, in-process through Django's test client (no network,
no server): the queries it runs, the median and 95th-percentile time over a
number of requests, the HTML it returns, and its slowest query run bare (the
same SQL again, without the page around it), so a page's time can be read
against what the database alone needs."""

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from coordination.models import Coalition, User
from meetings.models import Meeting
from members.models import Agency

from .dataset import BUSIEST, COMMON_WORD, LOGINS, RARE_WORD

# What the issue sets for every page at statewide scale.
TARGETS = {"queries": 12, "median_ms": 300, "html_kb": 200, "ratio": 3}


@dataclass
class Page:
    label: str
    url: Callable[[dict], str]
    roles: tuple[str, ...] = ("organizer", "lead", "member")
    export: bool = False


@dataclass
class Result:
    page: str
    role: str
    url: str
    status: int
    queries: int
    median_ms: float
    p95_ms: float
    html_kb: float
    bare_ms: float
    ratio: float
    main_query: str = ""
    missed: list[str] = field(default_factory=list)


def _in(name: str, *args) -> Callable[[dict], str]:
    def url(ctx: dict) -> str:
        return reverse(name, args=[ctx[a] if isinstance(a, str) and a in ctx else a for a in args])

    return url


def _with(base: Callable[[dict], str], query: str) -> Callable[[dict], str]:
    return lambda ctx: base(ctx) + "?" + query.format(**ctx)


PAGES = [
    Page("dashboard", _in("dashboard")),
    Page("action list", _in("action_list", "slug")),
    Page(
        "action list, open items of one agency", _with(_in("action_list", "slug"), "status=open&owner_agency={agency}")
    ),
    Page("action list, overdue, by due date", _with(_in("action_list", "slug"), "overdue=on&sort=due_on")),
    Page("action list, search", _with(_in("action_list", "slug"), "q=guide")),
    Page("action list, page 3,000", _with(_in("action_list", "slug"), "page=3000"), roles=("organizer",)),
    Page("review board", _in("review_board", "slug"), roles=("organizer", "lead")),
    Page("meeting list", _in("meeting_list", "slug")),
    Page("meeting detail", _in("meeting", "meeting")),
    Page("minutes search, common word", _with(_in("meeting_search", "slug"), f"q={COMMON_WORD}")),
    Page("minutes search, rare word", _with(_in("meeting_search", "slug"), f"q={RARE_WORD}")),
    Page("members directory", _in("member_list", "slug")),
    Page("agency page", _in("agency", "agency")),
    Page("coverage matrix", _in("coverage", "slug")),
    Page("annual report", _in("report", "slug"), roles=("organizer", "lead")),
    Page("engagement report", _in("engagement", "slug"), roles=("organizer", "lead")),
    Page("public guide", _in("public_guide", "slug"), roles=("anonymous",)),
    Page("public directory", _in("public_directory", "slug"), roles=("anonymous",)),
    Page("export: actions CSV", _with(_in("action_list", "slug"), "_export=csv"), ("organizer",), export=True),
    Page("export: actions XLSX", _with(_in("action_list", "slug"), "_export=xlsx"), ("organizer",), export=True),
    Page("export: members CSV", _with(_in("member_list", "slug"), "_export=csv"), ("organizer",), export=True),
]


def context() -> dict:
    coalition = Coalition.objects.get(slug=BUSIEST)
    member = User.objects.get(email=LOGINS["member"])
    meeting = (
        Meeting.objects.filter(coalition=coalition, committee=None, minutes__isnull=False)
        .order_by("-starts_at")
        .first()
    )
    return {
        "slug": coalition.slug,
        "meeting": meeting.pk,
        "agency": Agency.objects.get(people__user=member).pk,
    }


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _bare(sql: str, runs: int) -> float:
    """The median time of one query run alone, in milliseconds."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            began = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _quantile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(page: Page, role: str, ctx: dict, repeat: int, targets: dict = TARGETS) -> Result:
    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(email=LOGINS[role]))
    url = page.url(ctx)
    times = []
    # An export above EXPORT_ASYNC_ROWS is the Celery worker's job; here it is
    # made in the request, which times the same work (the task writes the
    # same rows to a file) without a worker.
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], EXPORT_ASYNC_ROWS=10**9):
        if not page.export:  # an export runs once, timed as it is captured
            _body(client.get(url))  # warm: templates compiled, connection open, caches filled
        reset_queries()  # the log keeps 9,000 queries at most: a full one would capture none
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            body = _body(response)
            if page.export:
                times.append((time.perf_counter() - began) * 1000)
        queries = list(captured.captured_queries)  # read now: the next request empties the log
        for _ in range(0 if page.export else repeat):
            began = time.perf_counter()
            _body(client.get(url))
            times.append((time.perf_counter() - began) * 1000)
    selects = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    bare = {sql: _bare(sql, 1) for sql in selects}
    main = max(bare, key=bare.get, default="")
    bare_ms = _bare(main, 5) if main else 0.0
    median = statistics.median(times)
    result = Result(
        page=page.label,
        role=role,
        url=url,
        status=response.status_code,
        queries=len(queries),
        median_ms=round(median, 1),
        p95_ms=round(_quantile(times, 0.95), 1),
        html_kb=round(len(body) / 1024, 1),
        bare_ms=round(bare_ms, 1),
        ratio=round(median / bare_ms, 1) if bare_ms else 0.0,
        main_query=main[:2000],
    )
    if not page.export:
        result.missed = [
            name
            for name, over in (
                ("queries", result.queries > targets["queries"]),
                ("time", result.median_ms > targets["median_ms"]),
                ("HTML", result.html_kb > targets["html_kb"]),
                ("ratio", result.ratio > targets["ratio"] and result.median_ms > targets["median_ms"]),
            )
            if over
        ]
    return result


def run(repeat: int = 20, only: str = "", say=print) -> list[Result]:
    ctx = context()
    results = []
    for page in PAGES:
        if only and only.lower() not in page.label.lower():
            continue
        for role in page.roles:
            result = measure(page, role, ctx, repeat)
            say(
                f"{page.label:42} {role:10} {result.status} {result.queries:3} q "
                f"{result.median_ms:8.1f} ms  p95 {result.p95_ms:8.1f}  {result.html_kb:8.1f} KB  "
                f"bare {result.bare_ms:7.1f} ms"
            )
            results.append(result)
    return results


def as_json(results: list[Result], meta: dict) -> dict:
    return {"meta": meta, "targets": TARGETS, "results": [asdict(r) for r in results]}


def as_markdown(results: list[Result], meta: dict) -> str:
    lines = [
        f"Measured {meta['when']} on {meta['machine']}, {meta['database']}, scale {meta['scale']} "
        f"({meta['sizes']}); {meta['repeat']} requests a page, in-process, DEBUG off.",
        "",
        "| page | role | queries | median ms | p95 ms | HTML KB | bare main query ms | page / bare | missed |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.page} | {r.role} | {r.queries} | {r.median_ms} | {r.p95_ms} | {r.html_kb} | {r.bare_ms} | "
            f"{r.ratio} | {', '.join(r.missed) or ('export' if r.page.startswith('export') else '—')} |"
        )
    lines += [
        "",
        f"Targets: at most {TARGETS['queries']} queries, median under {TARGETS['median_ms']} ms, under "
        f"{TARGETS['html_kb']} KB of HTML, within {TARGETS['ratio']}x of the bare main query "
        "(counted as missed only when the page is also over the time target). Exports run once.",
    ]
    return "\n".join(lines) + "\n"


def describe_database() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return connection.vendor
