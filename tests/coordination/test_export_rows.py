"""The fast export rows (coordination.exports.table_rows) hold what
django-tables2's own BoundRow.get_cell_value gives, cell for cell, for every
table a list page exports: each list page of the demo coalitions is replayed
with ?_export=csv as an organizer and as an agency member, and the table it
hands over is read both ways."""

from datetime import timedelta

import django_tables2 as tables
import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django_tables2.rows import BoundRow
from django_tables2.utils import A

from api import tokens
from api.tables import TokenTable
from coordination.exports import replay_list, table_rows
from coordination.models import Coalition, Committee, User
from coordination.tables import NotificationTable, SecurityEventTable, StoredFindingTable, Table
from members.models import Agency
from tasks.models import ActionItem
from webhooks import delivery
from webhooks.models import WebhookEndpoint
from webhooks.tables import DeliveryTable, EndpointTable

from ..demo_urls import LIST_PAGES, demo_webhook, path_arguments

# Tables that no list page exports (the e-mail log is a page, not a download).
# (the privacy review's findings are not downloaded: their words in context must not leave Roundtable)
NOT_EXPORTED = {NotificationTable, StoredFindingTable, "EveryKindOfColumn"}
# Exported by organizers only (a member's export of them is refused).
ORGANIZERS_ONLY = {SecurityEventTable, TokenTable, EndpointTable, DeliveryTable}


def bound_row_values(table) -> list[list]:
    """The rows as table_rows gave them before it was made fast: a BoundRow per record."""
    columns = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
    rows = [[force_str(column.header, strings_only=True) for column in columns]]
    for record in table.data.data:
        row = BoundRow(record, table=table)
        rows.append([force_str(row.get_cell_value(column.name), strings_only=True) for column in columns])
    return rows


def every_table(cls=Table):
    for sub in cls.__subclasses__():
        yield sub
        yield from every_table(sub)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        shasta = Coalition.objects.get(slug="shasta")
        sheriff = Agency.objects.get(name="Shasta County Sheriff's Office")
        # The cells a demo may lack: no due date, no assignee, no meeting, a formula, a long past due date.
        ActionItem.objects.create(coalition=shasta, title="=cmd|' /C calc'!A0", owner_agency=sheriff)
        ActionItem.objects.create(
            coalition=shasta, title="Overdue", owner_agency=sheriff, due_on=timezone.localdate() - timedelta(days=40)
        )
        for person in sheriff.people.filter(user__isnull=False)[:3]:
            tokens.issue(person.user, name=f'=HYPERLINK("x") {person.pk}', scope="read", days=30)
        hook = demo_webhook(shasta)
        for number in range(3):
            WebhookEndpoint.objects.create(
                coalition=shasta, url=f"https://h{number}.example.org/", description=f"=cmd{number}", events=[]
            )
            delivery.send_test(hook, User.objects.get(email="organizer@example.org"))
        yield {name: reverse(name, args=path_arguments()[name]) for name in LIST_PAGES}
        call_command("flush", interactive=False, verbosity=0)


def exported_tables(urls: dict[str, str], user) -> list:
    """The table of every list page that answers ?_export=csv with a download."""
    client = Client()
    client.force_login(user)
    tables = []

    def keep(table):
        tables.append(table)
        return HttpResponse()

    for url in urls.values():
        if "attachment" not in client.get(url, {"_export": "csv"}).get("Content-Disposition", ""):
            continue
        path, _, query = url.partition("?")
        for extra in ("_export=csv&scope=all", "_export=csv&sort=-due_on", "_export=csv"):
            replay_list(user, path, "&".join(filter(None, [query, extra])), keep)
    return tables


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["organizer@example.org", "member@example.org"])
def test_fast_rows_equal_bound_row_values_for_every_exported_table(demo, email):
    tables = exported_tables(demo, User.objects.get(email=email))
    kinds = {type(table) for table in tables}
    listed = {table for table in every_table() if table not in NOT_EXPORTED and table.__name__ not in NOT_EXPORTED}
    if not email.startswith("organizer"):
        listed -= ORGANIZERS_ONLY
    assert kinds == listed, "a table is exported that this test does not read"
    for table in tables:
        expected = bound_row_values(table)
        assert len(expected) > 2, f"{type(table).__name__} has too few rows to prove anything"
        assert list(table_rows(table, chunk_size=7)) == expected, type(table).__name__


def test_the_replay_answers_what_the_table_handed_to_it_answers(demo, db):
    answer = HttpResponse("written")
    response = replay_list(
        User.objects.get(email="organizer@example.org"), demo["action_list"], "_export=xlsx", lambda table: answer
    )
    assert response is answer


class EveryKindOfColumn(Table):
    """Each way django-tables2 finds a cell's export value, on committees."""

    name = tables.Column(linkify=True)
    visibility = tables.Column()  # a field with choices: its display
    coalition_name = tables.Column(accessor="coalition__name")  # across a relation
    is_active = tables.BooleanColumn()  # the column's own value(record, value, bound_column)
    members = tables.ManyToManyColumn()  # empty ones are None
    charge = tables.TemplateColumn("{{ value|upper }} <b>{{ record.slug }}</b>")  # value(**kwargs), tags stripped
    page = tables.Column(accessor="get_absolute_url")  # a callable, called
    link = tables.LinkColumn("coalition", args=[A("coalition__slug")], text="open", accessor="no_such_thing")
    both = tables.Column(empty_values=(), accessor="pk")  # a value_ method taking the row and **kwargs
    odd = tables.Column(accessor="name")  # a value_ method asking for what no cell has: None
    slug = tables.Column()  # a render_ method and no value_

    def value_both(self, record, bound_row, **kwargs):
        return f"{record.pk}:{bound_row.record.slug}:{sorted(kwargs)}"

    def value_odd(self, value, missing):
        return "never"

    def render_slug(self, value, column):
        return f"{value} ({column.verbose_name})"


def test_fast_rows_equal_bound_row_values_for_every_kind_of_column(world):
    world.open_committee.charge = "Raise awareness"
    world.open_committee.save()
    table = EveryKindOfColumn(Committee.objects.select_related("coalition").order_by("pk"))
    expected = bound_row_values(table)
    cells = dict(zip(expected[0], zip(*expected[1:], strict=True), strict=False))
    assert None in cells["Members"] and any(cells["Members"]), "both an empty and a filled many-to-many"
    assert len(set(cells["Visibility"])) > 1 and set(cells["Visibility"]) <= set(Committee.Visibility.labels)
    assert list(table_rows(table, chunk_size=2)) == expected
