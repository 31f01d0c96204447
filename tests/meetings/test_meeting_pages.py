"""A meeting's lists turn their pages on their own: the invitations on the
meeting's page and on the attendance screen, whose pages are saved one at a
time; the meeting's page counts every invitation, whatever page it shows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world):
    now = timezone.now() - timedelta(days=2)
    meeting = Meeting.objects.create(
        coalition=world.home, title="Full house", starts_at=now, ends_at=now + timedelta(hours=1)
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, guest_name=f"Guest {n:03}", status=Attendance.Status.GUEST) for n in range(120)
    )
    return meeting


def test_the_meeting_page_counts_every_invitation_and_shows_a_page_of_them(world, meeting):
    person = world.member.person
    Attendance.objects.create(meeting=meeting, person=person, agency=person.agency, rsvp=Attendance.Rsvp.MAYBE)
    client = world.client_for(world.member)
    url = reverse("meeting", args=[meeting.pk])
    html = client.get(url).content.decode()
    assert "1 invited · 0 yes, 1 maybe, 0 no · 120 came." in html
    assert html.count("<li>Guest ") + html.count("<li>Deputy Test") == 50 and "invited=2" in html
    assert "Guest 000" in html and "Guest 119" not in html
    last = client.get(url, {"invited": 3}).content.decode()
    assert "Guest 119" in last and "Guest 000" not in last
    # the member's own answer, on every page, wherever their row falls
    for page in (html, last):
        assert 'aria-pressed="true"' in page and "You answered: maybe." in page
    # beyond the last page: the last page; nonsense: the first
    assert "Guest 119" in client.get(url, {"invited": 99}).content.decode()
    assert "Guest 000" in client.get(url, {"invited": "x"}).content.decode()


def test_attendance_is_recorded_a_page_at_a_time(world, meeting):
    client = world.client_for(world.organizer)
    url = reverse("attendance", args=[meeting.pk])
    html = client.get(url).content.decode()
    assert html.count('<select class="form-select form-select-sm"') == 50
    first = list(meeting.attendances.order_by("guest_name")[:2])
    later = meeting.attendances.get(guest_name="Guest 100")
    response = client.post(
        url, {f"status-{first[0].pk}": "absent", f"status-{first[1].pk}": "excused", "next_page": "2"}
    )
    assert response.status_code == 302 and response["Location"] == f"{url}?page=2"
    assert [row.status for row in Attendance.objects.filter(pk__in=[r.pk for r in first])] == ["absent", "excused"]
    later.refresh_from_db()
    assert later.status == Attendance.Status.GUEST  # not on the page that was saved: untouched
    page_three = client.get(url, {"page": 3}).content.decode()
    assert "Guest 100" in page_three and 'name="next_page"' not in page_three
    assert client.post(url, {f"status-{later.pk}": "absent"})["Location"] == meeting.get_absolute_url()
