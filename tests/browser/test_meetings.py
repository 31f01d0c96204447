"""The organizer schedules a meeting in the browser; the archive reaches back to 2013."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_schedules_a_meeting_and_members_see_it(visit):
    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")
    page.get_by_role("link", name="Meetings", exact=True).click()
    organizer.check("meetings")
    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Title").fill("Hotel outreach planning")
    page.get_by_label("Kind").select_option(label="Special meeting")
    page.get_by_label("Date").fill("2027-02-25")
    page.get_by_label("Starts at").fill("15:00")
    page.get_by_label("Ends at").fill("16:00")
    page.get_by_label("Place").fill("County Library community room, Redding")
    organizer.check("schedule-form")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_text("“Hotel outreach planning” is scheduled.")).to_be_visible()
    expect(page.get_by_text("Thursday, February 25, 2027, 3:00 PM–4:00 PM")).to_be_visible()
    organizer.check("meeting")

    member = visit("member")
    page = member.log_in("member@example.org")
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_role("link", name="Hotel outreach planning")).to_be_visible()
    page.get_by_role("link", name="2013", exact=True).click()
    expect(page.get_by_role("cell", name="Thu Nov 14, 2013 12:00 PM–1:30 PM")).to_be_visible()
    member.check("archive-2013")
