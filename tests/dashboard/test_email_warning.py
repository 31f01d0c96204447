"""Organizers are warned on their dashboard when e-mail does not go out: the
mail server cannot be reached, or messages have waited more than ten minutes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.models import Heartbeat, Notification

pytestmark = pytest.mark.django_db

FAILING = "E-mail is not going out."
STUCK = "E-mails are stuck."


@pytest.fixture(autouse=True)
def _sweeping():
    """The sweep runs, so its own warning does not muddle these."""
    Heartbeat.beat("sweep")


def owe(coalition, waited: timedelta) -> Notification:
    return Notification.objects.create(
        kind=Notification.Kind.MEETING_REMINDER,
        object_id=1,
        email=f"waited{int(waited.total_seconds())}@example.org",
        coalition=coalition,
        next_attempt_at=timezone.now() - waited,
    )


def dashboard(world, role: str) -> str:
    return world.client_for(getattr(world, role)).get(reverse("dashboard")).content.decode()


def log_link(coalition) -> str:
    return f'href="{reverse("notification_log", args=[coalition.slug])}"'


def test_no_warning_while_email_goes_out(world):
    owe(world.home, timedelta(minutes=9))  # waiting, not stuck
    Heartbeat.beat(notifications.SMTP_DOWN)
    Heartbeat.objects.filter(name=notifications.SMTP_DOWN).update(last_run_at=timezone.now() - timedelta(hours=1))
    Heartbeat.beat(notifications.SMTP_OK)  # answered again since
    page = dashboard(world, "organizer")
    assert FAILING not in page and STUCK not in page


def test_organizers_are_warned_while_the_mail_server_cannot_be_reached(world):
    Heartbeat.beat(notifications.SMTP_DOWN)
    page = dashboard(world, "organizer")
    assert FAILING in page and "could not be reached since" in page and "Nothing is lost" in page
    assert log_link(world.home) in page and log_link(world.other) not in page
    for role in ("lead", "member"):
        assert FAILING not in dashboard(world, role)


def test_organizers_are_warned_when_a_message_has_waited_more_than_ten_minutes(world):
    owe(world.home, timedelta(minutes=11))
    page = dashboard(world, "organizer")
    assert STUCK in page and log_link(world.home) in page
    for role in ("lead", "member"):
        assert STUCK not in dashboard(world, role)


def test_another_coalitions_stuck_messages_do_not_warn(world):
    owe(world.other, timedelta(hours=3))
    assert STUCK not in dashboard(world, "organizer")


def test_the_warning_costs_an_organizer_no_query(world, django_assert_max_num_queries):
    client = world.client_for(world.organizer)
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(12) as healthy:
        client.get(reverse("dashboard"))
    owe(world.home, timedelta(minutes=30))
    Heartbeat.beat(notifications.SMTP_DOWN)
    with django_assert_max_num_queries(12) as failing:
        assert FAILING in client.get(reverse("dashboard")).content.decode()
    assert len(failing.captured_queries) == len(healthy.captured_queries)
