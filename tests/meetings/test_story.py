"""A meeting's history tells its story: agenda, attendance, minutes,
approval and action items, each with who and when; and attendance takes a
whole agency at once and a substitute's name."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import invitations
from meetings.models import Attendance, Meeting, MeetingEvent
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world):
    membership = world.member_agency.memberships.get()
    membership.primary_representative = world.member.person
    membership.save()
    start = timezone.now() - timedelta(hours=3)
    return Meeting.objects.create(
        coalition=world.home, title="Monthly meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )


def story(client, meeting) -> list[str]:
    html = client.get(meeting.get_absolute_url()).content.decode()
    section = html.split('id="changes-heading"')[1].split("</section>")[0]
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in re.findall(r"<li>(.*?)</li>", section, re.S)]


def test_the_history_lists_agenda_attendance_minutes_approval_and_actions_with_who(world, held):
    world.home.time_zone = "Pacific/Honolulu"  # not the server's zone
    world.home.save()
    organizer, lead = world.client_for(world.organizer), world.client_for(world.lead)
    organizer.post(reverse("agenda", args=[held.pk]), {"title": "Hotel outreach", "position": 10})
    organizer.post(reverse("attendance", args=[held.pk]), {"fill": "everyone"})
    organizer.post(reverse("minutes_edit", args=[held.pk]), {"body": "We agreed on the hotel outreach plan."})
    organizer.post(
        reverse("meeting_actions", args=[held.pk]),
        {"action-title": "Print hotel cards", "action-owner_agency": world.member_agency.pk, "action-priority": 2},
    )
    lead.post(reverse("minutes_approve", args=[held.pk]))
    lines = story(organizer, held)
    who = {"organizer": world.organizer.full_name, "lead": world.lead.full_name}
    expected = [
        ("Minutes approved", who["lead"]),
        ("Action items", who["organizer"]),
        ("Minutes: Drafted the minutes.", who["organizer"]),
        ("Attendance: Everyone present (1 recorded).", who["organizer"]),
        ("Agenda: Added “Hotel outreach”.", who["organizer"]),
    ]
    assert len(lines) == len(expected), lines
    for line, (what, name) in zip(lines, expected, strict=True):
        assert what in line and name in line, line
    # each with its date and time, on the coalition's clock
    zone = held.zone
    for line, event in zip(lines, held.events.all(), strict=True):
        assert line.startswith(f"{event.at.astimezone(zone):%b %-d, %Y %-I:%M %p}"), line
    # members read the story too (it holds no restricted text)
    assert "Minutes approved" in " ".join(story(world.client_for(world.member), held))


def test_scheduling_and_rescheduling_are_in_the_story(world):
    organizer = world.client_for(world.organizer)
    day = timezone.localdate() + timedelta(days=20)
    data = {"title": "Training", "kind": "training", "date": f"{day}", "start_time": "10:00", "end_time": "11:00"}
    organizer.post(reverse("meeting_create", args=[world.home.slug]), data)
    meeting = Meeting.objects.get()
    organizer.post(reverse("meeting_edit", args=[meeting.pk]), {**data, "place": "Library"})
    kinds = list(meeting.events.values_list("kind", flat=True))
    assert kinds == [MeetingEvent.Kind.CHANGED, MeetingEvent.Kind.SCHEDULED]
    assert "Changed the place" in story(organizer, meeting)[0]


def test_a_whole_agency_is_recorded_at_once_and_only_an_agency_on_the_list(world, held):
    invitations.ensure_invitations(held)
    colleagues = [PersonFactory(agency=world.member_agency) for _ in range(3)]
    for person in colleagues:
        Attendance.objects.create(meeting=held, person=person, agency=person.agency)
    organizer = world.client_for(world.organizer)
    response = organizer.post(
        reverse("attendance", args=[held.pk]),
        {"agency_fill": "1", "whole-agency": world.member_agency.pk, "whole-status": "excused"},
        follow=True,
    )
    assert "4 recorded as excused." in response.content.decode()
    assert set(held.attendances.values_list("status", flat=True)) == {"excused"}
    stranger = MembershipFactory(coalition=world.home).agency  # a member agency nobody invited from
    response = organizer.post(
        reverse("attendance", args=[held.pk]),
        {"agency_fill": "1", "whole-agency": stranger.pk, "whole-status": "present"},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert set(held.attendances.values_list("status", flat=True)) == {"excused"}


def test_a_substitute_is_named_and_the_name_goes_when_the_status_changes(world, held):
    invitations.ensure_invitations(held)
    row = held.attendances.get(person=world.member.person)
    organizer = world.client_for(world.organizer)
    url = reverse("attendance", args=[held.pk])
    organizer.post(url, {f"status-{row.pk}": "substitute", f"substitute-{row.pk}": "  Sgt.   Ana Ruiz "})
    row.refresh_from_db()
    assert (row.status, row.substitute_name) == ("substitute", "Sgt. Ana Ruiz")
    assert "substitute sent (Sgt. Ana Ruiz)" in organizer.get(held.get_absolute_url()).content.decode()
    assert 'value="Sgt. Ana Ruiz"' in organizer.get(url).content.decode()
    organizer.post(url, {f"status-{row.pk}": "present", f"substitute-{row.pk}": "Sgt. Ana Ruiz"})
    row.refresh_from_db()
    assert (row.status, row.substitute_name) == ("present", "")
    # a hostile name: control characters go, the length is kept to the field's
    organizer.post(url, {f"status-{row.pk}": "substitute", f"substitute-{row.pk}": "Ana\x00 Ruiz" + "z" * 400})
    row.refresh_from_db()
    assert row.substitute_name.startswith("Ana Ruizzz") and len(row.substitute_name) == 150
