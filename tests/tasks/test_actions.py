"""Action items: who sees and changes what, the rules of updates, lists,
the review board, and adding items while writing the minutes."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.models import committee_or_none_filter
from meetings.models import Meeting
from tasks.models import ActionItem

from ..factories import AgencyFactory, MembershipFactory, PersonFactory, ResponseAreaFactory
from ..helpers import downloaded, downloaded_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(world):
    other_agency = AgencyFactory(name="Crisis Center")
    MembershipFactory(agency=other_agency, coalition=world.home)
    today = timezone.localdate()
    make = lambda title, agency, **kw: ActionItem.objects.create(  # noqa: E731
        coalition=world.home, title=title, owner_agency=agency, created_by=world.organizer, **kw
    )
    return {
        "mine": make(
            "Update the referral protocol",
            world.member_agency,
            due_on=today + timedelta(days=5),
            assignee=world.member.person,
        ),
        "overdue": make("Confirm the public number", world.member_agency, due_on=today - timedelta(days=9)),
        "theirs": make(
            "Map shelter beds",
            other_agency,
            due_on=today - timedelta(days=3),
            status="blocked",
            status_reason="Waiting for data",
        ),
        "secret": make("Plan the operation", world.member_agency, committee=world.restricted_committee),
        "other_coalition": ActionItem.objects.create(
            coalition=world.other, title="Other county item", owner_agency=world.other_member.person.agency
        ),
        "other_agency": other_agency,
    }


def test_member_sees_only_their_agencys_items_and_not_restricted_ones(world, items):
    client = world.client_for(world.member)
    html = client.get(reverse("action_list", args=[world.home.slug]), {"scope": "all"}).content.decode()
    assert "Update the referral protocol" in html and "Confirm the public number" in html
    assert "Map shelter beds" not in html and "Plan the operation" not in html and "Other county item" not in html
    assert client.get(items["theirs"].get_absolute_url()).status_code == 404
    assert client.get(items["secret"].get_absolute_url()).status_code == 404
    assert client.get(items["other_coalition"].get_absolute_url()).status_code == 404


def test_leads_and_organizers_see_all_but_restricted_committee_items(world, items):
    for user in (world.lead, world.organizer):
        html = world.client_for(user).get(reverse("action_list", args=[world.home.slug])).content.decode()
        assert "Map shelter beds" in html and "Update the referral protocol" in html
        assert "Other county item" not in html
    assert (
        "Plan the operation"
        in world.client_for(world.organizer).get(reverse("action_list", args=[world.home.slug])).content.decode()
    )
    assert world.client_for(world.lead).get(items["secret"].get_absolute_url()).status_code == 404


def test_an_organizer_sees_what_the_general_rule_gives_through_the_coalition_alone(world, items):
    """An organizer of every coalition they stand in, on no committee, is
    filtered by coalition alone (a count of a big list reads one index); the
    items are those the general rule gives. On a committee, or with standing
    elsewhere, the general rule applies."""
    from coordination import access
    from coordination.models import CoalitionRole, User
    from tasks.rules import action_item_filter

    from ..factories import CoalitionRoleFactory, CommitteeMemberFactory

    def general(user):
        return set(
            ActionItem.objects.filter(action_item_filter(user))
            .filter(committee_or_none_filter(user))
            .values_list("pk", flat=True)
        )

    def seen(user):
        user = User.objects.get(pk=user.pk)  # standing read afresh
        found = ActionItem.objects.visible_to(user)
        return set(found.values_list("pk", flat=True)), str(found.query)

    organizer = world.organizer
    pks, sql = seen(organizer)
    assert pks == general(organizer) and items["secret"].pk in pks and items["other_coalition"].pk not in pks
    assert "coordination_committee" not in sql

    CoalitionRoleFactory(user=organizer, coalition=world.other, role=CoalitionRole.Role.LEAD)
    pks, sql = seen(organizer)
    assert pks == general(User.objects.get(pk=organizer.pk)) and "coordination_committee" in sql
    assert items["other_coalition"].pk in pks

    lead = world.lead
    person = PersonFactory(agency=world.member_agency, user=lead)
    CommitteeMemberFactory(committee=world.restricted_committee, person=person)
    pks, sql = seen(lead)
    assert items["secret"].pk in pks and "coordination_committee" in sql
    assert access.standing(User.objects.get(pk=lead.pk)).organizer_of == frozenset()


def test_restricted_items_stay_out_of_exports_and_counts(world, items):
    response = world.client_for(world.lead).get(reverse("action_list", args=[world.home.slug]), {"_export": "csv"})
    titles = [row[0] for row in csv.reader(io.StringIO(downloaded_text(response)))][1:]
    assert "Plan the operation" not in titles and "Map shelter beds" in titles
    board = world.client_for(world.lead).get(reverse("review_board", args=[world.home.slug])).content.decode()
    assert "Plan the operation" not in board


def test_member_marks_their_item_in_progress_with_a_comment(world, items):
    client = world.client_for(world.member)
    response = client.post(
        items["mine"].get_absolute_url(),
        {"form": "update", "status": "in_progress", "comment": "Draft is with legal."},
        follow=True,
    )
    assert "Your update is recorded." in response.content.decode()
    item = items["mine"]
    item.refresh_from_db()
    assert item.status == "in_progress"
    update = item.updates.first()
    assert (update.author, update.old_status, update.new_status, update.comment) == (
        world.member,
        "open",
        "in_progress",
        "Draft is with legal.",
    )


def test_invalid_updates_are_refused_with_a_message_and_change_nothing(world, items):
    client = world.client_for(world.member)
    url = items["mine"].get_absolute_url()
    blocked = client.post(url, {"form": "update", "status": "blocked", "comment": ""})
    assert "Say why it is blocked or dropped" in blocked.content.decode()
    dropped = client.post(url, {"form": "update", "status": "dropped", "reason": "Not ours"})
    assert "Only a lead or an organizer can drop an item." in dropped.content.decode()
    client.post(url, {"form": "update", "status": "done", "comment": "Finished."})
    items["mine"].refresh_from_db()
    assert items["mine"].status == "done" and items["mine"].completed_at is not None
    closed = client.post(url, {"form": "update", "status": "open", "comment": "Reopen please"})
    assert "This item is closed." in closed.content.decode()
    items["mine"].refresh_from_db()
    assert items["mine"].status == "done"
    assert client.post(url, {"form": "manage", "owner_agency": items["other_agency"].pk}).status_code == 403


def test_member_cannot_update_another_agencys_item_even_by_guessing(world, items):
    # The item belongs to another agency of the same coalition: hidden, so 404.
    response = world.client_for(world.member).post(
        items["theirs"].get_absolute_url(), {"form": "update", "status": "done"}
    )
    assert response.status_code == 404
    items["theirs"].refresh_from_db()
    assert items["theirs"].status == "blocked"


def test_a_due_date_before_creation_is_refused(world, items):
    client = world.client_for(world.organizer)
    item = items["mine"]
    response = client.post(
        item.get_absolute_url(),
        {
            "form": "manage",
            "owner_agency": item.owner_agency.pk,
            "due_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
        },
    )
    assert "cannot be before the day the item was created" in response.content.decode()
    old_due = item.due_on
    item.refresh_from_db()
    assert item.due_on == old_due


def test_lead_reassigns_and_the_log_says_what_changed(world, items):
    person = PersonFactory(agency=items["other_agency"], full_name="Rosa Delgado")
    world.client_for(world.lead).post(
        items["overdue"].get_absolute_url(),
        {
            "form": "manage",
            "owner_agency": items["other_agency"].pk,
            "assignee": person.pk,
            "comment": "Rosa has the data.",
        },
    )
    item = items["overdue"]
    item.refresh_from_db()
    assert item.owner_agency == items["other_agency"] and item.assignee == person
    update = item.updates.first()
    assert "owning agency: Test Sheriff's Office → Crisis Center" in update.changes
    assert update.author == world.lead


def test_an_assignee_must_belong_to_the_owning_agency(world, items):
    outsider = PersonFactory(agency=items["other_agency"])
    response = world.client_for(world.organizer).post(
        reverse("action_create", args=[world.home.slug]),
        {"title": "Wrong person", "owner_agency": world.member_agency.pk, "assignee": outsider.pk, "priority": 2},
    )
    assert "Choose a person of Test Sheriff" in response.content.decode()
    assert not ActionItem.objects.filter(title="Wrong person").exists()


@pytest.mark.parametrize("role", ["lead", "organizer"])
def test_leads_and_organizers_add_items_members_cannot(world, role):
    client = world.client_for(getattr(world, role))
    client.post(
        reverse("action_create", args=[world.home.slug]),
        {"title": f"Item by {role}", "owner_agency": world.member_agency.pk, "priority": 2},
    )
    assert ActionItem.objects.filter(title=f"Item by {role}").exists()
    assert world.client_for(world.member).get(reverse("action_create", args=[world.home.slug])).status_code == 403
    assert world.client_for(world.member).get(reverse("review_board", args=[world.home.slug])).status_code == 403


def test_the_review_board_groups_overdue_items_by_agency_and_bulk_extends(world, items):
    client = world.client_for(world.lead)
    html = client.get(reverse("review_board", args=[world.home.slug])).content.decode()
    assert "Test Sheriff&#x27;s Office (1)" in html and "Crisis Center (1)" in html
    assert "9 days" in html
    new_due = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        reverse("review_board", args=[world.home.slug]),
        {
            "items": [items["overdue"].pk, items["theirs"].pk],
            "action": "extend",
            "due_on": new_due,
            "comment": "Extended at review.",
        },
        follow=True,
    )
    assert "2 items updated." in response.content.decode()
    for key in ("overdue", "theirs"):
        items[key].refresh_from_db()
        assert items[key].due_on.isoformat() == new_due


def test_each_item_is_on_the_review_board_once_with_all_its_flags(world, items):
    """An item overdue, blocked and silent for a month was listed three times,
    with three checkboxes: it is listed once, under overdue, with every flag."""
    ActionItem.objects.filter(pk=items["theirs"].pk).update(last_update_at=timezone.now() - timedelta(days=40))
    quiet = ActionItem.objects.create(
        coalition=world.home, title="Quiet item", owner_agency=world.member_agency, due_on=timezone.localdate()
    )
    ActionItem.objects.filter(pk=quiet.pk).update(last_update_at=timezone.now() - timedelta(days=40))
    html = world.client_for(world.lead).get(reverse("review_board", args=[world.home.slug])).content.decode()
    for item in (items["theirs"], items["overdue"], items["mine"], quiet):
        assert html.count(f'name="items" value="{item.pk}"') == 1, item.title
    row = html[html.index(f'value="{items["theirs"].pk}"') :].split("</tr>")[0]
    assert "3 days overdue" in row and "Blocked" in row and "no news for 30 days" in row
    sections = {
        heading: html.split(f'id="{heading}-heading"')[1].split("</section>")[0]
        for heading in ("overdue", "blocked", "stale", "soon")
    }
    assert "Map shelter beds" in sections["overdue"] and "Map shelter beds" not in sections["blocked"]
    assert "Quiet item" in sections["stale"] and "Quiet item" not in sections["soon"]  # due today, and silent
    assert "Update the referral protocol" in sections["soon"]
    # The counts at the top count every item with each flag.
    assert re.search(r">1</div>blocked", html) and re.search(r">2</div>no update for 30 days", html)


def test_the_bulk_form_explains_what_is_missing_and_changes_nothing(world, items):
    client = world.client_for(world.lead)
    response = client.post(
        reverse("review_board", args=[world.home.slug]),
        {"items": [items["theirs"].pk], "action": "close", "status": "dropped"},
    )
    assert "Say why the items are dropped." in response.content.decode()
    items["theirs"].refresh_from_db()
    assert items["theirs"].status == "blocked"


@pytest.mark.parametrize(
    "data",
    [
        {"action": "close", "status": "done"},  # nothing ticked
        {"items": ["999999"], "action": "close", "status": "done"},  # an id that is not on the board
    ],
)
def test_a_bulk_change_of_no_items_or_unknown_ones_is_explained_not_a_crash(world, items, data):
    response = world.client_for(world.lead).post(reverse("review_board", args=[world.home.slug]), data)
    assert response.status_code == 200
    page = response.content.decode()
    form = page[page.index("For the ticked items") :]  # the message is in the bulk form, beside the list
    assert "This field is required." in form or "Select a valid choice" in form


def test_organizer_adds_items_while_writing_minutes_with_htmx(world):
    start = timezone.now() - timedelta(hours=3)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Monthly", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("meeting_actions", args=[meeting.pk]),
        {"action-title": "Send the protocol", "action-owner_agency": world.member_agency.pk, "action-priority": 2},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="meeting-actions"')
    assert "Send the protocol" in html
    item = ActionItem.objects.get(title="Send the protocol")
    assert item.meeting == meeting and item.created_by == world.organizer
    later = Meeting.objects.create(
        coalition=world.home,
        title="Next",
        starts_at=start + timedelta(days=30),
        ends_at=start + timedelta(days=30, hours=1),
    )
    page = client.get(later.get_absolute_url()).content.decode()
    assert "Still open from earlier meetings" in page and "Send the protocol" in page


def test_dashboards_show_each_roles_open_items(world, items):
    member = world.client_for(world.member).get(reverse("dashboard")).content.decode()
    assert "Your agency's open actions" in member and "Confirm the public number" in member
    assert "9 days overdue" in member
    lead = world.client_for(world.lead).get(reverse("dashboard")).content.decode()
    assert "3 open" in lead and "<strong>2 overdue</strong>" in lead and "1 blocked" in lead


@pytest.mark.parametrize("count", [10, 2000])
def test_lists_and_board_run_a_fixed_number_of_queries(world, django_assert_max_num_queries, count):
    today = timezone.localdate()
    agencies = [world.member_agency] + [AgencyFactory() for _ in range(4)]
    for agency in agencies[1:]:
        MembershipFactory(agency=agency, coalition=world.home)
    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.home,
            title=f"Item {i}",
            owner_agency=agencies[i % 5],
            due_on=today + timedelta(days=(i % 60) - 30),
            status=["open", "in_progress", "blocked", "done"][i % 4],
        )
        for i in range(count)
    )
    client = world.client_for(world.organizer)
    urls = [
        reverse("action_list", args=[world.home.slug]),
        reverse("action_list", args=[world.home.slug]) + "?overdue=on&sort=-due_on",
        reverse("review_board", args=[world.home.slug]),
        reverse("dashboard"),
    ]
    for url in urls:
        with django_assert_max_num_queries(24):
            assert client.get(url).status_code == 200


def test_an_item_from_the_minutes_names_its_agenda_item_of_that_meeting_only(world):
    from meetings.models import AgendaItem

    start = timezone.now() - timedelta(hours=3)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Monthly", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    other = Meeting.objects.create(
        coalition=world.home,
        title="Other",
        starts_at=start - timedelta(days=30),
        ends_at=start - timedelta(days=30, hours=-1),
    )
    topic = AgendaItem.objects.create(meeting=meeting, title="Hotel outreach report")
    foreign = AgendaItem.objects.create(meeting=other, title="Old topic")
    client = world.client_for(world.organizer)
    url = reverse("meeting_actions", args=[meeting.pk])
    data = {
        "action-title": "Train two more hotels",
        "action-owner_agency": world.member_agency.pk,
        "action-priority": 2,
    }
    client.post(url, {**data, "action-agenda_item": foreign.pk}, HTTP_HX_REQUEST="true")
    assert not ActionItem.objects.exists()
    client.post(url, {**data, "action-agenda_item": topic.pk}, HTTP_HX_REQUEST="true")
    item = ActionItem.objects.get()
    assert item.agenda_item == topic
    assert "“Hotel outreach report”" in client.get(item.get_absolute_url()).content.decode()


def test_editing_an_item_saves_every_field_and_logs_each_change(world, items):
    item = items["overdue"]
    backup = PersonFactory(agency=world.member_agency, full_name="Backup Person")
    area = world.home.response_areas.first() or ResponseAreaFactory(coalition=world.home)
    new_due = timezone.localdate() + timedelta(days=30)
    response = world.client_for(world.organizer).post(
        reverse("action_edit", args=[item.pk]),
        {
            "title": "Confirm the public number twice",
            "description": "Call it from a phone outside the office.",
            "owner_agency": world.member_agency.pk,
            "assignee": world.member.person.pk,
            "backup": backup.pk,
            "due_on": new_due.isoformat(),
            "priority": ActionItem.Priority.HIGH,
            "response_area": area.pk,
            "committee": world.open_committee.pk,
            "meeting": "",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (
        item.title,
        item.description,
        item.assignee,
        item.backup,
        item.due_on,
        item.priority,
        item.response_area,
        item.committee,
    ) == (
        "Confirm the public number twice",
        "Call it from a phone outside the office.",
        world.member.person,
        backup,
        new_due,
        ActionItem.Priority.HIGH,
        area,
        world.open_committee,
    )
    changes = item.updates.first().changes
    for label in ("title", "description", "assignee", "backup", "due", "priority", "response area", "committee"):
        assert label in changes.lower(), label


def test_a_lead_is_neither_offered_nor_allowed_a_restricted_committee_they_are_not_on(world, items):
    client = world.client_for(world.lead)
    page = client.get(reverse("action_create", args=[world.home.slug])).content.decode()
    assert world.open_committee.name in page
    assert world.restricted_committee.name not in page
    response = client.post(
        reverse("action_create", args=[world.home.slug]),
        {
            "title": "Sneak into the restricted group",
            "owner_agency": world.member_agency.pk,
            "priority": ActionItem.Priority.NORMAL,
            "committee": world.restricted_committee.pk,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ActionItem.objects.filter(title="Sneak into the restricted group").exists()


def test_control_characters_are_dropped_on_input_and_never_break_an_export(world, items):
    # one pasted from a PDF before this rule existed (straight into the database)
    ActionItem.objects.filter(pk=items["theirs"].pk).update(title="Map\x02 shelter\x0b beds")
    client = world.client_for(world.organizer)
    client.post(
        reverse("action_create", args=[world.home.slug]),
        {"title": "Call\x00 the\x1b hotline", "owner_agency": world.member_agency.pk, "priority": 2},
    )
    assert ActionItem.objects.filter(title="Call the hotline").exists()

    response = client.get(reverse("action_list", args=[world.home.slug]), {"_export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(downloaded(response))).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Map shelter beds" in titles and "Call the hotline" in titles


@pytest.mark.parametrize("agencies", [2, 25])
def test_the_review_board_shows_the_first_rows_of_each_group_with_counts_and_links(
    world, django_assert_max_num_queries, agencies
):
    """However many items are open, each group shows its count, its first ten
    rows and a link to the rest, in a fixed number of queries."""
    today = timezone.localdate()
    owners = [world.member_agency]
    for i in range(agencies - 1):
        agency = AgencyFactory(name=f"Agency {i:02d}")
        MembershipFactory(agency=agency, coalition=world.home)
        owners.append(agency)
    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.home,
            title=f"Overdue {n:02d} of {owner.name}",
            owner_agency=owner,
            due_on=today - timedelta(days=n + 1),
            status=ActionItem.Status.BLOCKED if n % 2 else ActionItem.Status.OPEN,
        )
        for owner in owners
        for n in range(12 if owner is world.member_agency else 1)
    )
    client = world.client_for(world.lead)
    with django_assert_max_num_queries(17):
        html = client.get(reverse("review_board", args=[world.home.slug])).content.decode()
    sheriff = world.member_agency.name.replace("'", "&#x27;")
    assert f"{sheriff} (12)" in html
    assert html.count(f"of {sheriff}</a>") == 10  # its first ten overdue, each once (blocked or not)
    link = f"?owner_agency={world.member_agency.pk}&amp;overdue=true"
    assert "All 12 in the action list" in html and link in html
    if agencies > 15:
        assert f"{agencies - 15} more agencies have overdue items" in html
    listed = client.get(
        reverse("action_list", args=[world.home.slug]), {"owner_agency": world.member_agency.pk, "overdue": "true"}
    )
    assert listed.content.decode().count(f"of {sheriff}</a>") == 12


def test_the_action_list_finds_the_items_without_news_for_a_month(world, items):
    ActionItem.objects.filter(title="Map shelter beds").update(last_update_at=timezone.now() - timedelta(days=40))
    client = world.client_for(world.lead)
    page = client.get(reverse("action_list", args=[world.home.slug]), {"silent": "true"}).content.decode()
    assert "Map shelter beds" in page and "Call the hotline" not in page


def test_the_big_filters_hold_only_the_chosen_option_and_search_on_the_server(world, client):
    """Three hundred agencies and meetings: the list's filter holds none of them
    until one is chosen; the search endpoint finds them, twenty at a time, and
    a chosen one filters the list."""
    start = timezone.now() - timedelta(days=400)
    agencies = [AgencyFactory(name=f"Outreach Agency {i:03d}") for i in range(300)]
    for agency in agencies:
        MembershipFactory(agency=agency, coalition=world.home)
    meetings = Meeting.objects.bulk_create(
        Meeting(
            coalition=world.home,
            title=f"Meeting {i:03d}",
            starts_at=start + timedelta(days=i),
            ends_at=start + timedelta(days=i, hours=1),
        )
        for i in range(300)
    )
    ActionItem.objects.bulk_create(
        ActionItem(coalition=world.home, title=f"From {m.title}", owner_agency=agencies[i], meeting=m)
        for i, m in enumerate(meetings)
    )
    client.force_login(world.lead)
    url = reverse("action_list", args=[world.home.slug])
    page = client.get(url).content.decode()
    for name in ("owner_agency", "assignee", "meeting"):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group()
        assert re.findall(r'<option value="(\d+)"', select) == [], name  # only "Any ..."
        assert "data-autocomplete-url" in select

    found = client.get(reverse("autocomplete", args=[world.home.slug, "meeting-with-items"]), {"q": "Meeting 00"})
    # each word is looked for: "00" is in 000-009, 100 and 200; newest first
    newest_first = [m.title for m in reversed(meetings) if "00" in m.title]
    assert [r["text"].split(" (")[0] for r in found.json()["results"]] == newest_first
    assert len(client.get(reverse("autocomplete", args=[world.home.slug, "agency"])).json()["results"]) == 20

    oldest = meetings[0]
    filtered = client.get(url, {"meeting": oldest.pk}).content.decode()
    assert "From Meeting 000" in filtered and "From Meeting 001" not in filtered
    chosen = re.search(r'<select name="meeting".*?</select>', filtered, re.S).group()
    assert re.findall(r'<option value="(\d+)"', chosen) == [str(oldest.pk)]


@pytest.mark.parametrize("sort", ["due_on", "-due_on", "status", "priority", "owner_agency"])
def test_items_sorted_among_equals_are_each_on_exactly_one_page(world, client, sort):
    """Thirty items due the same day, in the same status, of one agency: paged
    five at a time in any sort, every item is on one page, none on two."""
    due = timezone.localdate()
    ActionItem.objects.bulk_create(
        ActionItem(coalition=world.home, title=f"Same-day item {n:02}", owner_agency=world.member_agency, due_on=due)
        for n in range(30)
    )
    client.force_login(world.organizer)
    seen = []
    for page in range(1, 7):
        html = client.get(reverse("action_list", args=[world.home.slug]), {"sort": sort, "per_page": 5, "page": page})
        seen += re.findall(r"Same-day item \d\d", html.content.decode())
    assert sorted(seen) == [f"Same-day item {n:02}" for n in range(30)]


@pytest.mark.parametrize("sort", ["due_on", "-title", "owner_agency"])
def test_a_deep_page_read_by_its_keys_holds_the_same_rows_in_the_same_order(world, client, sort, monkeypatch):
    """From DEEP_PAGE_ROWS in, a page reads its keys first, then its rows: the
    pages together are still every item once, in the list's order."""
    from coordination import tables

    monkeypatch.setattr(tables, "DEEP_PAGE_ROWS", 5)  # every page after the first
    due = timezone.localdate()
    second = AgencyFactory(name="Another Agency")
    MembershipFactory(agency=second, coalition=world.home)
    for n in range(18):
        ActionItem.objects.create(
            coalition=world.home,
            title=f"Deep item {n:02}",
            owner_agency=world.member_agency if n % 2 else second,
            due_on=due + timedelta(days=n % 4),
        )
    client.force_login(world.organizer)
    url = reverse("action_list", args=[world.home.slug])
    shown = []
    for page in range(1, 5):
        html = client.get(url, {"sort": sort, "per_page": 5, "page": page, "q": "Deep item"}).content.decode()
        shown += re.findall(r"Deep item \d\d", html)
    monkeypatch.setattr(tables, "DEEP_PAGE_ROWS", 10**9)  # the plain read, for comparison
    plain = re.findall(
        r"Deep item \d\d", client.get(url, {"sort": sort, "per_page": 200, "q": "Deep item"}).content.decode()
    )
    assert shown == plain and sorted(shown) == [f"Deep item {n:02}" for n in range(18)]


