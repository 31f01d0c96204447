"""Journeys 2 to 4 with action items: the organizer adds two items while
writing minutes, the member moves one forward, the lead reassigns the other."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(scope, label: str, option: str) -> None:
    """Pick in a searchable select: tab to it (the chosen option hides its input
    until then), type a word of it, then click the match."""
    box = scope.get_by_role("combobox", name=label)
    box.focus()
    box.press_sequentially(option.split()[1] if " " in option else option)
    scope.get_by_role("option", name=option, exact=True).click()


def test_items_from_the_minutes_to_the_member_and_the_review_board(visit):
    from meetings.models import Meeting

    meeting = (
        Meeting.objects.filter(coalition__slug="shasta", committee=None, status="held").order_by("-starts_at").first()
    )

    due = timezone.localdate() + timedelta(days=14)  # a due date may not be before the item is made
    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")
    organizer.go(f"/meetings/{meeting.pk}/minutes/")
    page.get_by_label("Minutes", exact=True).fill("Draft being written: not saved yet.")
    panel = page.locator("#meeting-actions")
    for title, agency in (
        ("Publish the sheriff's reporting line", "Shasta County Sheriff's Office"),
        ("Brief the hospital on the new protocol", "Shasta County Sheriff's Office"),
    ):
        panel.get_by_label("Title").fill(title)
        choose(panel, "Owning agency", agency)
        panel.get_by_label("Due").fill(f"{due:%Y-%m-%d}")
        panel.get_by_role("button", name="Add the action item").click()
        expect(page.locator("#meeting-actions").get_by_role("link", name=title)).to_be_visible()
    # The unsaved minutes are still there: htmx added the items without leaving the page.
    expect(page.get_by_label("Minutes", exact=True)).to_have_value("Draft being written: not saved yet.")
    organizer.check("minutes-with-items")

    member = visit("member")
    page = member.log_in("member@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions").click()
    expect(page.get_by_role("heading", name="My agency's actions")).to_be_visible()
    member.check("my-agency")
    page.get_by_role("link", name="Publish the sheriff's reporting line").click()
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Comment").fill("Web team is updating the page this week.")
    page.get_by_role("button", name="Post the update").click()
    expect(page.get_by_text("Your update is recorded.")).to_be_visible()
    expect(page.get_by_text("Web team is updating the page this week.")).to_be_visible()
    member.check("item-updated")

    lead = visit("lead")
    page = lead.log_in("lead@example.org")
    lead.go("/c/shasta/actions/review/")
    row = page.get_by_role("row").filter(has_text="Brief the hospital on the new protocol").first
    expect(row).to_be_visible()
    lead.check("board")
    row.get_by_role("checkbox").check()
    page.get_by_label("Reassign to an agency").check()
    choose(page, "New owning agency", "Shasta Community Hospital")
    page.get_by_label("Note for the log").fill("The hospital owns its protocol.")
    page.get_by_role("button", name="Apply to the ticked items").click()
    expect(page.get_by_text("1 item updated.")).to_be_visible()
    lead.go("/c/shasta/actions/?q=Brief+the+hospital")
    expect(page.get_by_role("cell", name="Shasta Community Hospital")).to_be_visible()
    lead.check("reassigned")
