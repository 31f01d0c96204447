"""Single sign-on against a real OpenID Connect provider running beside the
test (tests/oidc_provider.py): a person whose verified e-mail is a login's
signs in and is linked; no one else gets in, and no one gets standing by
signing in alone."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from coordination.models import SecurityEvent, User
from tests.factories import totp_code
from tests.oidc_provider import PASSWORD, Provider

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = "county"
CALLBACK = f"/accounts/oidc/{PROVIDER}/login/callback/"
PEOPLE = {
    "deputy@sheriff.example.org": "true",  # the world's member
    "worker@cps.example.org": "false",  # a login, but the provider does not vouch for the address
    "newcomer@sheriff.example.org": "true",  # vouched for, but no Roundtable login
    "organizer@example.org": "true",
}


@pytest.fixture
def provider(tmp_path, settings):
    running = Provider(tmp_path, [f"http://testserver{CALLBACK}"], PEOPLE)
    app = running.app(domains=["sheriff.example.org", "example.org"])
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app], "OAUTH_PKCE_ENABLED": True}}
    yield running
    running.stop()


def sign_in_at_provider(provider: Provider, roundtable: Client, email: str) -> str:
    """Start at Roundtable's login page, sign in at the provider as `email`,
    and come back: the path Roundtable's callback answered with."""
    page = roundtable.get(reverse("login")).content.decode()
    assert "Sign in with County SSO" in page
    start = roundtable.post(reverse("openid_connect_login", args=[PROVIDER]), {"process": "login"})
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.url}/o/authorize/")
    person = requests.Session()
    answer = person.get(start["Location"], allow_redirects=False)  # not signed in there: its login page
    login_url = provider.url + answer.headers["Location"]
    form = person.get(login_url).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    next_url = re.search(r'name="next" value="([^"]+)"', form)[1].replace("&amp;", "&")
    answer = person.post(
        login_url,
        {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD, "next": next_url},
        headers={"Referer": login_url},
        allow_redirects=False,
    )
    while answer.status_code == 302 and not answer.headers["Location"].startswith("http://testserver"):
        location = answer.headers["Location"]
        answer = person.get(location if location.startswith("http") else provider.url + location, allow_redirects=False)
    assert "Location" in answer.headers, (answer.status_code, answer.url)
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == CALLBACK
    back = roundtable.get(f"{callback.path}?{callback.query}")
    return back["Location"] if back.status_code == 302 else back.content.decode()


def test_a_member_signs_in_with_their_agency_account_and_is_linked(provider, world, django_capture_on_commit_callbacks):
    roundtable = Client()
    with django_capture_on_commit_callbacks(execute=True):
        landed = sign_in_at_provider(provider, roundtable, "deputy@sheriff.example.org")
    assert landed == reverse("dashboard")
    assert int(roundtable.session[SESSION_KEY]) == world.member.pk
    assert roundtable.get(reverse("action_list", args=[world.home.slug])).status_code == 200
    link = SocialAccount.objects.get(user=world.member)
    assert link.provider == PROVIDER and link.uid  # the provider's subject, not the address
    assert SecurityEvent.objects.filter(user=world.member, kind=SecurityEvent.Kind.ACCOUNT_LINKED).exists()
    notice = [m for m in mail.outbox if m.to == [world.member.email]]
    assert [m.subject for m in notice] == ["Your County SSO account now signs you in to Roundtable"]

    # the next time, the link finds the login
    again = Client()
    assert sign_in_at_provider(provider, again, "deputy@sheriff.example.org") == reverse("dashboard")
    assert SocialAccount.objects.filter(user=world.member).count() == 1


def test_an_address_the_provider_does_not_vouch_for_opens_nothing(provider, world):
    roundtable = Client()
    landed = sign_in_at_provider(provider, roundtable, "worker@cps.example.org")
    assert landed == reverse("login")
    assert SESSION_KEY not in roundtable.session
    page = roundtable.get(landed).content.decode()
    assert "did not confirm your e-mail address" in page
    assert not SocialAccount.objects.exists()


