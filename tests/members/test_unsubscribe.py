"""Every e-mail names a link that stops its kind (List-Unsubscribe, RFC
2369), and a mail program's one-click POST (RFC 8058) stops it without a
login; opening the link changes nothing; a notice that cannot be turned off
says so and leads to the settings."""

from datetime import timedelta

import pytest
from django.test import Client

from coordination import notifications
from coordination.models import Notification
from coordination.notifications import Topic
from members import email_settings

from ..factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def row(email: str) -> Notification:
    return Notification(kind=Notification.Kind.MEETING_REMINDER, object_id=1, email=email)


def path_of(header: str) -> str:
    url = header.strip("<>")
    return url[url.index("/", len("https://")) :]


def test_each_kind_of_email_names_its_unsubscribe_link():
    reminders = email_settings.list_headers(row("rep@agency.example.org"), Topic.REMINDERS)
    assert reminders["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reminders["List-Unsubscribe"].startswith("<http") and "/email/unsubscribe/" in reminders["List-Unsubscribe"]
    digest = email_settings.list_headers(row("rep@agency.example.org"), Topic.DIGEST)
    assert digest["List-Unsubscribe"] != reminders["List-Unsubscribe"]  # each stops its own kind
    notice = email_settings.list_headers(row("rep@agency.example.org"), Topic.NOTICE)
    assert set(notice) == {"List-Unsubscribe"}  # nothing to stop in one click: the link explains
    assert email_settings.list_headers(row("rep@agency.example.org"), Topic.ACCOUNT) == {}


FLAGS = [(Topic.REMINDERS, "receives_reminders"), (Topic.DIGEST, "receives_digest")]


@pytest.mark.parametrize(("topic", "flag"), FLAGS)
def test_a_mail_programs_one_click_post_stops_that_kind_without_a_login(topic, flag):
    person = PersonFactory(email="Rep@Agency.example.org")
    other = PersonFactory(email="someone.else@agency.example.org")
    link = path_of(email_settings.list_headers(row("rep@agency.example.org"), topic)["List-Unsubscribe"])
    mail_program = Client(enforce_csrf_checks=True)  # no session, no CSRF token: as Gmail or Outlook posts
    assert mail_program.get(link).status_code == 200  # a scanner opening the link changes nothing
    person.refresh_from_db()
    assert getattr(person, flag) is True
    answer = mail_program.post(link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and "will no longer get" in answer.content.decode()
    person.refresh_from_db()
    other.refresh_from_db()
    assert getattr(person, flag) is False and getattr(other, flag) is True
    record = person.history.order_by("-history_date").first()
    assert getattr(record, flag) is False  # the change is in the person's history


def test_a_lead_reached_at_their_login_address_is_stopped_too():
    user = UserFactory(email="lead@coalition.example.org")
    person = PersonFactory(email="", user=user)
    link = path_of(email_settings.list_headers(row(user.email), Topic.REMINDERS)["List-Unsubscribe"])
    Client(enforce_csrf_checks=True).post(link)
    person.refresh_from_db()
    assert person.receives_reminders is False


def test_a_notice_cannot_be_stopped_in_one_click_and_says_where_to_go():
    person = PersonFactory(email="rep@agency.example.org")
    link = path_of(email_settings.list_headers(row(person.email), Topic.NOTICE)["List-Unsubscribe"])
    page = Client(enforce_csrf_checks=True).post(link).content.decode()
    assert "cannot be turned off by themselves" in page and "/email-settings/" in page
    person.refresh_from_db()
    assert person.receives_reminders and person.receives_digest


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, "eyJ0IjoiZm9yZ2VkIn0:forged:signature"])
def test_a_broken_or_forged_link_changes_nothing_and_says_so(token):
    person = PersonFactory(email="rep@agency.example.org")
    response = Client().post(f"/email/unsubscribe/{token}/")
    assert response.status_code == 410 and "This link does not work" in response.content.decode()
    person.refresh_from_db()
    assert person.receives_reminders


def test_the_digest_is_stopped_in_one_click_from_its_own_header():
    """The daily digest is a notice by the ledger's rule, but its 'your items'
    part is the person's choice (receives_digest): its header stops that."""
    person = PersonFactory(email="rep@agency.example.org")
    digest = Notification(kind=Notification.Kind.ACTION_DIGEST, object_id=1, email=person.email)
    headers = email_settings.list_headers(digest, notifications.TOPICS[Notification.Kind.ACTION_DIGEST])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    Client(enforce_csrf_checks=True).post(path_of(headers["List-Unsubscribe"]))
    person.refresh_from_db()
    assert person.receives_digest is False and person.receives_reminders is True


def test_an_address_with_nobody_behind_it_is_told_nothing_changed():
    link = path_of(email_settings.list_headers(row("gone@agency.example.org"), Topic.REMINDERS)["List-Unsubscribe"])
    page = Client(enforce_csrf_checks=True).post(link).content.decode()
    assert "Nothing to change here" in page and "will no longer get" not in page


def test_a_link_older_than_the_settings_links_no_longer_works(settings):
    import time_machine
    from django.utils import timezone

    person = PersonFactory(email="rep@agency.example.org")
    with time_machine.travel(timezone.now() - timedelta(days=email_settings.LINK_DAYS + 1)):
        link = path_of(email_settings.list_headers(row(person.email), Topic.REMINDERS)["List-Unsubscribe"])
    assert Client().post(link).status_code == 410
    person.refresh_from_db()
    assert person.receives_reminders
