"""An agency shared by two coalitions is its own. A coalition asks it to join
and the agency decides; no single coalition's organizers change its profile or
its people, or make a login that would read the other coalition; and nothing
tells them which agency of another coalition an address belongs to."""

import pytest
from django.core import mail
from django.urls import reverse

from coordination.models import CoalitionRole
from members.models import Agency, JoinRequest, Membership, Person

from ..factories import NO_LINES, AgencyFactory, CoalitionRoleFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cps(world) -> Agency:
    """The other coalition's agency, whose person sits on its restricted Case Review Team."""
    return world.other_member.person.agency


def ask_to_join(world, agency, **extra):
    client = world.client_for(world.organizer)
    data = {"form": "existing", "existing-agency": agency.name, "existing-status": "active", **extra}
    return client.post(reverse("member_add", args=[world.home.slug]), data)


@pytest.fixture
def shared(world, cps) -> Agency:
    """CPS after it accepted: a member of both coalitions."""
    MembershipFactory(agency=cps, coalition=world.home)
    return cps


def test_asking_an_agency_of_another_coalition_joins_nothing_until_it_accepts(
    world, cps, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_to_join(world, cps, **{"existing-status": "prospective"})
    assert response["Location"] == reverse("member_list", args=[world.home.slug])
    assert not cps.memberships.filter(coalition=world.home).exists()
    assert JoinRequest.objects.get(agency=cps).status == JoinRequest.Status.PENDING
    # The asking organizer sees the name and the request, not the agency's page or people.
    organizer = world.client_for(world.organizer)
    assert organizer.get(cps.get_absolute_url()).status_code == 404
    assert cps.name in organizer.get(reverse("member_list", args=[world.home.slug])).content.decode()
    # The agency's person is told, and answers on the agency's page.
    assert [m.to for m in mail.outbox] == [[world.other_member.person.email]]
    assert "Shasta Test Coalition asks Other County CPS to join" in mail.outbox[0].subject
    page = world.client_for(world.other_member).get(cps.get_absolute_url()).content.decode()
    assert "asks Other County CPS to join" in page


def test_the_agency_accepts_and_joins_with_the_status_asked_for(world, cps):
    ask_to_join(world, cps, **{"existing-status": "prospective"})
    join_request = JoinRequest.objects.get(agency=cps)
    response = world.client_for(world.other_member).post(
        reverse("join_request_answer", args=[join_request.pk]), {"answer": "accept"}
    )
    assert response.status_code == 302
    membership = cps.memberships.get(coalition=world.home)
    assert membership.status == Membership.Status.PROSPECTIVE
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == (JoinRequest.Status.ACCEPTED, world.other_member)
    assert world.client_for(world.organizer).get(cps.get_absolute_url()).status_code == 200


def test_the_agency_declines_and_the_coalition_may_ask_again_later(world, cps):
    ask_to_join(world, cps)
    join_request = JoinRequest.objects.get(agency=cps)
    world.client_for(world.other_member).post(
        reverse("join_request_answer", args=[join_request.pk]), {"answer": "decline"}
    )
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert not cps.memberships.filter(coalition=world.home).exists()
    ask_to_join(world, cps)
    assert JoinRequest.objects.filter(agency=cps, status=JoinRequest.Status.PENDING).count() == 1


def test_asking_twice_is_refused_with_a_message(world, cps):
    ask_to_join(world, cps)
    response = ask_to_join(world, cps)
    assert response.status_code == 200
    assert "has already been asked to join" in response.content.decode()
    assert JoinRequest.objects.filter(agency=cps).count() == 1


def test_the_asking_organizer_cannot_answer_for_the_agency(world, cps):
    ask_to_join(world, cps)
    join_request = JoinRequest.objects.get(agency=cps)
    response = world.client_for(world.organizer).post(
        reverse("join_request_answer", args=[join_request.pk]), {"answer": "accept"}
    )
    assert response.status_code == 404
    assert not cps.memberships.filter(coalition=world.home).exists()


def test_organizers_of_the_asking_coalition_withdraw_and_no_one_else(world, cps):
    ask_to_join(world, cps)
    join_request = JoinRequest.objects.get(agency=cps)
    other_organizer = CoalitionRoleFactory(coalition=world.other, role=CoalitionRole.Role.ORGANIZER).user
    url = reverse("join_request_withdraw", args=[join_request.pk])
    assert world.client_for(other_organizer).post(url).status_code == 404
    assert world.client_for(world.organizer).post(url).status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.WITHDRAWN
    answer = world.client_for(world.other_member).post(
        reverse("join_request_answer", args=[join_request.pk]), {"answer": "accept"}
    )
    assert answer.status_code == 302
    assert not cps.memberships.filter(coalition=world.home).exists()


def test_an_organizer_of_every_coalition_of_the_agency_adds_it_at_once(world, cps):
    CoalitionRoleFactory(coalition=world.other, user=world.organizer, role=CoalitionRole.Role.ORGANIZER)
    response = ask_to_join(world, cps)
    assert response["Location"] == cps.get_absolute_url()
    assert cps.memberships.filter(coalition=world.home, status="active").exists()
    assert not JoinRequest.objects.exists()


def test_the_name_must_be_an_agency_in_roundtable(world):
    response = ask_to_join(world, Agency(name="Nobody Of This Name"))
    assert "No agency of this name is in Roundtable" in response.content.decode()
    response = ask_to_join(world, world.member_agency)
    assert "is already a member of Shasta Test Coalition" in response.content.decode()


def test_suggested_names_are_the_agencies_the_organizer_sees_or_the_public_directory_lists(world, cps):
    hidden = AgencyFactory(name="Hidden Tribal Services", listed_publicly=False)
    MembershipFactory(agency=hidden, coalition=world.other)
    listed = AgencyFactory(name="Listed Legal Aid", listed_publicly=True)
    MembershipFactory(agency=listed, coalition=world.other)
    second = CoalitionRoleFactory(role=CoalitionRole.Role.ORGANIZER, user=world.organizer).coalition
    mine_elsewhere = AgencyFactory(name="Mine Elsewhere Clinic")
    MembershipFactory(agency=mine_elsewhere, coalition=second)
    client = world.client_for(world.organizer)
    page = client.get(reverse("member_add", args=[world.home.slug])).content.decode()
    assert "Listed Legal Aid" not in page and "Mine Elsewhere Clinic" not in page  # suggested as one types
    url = reverse("autocomplete", args=[world.home.slug, "joinable-agency"])
    suggested = {match["text"] for match in client.get(url).json()["results"]}
    assert {"Listed Legal Aid", "Mine Elsewhere Clinic"} <= suggested
    assert "Hidden Tribal Services" not in suggested
    assert cps.name not in suggested
    assert world.member_agency.name not in suggested  # already a member
    assert {match["text"] for match in client.get(url, {"q": "legal"}).json()["results"]} == {"Listed Legal Aid"}


def test_an_organizer_of_one_coalition_cannot_change_a_shared_agency_or_its_people(world, shared):
    client = world.client_for(world.organizer)
    person = world.other_member.person
    before = (person.email, person.is_active, shared.phone)
    edit = client.post(
        reverse("agency_edit", args=[shared.pk]), {"name": shared.name, "sector": shared.sector, "phone": "1"}
    )
    assert edit.status_code == 403
    takeover = client.post(
        reverse("person_edit", args=[shared.pk, person.pk]),
        {"full_name": person.full_name, "email": "organizer@example.org", "is_active": ""},
    )
    assert takeover.status_code == 403
    added = client.post(reverse("person_add", args=[shared.pk]), {"full_name": "Me", "email": "me@example.org"})
    assert added.status_code == 403
    person.refresh_from_db()
    shared.refresh_from_db()
    assert (person.email, person.is_active, shared.phone) == before
    assert not Person.objects.filter(full_name="Me").exists()
    page = client.get(shared.get_absolute_url()).content.decode()
    assert "Edit the profile" not in page and "Add a person" not in page


def test_the_shared_agency_and_an_organizer_of_all_its_coalitions_still_change_it(world, shared):
    data = {"name": shared.name, "sector": shared.sector, "phone": "(530) 555-0100"}
    assert world.client_for(world.other_member).post(reverse("agency_edit", args=[shared.pk]), data).status_code == 302
    CoalitionRoleFactory(coalition=world.other, user=world.organizer, role=CoalitionRole.Role.ORGANIZER)
    data["phone"] = "(530) 555-0200"
    assert world.client_for(world.organizer).post(reverse("agency_edit", args=[shared.pk]), data).status_code == 302
    shared.refresh_from_db()
    assert shared.phone == "(530) 555-0200"


def test_the_invite_form_offers_only_agencies_the_organizer_governs(world, shared):
    client = world.client_for(world.organizer)
    page = client.get(reverse("invite", args=[world.home.slug])).content.decode()
    assert world.member_agency.name not in page.replace("&#x27;", "'")  # searched as one types
    url = reverse("autocomplete", args=[world.home.slug, "invitable-agency"])
    offered = {match["text"] for match in client.get(url).json()["results"]}
    assert world.member_agency.name in offered
    assert shared.name not in offered
    response = client.post(
        reverse("invite", args=[world.home.slug]),
        {"full_name": "Me", "email": "me@example.org", "role": "member", "agency": shared.pk},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Person.objects.filter(email="me@example.org").exists()


def test_an_organizer_invites_a_person_the_shared_agency_listed_at_the_address_it_gave(world, shared):
    listed = PersonFactory(agency=shared, full_name="Listed Worker", email="listed@cps.example.org")
    response = world.client_for(world.organizer).post(reverse("person_invite", args=[shared.pk, listed.pk]))
    assert response.status_code == 302
    listed.refresh_from_db()
    assert listed.user.email == "listed@cps.example.org"


def test_the_invite_form_does_not_say_which_agency_an_address_belongs_to(world, cps):
    response = world.client_for(world.organizer).post(
        reverse("invite", args=[world.home.slug]),
        {"full_name": "X", "email": world.other_member.email, "role": "member", "agency": world.member_agency.pk},
    )
    body = response.content.decode()
    assert "already belongs to a representative of another agency" in body
    assert cps.name not in body


def test_a_shared_agencys_person_takes_part_in_both_coalitions(world, shared):
    user = UserFactory(email="new@cps.example.org")
    PersonFactory(agency=shared, user=user)
    client = world.client_for(user)
    assert client.get(reverse("coalition", args=[world.home.slug])).status_code == 200
    assert client.get(reverse("coalition", args=[world.other.slug])).status_code == 200


def test_an_organizer_of_one_coalition_records_a_shared_agencys_roles_in_that_coalition_only(world, shared):
    home_area = world.home.response_areas.get(name="Shelter and housing")
    other_area = world.other.response_areas.get(name="Shelter and housing")
    client = world.client_for(world.organizer)
    page = client.get(reverse("role_add", args=[shared.pk])).content.decode()
    assert f'value="{home_area.pk}"' in page and f'value="{other_area.pk}"' not in page
    data = {"description": "Beds", "ages": "all", "capacity": "active", **NO_LINES}
    client.post(reverse("role_add", args=[shared.pk]), {**data, "response_area": other_area.pk})
    client.post(reverse("role_add", args=[shared.pk]), {**data, "response_area": home_area.pk})
    assert list(shared.roles.values_list("response_area__coalition__slug", flat=True)) == [world.home.slug]


def test_a_new_agency_named_like_one_in_roundtable_is_pointed_to_the_existing_one(world, cps):
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("member_add", args=[world.home.slug]),
        {"form": "new", "new-name": "  other county   cps ", "new-sector": "child_welfare", "new-status": "active"},
    )
    assert "already in Roundtable: add it under" in response.content.decode()
    assert Agency.objects.filter(name__iexact="other county cps").count() == 1
