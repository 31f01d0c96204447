"""Trainings and community events: who records them, what the list shows,
and the upcoming public ones on the coalition's public page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import Activity
from tests.factories import ActivityFactory, AgencyFactory, MembershipFactory
from tests.helpers import downloaded_text

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    data = {
        "title": "Recognising trafficking: hotel staff",
        "kind": Activity.Kind.PROFESSIONAL_TRAINING,
        "held_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "audience": Activity.Audience.BUSINESS,
        "people_reached": "24",
        "notes": "",
    }
    return {**data, **changes}


def test_an_organizer_records_a_training_and_the_list_counts_it_apart_from_events(world):
    client = world.client_for(world.organizer)
    response = client.post(reverse("activity_create", args=[world.home.slug]), _form(), follow=True)
    assert "“Recognising trafficking: hotel staff”" in response.content.decode()
    ActivityFactory(coalition=world.home, kind=Activity.Kind.AWARENESS_EVENT, people_reached=150)
    html = client.get(reverse("activity_list", args=[world.home.slug])).content.decode()
    assert "1 training (24 people trained), 1 community event (150 people reached)" in html
    activity = Activity.objects.get(title="Recognising trafficking: hotel staff")
    assert activity.created_by == world.organizer and activity.presenting_agency is None


def test_a_member_records_only_what_their_own_agency_presented(world):
    client = world.client_for(world.member)
    stranger = AgencyFactory(name="Some Other Agency")
    MembershipFactory(agency=stranger, coalition=world.home)
    url = reverse("activity_create", args=[world.home.slug])
    page = client.get(url).content.decode()
    assert "Some Other Agency" not in page and "Test Sheriff&#x27;s Office" in page
    refused = client.post(url, _form(presenting_agency=stranger.pk))
    assert "Select a valid choice" in refused.content.decode()
    assert not Activity.objects.exists()
    client.post(url, _form(presenting_agency=world.member_agency.pk))
    assert Activity.objects.get().presenting_agency == world.member_agency


def test_who_may_change_an_activity(world):
    theirs = ActivityFactory(coalition=world.home, presenting_agency=AgencyFactory(), title="Theirs")
    ours = ActivityFactory(coalition=world.home, presenting_agency=world.member_agency, title="Ours")
    member = world.client_for(world.member)
    assert member.get(reverse("activity_edit", args=[world.home.slug, theirs.pk])).status_code == 403
    assert member.post(reverse("activity_delete", args=[world.home.slug, theirs.pk])).status_code == 403
    assert Activity.objects.filter(pk=theirs.pk).exists()
    member.post(
        reverse("activity_edit", args=[world.home.slug, ours.pk]),
        _form(title="Ours, renamed", presenting_agency=world.member_agency.pk),
    )
    ours.refresh_from_db()
    assert ours.title == "Ours, renamed"
    lead = world.client_for(world.lead)
    lead.post(reverse("activity_delete", args=[world.home.slug, theirs.pk]))
    assert not Activity.objects.filter(pk=theirs.pk).exists()
    outsider = world.client_for(world.other_member)
    assert outsider.get(reverse("activity_list", args=[world.home.slug])).status_code == 404
    assert outsider.get(reverse("activity_edit", args=[world.home.slug, ours.pk])).status_code == 404
    anonymous = Client().get(reverse("activity_list", args=[world.home.slug]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_people_reached_waits_until_the_activity_is_held(world):
    client = world.client_for(world.organizer)
    ahead = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(reverse("activity_create", args=[world.home.slug]), _form(held_on=ahead))
    assert "Fill this in after the activity is held" in response.content.decode()
    assert not Activity.objects.exists()
    client.post(reverse("activity_create", args=[world.home.slug]), _form(held_on=ahead, people_reached=""))
    assert Activity.objects.get().people_reached is None


def test_notes_that_look_like_a_persons_details_need_a_second_look(world):
    client = world.client_for(world.organizer)
    url = reverse("activity_create", args=[world.home.slug])
    response = client.post(url, _form(notes="Follow up with the girl at 530-555-0188"))
    html = response.content.decode()
    assert "looks like a phone number" in html and "I checked" in html
    assert not Activity.objects.exists()
    client.post(
        url,
        _form(notes="Call the venue at 530-555-0188 about the room", checked="on", checked_reason="the venue's line"),
    )
    assert Activity.objects.count() == 1


def test_the_list_filters_trainings_from_community_events_and_exports_them(world):
    ActivityFactory(coalition=world.home, title="Patrol briefing", kind=Activity.Kind.PROFESSIONAL_TRAINING)
    ActivityFactory(coalition=world.home, title="Awareness walk", kind=Activity.Kind.AWARENESS_EVENT)
    ActivityFactory(coalition=world.other, title="Another coalition's class")
    client = world.client_for(world.lead)
    url = reverse("activity_list", args=[world.home.slug])
    trainings = client.get(url, {"group": "training"}).content.decode()
    assert "Patrol briefing" in trainings and "Awareness walk" not in trainings
    assert "Another coalition" not in client.get(url).content.decode()
    csv = downloaded_text(client.get(url, {"group": "community", "_export": "csv"}))
    assert "Awareness walk" in csv and "Patrol briefing" not in csv and "Edit" not in csv


def test_the_list_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    ActivityFactory.create_batch(40, coalition=world.home, presenting_agency=world.member_agency)
    client = world.client_for(world.member)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("activity_list", args=[world.home.slug]))
    assert response.content.decode().count(">Edit<") == 40


def test_upcoming_public_events_appear_on_the_public_page_and_nothing_else(world):
    today = timezone.localdate()
    ActivityFactory(
        coalition=world.home,
        title="Community forum",
        is_public=True,
        held_on=today + timedelta(days=9),
        people_reached=None,
    )
    ActivityFactory(
        coalition=world.home, title="Closed patrol briefing", is_public=False, held_on=today + timedelta(days=9)
    )
    ActivityFactory(coalition=world.home, title="Last year's walk", is_public=True, held_on=today - timedelta(days=1))
    ActivityFactory(
        coalition=world.other, title="Other coalition's forum", is_public=True, held_on=today + timedelta(days=9)
    )
    html = Client().get(reverse("public_coalition", args=[world.home.slug])).content.decode()
    assert "Community forum" in html
    for hidden in ("Closed patrol briefing", "Last year's walk", "Other coalition"):
        assert hidden not in html
    Activity.objects.filter(title="Community forum").delete()
    html = Client().get(reverse("public_coalition", args=[world.home.slug])).content.decode()
    assert "No public events are scheduled just now" in html
