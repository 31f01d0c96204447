"""No input makes a 500. Every page of Roundtable, for an organizer, an agency
member and a visitor, is sent hostile values in every query parameter a page
reads (its own, its filters', its table's), a few chosen by hand and more
made up by Hypothesis, and every field of every form it shows is posted back
with hostile values; each answer must be a page, a redirect or a 4xx.

The table of path arguments (tests/demo_urls.py) must name every URL pattern:
a new page without an entry fails the test, so it cannot go unfuzzed."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_filters import FilterSet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordination.models import Coalition, User
from reports.annual import annual_report
from reports.common import default_period
from reports.engagement import engagement

from .demo_urls import LIST_PAGES, path_arguments, url_names

HOSTILE = [
    "",
    "0",
    "-5",
    "99999999999999999999",
    "1e309",
    "nan",
    "\x00",
    "\x02\x1b",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "２０２５",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",  # Arabic-Indic digits, which int() reads
    "2025-02-30",
    "[]",
    "x" * 3000,
]
# What pages read besides their FilterSets: search, archive year, exports,
# scopes, report periods, the coalition picker, the tables' sorting and pages,
# and the pages of the lists that share a page: a meeting's agenda, invitations
# and attachments, the minutes' part and page, the coverage's stale roles. (The
# report's tables turn their pages by their own slugs: report_parameters().)
PAGE_PARAMETERS = {
    "q",
    "year",
    "_export",
    "scope",
    "status",
    "coalition",
    "start",
    "end",
    "sort",
    "page",
    "per_page",
    "agenda",
    "invited",
    "story",
    "files",
    "part",
    "stale",
    "sent",
    "next",
}

# How the apps read a query parameter: request.GET.get("name"), "name" in
# request.GET, and a list's page (coordination/paging.py) by its parameter.
_NESTED = r"(?:[^()]|\((?:[^()]|\([^()]*\))*\))*?"
READS = (
    re.compile(r'request\.GET(?:\.get\(|\[)"([\w-]+)"'),
    re.compile(r'"([\w-]+)" (?:not )?in request\.GET'),
    re.compile(rf'\b(?:slice_of|slice_list|page_number)\({_NESTED}\brequest,\s*"([\w-]+)"', re.S),
)
APPS = ("coordination", "members", "meetings", "tasks", "reports", "public_site", "dashboard")


def parameters_read(patterns=READS) -> set[str]:
    """Every query parameter named in the apps' code (as `patterns` find them)."""
    root = Path(__file__).resolve().parent.parent
    names: set[str] = set()
    for app in APPS:
        for source in (root / app).rglob("*.py"):
            text = source.read_text()
            for pattern in patterns:
                names |= set(pattern.findall(text))
    return names


def report_parameters() -> set[str]:
    """The parameters that turn the pages of the demo's reports' tables (?attendance-by-agency=2)."""
    shasta = Coalition.objects.get(slug="shasta")
    start, end = default_period(timezone.localdate())
    reports = (annual_report(shasta, start, end), engagement(shasta))
    return {table.slug for report in reports for section in report.sections for table in section.tables}


def filter_parameters() -> set[str]:
    names: set[str] = set()
    stack = list(FilterSet.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"coordination", "members", "meetings", "tasks", "reports"}:
            names |= set(cls.base_filters)
    return names


@pytest.fixture(scope="module")
def demo_urls(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        arguments = path_arguments()
        # The report tables' parameters are read once the demo's reports exist.
        PAGE_PARAMETERS.update(report_parameters())
        yield {name: reverse(name, args=args) for name, args in arguments.items() if name != "logout"}
        call_command("flush", interactive=False, verbosity=0)


def clients() -> dict[str, Client]:
    made = {"visitor": Client(raise_request_exception=False)}
    for role, email in (("organizer", "organizer@example.org"), ("member", "member@example.org")):
        made[role] = Client(raise_request_exception=False)
        made[role].force_login(User.objects.get(email=email))
    return made


# /readyz answers 503 when the deployment is not ready (here: no worker runs): its
# answer, not a failure. Every other 5xx is a server error.
NOT_READY = {"readyz": 503}


def failed(name: str, response) -> bool:
    return response.status_code >= 500 and NOT_READY.get(name) != response.status_code


def server_errors(urls: dict[str, str], value: str, parameters: set[str]) -> list[str]:
    failures = []
    query = dict.fromkeys(parameters, value)
    for role, client in clients().items():
        for name, url in urls.items():
            response = client.get(url, query)
            if failed(name, response):
                failures.append(f"{role} GET {name} with {value[:20]!r}: {response.status_code}")
    return failures


FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
POSTED = ["", "-5", "99999999999999999999", "\x00", "<script>alert(1)</script>", "x" * 3000, "２０２５-13-45"]


def form_fields(client: Client, url: str) -> set[str]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return set()
    return set(FIELD_NAME.findall(response.content.decode())) - {"csrfmiddlewaretoken"}


@pytest.mark.django_db
@pytest.mark.parametrize("value", POSTED, ids=range(len(POSTED)))
def test_no_hostile_form_value_makes_a_server_error(demo_urls, value):
    """Every field of every form a page shows, all set to one hostile value."""
    failures = []
    for role, client in clients().items():
        for name, url in demo_urls.items():
            fields = form_fields(client, url)
            response = client.post(url, dict.fromkeys(fields, value))
            if failed(name, response):
                failures.append(f"{role} POST {name} with {value[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_every_url_pattern_is_in_the_fuzz_table(demo_urls):
    assert url_names() - {"logout"} == set(demo_urls)


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_no_hostile_query_value_makes_a_server_error(demo_urls, value):
    failures = server_errors(demo_urls, value, PAGE_PARAMETERS | filter_parameters())
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=40))
def test_no_made_up_query_value_makes_a_server_error(demo_urls, value):
    failures = server_errors(demo_urls, value, PAGE_PARAMETERS | filter_parameters())
    assert not failures, "\n".join(failures)


