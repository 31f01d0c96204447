"""No input makes a 500. Every page of Roundtable, for an organizer, an agency
member and a visitor, is sent hostile values in every query parameter a page
reads (its own, its filters', its table's), a few chosen by hand and more
made up by Hypothesis, and every field of every form it shows is posted back
with hostile values; each answer must be a page, a redirect or a 4xx.

The table of path arguments below must name every URL pattern: a new page
without an entry fails the test, so it cannot go unfuzzed."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_filters import FilterSet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordination.models import Coalition, User
from meetings import invitations
from meetings.models import AgendaItem, Attachment, Attendance, Meeting, MeetingSeries
from members import notices as member_notices
from members.email_settings import SALT as SETTINGS_SALT
from members.models import Agency, Membership, Person
from public_site.models import GuideStep
from reports.models import Activity
from tasks.models import ActionItem

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
    "2025-02-30",
    "[]",
    "x" * 3000,
]
# What pages read besides their FilterSets: search, archive year, exports,
# scopes, report periods, the coalition picker, the tables' sorting and pages.
PAGE_PARAMETERS = {"q", "year", "_export", "scope", "status", "coalition", "start", "end", "sort", "page", "per_page"}


def filter_parameters() -> set[str]:
    names: set[str] = set()
    stack = list(FilterSet.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"coordination", "members", "meetings", "tasks", "reports"}:
            names |= set(cls.base_filters)
    return names


def url_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def path_arguments() -> dict[str, list]:
    """The arguments of every URL pattern, from the demo coalition."""
    shasta = Coalition.objects.get(slug="shasta")
    sheriff = Agency.objects.get(name="Shasta County Sheriff's Office")
    person = sheriff.people.first()
    unlinked = Person.objects.filter(agency__in=Agency.objects.of_coalition(shasta), user=None).first()
    membership = Membership.objects.filter(coalition=shasta, agency=sheriff).first()
    meeting = Meeting.objects.filter(coalition=shasta, minutes__isnull=False).order_by("-starts_at").first()
    item = AgendaItem.objects.filter(meeting__coalition=shasta).first()
    attendance = Attendance.objects.filter(meeting__coalition=shasta, person__isnull=False).first()
    attachment = Attachment.objects.first()
    user = User.objects.get(email="member@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    from django.core import signing

    return {
        "home": [],
        "login": [],
        "logout": [],
        "password_change": [],
        "password_change_done": [],
        "password_reset": [],
        "password_reset_done": [],
        "password_reset_confirm": [uid, token],
        "password_reset_complete": [],
        "invitation_accept": [uid, token],
        "switch_coalition": [],
        "coalition": [shasta.slug],
        "notification_log": [shasta.slug],
        "invite": [shasta.slug],
        "committee_create": [shasta.slug],
        "committee": [shasta.slug, shasta.committees.first().slug],
        "committee_edit": [shasta.slug, shasta.committees.first().slug],
        "member_list": [shasta.slug],
        "member_add": [shasta.slug],
        "coverage": [shasta.slug],
        "response_areas": [shasta.slug],
        "response_area_edit": [shasta.slug, shasta.response_areas.first().pk],
        "agency": [sheriff.pk],
        "agency_edit": [sheriff.pk],
        "agency_confirm": [sheriff.pk],
        "role_add": [sheriff.pk],
        "role_edit": [sheriff.pk, sheriff.roles.first().pk],
        "person_add": [sheriff.pk],
        "person_edit": [sheriff.pk, person.pk],
        "person_invite": [unlinked.agency_id, unlinked.pk],
        "membership_edit": [membership.pk],
        "confirm_by_link": [member_notices.confirm_token(membership)],
        "meeting_list": [shasta.slug],
        "meeting_create": [shasta.slug],
        "meeting_search": [shasta.slug],
        "series_create": [shasta.slug],
        "series_edit": [shasta.slug, MeetingSeries.objects.filter(coalition=shasta).first().pk],
        "meeting": [meeting.pk],
        "meeting_edit": [meeting.pk],
        "meeting_cancel": [meeting.pk],
        "agenda": [item.meeting_id],
        "agenda_item": [item.meeting_id, item.pk],
        "attendance": [meeting.pk],
        "rsvp": [meeting.pk],
        "minutes_edit": [meeting.pk],
        "minutes_approve": [meeting.pk],
        "meeting_ics": [meeting.pk],
        "attachment_upload": [meeting.pk],
        "attachment": [attachment.pk if attachment else 999999],
        "rsvp_link": [invitations.rsvp_token(attendance)],
        "reminder_settings": [signing.dumps(person.pk, salt=SETTINGS_SALT)],
        "calendar_settings": [],
        "calendar_feed": [user.reset_calendar_token()],
        "action_list": [shasta.slug],
        "action_create": [shasta.slug],
        "review_board": [shasta.slug],
        "meeting_actions": [meeting.pk],
        "action": [ActionItem.objects.filter(coalition=shasta).first().pk],
        "action_edit": [ActionItem.objects.filter(coalition=shasta).first().pk],
        "activity_list": [shasta.slug],
        "activity_create": [shasta.slug],
        "activity_edit": [shasta.slug, Activity.objects.filter(coalition=shasta).first().pk],
        "activity_delete": [shasta.slug, Activity.objects.filter(coalition=shasta).first().pk],
        "report": [shasta.slug],
        "engagement": [shasta.slug],
        "inquiries": [shasta.slug],
        "guide_edit": [shasta.slug],
        "guide_step_edit": [shasta.slug, GuideStep.objects.filter(coalition=shasta).first().pk],
        "public_coalition": [shasta.slug],
        "public_guide": [shasta.slug],
        "public_directory": [shasta.slug],
        "public_contact": [shasta.slug],
        "dashboard": [],
        "healthz": [],
    }


@pytest.fixture(scope="module")
def demo_urls(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        arguments = path_arguments()
        yield {name: reverse(name, args=args) for name, args in arguments.items() if name != "logout"}
        call_command("flush", interactive=False, verbosity=0)


def clients() -> dict[str, Client]:
    made = {"visitor": Client(raise_request_exception=False)}
    for role, email in (("organizer", "organizer@example.org"), ("member", "member@example.org")):
        made[role] = Client(raise_request_exception=False)
        made[role].force_login(User.objects.get(email=email))
    return made


def server_errors(urls: dict[str, str], value: str, parameters: set[str]) -> list[str]:
    failures = []
    query = dict.fromkeys(parameters, value)
    for role, client in clients().items():
        for name, url in urls.items():
            response = client.get(url, query)
            if response.status_code >= 500:
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
            if response.status_code >= 500:
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
