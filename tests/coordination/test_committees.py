"""Organizers keep the committees: charge, leads, members, visibility."""

import pytest
from django.urls import reverse

from coordination.models import Committee

from ..factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_organizer_creates_a_restricted_committee_with_a_lead(world):
    deputy = world.member.person
    detective = PersonFactory(agency=world.member_agency, full_name="Detective Lim")
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("committee_create", args=[world.home.slug]),
        {
            "name": "Operations Group",
            "charge": "Coordinate operations.",
            "visibility": "restricted",
            "is_active": "on",
            "members": [detective.pk],
            "leads": [deputy.pk],
        },
        follow=True,
    )
    committee = Committee.objects.get(coalition=world.home, name="Operations Group")
    assert committee.slug == "operations-group"
    assert {(m.person, m.is_lead) for m in committee.memberships.all()} == {(deputy, True), (detective, False)}
    page = response.content.decode()
    assert "Committee “Operations Group” saved." in page
    assert "Detective Lim" in page

    # The deputy sits on it and sees it; the coalition's lead does not.
    assert world.client_for(world.member).get(committee.get_absolute_url()).status_code == 200
    assert world.client_for(world.lead).get(committee.get_absolute_url()).status_code == 404


def test_organizer_edits_members_and_leads(world):
    deputy = world.member.person
    client = world.client_for(world.organizer)
    url = reverse("committee_edit", args=[world.home.slug, world.open_committee.slug])
    client.post(url, {"name": "Awareness", "visibility": "open", "members": [deputy.pk], "leads": [deputy.pk]})
    assert world.open_committee.memberships.get().is_lead
    client.post(url, {"name": "Awareness", "visibility": "open", "members": [], "leads": []})
    assert not world.open_committee.memberships.exists()


def test_a_duplicate_committee_name_is_refused_with_a_message(world):
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("committee_create", args=[world.home.slug]), {"name": "Awareness", "visibility": "open"}
    )
    assert response.status_code == 200
    assert "already has a committee with this name" in response.content.decode()
    assert Committee.objects.filter(coalition=world.home, name="Awareness").count() == 1


def test_people_of_another_coalition_cannot_be_added(world):
    outsider = world.other_member.person
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("committee_create", args=[world.home.slug]),
        {"name": "Mixed", "visibility": "open", "members": [outsider.pk]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Committee.objects.filter(name="Mixed").exists()
