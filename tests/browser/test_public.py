"""The public guide and contact form in a real browser, on a phone-sized window."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_on_a_phone_finds_the_number_and_sends_a_message(visit):
    tab = visit("visitor", width=390)
    page = tab.go("/p/siskiyou/")
    tab.check("coalition")
    page.get_by_role("link", name="Report trafficking").first.click()
    step = page.get_by_role("listitem").filter(has_text="If the person is or looks under 18")
    expect(step.get_by_role("link", name="(530) 555-0130")).to_be_visible()
    tab.check("guide")
    page.get_by_role("link", name="Contact", exact=True).click()
    page.get_by_label("Your name").fill("Ann Visitor")
    page.get_by_label("Your e-mail address").fill("ann@example.net")
    page.get_by_label("Your message").fill("Our parish would like to host a training.")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("your message reached the coalition's organizers")).to_be_visible()
    tab.check("contact-sent")
