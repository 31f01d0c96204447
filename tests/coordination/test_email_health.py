"""The "E-mails sent" page tells organizers how sending is going right now,
and resends every failed e-mail of the coalition at once."""

from datetime import timedelta
from itertools import count

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.models import Heartbeat, Notification

pytestmark = pytest.mark.django_db

Status = Notification.Status
SERIAL = count()


def owe(coalition, status=Status.PENDING, *, due_ago=timedelta(0), **fields) -> Notification:
    return Notification.objects.create(
        kind=Notification.Kind.MEETING_REMINDER,
        object_id=next(SERIAL),
        email=f"person{next(SERIAL)}@example.org",
        coalition=coalition,
        status=status,
        next_attempt_at=timezone.now() - due_ago,
        **fields,
    )


def beat(name: str, ago: timedelta) -> None:
    Heartbeat.objects.create(name=name, last_run_at=timezone.now() - ago)


def log_page(world, user=None, **query) -> str:
    client = world.client_for(user or world.organizer)
    return client.get(reverse("notification_log", args=[world.home.slug]), query).content.decode()


def test_the_panel_shows_the_queue_and_how_long_the_oldest_message_has_waited(world, monkeypatch):
    monkeypatch.setattr(notifications, "queue_depth", lambda: 7)
    owe(world.home, due_ago=timedelta(minutes=3, seconds=5))
    owe(world.home, Status.SENDING)
    owe(world.home, due_ago=-timedelta(hours=1))  # a retry not due yet is not waiting
    owe(world.other, due_ago=timedelta(hours=5))  # another coalition's
    page = log_page(world)
    assert "7 tasks waiting for a worker" in page
    assert "2 messages waiting to go out, oldest waiting 3\xa0minutes" in page
    assert "could not be reached" not in page


def test_the_panel_says_when_the_broker_does_not_answer_and_nothing_waits(world, monkeypatch):
    monkeypatch.setattr(notifications, "queue_depth", lambda: None)
    owe(world.home, Status.SENT)
    page = log_page(world)
    assert "broker not answering" in page and "nothing waiting to go out" in page


def test_the_panel_warns_while_the_mail_server_cannot_be_reached(world):
    beat(notifications.SMTP_OK, timedelta(hours=2))
    beat(notifications.SMTP_DOWN, timedelta(minutes=30))
    page = log_page(world)
    assert "The mail server could not be reached since" in page
    assert "Nothing is lost" in page and "go out by themselves when it answers again" in page
    Heartbeat.beat(notifications.SMTP_OK)
    assert "could not be reached" not in log_page(world)


def test_a_row_told_in_the_daily_digest_is_shown_and_filtered_but_cannot_be_resent(world):
    told = owe(world.home, Status.IN_DIGEST)
    failed = owe(world.home, Status.FAILED, attempts=6, last_error="SMTPRecipientsRefused")
    page = log_page(world, status="in_digest")
    assert told.email in page and failed.email not in page
    assert '<option value="in_digest" selected>In the daily digest</option>' in page
    assert '<span class="badge text-bg-info">In the daily digest</span>' in page
    assert 'name="resend"' not in page
    assert f'name="resend" value="{failed.pk}"' in log_page(world)


def test_organizers_resend_every_failed_email_of_their_coalition_and_only_those(world):
    failed = [owe(world.home, Status.FAILED, attempts=6, last_error="SMTPServerDisconnected") for _ in range(3)]
    sent = owe(world.home, Status.SENT, attempts=1)
    told = owe(world.home, Status.IN_DIGEST)
    elsewhere = owe(world.other, Status.FAILED, attempts=6)
    assert "Resend all 3 failed e-mails" in log_page(world)

    client = world.client_for(world.organizer)
    response = client.post(reverse("notification_resend_failed", args=[world.home.slug]), follow=True)

    assert "3 failed e-mails are queued again." in response.content.decode()
    for row in failed:
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.PENDING, 0)
    assert Notification.objects.get(pk=sent.pk).status == Status.SENT
    assert Notification.objects.get(pk=told.pk).status == Status.IN_DIGEST
    assert Notification.objects.get(pk=elsewhere.pk).status == Status.FAILED
    assert "Resend all" not in response.content.decode()


def test_resending_with_nothing_failed_says_so(world):
    client = world.client_for(world.organizer)
    response = client.post(reverse("notification_resend_failed", args=[world.home.slug]), follow=True)
    assert "nothing to resend" in response.content.decode()


@pytest.mark.parametrize("role", ["lead", "member", "anonymous", "other_member"])
def test_no_one_but_an_organizer_resends_the_failed_emails(world, role):
    failed = owe(world.home, Status.FAILED, attempts=6)
    url = reverse("notification_resend_failed", args=[world.home.slug])
    if role == "anonymous":
        response = Client().post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        response = world.client_for(getattr(world, role)).post(url)
        assert response.status_code == (404 if role == "other_member" else 403)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.FAILED, 6)
    if role in ("lead", "member"):
        assert "Resend all" not in log_page(world, getattr(world, role))


def test_the_page_runs_a_fixed_number_of_queries_with_the_panel(world, django_assert_max_num_queries):
    beat(notifications.SMTP_DOWN, timedelta(minutes=5))
    client = world.client_for(world.organizer)
    url = reverse("notification_log", args=[world.home.slug])
    for n in (3, 120):
        for status in (Status.PENDING, Status.FAILED, Status.IN_DIGEST, Status.SENT):
            Notification.objects.bulk_create(
                Notification(
                    kind="action_digest",
                    object_id=next(SERIAL),
                    email="x@example.org",
                    coalition=world.home,
                    status=status,
                )
                for _ in range(n)
            )
        client.get(url)
        # The page's seven, and the panel's three: the owed rows' oldest, the
        # mail server's heartbeats, and the owed and failed counts (the
        # messages of other coalitions that tell of this one in a subquery).
        with django_assert_max_num_queries(10):
            assert "could not be reached" in client.get(url).content.decode()
