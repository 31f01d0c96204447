"""Pages run a fixed number of queries, however many rows there are."""

import pytest
from django.urls import reverse

from coordination.models import Committee

from ..factories import AgencyFactory, CommitteeFactory, CommitteeMemberFactory, MembershipFactory, PersonFactory

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
