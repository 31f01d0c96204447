"""Each role sees what it needs and no more (coordination/access.py)."""

import pytest
from django.urls import reverse

from coordination.models import Committee

from ..factories import CommitteeMemberFactory, PersonFactory

pytestmark = pytest.mark.django_db


def committee_url(committee: Committee) -> str:
    return reverse("committee", args=[committee.coalition.slug, committee.slug])


def test_anonymous_visitor_is_sent_to_log_in(client, world):
    for url in [
        reverse("dashboard"),
        reverse("coalition", args=[world.home.slug]),
        committee_url(world.open_committee),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_organizer_sees_every_committee_of_their_coalition(world):
    client = world.client_for(world.organizer)
    page = client.get(reverse("coalition", args=[world.home.slug])).content.decode()
    for committee in (world.open_committee, world.members_committee, world.restricted_committee):
        assert committee.name in page
        assert client.get(committee_url(committee)).status_code == 200


def test_organizer_cannot_see_a_coalition_they_have_no_part_in(world):
    client = world.client_for(world.organizer)
    assert client.get(reverse("coalition", args=[world.other.slug])).status_code == 404
    assert client.get(committee_url(world.other_restricted)).status_code == 404


def test_lead_reads_open_and_members_committees_but_not_restricted_ones(world):
    client = world.client_for(world.lead)
    assert client.get(committee_url(world.open_committee)).status_code == 200
    assert client.get(committee_url(world.members_committee)).status_code == 200
    assert client.get(committee_url(world.restricted_committee)).status_code == 404
    page = client.get(reverse("coalition", args=[world.home.slug])).content.decode()
    assert world.restricted_committee.name not in page


def test_agency_member_sees_open_committees_only(world):
    client = world.client_for(world.member)
    assert client.get(committee_url(world.open_committee)).status_code == 200
    assert client.get(committee_url(world.members_committee)).status_code == 404
    assert client.get(committee_url(world.restricted_committee)).status_code == 404
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert world.open_committee.name in dashboard
    assert world.members_committee.name not in dashboard
    assert world.restricted_committee.name not in dashboard


def test_agency_member_on_a_restricted_committee_sees_it(world):
    CommitteeMemberFactory(committee=world.restricted_committee, person=world.member.person)
    client = world.client_for(world.member)
    response = client.get(committee_url(world.restricted_committee))
    assert response.status_code == 200
    assert "Deputy Test" in response.content.decode()


def test_member_cannot_reach_another_coalitions_restricted_committee_by_guessing_its_url(world):
    client = world.client_for(world.member)
    assert client.get(committee_url(world.other_restricted)).status_code == 404
    assert client.get(reverse("coalition", args=[world.other.slug])).status_code == 404
    assert client.get(reverse("member_list", args=[world.other.slug])).status_code == 404


def test_member_of_the_other_coalition_sees_its_own_restricted_committee(world):
    client = world.client_for(world.other_member)
    assert client.get(committee_url(world.other_restricted)).status_code == 200
    assert client.get(committee_url(world.open_committee)).status_code == 404


def test_inactive_membership_gives_no_access(world):
    world.member_agency.memberships.update(status="inactive")
    client = world.client_for(world.member)
    assert client.get(reverse("coalition", args=[world.home.slug])).status_code == 404


@pytest.mark.parametrize("role", ["lead", "member"])
def test_only_organizers_can_invite_or_change_committees(world, role):
    client = world.client_for(getattr(world, role))
    assert client.get(reverse("invite", args=[world.home.slug])).status_code == 403
    assert client.get(reverse("committee_create", args=[world.home.slug])).status_code == 403
    response = client.post(
        reverse("committee_edit", args=[world.home.slug, world.open_committee.slug]),
        {"name": "Taken over", "visibility": "open"},
    )
    assert response.status_code == 403
    world.open_committee.refresh_from_db()
    assert world.open_committee.name == "Awareness"


def test_member_sees_agencies_of_their_coalition_but_not_of_others(world):
    client = world.client_for(world.member)
    own = client.get(reverse("agency", args=[world.member_agency.pk]))
    assert own.status_code == 200
    other_agency = world.other_member.person.agency
    assert client.get(reverse("agency", args=[other_agency.pk])).status_code == 404


def test_coalition_picker_appears_only_with_more_than_one_coalition(world):
    single = world.client_for(world.member).get(reverse("dashboard")).content.decode()
    assert 'id="coalition-picker"' not in single
    # The organizer's agency also joins the other coalition: now there are two.
    PersonFactory(user=world.organizer, agency=world.other_member.person.agency)
    double = world.client_for(world.organizer).get(reverse("dashboard")).content.decode()
    assert 'id="coalition-picker"' in double
    assert world.other.name in double


def test_dashboard_shows_each_users_roles(world):
    organizer_page = world.client_for(world.organizer).get(reverse("dashboard")).content.decode()
    assert "Organizer" in organizer_page
    assert "Invite a person" in organizer_page
    member_page = world.client_for(world.member).get(reverse("dashboard")).content.decode()
    assert "Agency representative" in member_page
    assert "Your agency: Test Sheriff&#x27;s Office" in member_page
    assert "Invite a person" not in member_page


def test_user_with_no_standing_is_told_what_to_do(client, db):
    from ..factories import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("dashboard")).content.decode()
    assert "not part of any coalition yet" in page


def test_a_persons_standing_is_read_in_one_query_with_every_coalition_and_seat(world, django_assert_num_queries):
    """The user's person, the active memberships of its agency and its
    committee seats come joined in one query; an inactive membership gives
    nothing, nor another person's seat."""
    from coordination import access
    from coordination.models import Coalition, User

    from ..factories import MembershipFactory

    person = world.member.person
    MembershipFactory(agency=person.agency, coalition=world.other)
    lapsed = Coalition.objects.create(name="Lapsed County", slug="lapsed")
    MembershipFactory(agency=person.agency, coalition=lapsed, status="inactive")
    CommitteeMemberFactory(committee=world.restricted_committee, person=person, is_lead=True)
    CommitteeMemberFactory(committee=world.open_committee, person=person)
    CommitteeMemberFactory(committee=world.other_restricted, person=PersonFactory(agency=person.agency))

    user = User.objects.get(pk=world.member.pk)
    with django_assert_num_queries(2):  # the coalition roles, and the person's part
        found = access.standing(user)
    assert found.person_id == person.pk and found.agency_id == person.agency_id
    assert found.member_of == {world.home.pk, world.other.pk}
    assert found.committees == {world.restricted_committee.pk, world.open_committee.pk}
    assert found.committees_led == {world.restricted_committee.pk}
    assert {pk for pk, _name, _slug in found.labels} == {world.home.pk, world.other.pk}
