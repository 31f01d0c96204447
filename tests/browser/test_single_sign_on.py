"""Single sign-on as a member meets it: on the login page, "Sign in with
County SSO", the county's own sign-in page (a real OpenID Connect provider
beside the test), and back into Roundtable, signed in."""

import pytest
from playwright.sync_api import expect

from tests.oidc_provider import PASSWORD, Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county_sso(demo, tmp_path, settings):
    running = Provider(tmp_path, [f"{demo}/accounts/oidc/county/login/callback/"], {"member@example.org": "true"})
    app = running.app(domains=["example.org"])
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app], "OAUTH_PKCE_ENABLED": True}}
    yield running
    running.stop()


def test_a_member_signs_in_with_their_agency_account(visit, county_sso):
    from allauth.socialaccount.models import SocialAccount

    member = visit("member")
    page = member.go("/accounts/login/")
    member.check("login-with-sso")
    page.get_by_role("button", name="Sign in with County SSO").click()
    # the county's page, not Roundtable's
    expect(page.get_by_role("heading", name="County sign-in")).to_be_visible()
    assert page.url.startswith(county_sso.url)
    page.get_by_label("Work e-mail").fill("member@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to the county").click()
    expect(page.get_by_role("heading", name="Welcome, Lena")).to_be_visible()
    member.check("signed-in-with-sso")
    assert SocialAccount.objects.filter(user__email="member@example.org", provider="county").exists()
