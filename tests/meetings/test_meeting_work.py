"""Agenda, invitations and attendance, minutes and their approval."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordination.models import PrivacyCheck
from meetings import invitations
from meetings.models import AgendaItem, Attendance, Meeting, Minutes
from members.models import Agency

from ..factories import AgencyFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world):
    membership = world.member_agency.memberships.get()
    membership.primary_representative = world.member.person
    membership.save()
    start = timezone.now() - timedelta(hours=2)
    return Meeting.objects.create(
        coalition=world.home, title="Monthly meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )


@pytest.fixture
def upcoming(world, meeting):
    start = timezone.now() + timedelta(days=7)
    return Meeting.objects.create(
        coalition=world.home, title="Next meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )


def write_minutes(client, meeting, **data):
    return client.post(reverse("minutes_edit", args=[meeting.pk]), {"body": "", "decisions": "", **data}, follow=True)


# --- Agenda ---


def test_organizer_builds_and_reorders_the_agenda(world, upcoming):
    client = world.client_for(world.organizer)
    for title in ("Welcome", "Hotel outreach report", "Round table"):
        client.post(reverse("agenda", args=[upcoming.pk]), {"title": title, "minutes_allotted": 10})
    hotel = upcoming.agenda_items.get(title="Hotel outreach report")
    client.post(reverse("agenda", args=[upcoming.pk]), {"move": "up", "item": hotel.pk})
    assert list(upcoming.agenda_items.values_list("title", flat=True)) == [
        "Hotel outreach report",
        "Welcome",
        "Round table",
    ]
    client.post(reverse("agenda", args=[upcoming.pk]), {"approval": "1"})
    first = upcoming.agenda_items.first()
    assert first.approves_minutes_of.pk != upcoming.pk
    assert first.title.startswith("Approve the minutes of")


def test_case_review_items_keep_no_notes_unless_allowed_and_stay_hidden(world, upcoming):
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("agenda", args=[upcoming.pk]),
        {"title": "Referral review", "is_case_review": "on", "notes": "Discussed"},
    )
    assert "Case-review items keep no notes" in response.content.decode()
    assert not AgendaItem.objects.exists()
    client.post(reverse("agenda", args=[upcoming.pk]), {"title": "Referral review", "is_case_review": "on"})
    assert "Referral review" not in world.client_for(world.member).get(upcoming.get_absolute_url()).content.decode()
    assert "Referral review" in world.client_for(world.lead).get(upcoming.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["lead", "member"])
def test_only_organizers_change_agenda_attendance_and_minutes(world, upcoming, role):
    client = world.client_for(getattr(world, role))
    assert client.post(reverse("agenda", args=[upcoming.pk]), {"title": "Sneaky"}).status_code == 403
    assert client.get(reverse("attendance", args=[upcoming.pk])).status_code == 403
    assert client.post(reverse("minutes_edit", args=[upcoming.pk]), {"body": "x"}).status_code == 403
    assert not AgendaItem.objects.exists() and not Minutes.objects.exists()


# --- Invitations, RSVP and attendance ---


def test_representatives_are_invited_and_answer_from_the_meeting_page(world, upcoming):
    invitations.ensure_invitations(upcoming)
    row = upcoming.attendances.get(person=world.member.person)
    assert row.agency == world.member_agency
    client = world.client_for(world.member)
    response = client.post(reverse("rsvp", args=[upcoming.pk]), {"answer": "maybe"}, follow=True)
    assert "Your answer is recorded: maybe." in response.content.decode()
    row.refresh_from_db()
    assert row.rsvp == "maybe" and row.rsvp_at is not None


def test_rsvp_link_works_without_login_and_only_the_buttons_change_anything(world, upcoming):
    invitations.ensure_invitations(upcoming)
    row = upcoming.attendances.get(person=world.member.person)
    url = reverse("rsvp_link", args=[invitations.rsvp_token(row)])
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Will you come?" in page.content.decode()
    row.refresh_from_db()
    assert row.rsvp == ""
    anonymous.post(url, {"answer": "yes"})
    row.refresh_from_db()
    assert row.rsvp == "yes"


def test_a_tampered_or_past_rsvp_link_is_refused(world, meeting, upcoming):
    invitations.ensure_invitations(upcoming)
    row = upcoming.attendances.get(person=world.member.person)
    token = invitations.rsvp_token(row)
    assert Client().get(reverse("rsvp_link", args=[token[:-2] + "xx"])).status_code == 410
    invitations.ensure_invitations(meeting)
    past = meeting.attendances.get(person=world.member.person)
    assert (
        Client().post(reverse("rsvp_link", args=[invitations.rsvp_token(past)]), {"answer": "yes"}).status_code == 410
    )
    past.refresh_from_db()
    assert past.rsvp == ""


def test_organizer_records_attendance_and_a_guest_on_one_screen(world, meeting):
    client = world.client_for(world.organizer)
    page = client.get(reverse("attendance", args=[meeting.pk])).content.decode()
    assert "Nobody is on the list yet" in page
    assert not meeting.attendances.exists()  # looking invites nobody
    response = client.post(reverse("attendance", args=[meeting.pk]), {"list": "1"}, follow=True)
    assert "1 invitee is listed: record who came." in response.content.decode()
    assert meeting.attendances.get().status == ""  # listed, nobody recorded yet
    client.post(reverse("attendance", args=[meeting.pk]), {"add_guest": "1", "guest_name": "Visiting Advocate"})
    # recording lists the invitees (no invitations were sent through Roundtable)
    assert "Deputy Test" in client.get(reverse("attendance", args=[meeting.pk])).content.decode()
    row = meeting.attendances.get(person=world.member.person)
    client.post(reverse("attendance", args=[meeting.pk]), {f"status-{row.pk}": "present"})
    row.refresh_from_db()
    meeting.refresh_from_db()
    assert row.status == "present"
    assert meeting.attendances.get(guest_name="Visiting Advocate").status == "guest"
    assert meeting.status == Meeting.Status.HELD


def test_attendance_is_filled_in_one_click_for_those_not_yet_recorded(world, meeting):
    """All present, or from the answers (yes present, no excused), for every
    invitation not yet recorded on any page; one already recorded and a guest
    keep theirs."""
    invitations.ensure_invitations(meeting)
    people = [PersonFactory(agency=world.member_agency) for _ in range(4)]
    rows = [Attendance.objects.create(meeting=meeting, person=p, agency=p.agency) for p in people]
    for row, rsvp in zip(rows, ["yes", "no", "maybe", "yes"], strict=True):
        row.rsvp = rsvp
    rows[3].status = "absent"  # recorded already
    Attendance.objects.bulk_update(rows, ["rsvp", "status"])
    guest = Attendance.objects.create(meeting=meeting, guest_name="Visitor", status="guest")
    client = world.client_for(world.organizer)
    client.post(reverse("attendance", args=[meeting.pk]), {"fill": "rsvps"})
    assert [Attendance.objects.get(pk=r.pk).status for r in rows] == ["present", "excused", "", "absent"]
    response = client.post(reverse("attendance", args=[meeting.pk]), {"fill": "everyone"}, follow=True)
    assert [Attendance.objects.get(pk=r.pk).status for r in rows] == ["present", "excused", "present", "absent"]
    assert "now recorded" in response.content.decode()
    guest.refresh_from_db()
    meeting.refresh_from_db()
    assert guest.status == "guest" and meeting.status == Meeting.Status.HELD
    assert not meeting.attendances.filter(person__isnull=False, status="").exists()


def test_attendance_is_refused_for_a_meeting_that_has_not_started(world, upcoming):
    """Who came is known once the meeting has begun: before, the page shows
    the invitations and answers, and saving or adding a guest changes nothing."""
    invitations.ensure_invitations(upcoming)
    client = world.client_for(world.organizer)
    page = client.get(reverse("attendance", args=[upcoming.pk])).content.decode()
    assert "The meeting has not started" in page
    row = upcoming.attendances.get(person=world.member.person)
    tries = ({f"status-{row.pk}": "present"}, {"add_guest": "1", "guest_name": "Early Guest"}, {"fill": "everyone"})
    for data in tries:
        response = client.post(reverse("attendance", args=[upcoming.pk]), data, follow=True)
        assert "Attendance is recorded once the meeting has started" in response.content.decode()
    row.refresh_from_db()
    upcoming.refresh_from_db()
    assert row.status == "" and not upcoming.attendances.filter(guest_name="Early Guest").exists()
    assert upcoming.status == Meeting.Status.SCHEDULED


def test_minutes_are_approved_only_once_the_meeting_is_over(world, meeting):
    start = timezone.now() - timedelta(minutes=30)  # started, not yet over
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    minutes = Minutes.objects.create(meeting=meeting, body="Agenda as drafted.")
    lead = world.client_for(world.lead)
    assert "Approve the minutes" not in lead.get(meeting.get_absolute_url()).content.decode()
    response = lead.post(reverse("minutes_approve", args=[meeting.pk]), follow=True)
    assert "Minutes are approved once the meeting is over" in response.content.decode()
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    assert "Approve the minutes" in lead.get(meeting.get_absolute_url()).content.decode()
    lead.post(reverse("minutes_approve", args=[meeting.pk]))
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED


def test_the_guest_form_offers_only_the_meetings_own_coalitions_agencies(world, meeting):
    invitations.ensure_invitations(meeting)
    client = world.client_for(world.organizer)
    page = client.get(reverse("attendance", args=[meeting.pk])).content.decode()
    assert "Test Sheriff&#x27;s Office" in page  # a member agency of the meeting's coalition
    assert "Other County CPS" not in page  # the other coalition's agency is not offered
    other_agency = Agency.objects.get(name="Other County CPS")
    response = client.post(
        reverse("attendance", args=[meeting.pk]),
        {"add_guest": "1", "guest_name": "Smuggled Guest", "agency": other_agency.pk},
    )
    assert not meeting.attendances.filter(guest_name="Smuggled Guest").exists()
    assert "Select a valid choice" in response.content.decode()


def test_an_unknown_attendance_status_changes_nothing(world, meeting):
    invitations.ensure_invitations(meeting)
    row = meeting.attendances.get(person=world.member.person)
    world.client_for(world.organizer).post(reverse("attendance", args=[meeting.pk]), {f"status-{row.pk}": "teleported"})
    row.refresh_from_db()
    assert row.status == ""


# --- Minutes ---

HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<img src="x" onerror="alert(1)">',
    '<a href="#" onclick="alert(1)">x</a>',
    "<iframe src='https://evil.example'></iframe>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_minutes_render_hostile_input_harmless(world, meeting, payload):
    Minutes.objects.create(meeting=meeting, body=f"Intro\n\n{payload}\n\n**Done**")
    html = world.client_for(world.member).get(meeting.get_absolute_url()).content.decode()
    minutes_html = html[html.index('class="rt-minutes') :]
    for bad in ("<script", "javascript:", "onerror", "onclick", "onload", "<iframe", "data:text/html", "<svg"):
        assert bad not in minutes_html.split("</section>")[0]
    assert "<strong>Done</strong>" in minutes_html


@pytest.mark.parametrize("blank", ["", "   \n\n  "])
def test_an_empty_minutes_draft_is_refused_with_a_message(world, meeting, blank):
    response = write_minutes(world.client_for(world.organizer), meeting, body=blank, decisions=blank)
    assert "The minutes are empty: write what happened, or a decision, then save." in response.content.decode()
    assert not Minutes.objects.exists()
    write_minutes(world.client_for(world.organizer), meeting, body=blank, decisions="Adopt the hotel protocol")
    assert Minutes.objects.get().decision_list == ["Adopt the hotel protocol"]


def test_minutes_too_long_say_so_and_not_that_they_are_empty(world, meeting, settings):
    response = write_minutes(world.client_for(world.organizer), meeting, body="x" * (settings.LONG_TEXT_MAX + 1))
    html = response.content.decode()
    assert "at most" in html and "The minutes are empty" not in html
    assert not Minutes.objects.exists()


def test_headings_in_minutes_sit_below_the_pages_own(world, meeting):
    """The meeting page has its <h1> and an <h2> "Minutes": a "#" of the
    minutes is an <h3>, "##" an <h4>, never larger than the page's title."""
    Minutes.objects.create(meeting=meeting, body="# Reports\n\n## Sheriff\n\nText\n\n###### Small")
    html = world.client_for(world.member).get(meeting.get_absolute_url()).content.decode()
    minutes_html = html[html.index('class="rt-minutes') :].split("</section>")[0]
    assert re.findall(r"<h(\d)>([^<]+)</h\d>", minutes_html) == [("3", "Reports"), ("4", "Sheriff"), ("6", "Small")]


