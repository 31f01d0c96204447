"""Personal API tokens: made on the person's page and shown once, kept hashed,
scoped, expiring, revocable by their person and by the coalition's organizers,
and never outliving their person's standing."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken, digest
from coordination import second_factor
from coordination.models import CoalitionRole, Notification, SecurityEvent
from members import services as member_services
from tests.factories import give_second_factor

pytestmark = pytest.mark.django_db


def me(secret: str):
    return Client(headers={"Authorization": f"Bearer {secret}"}).get(reverse("api:me"))


def test_a_person_makes_a_token_shown_once_and_stored_hashed(world):
    browser = world.client_for(world.member)
    page = browser.post(reverse("api_tokens"), {"name": "County dashboard", "scope": "read", "days": "90"})

    secret = page.context["secret"]
    assert secret.startswith("rt_") and secret in page.content.decode()
    token = ApiToken.objects.get(user=world.member)
    assert (token.name, token.scope, token.key_hash) == ("County dashboard", "read", digest(secret))
    assert not ApiToken.objects.filter(key_hash=secret).exists()
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    again = browser.get(reverse("api_tokens")).content.decode()
    assert secret not in again and token.prefix in again
    assert me(secret).json()["email"] == world.member.email
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.TOKEN_CREATED)
    assert event.user == world.member
    assert Notification.objects.filter(kind=Notification.Kind.SECURITY_NOTICE, email=world.member.email).exists()


def test_a_bad_lifetime_is_refused_with_a_message(world):
    page = world.client_for(world.member).post(reverse("api_tokens"), {"name": "x", "scope": "read", "days": "9999"})
    assert "Select a valid choice" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_expired_revoked_and_unknown_tokens_answer_401_with_the_reason(world):
    token, secret = tokens.issue(world.member, name="a", scope="read", days=1)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert me(secret).status_code == 401
        assert "expired" in me(secret).json()["detail"]
    tokens.revoke(token, world.member)
    assert "revoked" in me(secret).json()["detail"]
    assert me("rt_" + "x" * 43).json()["detail"] == "Unknown API token."
    assert me("not-a-token").status_code == 401


def test_last_use_is_noted(world):
    token, secret = tokens.issue(world.member, name="a", scope="read", days=1)
    me(secret)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_ends_when_its_person_leaves_their_agency(world):
    token, secret = tokens.issue(world.member, name="a", scope="write", days=30)
    member_services.mark_left(world.member.person, world.organizer)
    token.refresh_from_db()
    assert token.revoked_at is not None and "left" in token.revoked_because
    assert me(secret).status_code == 401


def test_a_token_stops_when_its_person_has_no_standing_left(world):
    _, secret = tokens.issue(world.lead, name="a", scope="read", days=30)
    assert me(secret).status_code == 200
    CoalitionRole.objects.filter(user=world.lead).delete()
    response = me(secret)
    assert response.status_code == 401
    assert "no longer stands" in response.json()["detail"]


def test_a_switched_off_login_stops_its_tokens(world):
    _, secret = tokens.issue(world.member, name="a", scope="read", days=30)
    world.member.is_active = False
    world.member.save()
    assert me(secret).status_code == 401


def test_organizer_sees_and_revokes_the_tokens_of_their_coalitions_people_only(world):
    mine, _ = tokens.issue(world.member, name="Dashboard", scope="read", days=30)
    elsewhere, _ = tokens.issue(world.other_member, name="Elsewhere", scope="read", days=30)
    browser = world.client_for(world.organizer)

    page = browser.get(reverse("coalition_tokens", args=[world.home.slug])).content.decode()
    assert "Dashboard" in page and "Elsewhere" not in page
    assert browser.post(reverse("coalition_token_revoke", args=[world.home.slug, elsewhere.pk])).status_code == 404
    browser.post(reverse("coalition_token_revoke", args=[world.home.slug, mine.pk]))

    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    assert mine.revoked_by == world.organizer and elsewhere.revoked_at is None
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.TOKEN_REVOKED)
    assert (event.user, event.actor) == (world.member, world.organizer)


def test_a_person_revokes_their_own_token_and_not_anothers(world):
    mine, _ = tokens.issue(world.member, name="Mine", scope="read", days=30)
    theirs, _ = tokens.issue(world.lead, name="Theirs", scope="read", days=30)
    browser = world.client_for(world.member)
    assert browser.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    browser.post(reverse("api_token_revoke", args=[mine.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_making_a_token_asks_for_the_password_after_a_while(world, settings):
    browser = world.client_for(world.member)
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.REAUTH_MINUTES + 1)):
        response = browser.post(reverse("api_tokens"), {"name": "x", "scope": "read", "days": "30"})
    assert response.status_code == 302 and reverse("confirm_identity") in response["Location"]
    assert not ApiToken.objects.exists()


def test_leaving_revokes_quietly_and_a_second_factor_reset_ends_tokens_too(world):
    tokens.issue(world.member, name="a", scope="read", days=30)
    lead_token, lead_secret = tokens.issue(world.lead, name="b", scope="read", days=30)
    Notification.objects.all().delete()

    member_services.mark_left(world.member.person, world.organizer)
    assert not Notification.objects.filter(email=world.member.email).exists()  # a person who left gets nothing

    request = RequestFactory().post("/")
    request.user, request.session = world.organizer, SessionStore()
    second_factor.reset(request, world.lead)
    lead_token.refresh_from_db()
    assert lead_token.revoked_at is not None and lead_token.revoked_because == "second factor reset"
    assert me(lead_secret).status_code == 401


def test_a_token_waits_for_the_second_factor_its_coalition_requires(world):
    _, secret = tokens.issue(world.member, name="a", scope="read", days=30)
    world.home.require_second_factor = True
    world.home.save()
    refused = me(secret)
    assert refused.status_code == 401 and "second factor" in refused.json()["detail"]
    give_second_factor(world.member)
    assert me(secret).status_code == 200


def test_reading_contact_details_with_a_token_is_logged_once_a_day(world):
    _, secret = tokens.issue(world.organizer, name="Export", scope="read", days=30)
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    for _ in range(3):
        assert client.get(reverse("api:agencies", args=[world.home.slug])).status_code == 200
    line = SecurityEvent.objects.get(kind=SecurityEvent.Kind.CONTACT_EXPORT)
    assert (line.user, line.coalition) == (world.organizer, world.home)
    assert line.detail.startswith("API token Export (")
