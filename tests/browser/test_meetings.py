"""The organizer schedules a meeting in the browser; the archive reaches back to 2013."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_schedules_a_meeting_and_members_see_it(visit):
    day = timezone.localdate() + timedelta(days=60)  # an upcoming meeting, whenever the test runs
    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")
    page.get_by_role("link", name="Meetings", exact=True).click()
    organizer.check("meetings")
    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Title").fill("Hotel outreach planning")
    page.get_by_label("Kind").select_option(label="Special meeting")
    page.get_by_label("Date").fill(f"{day:%Y-%m-%d}")
    page.get_by_label("Starts at").fill("15:00")
    page.get_by_label("Ends at").fill("16:00")
    page.get_by_label("Place").fill("County Library community room, Redding")
    organizer.check("schedule-form")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_text("“Hotel outreach planning” is scheduled.")).to_be_visible()
    expect(page.get_by_text(f"{day:%A, %B %-d, %Y}, 3:00 PM–4:00 PM")).to_be_visible()
    organizer.check("meeting")

    member = visit("member")
    page = member.log_in("member@example.org")
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_role("link", name="Hotel outreach planning")).to_be_visible()
    page.get_by_role("link", name="2013", exact=True).click()
    expect(page.get_by_role("cell", name="Thu Nov 14, 2013 12:00 PM–1:30 PM")).to_be_visible()
    member.check("archive-2013")


def test_organizer_runs_a_meeting_from_agenda_to_minutes_and_the_lead_approves(visit):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    # Held yesterday: attendance and approval come after a meeting, whatever the hour the test runs.
    yesterday = timezone.now().astimezone(ZoneInfo("America/Los_Angeles")).date() - timedelta(days=1)
    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")
    organizer.go("/c/shasta/meetings/new/")
    page.get_by_label("Title").fill("Special meeting on hotel outreach")
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_label("Starts at").fill("00:05")
    page.get_by_label("Ends at").fill("00:50")
    page.get_by_role("button", name="Schedule the meeting").click()

    page.get_by_role("link", name="Edit the agenda").click()
    for title in ("Welcome", "Hotel outreach report"):
        page.get_by_label("Title").fill(title)
        page.get_by_role("button", name="Save the item").click()
        expect(page.get_by_text(f"“{title}” is on the agenda.")).to_be_visible()
    page.get_by_role("button", name="Up: Hotel outreach report").click()
    expect(page.locator(".list-group-item").first).to_contain_text("Hotel outreach report")
    organizer.check("agenda")
    page.get_by_role("link", name="Back to the meeting").click()

    page.get_by_role("link", name="Record attendance").click()
    # no invitations went out for it: the list is empty until attendance is recorded
    expect(page.get_by_text("Nobody is on the list yet")).to_be_visible()
    page.get_by_role("button", name="All present").click()
    page.get_by_label("Attendance of Marcus Reyes").select_option("excused")
    organizer.check("attendance")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance is saved.")).to_be_visible()
    expect(page.get_by_text("Lena Ortiz, Shasta County Sheriff's Office: present")).to_be_visible()

    page.get_by_role("link", name="Write the minutes").click()
    page.get_by_label("Minutes", exact=True).fill(
        "Hotel outreach reached six hotels.\nCall the manager at (530) 555-0142."
    )
    page.get_by_label("Decisions").fill("Extend hotel outreach to motels")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("alert").first).to_contain_text("Line 2: “(530) 555-0142” looks like a phone number.")
    organizer.check("minutes-warning")
    page.get_by_label("Minutes", exact=True).fill("Hotel outreach reached six hotels.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The draft minutes are saved.")).to_be_visible()
    meeting_url = page.url

    lead = visit("lead")
    page = lead.log_in("lead@example.org")
    page.goto(meeting_url)
    expect(page.get_by_role("heading", name="Minutes Draft")).to_be_visible()
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.get_by_text("The minutes are approved.")).to_be_visible()
    expect(page.get_by_text("Approved", exact=False).first).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Extend hotel outreach to motels")).to_be_visible()
    lead.check("approved")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_label("Search the minutes").fill("hotel outreach")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Special meeting on hotel outreach").first).to_be_visible()
    expect(page.locator("mark").first).to_be_visible()
    lead.check("search")
