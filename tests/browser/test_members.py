"""Journeys of the members area in a real browser: an agency updates its role
and confirms it; a lead finds the gaps and sees the change in the history."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_updates_the_sheriffs_role_confirms_and_the_lead_sees_it(visit):
    member = visit("member")
    page = member.log_in("member@example.org")
    page.get_by_role("link", name="Open your agency's page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shasta County Sheriff's Office")
    expect(page.get_by_text("1 of your roles has not been confirmed for six months")).to_be_visible()
    member.check("agency-before")

    page.get_by_role("link", name="Edit the role in Identification and reporting").click()
    page.get_by_label("What it does").first.fill("Takes reports at any hour; a detective calls back within one day.")
    page.get_by_label("Limited").check()
    member.check("role-form")
    page.get_by_role("button", name="Save the role").click()
    expect(page.get_by_text("The role in “Identification and reporting” is saved.")).to_be_visible()

    page.get_by_role("button", name="Confirm all is current").click()
    expect(page.get_by_text("the profile and 3 roles are confirmed as current")).to_be_visible()
    expect(page.get_by_text("has not been confirmed for six months")).to_have_count(0)
    member.check("agency-after")

    lead = visit("lead")
    page = lead.log_in("lead@example.org")
    page.get_by_role("link", name="Coverage", exact=True).click()
    gaps = page.get_by_role("region", name="Gaps: no active agency (5)")
    expect(gaps).to_contain_text("Legal and immigration help")
    expect(page.get_by_role("region", name="Single points of failure (8)")).to_contain_text(
        "Prosecution and victim-witness support: Shasta County District Attorney"
    )
    lead.check("coverage")
    # At 1280 px every agency of the demo's matrix is in view, none behind a scroll bar.
    fits = "(m => m.scrollWidth <= m.clientWidth)(document.querySelector('.rt-matrix'))"
    assert page.evaluate(fits), "the coverage matrix is wider than the page"
    page.get_by_role("row", name="Identification and reporting").get_by_text("Limited").wait_for()
    page.get_by_role("link", name="Shasta County Sheriff's Office").first.click()
    expect(page.get_by_role("cell", name="a detective calls back within one day")).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("Role: Identification and reporting changed")
    expect(history).to_contain_text("Lena Ortiz")
    expect(history).to_contain_text("Capacity: active → limited")
    expect(page.get_by_role("link", name="Edit the profile")).to_have_count(0)
    lead.check("agency-as-lead")
