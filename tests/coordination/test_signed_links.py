"""A signed link works for its person only while they are active: once they
are marked inactive (they left their agency), or their login is switched
off, the RSVP link, the e-mail settings link and the calendar feed stop."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from meetings import invitations
from meetings.models import Attendance, Meeting
from members import email_settings
from members.models import Person

pytestmark = pytest.mark.django_db


def _links(world) -> dict[str, str]:
    person = Person.objects.get(user=world.member)
    start = timezone.now() + timedelta(days=7)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Monthly", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    row = Attendance.objects.create(meeting=meeting, person=person, agency=person.agency)
    return {
        "rsvp": reverse("rsvp_link", args=[invitations.rsvp_token(row)]),
        "settings": reverse("reminder_settings", args=[signing.dumps(person.pk, salt=email_settings.SALT)]),
        "feed": reverse("calendar_feed", args=[world.member.reset_calendar_token()]),
    }


def _answers(client, links) -> dict[str, int]:
    return {name: client.get(url).status_code for name, url in links.items()}


@pytest.mark.parametrize("switch_off", ["person", "login"])
def test_a_persons_signed_links_stop_once_they_are_inactive(world, client, switch_off):
    links = _links(world)
    assert _answers(client, links) == {"rsvp": 200, "settings": 200, "feed": 200}
    if switch_off == "person":
        Person.objects.filter(user=world.member).update(is_active=False)
    else:
        type(world.member).objects.filter(pk=world.member.pk).update(is_active=False)
    assert _answers(client, links) == {"rsvp": 410, "settings": 404, "feed": 404}
