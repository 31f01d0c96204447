"""The REST API as a script uses it: read open items, page through them, filter
them with the page's filters, update one, schedule a meeting; and the rules the
pages keep (restricted committees, the privacy guard, the assignee's agency)
kept alike."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api import tokens
from meetings.models import Meeting, Minutes
from members.models import AgencyRole
from tasks.models import ActionItem, ActionUpdate
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    AgencyRoleFactory,
    CommitteeFactory,
    MembershipFactory,
    PersonFactory,
    ResponseAreaFactory,
)
from tests.meetings.test_meetings import make_meeting

pytestmark = pytest.mark.django_db


def api(user, scope: str = "write") -> Client:
    """A client that sends a fresh personal token of `user`."""
    _, secret = tokens.issue(user, name="script", scope=scope, days=30)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def item(world, title: str = "Print the hotline cards", agency=None, **fields) -> ActionItem:
    return ActionItem.objects.create(
        coalition=world.home, title=title, owner_agency=agency or world.member_agency, **fields
    )


def actions_url(world) -> str:
    return reverse("api:actions", args=[world.home.slug])


def test_member_reads_their_agency_open_items_and_not_others(world):
    mine = item(world)
    item(world, "Someone else's", agency=AgencyFactory(name="Probation"))
    item(world, "Closed", status=ActionItem.Status.DONE)

    body = api(world.member).get(actions_url(world), {"status": ["open", "in_progress", "blocked"]}).json()

    assert [row["title"] for row in body["results"]] == [mine.title]
    assert body["results"][0]["owner_agency"] == {"id": world.member_agency.pk, "name": world.member_agency.name}
    assert body["results"][0]["web_url"].endswith(mine.get_absolute_url())


def test_cursor_pages_walk_every_item_once_while_items_are_added(world, django_assert_max_num_queries):
    made = {item(world, f"Item {n}").pk for n in range(7)}
    client, seen = api(world.organizer), []
    url = actions_url(world) + "?page_size=3"
    while url:
        with django_assert_max_num_queries(8):
            body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        if len(seen) == 3:
            item(world, "Added while paging")  # newer than the first page: not repeated, not shifting the rest
        url = body["next"]
    assert sorted(seen) == sorted(made)


def test_list_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    """Each list and detail reads a fixed number of queries, with many rows of
    each kind, and every related thing each row shows."""
    agencies = [AgencyFactory(name=f"Agency {n}") for n in range(30)]
    for n, agency in enumerate(agencies):
        MembershipFactory(agency=agency, coalition=world.home, primary_representative=PersonFactory(agency=agency))
        meeting = make_meeting(world.home, timezone.now() - timedelta(days=n + 1), committee=world.open_committee)
        Minutes.objects.create(meeting=meeting, status=Minutes.Status.APPROVED)
        ActivityFactory(coalition=world.home, presenting_agency=agency)
        CommitteeFactory(coalition=world.home, name=f"Committee {n}", slug=f"committee-{n}")
        made = item(world, f"Item {n}", agency=agency, meeting=meeting, assignee=agency.people.first())
        ActionUpdate.objects.create(item=made, author=world.organizer, comment=f"Update {n}")
        area = ResponseAreaFactory(coalition=world.home, name=f"Area {n}")
        AgencyRoleFactory(agency=world.member_agency, response_area=area)
        PersonFactory(agency=world.member_agency)
    client = api(world.organizer)
    urls = [reverse(f"api:{name}", args=[world.home.slug]) for name in LISTS]
    urls += [reverse("api:agency", args=[world.member_agency.pk]), reverse("api:meeting", args=[meeting.pk])]
    for url in urls:
        with django_assert_max_num_queries(10):
            response = client.get(url, {"page_size": 200})
        assert response.status_code == 200
        assert len(response.json().get("results", [None] * 30)) >= 30, url


LISTS = ("actions", "meetings", "agencies", "committees", "activities")


def test_restricted_committee_is_refused_as_a_missing_one_in_filters_and_details(world):
    secret = item(world, "Brief the task force", committee=world.restricted_committee)
    client = api(world.lead)  # a lead, not on the restricted committee

    hidden = client.get(actions_url(world), {"committee": world.restricted_committee.pk})
    missing = client.get(actions_url(world), {"committee": 999999})

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["committee"] == missing.json()["committee"]
    assert client.get(reverse("api:action", args=[secret.pk])).status_code == 404
    assert client.get(reverse("api:committee", args=[world.restricted_committee.pk])).status_code == 404
    assert secret.pk not in [row["id"] for row in client.get(actions_url(world)).json()["results"]]


def test_member_updates_their_item_and_the_log_says_so(world):
    mine = item(world)
    response = api(world.member).post(
        reverse("api:action_updates", args=[mine.pk]),
        {"status": "in_progress", "comment": "Cards at the printer."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    mine.refresh_from_db()
    assert mine.status == ActionItem.Status.IN_PROGRESS
    update = ActionUpdate.objects.filter(item=mine).first()
    assert (update.author, update.comment, update.new_status) == (world.member, "Cards at the printer.", "in_progress")


def test_update_keeps_the_pages_rules(world):
    mine = item(world)
    url = reverse("api:action_updates", args=[mine.pk])
    client = api(world.member)

    blocked = client.post(url, {"status": "blocked"}, content_type="application/json")
    dropped = client.post(url, {"status": "dropped", "reason": "No budget"}, content_type="application/json")
    nothing = client.post(url, {}, content_type="application/json")

    assert "Say why" in blocked.json()["reason"][0]
    assert "Only a lead or an organizer can drop" in dropped.json()["status"][0]
    assert "Nothing changed" in nothing.json()["non_field_errors"][0]
    mine.refresh_from_db()
    assert mine.status == ActionItem.Status.OPEN


def test_read_token_cannot_write(world):
    mine = item(world)
    response = api(world.member, scope="read").post(
        reverse("api:action_updates", args=[mine.pk]), {"status": "done"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    mine.refresh_from_db()
    assert mine.status == ActionItem.Status.OPEN


def test_organizer_creates_an_item_validated_by_the_pages_form(world):
    stranger = PersonFactory(agency=AgencyFactory(name="Probation"))
    client = api(world.organizer)
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    payload = {"title": "Train hotel staff", "owner_agency": world.member_agency.pk, "due_on": due}

    wrong = client.post(actions_url(world), {**payload, "assignee": stranger.pk}, content_type="application/json")
    made = client.post(actions_url(world), payload, content_type="application/json")

    assert wrong.status_code == 400
    assert "assignee" in wrong.json()
    assert made.status_code == 201, made.content
    created = ActionItem.objects.get(pk=made.json()["id"])
    assert (created.title, created.owner_agency, created.due_on.isoformat(), created.created_by) == (
        "Train hotel staff",
        world.member_agency,
        due,
        world.organizer,
    )
    assert made["Location"].endswith(reverse("api:action", args=[created.pk]))


def test_the_privacy_guard_reads_what_comes_through_the_api(world):
    client = api(world.organizer)
    payload = {
        "title": "Call back the caller",
        "owner_agency": world.member_agency.pk,
        "description": "She is 15 years old, DOB 03/14/2011",
    }
    flagged = client.post(actions_url(world), payload, content_type="application/json")
    assert flagged.status_code == 400
    assert flagged.json()["privacy_findings"]
    assert not ActionItem.objects.filter(title="Call back the caller").exists()

    confirmed = client.post(
        actions_url(world),
        {**payload, "checked": True, "checked_reason": "A training scenario, not a person"},
        content_type="application/json",
    )
    assert confirmed.status_code == 201


def test_lead_changes_an_item_with_if_match_and_a_stale_version_is_refused(world):
    mine = item(world)
    client = api(world.lead)
    url = reverse("api:action", args=[mine.pk])
    etag = client.get(url)["ETag"]

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    changed = client.patch(url, {"due_on": due}, content_type="application/json", headers={"If-Match": etag})
    stale = client.patch(url, {"title": "Other"}, content_type="application/json", headers={"If-Match": etag})

    assert changed.status_code == 200, changed.content
    assert changed.json()["due_on"] == due
    assert stale.status_code == 412
    mine.refresh_from_db()
    assert (mine.title, mine.due_on.isoformat()) == ("Print the hotline cards", due)
    assert f"due: — → {due}" in mine.updates.first().changes


def test_organizer_schedules_a_meeting_in_the_coalitions_time_zone(world):
    world.home.time_zone = "America/Los_Angeles"
    world.home.save()
    client = api(world.organizer)
    url = reverse("api:meetings", args=[world.home.slug])
    payload = {"title": "March meeting", "date": "2027-03-11", "start_time": "12:00", "end_time": "13:30"}

    backwards = client.post(url, {**payload, "end_time": "11:00"}, content_type="application/json")
    made = client.post(url, payload, content_type="application/json")

    assert "must end after it starts" in backwards.json()["end_time"][0]
    assert made.status_code == 201, made.content
    meeting = Meeting.objects.get(pk=made.json()["id"])
    assert meeting.local_start.strftime("%Y-%m-%d %H:%M") == "2027-03-11 12:00"
    assert datetime.fromisoformat(made.json()["starts_at"]) == datetime(2027, 3, 11, 20, 0, tzinfo=UTC)


def test_minutes_show_the_restricted_part_only_to_those_who_may_read_it(world):
    meeting = make_meeting(world.home, timezone.now() - timedelta(days=3))
    Minutes.objects.create(
        meeting=meeting, body="Open part.", restricted_body="Sealed part.", status=Minutes.Status.APPROVED
    )
    url = reverse("api:minutes", args=[meeting.pk])

    assert api(world.lead).get(url).json()["restricted_body"] == "Sealed part."
    member = api(world.member).get(url).json()
    assert (member["body"], member["restricted_body"]) == ("Open part.", None)


def test_draft_minutes_are_not_served(world):
    meeting = make_meeting(world.home, timezone.now() - timedelta(days=3))
    Minutes.objects.create(meeting=meeting, body="Draft.")
    assert api(world.lead).get(reverse("api:minutes", args=[meeting.pk])).status_code == 404


def test_agency_member_updates_their_role_which_confirms_it(world):
    area = ResponseAreaFactory(coalition=world.home)
    role = AgencyRole.objects.create(agency=world.member_agency, response_area=area, description="Patrol")
    response = api(world.member).patch(
        reverse("api:role", args=[role.pk]), {"capacity": "limited"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    role.refresh_from_db()
    assert (role.capacity, role.description, role.confirmed_by) == ("limited", "Patrol", world.member)
    assert response.json()["is_stale"] is False


def test_rate_limit_per_token(world, settings):
    settings.API_RATE_LIMIT = "3/minute"
    client, other = api(world.member), api(world.member)
    url = reverse("api:me")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert other.get(url).status_code == 200  # another token counts apart


def test_session_works_from_the_browser_and_writes_need_the_csrf_token(world):
    mine = item(world)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.member)
    assert browser.get(reverse("api:action", args=[mine.pk])).json()["title"] == mine.title
    response = browser.post(
        reverse("api:action_updates", args=[mine.pk]), {"status": "done"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_schema_is_openapi_3_1_and_the_docs_page_is_served_from_the_site(client):
    from drf_spectacular.validation import validate_schema

    schema = client.get(reverse("api:schema"), headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    assert schema["openapi"] == "3.1.0"
    validate_schema(schema)
    docs = client.get(reverse("api:docs")).content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()


def test_a_lead_says_anew_why_an_item_is_blocked_and_gets_that_line_back(world):
    blocked = item(world, status=ActionItem.Status.BLOCKED, status_reason="Waiting for the printer")
    response = api(world.lead).post(
        reverse("api:action_updates", args=[blocked.pk]),
        {"status": "blocked", "reason": "Waiting for the county's budget"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    blocked.refresh_from_db()
    assert blocked.status_reason == "Waiting for the county's budget"
    assert "Reason: Waiting for the printer → Waiting for the county's budget" in response.json()["changes"]


def test_a_body_that_is_not_an_object_a_list_for_a_value_and_a_stale_if_match_on_a_read_are_refused(world):
    mine = item(world)
    client = api(world.lead)
    url = reverse("api:action", args=[mine.pk])
    for body in ("[]", "null", '"title"'):
        refused = client.patch(url, body, content_type="application/json")
        assert refused.status_code == 400 and "JSON object" in refused.json()["non_field_errors"][0]
    listed = client.patch(url, {"title": ["Two", "titles"]}, content_type="application/json")
    assert listed.status_code == 400 and "one value" in listed.json()["title"][0]
    assert client.get(url, headers={"If-Match": '"not-this-one"'}).status_code == 412
    forged = base64.b64encode(b"p=not-a-date").decode()  # a cursor made by hand
    forged_page = client.get(actions_url(world), {"cursor": forged})
    assert (forged_page.status_code, forged_page.json()["detail"]) == (404, "Invalid cursor")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the row lock is PostgreSQL's (production, CI)")
def test_two_changes_sent_with_the_same_if_match_at_once_one_wins_and_one_is_refused(world):
    from concurrent.futures import ThreadPoolExecutor

    mine = item(world)
    client = api(world.lead)
    url = reverse("api:action", args=[mine.pk])
    etag = client.get(url)["ETag"]

    def change(title: str) -> int:
        try:
            response = client.patch(url, {"title": title}, content_type="application/json", headers={"If-Match": etag})
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = sorted(pool.map(change, ["First", "Second"]))
    assert codes == [200, 412]
    mine.refresh_from_db()
    assert mine.title in ("First", "Second")
    assert mine.updates.filter(changes__startswith="title:").count() == 1
