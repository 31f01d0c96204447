"""Pages run a fixed number of queries, however many rows there are."""

import pytest
from django.urls import reverse

from coordination.models import Committee

from ..factories import AgencyFactory, CommitteeFactory, CommitteeMemberFactory, MembershipFactory, PersonFactory
from ..test_pagination import CASES

# The list pages an agency member may open (the others are for organizers and leads).
MEMBERS_SEE = {"member_list", "coverage", "meeting_list", "meeting", "action_list", "activity_list"}

pytestmark = pytest.mark.django_db


def grow(world, n: int) -> None:
    for _ in range(n):
        agency = AgencyFactory()
        person = PersonFactory(agency=agency)
        MembershipFactory(agency=agency, coalition=world.home, primary_representative=person)
        committee = CommitteeFactory(coalition=world.home, visibility=Committee.Visibility.OPEN)
        CommitteeMemberFactory(committee=committee, person=person)
        CommitteeMemberFactory(committee=committee, person=world.member.person)


@pytest.mark.parametrize("rows", [5, 60])
@pytest.mark.parametrize(
    "page",
    [
        lambda w: reverse("dashboard"),
        lambda w: reverse("coalition", args=[w.home.slug]),
        lambda w: reverse("member_list", args=[w.home.slug]),
        lambda w: reverse("committee", args=[w.home.slug, w.open_committee.slug]),
    ],
    ids=["dashboard", "coalition", "members", "committee"],
)
def test_page_queries_do_not_grow_with_rows(world, django_assert_max_num_queries, rows, page):
    grow(world, rows)
    for agency_person in world.member_agency.people.all():
        CommitteeMemberFactory(committee=world.open_committee, person=agency_person)
    for user in (world.organizer, world.member):
        client = world.client_for(user)
        with django_assert_max_num_queries(18):
            assert client.get(page(world)).status_code == 200


# Every list page, as an organizer and as an agency member, runs the same
# queries with a page and a bit of rows as with four times as many, and no
# more than the ceiling of the statewide targets (README, "Performance").
CEILING = 12


def _queries(world, user, url: str, at_most) -> int:
    client = world.client_for(user)
    client.get(url)  # the first request of a session refreshes it
    with at_most(CEILING) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", sorted(CASES))
def test_list_page_queries_do_not_grow_with_rows(world, django_assert_max_num_queries, name):
    case = CASES[name]
    case.grow(world, case.per_page + 5)
    url = case.url(world)
    users = [world.organizer] + ([world.member] if name.split(":")[0] in MEMBERS_SEE else [])
    few = [_queries(world, user, url, django_assert_max_num_queries) for user in users]
    case.grow(world, 3 * (case.per_page + 5))
    many = [_queries(world, user, url, django_assert_max_num_queries) for user in users]
    assert many == few, f"{name}: {few} queries with a page of rows, {many} with four times as many"
