"""The privacy guard as people meet it: an organizer types a victim's details
into an action item and an agenda note, a visitor into the contact form; each
sees what was found, and saves once it is gone or checked."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHERIFF = "Shasta County Sheriff's Office"


def test_personal_details_are_caught_in_an_action_item_an_agenda_note_and_the_contact_form(visit):
    from meetings.models import AgendaItem, Meeting
    from public_site.models import Inquiry
    from tasks.models import ActionItem

    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")

    # an action item
    organizer.go("/c/shasta/actions/new/")
    page.get_by_label("Title").fill("Follow up with the family")
    page.get_by_label("Description").fill("Call Jasmine, 15, on her cell 530-555-0177 after school.")
    box = page.get_by_role("combobox", name="Owning agency")
    box.focus()
    box.press_sequentially("sheriff")
    page.get_by_role("option", name=SHERIFF, exact=True).click()
    expect(page.get_by_label("I checked: none of these are a victim's details")).to_have_count(0)
    page.get_by_role("button", name="Add the item").click()
    warning = page.get_by_role("alert").filter(has_text="Check these before saving")
    expect(warning).to_contain_text("“Jasmine” looks like a name in a victim's context.")
    expect(warning).to_contain_text("“530-555-0177” looks like a phone number.")
    organizer.check("action-warning")
    assert not ActionItem.objects.filter(title="Follow up with the family").exists()
    # one click each takes them out of the text
    replace = page.get_by_role("button", name="Replace with [removed]")
    expect(replace).to_have_count(2)
    replace.first.click()
    replace.first.click()  # (the first is "Replaced" now: the next one)
    expect(replace).to_have_count(0)
    expect(page.get_by_label("Description")).to_have_value("Call [removed], 15, on her cell [removed] after school.")
    page.get_by_role("button", name="Add the item").click()
    expect(page.get_by_role("heading", name="Follow up with the family")).to_be_visible()
    item = ActionItem.objects.get(title="Follow up with the family")
    assert "530-555-0177" not in item.description and "Jasmine" not in item.description

    # an agenda note
    meeting = Meeting.objects.filter(coalition__slug="shasta", status="scheduled").order_by("starts_at").first()
    organizer.go(f"/meetings/{meeting.pk}/agenda/")
    page.get_by_label("Title").fill("Hotel outreach")
    page.get_by_label("Notes", exact=True).fill("Maria in room 214 at the Budget Inn asked the clerk for help.")
    page.get_by_role("button", name="Save the item").click()
    expect(page.get_by_role("alert").filter(has_text="Check these before saving")).to_contain_text(
        "“Maria” looks like a name in a victim's context."
    )
    organizer.check("agenda-warning")
    assert not AgendaItem.objects.filter(meeting=meeting, title="Hotel outreach").exists()
    page.get_by_label("I checked: none of these are a victim's details").check()
    page.get_by_label("Why they are not a victim's details").fill("a training scenario, not a person")
    page.get_by_role("button", name="Save the item").click()  # checked, with the reason: it is saved
    expect(page.get_by_text("“Hotel outreach” is on the agenda.")).to_be_visible()

    # the public contact form
    stranger = visit("stranger")
    page = stranger.go("/en/p/shasta/contact/")
    page.get_by_label("Your name").fill("A neighbour")
    page.get_by_label("Your e-mail address").fill("neighbour@example.net")
    page.get_by_label("Your message").fill(
        "The girl next door, Kayla, 14, has an older boyfriend. Her IG is @kay_2012."
    )
    page.get_by_role("button", name="Send the message").click()
    warning = page.get_by_role("alert").filter(has_text="Check these before saving")
    expect(warning).to_contain_text("“Kayla” looks like a name in a victim's context.")
    expect(warning).to_contain_text("“kay_2012” looks like a social media handle.")
    stranger.check("contact-warning")
    assert not Inquiry.objects.exists()
    page.get_by_label("Your message").fill("Someone next door may be in danger. Please call me.")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Thank you")).to_be_visible()
    assert Inquiry.objects.count() == 1
    from coordination.models import PrivacyCheck

    [check] = PrivacyCheck.objects.all()  # the agenda note's, with who and why; never the text
    assert check.kinds == "name" and check.reason == "a training scenario, not a person" and check.user is not None
