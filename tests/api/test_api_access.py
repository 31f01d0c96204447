"""Who may call what in the API: every endpoint and method, as every kind of
user, each with a personal token that may write (anon sends none), against
the demo coalitions; the answer each must get is written down as a table, as
the pages' matrix (tests/test_access_matrix.py) does for the site.

The roles and the ":restricted" and ":shared" rows mean what they mean there.
Writes are sent with an empty body: 400 says the change was allowed and its
form asked for its fields; 403 refused with a reason; 404 nothing there for
this user (a restricted committee's things are 404, exactly as a missing id);
401 no token. A new endpoint or method without a row fails
`test_every_endpoint_and_method_has_a_row`."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api import tokens
from coordination.models import Coalition, Committee
from meetings.models import Meeting, Minutes
from members.models import Agency
from reports.models import Activity
from tasks.models import ActionItem
from tests.demo_urls import ROLES, build_world

# fmt: off
# endpoint                       method  anon mem_a  cmte mem_b shared org_x org_y lead_x
EXPECTED = """
action                           GET     401   404   404   404   404   200   404   200
action                           PATCH   401   404   404   404   404   200   404   200
action:restricted                GET     401   404   200   404   404   200   404   404
action:restricted                PATCH   401   404   403   404   404   200   404   404
action:sheriff                   GET     401   200   200   404   404   200   404   200
action:sheriff                   PATCH   401   403   403   404   404   200   404   200
action_updates                   GET     401   404   404   404   404   200   404   200
action_updates                   POST    401   404   404   404   404   400   404   400
action_updates:sheriff           GET     401   200   200   404   404   200   404   200
action_updates:sheriff           POST    401   400   400   404   404   400   404   400
actions                          GET     401   200   200   404   200   200   404   200
actions                          POST    401   403   403   404   403   400   404   400
activities                       GET     401   200   200   404   200   200   404   200
activity                         GET     401   200   200   404   200   200   404   200
agencies                         GET     401   200   200   404   200   200   404   200
agency                           GET     401   200   200   404   200   200   404   200
agency:shared                    GET     401   200   200   200   200   200   200   200
coalition                        GET     401   200   200   404   200   200   404   200
coalitions                       GET     401   200   200   200   200   200   200   200
committee                        GET     401   200   200   404   200   200   404   200
committee:restricted             GET     401   404   200   404   404   200   404   404
committees                       GET     401   200   200   404   200   200   404   200
docs                             GET     200   200   200   200   200   200   200   200
me                               GET     401   200   200   200   200   200   200   200
meeting                          GET     401   200   200   404   200   200   404   200
meeting:restricted               GET     401   404   200   404   404   200   404   404
meetings                         GET     401   200   200   404   200   200   404   200
meetings                         POST    401   403   403   404   403   400   404   403
minutes                          GET     401   200   200   404   200   200   404   200
minutes:restricted               GET     401   404   200   404   404   200   404   404
role                             GET     401   200   200   404   200   200   404   200
role                             PATCH   401   200   200   404   403   200   404   403
role_confirm                     POST    401   200   200   404   403   200   404   403
schema                           GET     200   200   200   200   200   200   200   200
"""
# fmt: on


def expected() -> dict[tuple[str, str], dict[str, int]]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        name, method, *codes = line.split()
        assert len(codes) == len(ROLES), f"row {name} {method} has {len(codes)} columns"
        table[name, method] = dict(zip(ROLES, map(int, codes), strict=True))
    return table


def endpoint_arguments() -> dict[str, list]:
    shasta = Coalition.objects.get(slug="shasta")
    sheriff = Agency.objects.get(name="Shasta County Sheriff's Office")
    chp = Agency.objects.get(name="California Highway Patrol, Northern Division")
    restricted = Committee.objects.get(coalition=shasta, visibility=Committee.Visibility.RESTRICTED)
    approved = Minutes.objects.filter(meeting__coalition=shasta, status=Minutes.Status.APPROVED)
    meeting = approved.filter(meeting__committee=None).first().meeting
    secret_meeting = Meeting.objects.filter(committee=restricted).order_by("-starts_at").first()
    Minutes.objects.update_or_create(
        meeting=secret_meeting, defaults={"body": "Notes.", "status": Minutes.Status.APPROVED}
    )
    items = ActionItem.objects.filter(coalition=shasta, committee=None)
    other_agency_item = items.exclude(owner_agency=sheriff).first()
    sheriff_item = items.filter(owner_agency=sheriff).first()
    secret_item = ActionItem.objects.filter(committee=restricted).first()
    return {
        "me": [],
        "coalitions": [],
        "coalition": [shasta.slug],
        "committees": [shasta.slug],
        "agencies": [shasta.slug],
        "meetings": [shasta.slug],
        "actions": [shasta.slug],
        "activities": [shasta.slug],
        "committee": [shasta.committees.exclude(pk=restricted.pk).filter(visibility="open").first().pk],
        "committee:restricted": [restricted.pk],
        "agency": [sheriff.pk],
        "agency:shared": [chp.pk],
        "role": [sheriff.roles.first().pk],
        "role_confirm": [sheriff.roles.first().pk],
        "meeting": [meeting.pk],
        "meeting:restricted": [secret_meeting.pk],
        "minutes": [meeting.pk],
        "minutes:restricted": [secret_meeting.pk],
        "action": [other_agency_item.pk],
        "action:sheriff": [sheriff_item.pk],
        "action:restricted": [secret_item.pk],
        "action_updates": [other_agency_item.pk],
        "action_updates:sheriff": [sheriff_item.pk],
        "activity": [Activity.objects.filter(coalition=shasta).first().pk],
        "schema": [],
        "docs": [],
    }


def api_endpoints() -> set[tuple[str, str]]:
    """Every endpoint of the api namespace with each method its view answers."""

    def walk(patterns, inside=False):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, inside or pattern.namespace == "api")
            elif isinstance(pattern, URLPattern) and inside and pattern.name:
                view = pattern.callback.cls
                methods = {m.upper() for m in view.http_method_names if hasattr(view, m)} - {"OPTIONS", "HEAD"}
                yield from ((pattern.name, method) for method in methods)

    return set(walk(get_resolver().url_patterns))


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        world = build_world()
        secrets = {
            role: tokens.issue(user, name="matrix", scope="write", days=30)[1] for role, user in world["users"].items()
        }
        urls = {name: reverse(f"api:{name.split(':')[0]}", args=args) for name, args in endpoint_arguments().items()}
        yield {"secrets": secrets, "urls": urls}
        call_command("flush", interactive=False, verbosity=0)


def status_of(matrix, name: str, method: str, role: str) -> int:
    client = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {matrix['secrets'][role]}"} if role != "anon" else {}
    call = getattr(client, method.lower())
    if method == "GET":
        return call(matrix["urls"][name], headers=headers).status_code
    return call(matrix["urls"][name], data={}, content_type="application/json", headers=headers).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method"), sorted(expected()))
def test_api_access(matrix, name, method, role):
    assert status_of(matrix, name, method, role) == expected()[name, method][role]


def test_every_endpoint_and_method_has_a_row(matrix):
    assert {(name.split(":")[0], method) for name, method in expected()} == api_endpoints()
    assert {name for name, _ in expected()} == set(matrix["urls"])
