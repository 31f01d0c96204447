"""Organizers manage their coalition's members; leads read; agency members
change only their own agency; nobody sees another coalition's agencies."""

import pytest
from django.urls import reverse

from members.models import Agency, AgencyRole, Membership

from ..factories import NO_LINES, AgencyFactory, AgencyRoleFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour(world):
    """Another agency in the home coalition, with a role."""
    agency = AgencyFactory(name="Crisis Center", phone="(530) 555-0001")
    MembershipFactory(agency=agency, coalition=world.home)
    area = world.home.response_areas.get(name="Crisis response and hotline")
    AgencyRoleFactory(agency=agency, response_area=area)
    return agency


def profile_data(agency: Agency, **changes) -> dict:
    data = {"name": agency.name, "sector": agency.sector, "phone": agency.phone}
    data.update(changes)
    return data


def test_member_edits_their_own_agency_profile(world):
    client = world.client_for(world.member)
    response = client.post(
        reverse("agency_edit", args=[world.member_agency.pk]), profile_data(world.member_agency, phone="(530) 555-9999")
    )
    assert response.status_code == 302
    world.member_agency.refresh_from_db()
    assert world.member_agency.phone == "(530) 555-9999"


def test_member_cannot_edit_another_agency_of_their_coalition(world, neighbour):
    client = world.client_for(world.member)
    assert client.get(reverse("agency", args=[neighbour.pk])).status_code == 200
    response = client.post(reverse("agency_edit", args=[neighbour.pk]), profile_data(neighbour, phone="000"))
    assert response.status_code == 403
    neighbour.refresh_from_db()
    assert neighbour.phone == "(530) 555-0001"
    role = neighbour.roles.get()
    assert client.get(reverse("role_edit", args=[neighbour.pk, role.pk])).status_code == 404
    assert client.post(reverse("agency_confirm", args=[neighbour.pk])).status_code == 403
    assert client.get(reverse("person_add", args=[neighbour.pk])).status_code == 403


def test_member_cannot_see_an_agency_of_another_coalition(world):
    other_agency = world.other_member.person.agency
    client = world.client_for(world.member)
    assert client.get(reverse("agency", args=[other_agency.pk])).status_code == 404
    assert client.get(reverse("agency_edit", args=[other_agency.pk])).status_code == 404
    assert client.get(reverse("coverage", args=[world.other.slug])).status_code == 404


def test_member_edits_and_adds_their_agencys_roles(world):
    client = world.client_for(world.member)
    area = world.home.response_areas.get(name="Investigation")
    response = client.post(
        reverse("role_add", args=[world.member_agency.pk]),
        {"response_area": area.pk, "description": "Investigates.", "ages": "all", "capacity": "limited", **NO_LINES},
    )
    assert response.status_code == 302
    role = AgencyRole.objects.get(agency=world.member_agency, response_area=area)
    assert role.capacity == "limited"
    assert role.confirmed_by == world.member


def test_lead_reads_everything_but_changes_nothing(world, neighbour):
    client = world.client_for(world.lead)
    for url in [
        reverse("agency", args=[neighbour.pk]),
        reverse("coverage", args=[world.home.slug]),
        reverse("member_list", args=[world.home.slug]),
        reverse("response_areas", args=[world.home.slug]),
    ]:
        assert client.get(url).status_code == 200, url
    assert client.post(reverse("agency_edit", args=[neighbour.pk]), profile_data(neighbour)).status_code == 403
    membership = neighbour.memberships.get()
    assert client.post(reverse("membership_edit", args=[membership.pk]), {"status": "inactive"}).status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert client.get(reverse("member_add", args=[world.home.slug])).status_code == 403
    response = client.post(reverse("response_areas", args=[world.home.slug]), {"name": "Lead's area", "position": 1})
    assert response.status_code == 403
    assert not world.home.response_areas.filter(name="Lead's area").exists()


def test_organizer_changes_any_agency_and_membership_of_their_coalition(world, neighbour):
    client = world.client_for(world.organizer)
    client.post(reverse("agency_edit", args=[neighbour.pk]), profile_data(neighbour, phone="(530) 555-1234"))
    neighbour.refresh_from_db()
    assert neighbour.phone == "(530) 555-1234"
    membership = neighbour.memberships.get()
    response = client.post(
        reverse("membership_edit", args=[membership.pk]),
        {"status": "inactive", "joined_on": "2014-01-09", "mou_signed_on": "2014-02-01", "mou_review_on": "2027-02-01"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.INACTIVE
    assert str(membership.mou_review_on) == "2027-02-01"


def test_organizer_cannot_change_an_agency_of_another_coalition(world):
    other_agency = world.other_member.person.agency
    client = world.client_for(world.organizer)
    assert client.get(reverse("agency_edit", args=[other_agency.pk])).status_code == 404
    assert client.get(reverse("membership_edit", args=[other_agency.memberships.get().pk])).status_code == 404


def test_organizer_adds_a_new_member_agency(world):
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("member_add", args=[world.home.slug]),
        {
            "form": "new",
            "new-name": "Legal Aid Society",
            "new-sector": "legal_immigration",
            "new-status": "prospective",
        },
    )
    agency = Agency.objects.get(name="Legal Aid Society")
    assert response["Location"] == agency.get_absolute_url()
    assert agency.memberships.get().coalition == world.home
    assert agency.memberships.get().status == "prospective"


def test_organizer_invites_a_person_of_a_member_agency_to_log_in(world, django_capture_on_commit_callbacks):
    from django.core import mail

    person = PersonFactory(agency=world.member_agency, full_name="Tom Becker", email="tom@sheriff.example.org")
    client = world.client_for(world.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("person_invite", args=[world.member_agency.pk, person.pk]))
    person.refresh_from_db()
    assert person.user is not None and person.user.email == "tom@sheriff.example.org"
    assert mail.outbox[0].to == ["tom@sheriff.example.org"]


def test_member_cannot_invite_people(world):
    person = PersonFactory(agency=world.member_agency, email="x@sheriff.example.org")
    client = world.client_for(world.member)
    assert client.post(reverse("person_invite", args=[world.member_agency.pk, person.pk])).status_code == 403
    person.refresh_from_db()
    assert person.user is None