def test_writing_minutes_warns_about_personal_details_before_saving(world, meeting):
    client = world.client_for(world.organizer)
    response = write_minutes(client, meeting, body="Good meeting.\nCall her at (530) 555-0199 tomorrow.")
    html = response.content.decode()
    assert "Line 2: “(530) 555-0199” looks like a phone number." in html
    assert not Minutes.objects.exists()
    body = "Good meeting.\nThe hotline is (530) 555-0199."
    # ticked without saying why: not yet
    html = write_minutes(client, meeting, body=body, checked="on").content.decode()
    assert "Say why these are not a victim" in html and not Minutes.objects.exists()
    write_minutes(client, meeting, body=body, checked="on", checked_reason="the shelter's published line")
    assert Minutes.objects.get().status == Minutes.Status.DRAFT
    # the log keeps who, where, which kinds and why; never the text
    check = PrivacyCheck.objects.get()
    assert (check.user, check.form, check.kinds, check.reason) == (
        world.organizer,
        "MinutesForm",
        "phone",
        "the shelter's published line",
    )
    assert check.path == f"/meetings/{meeting.pk}/minutes/"
    assert "555-0199" not in " ".join(str(v) for v in PrivacyCheck.objects.values_list().get())


def test_a_lead_approves_minutes_and_editing_them_asks_for_approval_again(world, meeting):
    write_minutes(
        world.client_for(world.organizer), meeting, body="We met.", decisions="Adopt the hotel protocol\n- Meet in May"
    )
    minutes = Minutes.objects.get()
    assert minutes.decision_list == ["Adopt the hotel protocol", "Meet in May"]
    assert world.client_for(world.member).post(reverse("minutes_approve", args=[meeting.pk])).status_code == 403
    world.client_for(world.lead).post(reverse("minutes_approve", args=[meeting.pk]))
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED and minutes.approved_by == world.lead
    response = write_minutes(world.client_for(world.organizer), meeting, body="We met, and agreed.")
    assert "need a lead&#x27;s approval again" in response.content.decode()
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT and minutes.approved_by is None
    assert minutes.history.count() == 3