def test_signing_in_alone_makes_no_login_and_gives_no_standing(provider, world):
    roundtable = Client()
    landed = sign_in_at_provider(provider, roundtable, "newcomer@sheriff.example.org")
    assert landed == reverse("login")
    assert "No Roundtable login uses newcomer@sheriff.example.org" in roundtable.get(landed).content.decode()
    assert not User.objects.filter(email__iexact="newcomer@sheriff.example.org").exists()
    assert SESSION_KEY not in roundtable.session
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_FAILED)
    assert failed.identifier == "newcomer@sheriff.example.org" and failed.detail == "County SSO: refused"


def test_a_switched_off_login_stays_off(provider, world):
    sign_in_at_provider(provider, Client(), "deputy@sheriff.example.org")
    User.objects.filter(pk=world.member.pk).update(is_active=False)
    roundtable = Client()
    assert sign_in_at_provider(provider, roundtable, "deputy@sheriff.example.org") == reverse("login")
    assert SESSION_KEY not in roundtable.session


def test_an_organizer_signing_in_with_their_agency_still_gives_their_second_factor(provider, world):
    User.objects.filter(pk=world.organizer.pk).update(email="organizer@example.org")
    roundtable = Client()
    landed = sign_in_at_provider(provider, roundtable, "organizer@example.org")
    assert landed == reverse("mfa_authenticate")
    assert SESSION_KEY not in roundtable.session
    done = roundtable.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert done["Location"] == reverse("dashboard")
    assert int(roundtable.session[SESSION_KEY]) == world.organizer.pk


def test_a_sign_in_starts_only_with_a_post(provider, world):
    """A link (or an image) cannot start a sign-in on someone's behalf."""
    response = Client().get(reverse("openid_connect_login", args=[PROVIDER]))
    assert response.status_code == 200  # a page with a button, not a redirect to the provider
    assert provider.url not in response.get("Location", "")
    refused = Client(enforce_csrf_checks=True).post(reverse("openid_connect_login", args=[PROVIDER]))
    assert refused.status_code == 403


def test_the_login_pages_forms_may_lead_to_the_providers_and_nowhere_else(provider, client):
    """form-action covers where a form's answer redirects: the button's answer goes to the provider."""
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if part.strip().startswith("form-action"))
    assert form_action.split() == ["form-action", "'self'", provider.url]
    elsewhere = client.get(reverse("password_reset"))["Content-Security-Policy"]
    assert provider.url not in elsewhere


def test_without_providers_the_login_page_offers_none(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    response = client.get(reverse("login"))
    assert "Sign in with" not in response.content.decode()
    assert "form-action 'self';" in response["Content-Security-Policy"] + ";"


def test_a_provider_vouches_only_for_its_own_domains(provider, world, settings):
    """A county's provider may not open a login at another agency's domain, even
    one it says it verified (a realm administrator could give anyone any address)."""
    app = provider.app(domains=["sheriff.example.org"])
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app], "OAUTH_PKCE_ENABLED": True}}
    User.objects.filter(pk=world.organizer.pk).update(email="organizer@example.org")
    roundtable = Client()
    landed = sign_in_at_provider(provider, roundtable, "organizer@example.org")
    assert landed == reverse("login")
    assert "signs in addresses of sheriff.example.org only" in roundtable.get(landed).content.decode()
    assert SESSION_KEY not in roundtable.session and not SocialAccount.objects.exists()


GOOD = {"id": "county", "name": "C", "server_url": "https://x", "client_id": "c", "secret": "s", "domains": ["x.org"]}


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("[{", "must be a JSON list"),
        (json.dumps({"id": "x"}), "a JSON list of objects"),
        (json.dumps([{k: v for k, v in GOOD.items() if k != "domains"}]), "lacks domains"),
        (json.dumps([{**GOOD, "domains": "x.org"}]), "must be a list of e-mail domains"),
        (json.dumps([{**GOOD, "domains": ["X.ORG"]}]), "must be a list of e-mail domains"),
        (json.dumps([{**GOOD, "id": "Not an id"}]), "is not an id"),
    ],
)
def test_a_mistyped_provider_list_stops_start_up_with_a_message(value, said):
    from django.core.exceptions import ImproperlyConfigured

    from coordination.settings import _oidc_providers

    with pytest.raises(ImproperlyConfigured, match=said):
        _oidc_providers(value)
    assert _oidc_providers(json.dumps([GOOD]))[0]["settings"]["domains"] == ["x.org"]
