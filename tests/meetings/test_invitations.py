"""Invitations go out when the organizer says so, or a month ahead for a
coalition that sends them automatically; a change is sent as an update; the
meeting's page says where they stand; looking at a page sends nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.models import Coalition, Notification
from meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db(transaction=True)

Kind = Notification.Kind


@pytest.fixture
def far(world):
    """A meeting 58 days away: beyond the month the automatic invitations wait for."""
    start = (timezone.now() + timedelta(days=58)).replace(microsecond=0)
    return Meeting.objects.create(
        coalition=world.home, title="Monthly coalition meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )


def edit(client, meeting, **changes):
    local = meeting.local_start
    data = {
        "title": meeting.title,
        "kind": "general",
        "date": f"{local:%Y-%m-%d}",
        "start_time": f"{local:%H:%M}",
        "end_time": f"{meeting.local_end:%H:%M}",
        "place": meeting.place,
        **changes,
    }
    return client.post(reverse("meeting_edit", args=[meeting.pk]), data)


def test_looking_at_a_far_meeting_invites_nobody_and_says_when_invitations_go(world, invitees, far):
    organizer = world.client_for(world.organizer)
    page = organizer.get(far.get_absolute_url()).content.decode()
    organizer.get(reverse("attendance", args=[far.pk]))
    assert not Attendance.objects.exists() and not Notification.objects.exists()
    goes = (far.starts_at - timedelta(days=30)).astimezone(timezone.get_current_timezone())
    assert "Not yet sent." in page and f"They go out automatically on {goes:%B} {goes.day}" in page
    assert "Nobody invited yet." in page


def test_send_invitations_now_invites_a_far_meeting_once_and_the_page_says_so(world, invitees, far):
    organizer = world.client_for(world.organizer)
    response = organizer.post(reverse("send_invitations", args=[far.pk]), {"send": "invitations"}, follow=True)
    page = response.content.decode()
    assert "Invitations are on their way to 1 person." in page
    [invitation] = mail.outbox
    assert invitation.to == ["deputy@sheriff.example.org"] and b"METHOD:REQUEST" in invitation.message().as_bytes()
    assert (
        f"Sent on {timezone.localdate():%B} {timezone.localdate().day}, {timezone.localdate():%Y} to 1 person." in page
    )
    assert "Invitations sent" in page and world.organizer.full_name in page  # the history says who
    # again: nobody twice
    page = organizer.post(reverse("send_invitations", args=[far.pk]), {"send": "invitations"}, follow=True)
    assert "already has an invitation" in page.content.decode() and len(mail.outbox) == 1


def test_a_coalition_that_sends_by_hand_holds_invitations_and_changes_until_told(world, invitees, far):
    organizer = world.client_for(world.organizer)
    response = organizer.post(
        reverse("meeting_settings", args=[world.home.slug]),
        {"send_invitations": "by_hand", "meeting_reminders": "7d,1d"},
    )
    assert response.status_code == 302
    world.home.refresh_from_db()
    assert world.home.send_invitations == Coalition.Invitations.BY_HAND
    # a month ahead, the sweep sends nothing for it
    Meeting.objects.filter(pk=far.pk).update(
        starts_at=timezone.now() + timedelta(days=20), ends_at=timezone.now() + timedelta(days=20, hours=1)
    )
    far.refresh_from_db()
    notifications.sweep()
    assert not Notification.objects.filter(kind=Kind.MEETING_INVITATION).exists()
    assert (
        "The coalition sends them when an organizer says so." in organizer.get(far.get_absolute_url()).content.decode()
    )
    organizer.post(reverse("send_invitations", args=[far.pk]), {"send": "invitations"})
    # (the meeting's own mail: at 8 in the morning the sweep owes the world's people their digest too)
    about = lambda: [m for m in mail.outbox if far.title in m.subject]  # noqa: E731
    assert len(about()) == 1
    # moved: nobody told yet; the page says changes are not yet sent
    was = far.local_start
    assert edit(organizer, far, place="County Library, Room B").status_code == 302
    assert len(about()) == 1
    page = organizer.get(far.get_absolute_url()).content.decode()
    assert "Changes not yet sent" in page and "Send update" in page
    organizer.post(reverse("send_invitations", args=[far.pk]), {"send": "update"})
    [notice] = about()[1:]
    assert "Where: was not given; now County Library, Room B." in notice.body
    assert f"{was:%B} {was.day}" in notice.body
    far.refresh_from_db()
    assert not far.changes_unsent and far.told_sequence == far.sequence == 1
    page = organizer.get(far.get_absolute_url()).content.decode()
    assert "Changes not yet sent" not in page and "Update sent to 1 person." in page


def test_switching_to_automatic_sends_the_changes_waiting(world, invitees, far):
    organizer = world.client_for(world.organizer)
    settings_url = reverse("meeting_settings", args=[world.home.slug])
    organizer.post(settings_url, {"send_invitations": "by_hand", "meeting_reminders": "7d,1d"})
    organizer.post(reverse("send_invitations", args=[far.pk]), {"send": "invitations"})
    assert edit(organizer, far, place="Room B").status_code == 302
    assert len(mail.outbox) == 1  # waiting for "Send update"
    response = organizer.post(
        settings_url, {"send_invitations": "automatic", "meeting_reminders": "7d,1d"}, follow=True
    )
    assert "The changes waiting to be sent for 1 meeting are on their way." in response.content.decode()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Invitation", "Changed"]
    assert "Where: was not given; now Room B." in mail.outbox[1].body
    far.refresh_from_db()
    assert not far.changes_unsent


def test_an_automatic_coalition_sends_each_change_at_once(world, invitees, far):
    organizer = world.client_for(world.organizer)
    organizer.post(reverse("send_invitations", args=[far.pk]), {"send": "invitations"})
    assert edit(organizer, far, start_time="08:00", end_time="09:00").status_code == 302
    far.refresh_from_db()
    assert edit(organizer, far, title="Monthly coalition meeting (moved)").status_code == 302
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 3 and subjects[1].startswith("Changed:") and subjects[2].startswith("Changed:")
    assert "Title: was Monthly coalition meeting; now Monthly coalition meeting (moved)." in mail.outbox[2].body
    assert "When:" not in mail.outbox[2].body  # only what changed since the last update
    far.refresh_from_db()
    assert far.sequence == 2 and not far.changes_unsent


def test_invitations_are_not_sent_for_a_cancelled_or_past_meeting(world, invitees, far):
    organizer = world.client_for(world.organizer)
    Meeting.objects.filter(pk=far.pk).update(status=Meeting.Status.CANCELLED)
    response = organizer.post(reverse("send_invitations", args=[far.pk]), {"send": "invitations"}, follow=True)
    assert "sent for meetings still to come" in response.content.decode()
    assert not mail.outbox and not Attendance.objects.exists()


def test_only_organizers_change_the_meeting_settings(world):
    for user in (world.lead, world.member):
        response = world.client_for(user).post(
            reverse("meeting_settings", args=[world.home.slug]),
            {"send_invitations": "by_hand", "meeting_reminders": "7d"},
        )
        assert response.status_code == 403
    world.home.refresh_from_db()
    assert world.home.send_invitations == Coalition.Invitations.AUTOMATIC
    response = world.client_for(world.organizer).post(
        reverse("meeting_settings", args=[world.home.slug]),
        {"send_invitations": "by_hand", "meeting_reminders": "every tuesday"},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    world.home.refresh_from_db()
    assert world.home.send_invitations == Coalition.Invitations.AUTOMATIC


def test_the_sweep_invites_a_month_ahead_and_the_history_says_so(world, invitees):
    start = (timezone.now() + timedelta(days=20)).replace(microsecond=0)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Monthly coalition meeting", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    notifications.sweep()
    notifications.sweep()  # again: nothing twice, in the mail or the story
    assert len([m for m in mail.outbox if m.subject.startswith("Invitation:")]) == 1
    meeting.refresh_from_db()
    assert meeting.invited_at is not None and meeting.told_sequence == 0
    [event] = meeting.events.filter(kind="invited")
    assert event.summary == "Invitations sent automatically to 1 person, a month ahead." and event.user is None
    page = world.client_for(world.organizer).get(meeting.get_absolute_url()).content.decode()
    assert "to 1 person." in page and "Invitations sent automatically" in page
