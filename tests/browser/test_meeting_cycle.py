"""The organizer's monthly cycle, in the browser, counted in steps (each
click, each field typed into, each choice): schedule, an agenda with the
approval of the previous minutes, the open items and four items,
invitations, attendance for everyone and a guest, minutes with a decision
and two action items against their agenda items, and the lead's approval.
It used to take about 88 steps; it must take at most 45."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHERIFF = "Shasta County Sheriff's Office"
MOST_STEPS = 45


class Steps:
    """Does what a person does on the page, and counts it."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator):
        locator.click()
        self.count += 1

    def fill(self, locator, text: str):
        locator.fill(text)
        self.count += 1

    def select(self, locator, value: str):
        locator.select_option(value)
        self.count += 1

    def choose(self, label: str, typed: str, option: str):
        """A searchable select: type, then pick (two steps)."""
        box = self.page.get_by_role("combobox", name=label)
        box.focus()
        box.press_sequentially(typed)
        self.count += 1
        self.click(self.page.get_by_role("option", name=option, exact=True))


def test_the_monthly_cycle_takes_at_most_45_steps(visit):
    from meetings.models import Attendance, Meeting, MeetingEvent
    from tasks.models import ActionItem

    day = timezone.localdate() + timedelta(days=40)  # beyond the month automatic invitations wait for
    organizer = visit("organizer")
    page = organizer.log_in("organizer@example.org")
    do = Steps(page)

    # Schedule
    do.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings", exact=True))
    do.click(page.get_by_role("link", name="Schedule a meeting"))
    do.fill(page.get_by_label("Title"), "Monthly coalition meeting")
    do.fill(page.get_by_label("Date"), f"{day:%Y-%m-%d}")
    do.fill(page.get_by_label("Starts at"), "12:00")
    do.fill(page.get_by_label("Ends at"), "13:30")
    do.fill(page.get_by_label("Place"), "County Library community room, Redding")
    do.click(page.get_by_role("button", name="Schedule the meeting"))
    expect(page.get_by_text("Not yet sent.")).to_be_visible()
    meeting = Meeting.objects.latest("pk")  # the one just scheduled

    # Agenda: the previous minutes, the open items, four items
    do.click(page.get_by_role("link", name="Edit the agenda"))
    do.click(page.get_by_role("button", name="Add “approve the previous minutes”"))
    do.click(page.get_by_role("button", name="Add them as “Review open action items”"))
    expect(page.get_by_text("is on the agenda with the")).to_be_visible()
    for title in ("Hotel outreach report", "Youth services update", "Training calendar", "Announcements"):
        do.fill(page.get_by_label("Title"), title)
        do.click(page.get_by_role("button", name="Save the item"))
        expect(page.get_by_text(f"“{title}” is on the agenda.")).to_be_visible()
    organizer.check("agenda")
    do.click(page.get_by_role("link", name="Back to the meeting"))

    # Invitations, now, though the meeting is 40 days away
    do.click(page.get_by_role("button", name="Send invitations now"))
    expect(page.get_by_text("Invitations are on their way to")).to_be_visible()
    invited = meeting.attendances.filter(person__isnull=False).count()
    assert invited >= 10
    expect(page.get_by_text(re.compile(rf"Sent on \w+ \d+, \d{{4}} to {invited} people\."))).to_be_visible()
    organizer.check("invited")

    # The day comes (time passing is no step): the meeting was this morning
    start = timezone.now() - timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + timedelta(hours=1, minutes=30))
    page.reload()

    # Attendance: everyone present, a guest, one excused
    do.click(page.get_by_role("link", name="Record attendance"))
    do.click(page.get_by_role("button", name="All present"))
    expect(page.get_by_text(f"{invited} not yet recorded are now recorded.")).to_be_visible()
    do.fill(page.get_by_label("Guest's name"), "Visiting advocate")
    do.click(page.get_by_role("button", name="Add the guest"))
    expect(page.get_by_text("Visiting advocate is recorded as a guest.")).to_be_visible()
    excused = meeting.attendances.filter(person__isnull=False).select_related("person").first().person.full_name
    do.select(page.get_by_label(f"Attendance of {excused}"), "excused")
    organizer.check("attendance")
    do.click(page.get_by_role("button", name="Save attendance"))
    expect(page.get_by_text("Attendance is saved.")).to_be_visible()

    # Minutes, from the agenda, with a decision and two action items against their agenda items
    do.click(page.get_by_role("link", name="Write the minutes"))
    body = page.get_by_label("Minutes", exact=True)
    expect(body).to_have_value(re.compile(r"## 3\. Hotel outreach report"))
    do.fill(
        body,
        body.input_value().replace("## 3. Hotel outreach report", "## 3. Hotel outreach report\n\nSix hotels reached."),
    )
    do.fill(page.get_by_label("Decisions"), "Extend hotel outreach to motels")
    actions = page.locator("#meeting-actions")
    for title, item in (
        ("Print cards for motel front desks", "Hotel outreach report"),
        ("Plan the spring training", "Training calendar"),
    ):
        do.select(actions.get_by_label("From agenda item"), label_value(actions, item))
        do.fill(actions.get_by_label("Title"), title)
        do.choose("Owning agency", "sheriff", SHERIFF)
        do.click(actions.get_by_role("button", name="Add the action item"))
        expect(actions.get_by_role("link", name=title)).to_be_visible()
    do.click(page.get_by_role("button", name="Save the draft"))
    expect(page.get_by_text("The draft minutes are saved.")).to_be_visible()
    organizer.check("minutes")
    meeting_url = page.url

    # The lead approves
    lead = visit("lead")
    lead_page = lead.log_in("lead@example.org")
    lead_do = Steps(lead_page)
    lead_page.goto(meeting_url)
    lead_do.count += 1  # opening the meeting (from the e-mail or the dashboard)
    lead_do.click(lead_page.get_by_role("button", name="Approve the minutes"))
    expect(lead_page.get_by_text("The minutes are approved.")).to_be_visible()
    lead.check("approved")

    steps = do.count + lead_do.count
    assert steps <= MOST_STEPS, steps
    # and what the steps made is all there
    assert meeting.agenda_items.count() == 6
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == invited - 1
    assert Attendance.objects.filter(meeting=meeting, status="guest").count() == 1
    items = ActionItem.objects.filter(meeting=meeting).select_related("agenda_item")
    assert sorted((i.title, i.agenda_item.title) for i in items) == [
        ("Plan the spring training", "Training calendar"),
        ("Print cards for motel front desks", "Hotel outreach report"),
    ]
    assert meeting.minutes.status == "approved"
    told = {e.kind for e in MeetingEvent.objects.filter(meeting=meeting)}
    assert {"scheduled", "agenda", "invited", "attendance", "minutes", "actions", "approved"} <= told


def label_value(scope, title: str) -> str:
    """The value of the agenda item's option in the "From agenda item" select."""
    return scope.get_by_label("From agenda item").locator("option", has_text=title).get_attribute("value")