def test_a_meeting_page_lists_the_first_carried_items_and_links_to_all_of_them(world, client):
    """Twenty-five items still open from earlier meetings: the page shows the
    ten due first and their count; its link lists all twenty-five and no other."""
    now = timezone.now()
    earlier = Meeting.objects.create(
        coalition=world.home,
        title="March",
        starts_at=now - timedelta(days=60),
        ends_at=now - timedelta(days=60, hours=-2),
    )
    meeting = Meeting.objects.create(
        coalition=world.home, title="May", starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=22)
    )
    today = timezone.localdate()
    for n in range(25):
        ActionItem.objects.create(
            coalition=world.home,
            title=f"Carried item {n:02}",
            owner_agency=world.member_agency,
            meeting=earlier,
            due_on=today + timedelta(days=n),
        )
    ActionItem.objects.create(
        coalition=world.home,
        title="Closed earlier item",
        owner_agency=world.member_agency,
        meeting=earlier,
        status="done",
    )
    client.force_login(world.organizer)

    page = client.get(reverse("meeting", args=[meeting.pk])).content.decode()
    assert re.findall(r"Carried item \d\d", page) == [f"Carried item {n:02}" for n in range(10)]
    assert "See all 25 open items from earlier meetings" in page
    link = re.search(r'href="([^"]*carried_to=[^"]*)"', page).group(1).replace("&amp;", "&")

    listed = client.get(link + "&per_page=200").content.decode()
    assert sorted(set(re.findall(r"Carried item \d\d", listed))) == [f"Carried item {n:02}" for n in range(25)]
    assert "Closed earlier item" not in listed and "Only the items still open from meetings before" in listed
    # a meeting of another coalition, or none, lists nothing rather than everything
    assert (
        "Carried item" not in client.get(link.replace(f"carried_to={meeting.pk}", "carried_to=999999")).content.decode()
    )