def test_the_restricted_part_is_shown_only_to_those_allowed(world, meeting):
    Minutes.objects.create(meeting=meeting, body="Open part.", restricted_body="Operation timing discussed.")
    for user, sees in ((world.organizer, True), (world.lead, True), (world.member, False)):
        html = world.client_for(user).get(meeting.get_absolute_url()).content.decode()
        assert ("Operation timing discussed." in html) is sees
        assert "Open part." in html


def test_the_organizer_writes_the_restricted_part_in_its_own_field(world, meeting):
    form_html = world.client_for(world.organizer).get(reverse("minutes_edit", args=[meeting.pk])).content.decode()
    assert 'name="restricted_body"' in form_html


@pytest.mark.parametrize("size", [3, 80])
def test_the_meeting_page_runs_a_fixed_number_of_queries(world, meeting, django_assert_max_num_queries, size):
    for i in range(size):
        agency = AgencyFactory()
        person = PersonFactory(agency=agency)
        MembershipFactory(agency=agency, coalition=world.home, primary_representative=person)
        AgendaItem.objects.create(
            meeting=meeting, title=f"Item {i}", position=i, presenter=person, presenter_agency=agency
        )
    invitations.ensure_invitations(meeting)
    Attendance.objects.filter(meeting=meeting).update(status="present")
    Minutes.objects.create(meeting=meeting, body="Minutes", decisions="One\nTwo")
    client = world.client_for(world.organizer)
    for url in [
        meeting.get_absolute_url(),
        reverse("attendance", args=[meeting.pk]),
        reverse("agenda", args=[meeting.pk]),
    ]:
        with django_assert_max_num_queries(24):
            assert client.get(url).status_code == 200