def test_every_parameter_a_page_reads_is_fuzzed(demo_urls):
    """A page that starts reading a new parameter (a new list's pages, say)
    fails here until the parameter is in PAGE_PARAMETERS or a FilterSet."""
    read = parameters_read()
    assert {"page", "agenda", "invited", "files", "part", "stale", "status"} <= read  # the patterns still find them
    unfuzzed = read - PAGE_PARAMETERS - filter_parameters()
    assert not unfuzzed, f"add to PAGE_PARAMETERS: {sorted(unfuzzed)}"
    assert "attendance-by-agency" in PAGE_PARAMETERS  # a report table's pages


# The pages whose lists turn pages, as their readers reach them: the minutes'
# pages with a part that exists (with all parameters hostile, the part never is).
PAGED = (*LIST_PAGES, "minutes_read")
PARTS = ("", "?part=body", "?part=decisions")


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_no_hostile_page_number_makes_a_server_error(demo_urls, value):
    """Every list's page parameter alone hostile, the rest of the address sound,
    so the page gets as far as turning its lists' pages."""
    numbers = parameters_read(READS[2:]) | report_parameters()
    failures = []
    for role in ("organizer", "member"):
        client = clients()[role]
        for name in PAGED:
            for part in PARTS if name == "minutes_read" else ("",):
                response = client.get(demo_urls[name] + part, dict.fromkeys(numbers, value))
                if failed(name, response):
                    failures.append(f"{role} GET {name}{part} with {value[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_no_page_repeats_an_element_id(demo_urls):
    """Two forms on a page with a field of the same name give two elements one
    id: the second label then names the first field, and a screen reader or
    a click on it lands in the wrong form. Every page, as organizer and member."""
    from collections import Counter

    repeated = []
    for role, client in clients().items():
        if role == "visitor":
            continue
        for name, url in demo_urls.items():
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            ids = Counter(re.findall(r'\sid="([^"]+)"', response.content.decode()))
            if twice := sorted(i for i, n in ids.items() if n > 1):
                repeated.append(f"{name} as {role}: {twice}")
    assert not repeated, "\n".join(repeated)


@pytest.mark.django_db
def test_every_form_that_posts_carries_its_csrf_token(demo_urls):
    """A form drawn by a template outside the page's own context (a table's
    cell) gets no token unless given the request, and the browser's POST is
    then refused: the test client does not check tokens, so this reads every
    page, as everyone, with a failed e-mail to resend and findings to review."""
    from django.urls import resolve

    from coordination.models import Coalition, Notification

    Notification.objects.create(
        kind="action_digest",
        object_id=1,
        email="failed@example.org",
        coalition=Coalition.objects.get(slug="shasta"),
        status=Notification.Status.FAILED,
    )
    missing = []
    for role, client in clients().items():
        for name, url in demo_urls.items():
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            if getattr(resolve(url.split("?")[0]).func, "csrf_exempt", False):
                continue  # a page that posts to itself without a token on purpose (RFC 8058's one click)
            forms = re.findall(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', response.content.decode(), re.S | re.I)
            if without := [form[:80] for form in forms if "csrfmiddlewaretoken" not in form]:
                missing.append(f"{name} as {role}: {without}")
    assert not missing, "\n".join(missing)


# The pages any cache may keep, for a visitor only (public_site's cached_for_the_public).
PUBLIC_PAGES = {
    "public_home",
    "public_coalition",
    "public_guide",
    "public_guide_embed",
    "public_events_feed",
    "public_directory",
}


@pytest.mark.django_db
def test_nothing_but_the_public_pages_may_be_kept_by_a_browser_or_a_proxy(demo_urls):
    """Signed-in pages, downloads, attachments, feeds and signed links' pages
    go out with no-store (a shared computer's back button, a proxy's cache);
    the public pages may be kept, for a visitor only."""
    kept, missing = set(), []
    for role, client in clients().items():
        for name, url in demo_urls.items():
            response = client.get(url)
            control = response.get("Cache-Control", "")
            if "public" in control:
                kept.add((role, name))
            elif "no-store" not in control:
                missing.append(f"{name} as {role}: {control!r}")
    assert not missing, "\n".join(missing)
    assert kept == {("visitor", name) for name in PUBLIC_PAGES}
