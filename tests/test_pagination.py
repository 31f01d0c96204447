"""Every list page of Roundtable holds at most a page of rows, however many
there are: with more rows than a page holds it shows a page of them and a link
to the next, and its HTML stays the same size at twice the rows. The list
pages are tests/demo_urls.py's LIST_PAGES; each has a case here that grows
its list (bulk_create, so the test stays quick) and finds its rows."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from coordination.models import Notification, SecurityEvent
from coordination.tables import PER_PAGE
from meetings.models import AgendaItem, Attachment, Attendance, Meeting, Minutes
from members.coverage import AGENCIES_PER_PAGE, STALE_PER_PAGE
from members.models import Agency, AgencyRole, Membership, Person
from public_site.models import Inquiry
from reports.models import Activity
from tasks.models import ActionItem
from tasks.pages import SHOWN as ACTIONS_SHOWN
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

from .demo_urls import LIST_PAGES

pytestmark = pytest.mark.django_db

# No page of a list is larger than this, whatever the list.
MAX_HTML = 200_000
SERIAL = count()


def _agencies(world, n: int, **membership) -> list[Agency]:
    """n active member agencies of the home coalition, "Paged agency NNNN"."""
    agencies = Agency.objects.bulk_create(
        Agency(name=f"Paged agency {next(SERIAL):04}", sector="victim_services") for _ in range(n)
    )
    Membership.objects.bulk_create(
        Membership(agency=agency, coalition=world.home, status=Membership.Status.ACTIVE, **membership)
        for agency in agencies
    )
    return agencies


def _meeting(world, title="The paged meeting", days_ago=3, **fields) -> Meeting:
    meeting, _ = Meeting.objects.get_or_create(
        coalition=world.home,
        title=title,
        defaults={
            "starts_at": timezone.now() - timedelta(days=days_ago),
            "ends_at": timezone.now() - timedelta(days=days_ago, hours=-2),
            "status": Meeting.Status.HELD,
            **fields,
        },
    )
    return meeting


def _guests(meeting, n: int) -> None:
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, guest_name=f"Paged guest {next(SERIAL):04}", status=Attendance.Status.GUEST)
        for _ in range(n)
    )


def _items(world, n: int, **fields) -> None:
    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.home,
            title=f"Paged action {next(SERIAL):04}",
            owner_agency=world.member_agency,
            due_on=timezone.localdate() - timedelta(days=1),
            **fields,
        )
        for _ in range(n)
    )


def _archive(world, n: int) -> None:
    last_year = timezone.localdate().year - 1
    start = timezone.make_aware(timezone.datetime(last_year, 3, 1, 18))
    Meeting.objects.bulk_create(
        Meeting(
            coalition=world.home,
            title=f"Paged meeting {next(SERIAL):04}",
            starts_at=start + timedelta(hours=i),
            ends_at=start + timedelta(hours=i, minutes=30),
            status=Meeting.Status.HELD,
        )
        for i in range(n)
    )


def _attachments(world, n: int) -> None:
    minutes, _ = Minutes.objects.get_or_create(meeting=_meeting(world))
    Attachment.objects.bulk_create(
        Attachment(
            minutes=minutes,
            file=f"minutes/paged-{i}.txt",
            name=f"Paged file {i:04}.txt",
            size=10,
            content_type="text/plain",
            sha256=f"{i:064d}",
        )
        for i in (next(SERIAL) for _ in range(n))
    )


def _stale_roles(world, n: int) -> None:
    area = world.home.response_areas.first()
    AgencyRole.objects.bulk_create(
        AgencyRole(agency=agency, response_area=area, description="Paged role", confirmed_at=None)
        for agency in _agencies(world, n)
    )


def _attended(world, n: int) -> None:
    """n agencies, each present at a general meeting held last year."""
    meeting = _meeting(world, "Last year's general meeting", days_ago=365)
    agencies = _agencies(world, n, joined_on=date(2000, 1, 1))
    people = Person.objects.bulk_create(
        Person(agency=agency, full_name=f"Person of {agency.name}", email=f"p{agency.pk}@example.org")
        for agency in agencies
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, person=person, agency=person.agency, status=Attendance.Status.PRESENT)
        for person in people
    )


def _activities(world, n: int) -> None:
    Activity.objects.bulk_create(
        Activity(
            coalition=world.home,
            title=f"Paged activity {next(SERIAL):04}",
            kind=Activity.Kind.PROFESSIONAL_TRAINING,
            held_on=timezone.localdate() - timedelta(days=30),
            audience=Activity.Audience.LAW_ENFORCEMENT,
            people_reached=20,
        )
        for _ in range(n)
    )


def _security_lines(world, n: int) -> None:
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind="contact_export", coalition=world.home, identifier=f"paged{next(SERIAL):04}@example.org")
        for _ in range(n)
    )


def _tokens(world, n: int) -> None:
    ApiToken.objects.bulk_create(
        ApiToken(
            user=world.member,
            name=f"paged{next(SERIAL):04}",
            key_hash=f"{next(SERIAL):064}",
            expires_at=timezone.now() + timedelta(days=1),
        )
        for _ in range(n)
    )


def _endpoints(world, n: int) -> None:
    WebhookEndpoint.objects.bulk_create(
        WebhookEndpoint(
            coalition=world.home, url=f"https://h{next(SERIAL)}.example.org/", description=f"paged{next(SERIAL):04}"
        )
        for _ in range(n)
    )


def _endpoint(world) -> WebhookEndpoint:
    return WebhookEndpoint.objects.get_or_create(coalition=world.home, url="https://hooks.example.org/")[0]


def _deliveries(world, n: int) -> None:
    events = WebhookEvent.objects.bulk_create(
        WebhookEvent(coalition=world.home, name="webhook.test", payload={}) for _ in range(n)
    )
    WebhookDelivery.objects.bulk_create(WebhookDelivery(endpoint=_endpoint(world), event=event) for event in events)


def _notifications(world, n: int) -> None:
    Notification.objects.bulk_create(
        Notification(
            kind="action_digest", object_id=i, email=f"paged{next(SERIAL):04}@example.org", coalition=world.home
        )
        for i in range(n)
    )


def _inquiries(world, n: int) -> None:
    Inquiry.objects.bulk_create(
        Inquiry(
            coalition=world.home,
            name=f"Paged sender {i:04}",
            email=f"sender{i}@example.org",
            message="Is there a training for hotel staff this spring?",
            source=f"{i:064d}",
        )
        for i in (next(SERIAL) for _ in range(n))
    )


def _findings(world, n: int) -> None:
    """Action items with a handle each, read by the archive scan."""
    from coordination import stored_text

    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.home,
            title="Paged finding",
            description=f"Her IG is @paged{next(SERIAL):04}.",
            owner_agency=world.member_agency,
            due_on=timezone.localdate(),
        )
        for _ in range(n)
    )
    stored_text.scan(world.home)


@dataclass
class Case:
    url: Callable  # world -> the page's address
    grow: Callable  # (world, n) -> adds n rows to its list
    row: str  # a pattern each row of the list matches once
    per_page: int
    next_page: str  # the pattern of the link to the next page (or to the rest)


def _home(name: str, query: str = "") -> Callable:
    return lambda world: reverse(name, args=[world.home.slug]) + query


def _of_meeting(name: str, query: str = "") -> Callable:
    return lambda world: reverse(name, args=[_meeting(world).pk]) + query


CASES = {
    "member_list": Case(_home("member_list"), _agencies, r">Paged agency \d+<", PER_PAGE, r"\?page=2"),
    "coverage": Case(
        _home("coverage"), _agencies, r"rt-matrix-agency\"><a [^>]*>Paged agency \d+<", AGENCIES_PER_PAGE, r"page=2"
    ),
    "coverage:stale": Case(_home("coverage"), _stale_roles, r">Paged agency \d+</a>: ", STALE_PER_PAGE, r"stale=2"),
    "meeting_list": Case(
        lambda w: reverse("meeting_list", args=[w.home.slug]) + f"?year={timezone.localdate().year - 1}",
        _archive,
        r">Paged meeting \d+<",
        PER_PAGE,
        r"page=2",
    ),
    "meeting": Case(
        _of_meeting("meeting"),
        lambda w, n: AgendaItem.objects.bulk_create(
            AgendaItem(meeting=_meeting(w), title=f"Paged item {next(SERIAL):04}", position=i) for i in range(n)
        ),
        r"<strong>Paged item \d+</strong>",
        50,
        r"agenda=2",
    ),
    "meeting:invitations": Case(
        _of_meeting("meeting"), lambda w, n: _guests(_meeting(w), n), r"<li>Paged guest \d+", 50, r"invited=2"
    ),
    "meeting:attachments": Case(_of_meeting("meeting"), _attachments, r">Paged file \d+\.txt<", 50, r"files=2"),
    "meeting:actions": Case(
        _of_meeting("meeting"),
        lambda w, n: _items(w, n, meeting=_meeting(w)),
        r">Paged action \d+<",
        ACTIONS_SHOWN,
        r"scope=all&amp;meeting=\d+",
    ),
    "meeting:carried": Case(
        _of_meeting("meeting"),
        lambda w, n: _items(w, n, meeting=_meeting(w, "An earlier meeting", days_ago=40)),
        r">Paged action \d+<",
        ACTIONS_SHOWN,
        r"scope=all&amp;carried_to=\d+",
    ),
    "attendance": Case(
        _of_meeting("attendance"),
        lambda w, n: _guests(_meeting(w), n),
        r"<td>Paged guest \d+</td>",
        PER_PAGE,
        r"page=2",
    ),
    "action_list": Case(_home("action_list", "?scope=all"), _items, r">Paged action \d+<", PER_PAGE, r"page=2"),
    "activity_list": Case(_home("activity_list"), _activities, r">Paged activity \d+<", PER_PAGE, r"page=2"),
    "inquiries": Case(_home("inquiries"), _inquiries, r'<h2 class="h6 mb-1">Paged sender \d+ ', PER_PAGE, r"page=2"),
    "inquiries:all": Case(
        _home("inquiries", "?status=all"),
        _inquiries,
        r'<h2 class="h6 mb-1">Paged sender \d+ ',
        PER_PAGE,
        r"status=all&amp;page=2",
    ),
    "notification_log": Case(_home("notification_log"), _notifications, r">paged\d+@example.org<", PER_PAGE, r"page=2"),
    "security_log": Case(_home("security_log"), _security_lines, r">paged\d+@example.org<", PER_PAGE, r"page=2"),
    "coalition_tokens": Case(_home("coalition_tokens"), _tokens, r">paged\d+<", PER_PAGE, r"page=2"),
    "webhooks": Case(_home("webhooks"), _endpoints, r">paged\d+<", PER_PAGE, r"page=2"),
    "webhook": Case(
        lambda world: reverse("webhook", args=[world.home.slug, _endpoint(world).pk]),
        _deliveries,
        r">msg_[0-9a-f]{32}<",
        PER_PAGE,
        r"page=2",
    ),
    "privacy_review": Case(_home("privacy_review"), _findings, r"found: </span>@?paged\d+</mark>", 25, r"page=2"),
    "report": Case(
        _home("report"),
        lambda w, n: _agencies(w, n, joined_on=date(2000, 1, 1)),
        r'<th scope="row" class="fw-normal">Paged agency \d+</th>',
        PER_PAGE,
        r"attendance-by-agency=2",
    ),
    "engagement": Case(
        _home("engagement"),
        _attended,
        r'<th scope="row" class="fw-normal">Paged agency \d+</th>',
        PER_PAGE,
        r"meetings-attended-by-agency-and-year=2",
    ),
}

# List pages that do not page yet, each with its reason: the test fails when
# one starts to, so that it moves to CASES.
NOT_YET = {
    "review_board": "shows each group's count, its first rows and a link to the rest (tasks/services.py): "
    "covered by tests/tasks",
}


def test_every_list_page_has_a_case():
    names = {name.split(":")[0] for name in CASES} | set(NOT_YET)
    assert names == set(LIST_PAGES)


def _page(world, case: Case) -> str:
    response = world.client_for(world.organizer).get(case.url(world))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_list_shows_a_page_of_its_rows_and_a_link_to_the_next(world, name):
    case = CASES[name]
    case.grow(world, case.per_page + 5)
    html = _page(world, case)
    rows = len(re.findall(case.row, html))
    assert 0 < rows <= case.per_page, f"{name}: {rows} rows on a page of {case.per_page}"
    assert re.search(case.next_page, html), f"{name}: no link to the next page"
    assert len(html) < MAX_HTML

    case.grow(world, case.per_page + 5)  # twice the rows: the same page
    again = _page(world, case)
    assert len(re.findall(case.row, again)) == rows
    assert len(again) < len(html) * 1.1 + 2_000, f"{name}: the page grew with its rows"
