"""Forms refuse bad input with a clear message, and every change is kept."""

import pytest
from django.urls import reverse

from members.models import AgencyRole

from ..factories import NO_LINES, AgencyRoleFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_mou_review_before_signing_is_refused(world):
    membership = world.member_agency.memberships.get()
    response = world.client_for(world.organizer).post(
        reverse("membership_edit", args=[membership.pk]),
        {"status": "active", "mou_signed_on": "2026-05-01", "mou_review_on": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "The review date must come after the date the MOU was signed." in response.content.decode()
    membership.refresh_from_db()
    assert membership.mou_signed_on is None


def test_the_same_person_cannot_be_primary_and_alternate(world):
    membership = world.member_agency.memberships.get()
    deputy = world.member.person
    response = world.client_for(world.organizer).post(
        reverse("membership_edit", args=[membership.pk]),
        {"status": "active", "primary_representative": deputy.pk, "alternate_representative": deputy.pk},
    )
    assert "The alternate must be someone other than the primary." in response.content.decode()


def test_representatives_must_be_people_of_the_agency(world):
    outsider = PersonFactory(full_name="Someone Else")
    membership = world.member_agency.memberships.get()
    response = world.client_for(world.organizer).post(
        reverse("membership_edit", args=[membership.pk]), {"status": "active", "primary_representative": outsider.pk}
    )
    assert "Select a valid choice" in response.content.decode()


def test_a_role_needs_a_description_and_an_area_of_the_agencys_coalition(world):
    client = world.client_for(world.member)
    other_area = world.other.response_areas.first()
    response = client.post(
        reverse("role_add", args=[world.member_agency.pk]),
        {"response_area": other_area.pk, "description": "", "ages": "all", "capacity": "active", **NO_LINES},
    )
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "This field is required." in html
    assert not AgencyRole.objects.exists()


def test_a_second_role_in_the_same_area_is_not_offered(world):
    area = world.home.response_areas.get(name="Investigation")
    AgencyRoleFactory(agency=world.member_agency, response_area=area)
    response = world.client_for(world.member).post(
        reverse("role_add", args=[world.member_agency.pk]),
        {"response_area": area.pk, "description": "Again", "ages": "all", "capacity": "active", **NO_LINES},
    )
    assert response.status_code == 200
    assert AgencyRole.objects.filter(agency=world.member_agency).count() == 1


def test_a_duplicate_response_area_name_is_refused(world):
    response = world.client_for(world.organizer).post(
        reverse("response_areas", args=[world.home.slug]), {"name": "training", "position": 5}
    )
    assert "already has a response area with this name" in response.content.decode()


def test_organizer_adds_and_renames_a_response_area(world):
    client = world.client_for(world.organizer)
    client.post(
        reverse("response_areas", args=[world.home.slug]),
        {"name": "Labour trafficking", "position": 5, "is_active": "on"},
    )
    area = world.home.response_areas.get(name="Labour trafficking")
    client.post(
        reverse("response_area_edit", args=[world.home.slug, area.pk]),
        {"name": "Labour trafficking response", "position": 5, "is_active": "on"},
    )
    area.refresh_from_db()
    assert area.name == "Labour trafficking response"


def test_confirming_marks_profile_and_roles_and_the_history_says_who(world):
    area = world.home.response_areas.get(name="Investigation")
    role = AgencyRoleFactory(agency=world.member_agency, response_area=area, confirmed_at=None)
    client = world.client_for(world.member)
    response = client.post(reverse("agency_confirm", args=[world.member_agency.pk]), follow=True)
    assert "the profile and 1 role are confirmed as current" in response.content.decode()
    role.refresh_from_db()
    world.member_agency.refresh_from_db()
    assert role.confirmed_by == world.member and role.confirmed_at is not None
    assert world.member_agency.confirmed_by == world.member
    assert "<strong>Profile</strong> confirmed as current" in response.content.decode()


def test_the_agency_page_shows_who_changed_what(world):
    client = world.client_for(world.member)
    client.post(
        reverse("agency_edit", args=[world.member_agency.pk]),
        {"name": world.member_agency.name, "sector": world.member_agency.sector, "phone": "(530) 555-7777"},
    )
    html = world.client_for(world.lead).get(reverse("agency", args=[world.member_agency.pk])).content.decode()
    assert "<strong>Profile</strong> changed" in html
    assert "Main phone:" in html and "→ (530) 555-7777" in html
    assert "Deputy Test" in html
