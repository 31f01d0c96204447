"""Second factors as an organizer meets them: a new organizer is sent to add
one, adds an authenticator app, then a passkey (Chromium's virtual
authenticator), and signs out and back in with each."""

import pytest
from playwright.sync_api import expect

from .conftest import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "new.organizer@example.org"
PASSWORD = "a-long-organizer-password"


@pytest.fixture
def new_organizer(demo):
    from coordination.models import Coalition, CoalitionRole, User

    user = User.objects.create_user(email=EMAIL, password=PASSWORD, full_name="Nadia Organizer")
    CoalitionRole.objects.create(
        coalition=Coalition.objects.get(slug="shasta"), user=user, role=CoalitionRole.Role.ORGANIZER
    )
    return user


def sign_out(page):
    page.get_by_role("button", name="Nadia Organizer").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to Roundtable")).to_be_visible()


def password_step(visit_, page):
    visit_.go("/accounts/login/")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()


def test_an_organizer_adds_an_app_and_a_passkey_and_signs_in_with_each(visit, new_organizer):
    from allauth.mfa.models import Authenticator

    from coordination.models import SecurityEvent

    organizer = visit("organizer")
    page = organizer.page
    password_step(organizer, page)
    # sent to add a second factor, whatever page they ask for
    expect(page.get_by_role("heading", name="Sign-in security")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Add a second factor before you go on")
    organizer.go("/c/shasta/members/")
    expect(page.get_by_role("heading", name="Sign-in security")).to_be_visible()
    organizer.check("asked-to-add")

    # an authenticator app: the secret typed into it (or the QR code scanned), then its code
    page.locator("section").filter(has_text="Authenticator app").get_by_role("link", name="Activate").click()
    secret = page.get_by_label("Authenticator secret").input_value()
    organizer.check("activate-app")
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    page.get_by_label("Authenticator code").fill(fresh_code(EMAIL, secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    organizer.check("recovery-codes")
    organizer.go("/c/shasta/members/")
    expect(page.get_by_role("heading", name="Member agencies")).to_be_visible()

    # out, and in again with the app's code
    sign_out(page)
    password_step(organizer, page)
    expect(page.get_by_label("Code")).to_be_visible()
    organizer.check("code-asked")
    page.get_by_label("Code").fill(fresh_code(EMAIL, secret))
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Nadia")).to_be_visible()

    # a passkey, on Chromium's virtual authenticator
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    organizer.go("/accounts/second-factor/")
    page.locator("section").filter(has_text="Passkeys and security keys").get_by_role("link", name="Add").click()
    page.get_by_label("Name").fill("Laptop passkey")
    organizer.check("add-passkey")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("Security key added.")
    expect(page.get_by_text("You have added 1 security key.")).to_be_visible()
    assert Authenticator.objects.filter(user=new_organizer, type="webauthn").count() == 1

    # out, and in again with the passkey
    sign_out(page)
    password_step(organizer, page)
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page.get_by_role("heading", name="Welcome, Nadia")).to_be_visible()

    # the coalition's security log shows what just happened, and filters
    organizer.go("/c/shasta/security/")
    page.get_by_role("link", name="Security log").click()
    expect(page.get_by_role("heading", name="Security log")).to_be_visible()
    table = page.locator("#security-table")
    expect(table).to_contain_text("Second factor added")
    expect(table).to_contain_text("Signed in")
    page.get_by_label("What").select_option(label="Second factor added")
    expect(table.locator("tbody tr")).to_have_count(3)  # the app, its recovery codes, the passkey
    organizer.check("security-log")

    kinds = list(SecurityEvent.objects.filter(user=new_organizer).values_list("kind", "detail"))
    assert ("factor_added", "an authenticator app") in kinds
    assert ("factor_added", "a passkey or security key") in kinds
