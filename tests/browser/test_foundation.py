"""The demo logins reach their dashboards in a real browser; every page
visited passes axe-core. Screenshots are kept in test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("email", "greeting", "sees"),
    [
        ("organizer@example.org", "Welcome, Dana", "Invite a person"),
        ("lead@example.org", "Welcome, Marcus", "Lead · Chair"),
        ("member@example.org", "Welcome, Lena", "Your agency: Shasta County Sheriff's Office"),
    ],
)
def test_each_demo_user_logs_in_and_sees_their_dashboard(visit, email, greeting, sees):
    tab = visit(email.split("@")[0])
    tab.go("/accounts/login/")
    tab.check("login")
    page = tab.log_in(email)
    expect(page.get_by_role("heading", level=1)).to_have_text(greeting)
    expect(page.get_by_text(sees).first).to_be_visible()
    expect(page.get_by_role("link", name="Shasta County Coalition Against Human Trafficking")).to_be_visible()
    tab.check("dashboard")


def test_a_wrong_password_shows_an_error(visit):
    tab = visit("wrong")
    page = tab.log_in("member@example.org", "not-my-password")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page.get_by_label("E-mail address")).to_have_value("member@example.org")
    tab.check("wrong-password")


def test_organizer_pages_work_and_pass_axe(visit):
    tab = visit("organizer")
    page = tab.log_in("organizer@example.org")
    page.get_by_role("link", name="Shasta County Coalition Against Human Trafficking").click()
    expect(page.get_by_role("heading", name="Committees and working groups")).to_be_visible()
    tab.check("coalition")
    page.get_by_role("link", name="Law Enforcement Working Group").click()
    expect(page.get_by_role("cell", name="Lena Ortiz")).to_be_visible()
    tab.check("restricted-committee")
    page.get_by_role("link", name="Members", exact=True).click()
    expect(page.get_by_role("link", name="Shasta County Sheriff's Office")).to_be_visible()
    tab.check("members")
    # The filter narrows the table in place (htmx) and keeps the address shareable.
    page.get_by_label("Search").fill("hospital")
    expect(page.get_by_role("link", name="Shasta Community Hospital")).to_be_visible()
    expect(page.get_by_role("link", name="Shasta County Sheriff's Office")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=hospital"))
    tab.go("/c/shasta/invite/")
    page.locator("main").get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    tab.check("invite-errors")


def test_the_coalition_picker_switches_coalitions(visit):
    tab = visit("picker")
    page = tab.log_in("organizer@example.org")
    page.get_by_label("Coalition", exact=True).select_option(label="Siskiyou County Human Trafficking Coalition")
    expect(page.get_by_role("heading", level=1)).to_have_text("Siskiyou County Human Trafficking Coalition")
    expect(page.get_by_role("link", name="Case Review Team")).to_be_visible()


def test_on_a_phone_the_menu_opens_and_leads_to_members(visit):
    tab = visit("phone", width=390)
    page = tab.log_in("member@example.org")
    tab.check("dashboard")
    page.get_by_role("button", name="Show navigation").click()
    page.get_by_role("link", name="Members", exact=True).click()
    expect(page.get_by_role("heading", name="Member agencies")).to_be_visible()
    tab.check("members")
