"""Every filter and sort a list offers is served by an index (PostgreSQL).

For each filter and sort: the list's table has an index whose first columns
are the ones it filters or sorts on, and every query the list then runs on
that table, explained with sequential scans priced out of reach
(enable_seqscan off), reads it through an index: where none can serve a
query, PostgreSQL has to read the whole table anyway and the plan says "Seq
Scan". Which index the planner picks depends on the rows; at statewide
scale, `make bench` shows the time of each list's main query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import dataset
from coordination.models import User
from members.models import Agency
from tests.helpers import plans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="index use is PostgreSQL's plan"),
]

ACTIONS = "tasks_actionitem"
MEETINGS = "meetings_meeting"
MEMBERSHIPS = "members_membership"
NOTIFICATIONS = "coordination_notification"
INQUIRIES = "coordination_inquiry"

# (list, query string, table, the leading columns of an index that serves it)
CASES = [
    ("action_list", "", ACTIONS, ("coalition_id", "due_on")),
    ("action_list", "status=open", ACTIONS, ("coalition_id", "status", "due_on")),
    ("action_list", "status=blocked&sort=-due_on", ACTIONS, ("coalition_id", "status", "due_on")),
    ("action_list", "overdue=on", ACTIONS, ("coalition_id", "status", "due_on")),
    ("action_list", "silent=on", ACTIONS, ("coalition_id", "last_update_at")),
    ("action_list", "owner_agency={agency}", ACTIONS, ("owner_agency_id", "status")),
    ("action_list", "assignee={person}", ACTIONS, ("assignee_id",)),
    ("action_list", "committee={committee}", ACTIONS, ("committee_id",)),
    ("action_list", "response_area={area}", ACTIONS, ("response_area_id",)),
    ("action_list", "meeting={meeting}", ACTIONS, ("meeting_id",)),
    ("action_list", "due_after=2020-01-01&due_before=2020-03-01", ACTIONS, ("coalition_id", "due_on")),
    ("action_list", "sort=title", ACTIONS, ("coalition_id", "title")),
    ("action_list", "sort=-priority", ACTIONS, ("coalition_id", "priority")),
    ("action_list", "sort=-last_update_at", ACTIONS, ("coalition_id", "last_update_at")),
    ("action_list", "sort=status", ACTIONS, ("coalition_id", "status")),
    ("action_list", "sort=-created_at", ACTIONS, ("coalition_id", "created_at")),
    ("meeting_list", "", MEETINGS, ("coalition_id", "starts_at")),
    ("meeting_list", "year=2019", MEETINGS, ("coalition_id", "starts_at")),
    ("member_list", "", MEMBERSHIPS, ("coalition_id",)),
    ("member_list", "status=prospective", MEMBERSHIPS, ("coalition_id",)),
    ("notification_log", "", NOTIFICATIONS, ("coalition_id", "created_at")),
    ("notification_log", "status=failed", NOTIFICATIONS, ("coalition_id", "status", "created_at")),
    ("inquiries", "", INQUIRIES, ("coalition_id", "status", "created_at")),
    ("inquiries", "status=all", INQUIRIES, ("coalition_id", "created_at")),
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        dataset.build(0.002, say=lambda text: None)
    yield
    with django_db_blocker.unblock():
        dataset.wipe()


def _values() -> dict:
    organizer = User.objects.get(email=dataset.LOGINS["organizer"])
    coalition = organizer.coalition_roles.get().coalition
    agency = Agency.objects.of_coalition(coalition).first()
    return {
        "slug": coalition.slug,
        "agency": agency.pk,
        "person": agency.people.first().pk,
        "committee": coalition.committees.first().pk,
        "area": coalition.response_areas.first().pk,
        "meeting": coalition.action_items.exclude(meeting=None).first().meeting_id,
    }


def _indexed(table: str, columns: tuple[str, ...]) -> list[str]:
    """The indexes of the table whose first columns are these."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [name for name, c in constraints.items() if c["index"] and tuple(c["columns"][: len(columns)]) == columns]


@pytest.mark.parametrize(("name", "query", "table", "columns"), CASES, ids=[f"{c[0]}?{c[1]}" for c in CASES])
def test_each_filter_and_sort_of_a_list_is_served_by_an_index(world, client, name, query, table, columns):
    assert _indexed(table, columns), f"{table} has no index on {columns} for {name}?{query}"
    values = _values()
    client.force_login(User.objects.get(email=dataset.LOGINS["organizer"]))
    url = reverse(name, args=[values["slug"]]) + "?" + query.format(**values)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    touching = [
        q["sql"]
        for q in captured.captured_queries
        if f'FROM "{table}"' in q["sql"] and q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    assert touching, f"{url} ran no query on {table}"
    for sql in touching:
        plan = plans(sql)
        assert f"Seq Scan on {table}" not in plan, f"{url}\n{sql}\n{plan}"


def test_a_person_or_an_account_is_found_by_email_ignoring_case_through_an_index(world):
    """Every escalation, reply and invitation looks a person up by e-mail
    ignoring case (email__iexact): at 100,000 people, a scan of them all."""
    from members.models import Person

    for queryset, index in (
        (Person.objects.filter(email__iexact="Someone@Example.org"), "person_email_ci_idx"),
        (User.objects.filter(email__iexact="Someone@Example.org"), "user_email_ci_idx"),
    ):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
            cursor.execute("SET LOCAL enable_seqscan = on")
        assert f"Index Scan on {index}" in plan or f"Index Scan using {index}" in plan, plan
