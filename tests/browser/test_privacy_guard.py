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


def test_the_archive_scan_lists_old_details_and_one_click_removes_every_trace(visit):
    """Text stored before the guard: an action item written and edited with a
    victim's details (three versions in its history). The organizer scans,
    reviews, removes; nothing is left in the item, its history or the search."""
    from coordination.models import StoredFinding
    from meetings.models import Minutes
    from members.models import Agency
    from tasks.models import ActionItem

    item = ActionItem.objects.create(
        coalition_id=Minutes.objects.filter(meeting__coalition__slug="shasta").first().meeting.coalition_id,
        title="Shelter placement follow-up",
        description="Destiny, 15, was placed at the shelter.",
        owner_agency=Agency.objects.get(name=SHERIFF),
        due_on="2027-01-15",
    )
    item.description += " Her IG is @dest_2011."
    item.save()
    item.description += " Check in weekly."
    item.save()

    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")
    organizer.go("/c/shasta/")
    page.get_by_role("link", name="Privacy review").click()
    expect(page.get_by_role("heading", name="Privacy review")).to_be_visible()
    # the demo's scan found the slip in the 2015 minutes; a new scan finds the item too
    page.get_by_role("button", name="Scan now").click()
    expect(page.get_by_text("The scan has started.")).to_be_visible()
    page.reload()
    expect(page.get_by_text("4 to review.")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="Action item #")).to_have_count(2)
    expect(rows.filter(has_text="Minutes of")).to_have_count(2)
    expect(page.locator("mark", has_text="dest_2011")).to_be_visible()
    organizer.check("privacy-review")

    # one of the old minutes' details was the agency's case worker's to keep: dismissed with a reason
    minutes_phone = rows.filter(has=page.locator("mark", has_text="530-555-0148"))
    minutes_phone.get_by_text("Not personal details").click()
    minutes_phone.get_by_label("Why not").fill("a training scenario from the 2015 workshop")
    minutes_phone.get_by_role("button", name="Keep the text").click()
    expect(page.get_by_text("Marked as not a victim's details.")).to_be_visible()

    # the item's two: one click each
    for _ in range(2):
        page.locator("tbody tr", has_text="Action item #").first.get_by_role("button", name="Remove").click()
        expect(page.get_by_text("Removed from the text, its earlier versions and the history.")).to_be_visible()
    expect(page.get_by_text("1 to review.")).to_be_visible()
    organizer.check("privacy-review-after")

    item.refresh_from_db()
    assert "Destiny" not in item.description and "dest_2011" not in item.description
    assert item.description.startswith("[removed], 15, was placed") and "Check in weekly." in item.description
    assert item.history.count() == 3
    assert not any("Destiny" in h.description or "dest_2011" in h.description for h in item.history.all())
    organizer.go(f"/actions/{item.pk}/")
    expect(page.get_by_text("Check in weekly.")).to_be_visible()
    expect(page.get_by_text("Destiny")).to_have_count(0)
    organizer.go("/c/shasta/actions/?scope=all&q=Destiny")
    expect(page.get_by_role("link", name="Shelter placement follow-up")).to_have_count(0)
    organizer.go("/c/shasta/actions/?scope=all&q=weekly")
    expect(page.get_by_role("link", name="Shelter placement follow-up")).to_be_visible()
    # the log: who and when, not the words
    organizer.go("/c/shasta/privacy/?status=redacted")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text("Removed: Dana Whitfield")
    assert StoredFinding.objects.filter(status="dismissed", reason__contains="2015 workshop").count() == 1
