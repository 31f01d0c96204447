"""Logging in and out, lockouts, password resets, invitations, idle timeout."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.models import CoalitionRole, Invitation, Notification, User
from members.models import Person

from ..factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def log_in(client, email, password, address="10.0.0.1", **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra}, REMOTE_ADDR=address)


def link_in(message) -> str:
    return re.search(r"http://\S+/accounts/\S+/", message.body).group(0).replace("http://127.0.0.1:8000", "")


def test_user_logs_in_with_email_in_any_case_and_sees_their_dashboard(client, world, password):
    response = log_in(client, world.member.email.upper(), password, follow=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    page = client.get(reverse("dashboard")).content.decode()
    assert world.home.name in page


def test_wrong_password_shows_an_error_and_logs_nobody_in(client, world):
    response = log_in(client, world.member.email, "not-the-password")
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_login_does_not_redirect_to_another_site(client, world, password):
    response = log_in(client, world.member.email, password, next="https://evil.example.net/")
    assert response["Location"] == reverse("dashboard")


def test_login_follows_a_local_next(client, world, password):
    target = reverse("coalition", args=[world.home.slug])
    response = log_in(client, world.member.email, password, next=target)
    assert response["Location"] == target


def test_five_wrong_passwords_lock_the_account_from_that_address_only(client, world, password):
    email = world.member.email
    for _ in range(5):
        log_in(client, email, "wrong-password", address="10.0.0.1")

    refused = log_in(client, email, password, address="10.0.0.1")
    assert refused.status_code == 429
    assert "Too many failed log-ins" in refused.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302

    from django.test import Client

    elsewhere = Client()
    accepted = log_in(elsewhere, email, password, address="10.0.0.2")
    assert accepted.status_code == 302
    assert elsewhere.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize("proxies", [0, 1])
def test_rotating_forged_forwarded_addresses_never_dodge_the_lockout(client, world, password, settings, proxies):
    """Twelve wrong passwords, each with a new forged X-Forwarded-For: straight
    to the app (no proxy trusted: the header is ignored), or through the
    stack's one proxy, which adds the address it saw after what the client
    sent. Either way they come from one address, locked after the fifth."""
    settings.TRUSTED_PROXY_COUNT = proxies
    client_address, proxy_address = "203.0.113.7", "172.18.0.5"
    statuses = []
    for attempt in range(12):
        forged = f"198.51.100.{attempt}"
        statuses.append(
            log_in(
                client,
                world.member.email,
                "wrong-password",
                address=proxy_address if proxies else client_address,
                HTTP_X_FORWARDED_FOR=f"{forged}, {client_address}" if proxies else forged,
            ).status_code
        )
    assert statuses == [200] * 4 + [429] * 8  # the fifth failure locks


def test_lockout_ends_after_the_cool_off(client, world, password, settings):
    email = world.member.email
    for _ in range(5):
        log_in(client, email, "wrong-password")
    assert log_in(client, email, password).status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        response = log_in(client, email, password)
        assert response.status_code == 302
        assert client.get(reverse("dashboard")).status_code == 200


def test_lockout_counts_the_email_whatever_its_case(client, world, password):
    for attempt in range(5):
        email = world.member.email.upper() if attempt % 2 else world.member.email
        log_in(client, email, "wrong-password")
    assert log_in(client, world.member.email, password).status_code == 429


def test_log_out_needs_a_post_and_ends_the_session(client, world):
    client.force_login(world.member)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_session_expires_after_the_idle_timeout(client, world, settings):
    client.force_login(world.member)
    assert client.get(reverse("dashboard")).status_code == 200
    # Activity keeps the session alive...
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)):
        assert client.get(reverse("dashboard")).status_code == 200
    # ...idleness ends it.
    with time_machine.travel(timezone.now() + timedelta(seconds=2 * settings.SESSION_COOKIE_AGE + 60)):
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_password_reset_sends_a_one_time_link(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": world.member.email})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.member.email]
    assert "Reset your Roundtable password" in message.subject
    assert message.alternatives[0].mimetype == "text/html"

    link = link_in(message)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new_password = "a-brand-new-passphrase"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == reverse("password_reset_complete")
    client.logout()
    assert log_in(client, world.member.email, new_password).status_code == 302

    client.logout()
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_repeated_reset_requests_send_one_email(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            client.post(reverse("password_reset"), {"email": world.member.email})
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind=Notification.Kind.PASSWORD_RESET).count() == 1


def test_password_change_refuses_a_wrong_old_password(client, world, password):
    client.force_login(world.member)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "another-good-passphrase",
            "new_password2": "another-good-passphrase",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    world.member.refresh_from_db()
    assert world.member.check_password(password)


def test_organizer_invites_an_agency_representative_who_sets_a_password(
    client, world, django_capture_on_commit_callbacks
):
    agency = AgencyFactory(name="Community Hospital")
    MembershipFactory(agency=agency, coalition=world.home)
    organizer = world.client_for(world.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer.post(
            reverse("invite", args=[world.home.slug]),
            {"full_name": "Pat Newcomer", "email": "Pat@Hospital.example.org", "role": "member", "agency": agency.pk},
        )
    assert response["Location"] == reverse("coalition", args=[world.home.slug])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@hospital.example.org"]
    assert world.home.name in message.subject
    assert "Choose your password" in message.body

    user = User.objects.get(email="pat@hospital.example.org")
    assert not user.has_usable_password()
    assert Person.objects.get(user=user).agency == agency

    link = link_in(message)
    page = client.get(link, follow=True)
    assert "Welcome to Roundtable" in page.content.decode()
    new_password = "hospital-passphrase-42"
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert world.home.name in response.content.decode()
    assert "Your password is set" in response.content.decode()
    assert Invitation.objects.get(user=user).accepted_at is not None

    client.logout()
    assert "no longer works" in client.get(link, follow=True).content.decode()


def test_inviting_a_lead_gives_the_lead_role(world, django_capture_on_commit_callbacks):
    organizer = world.client_for(world.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(
            reverse("invite", args=[world.home.slug]),
            {"full_name": "Chair Person", "email": "chair@example.org", "role": "lead", "title": "Co-chair"},
        )
    role = CoalitionRole.objects.get(user__email="chair@example.org")
    assert (role.coalition, role.role, role.title) == (world.home, "lead", "Co-chair")
    assert len(mail.outbox) == 1


def test_inviting_someone_who_already_has_a_login_adds_access_without_a_password_link(
    world, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="known@example.org")
    organizer = world.client_for(world.organizer)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(
            reverse("invite", args=[world.home.slug]),
            {"full_name": "Known", "email": "known@example.org", "role": "lead"},
        )
    assert CoalitionRole.objects.filter(user=existing, coalition=world.home, role="lead").exists()
    assert "You now have access" in mail.outbox[0].subject
    assert "/accounts/invitation/" not in mail.outbox[0].body


def test_invitation_form_explains_what_is_missing(world):
    organizer = world.client_for(world.organizer)
    response = organizer.post(
        reverse("invite", args=[world.home.slug]),
        {"full_name": "No Agency", "email": "x@example.org", "role": "member"},
    )
    assert response.status_code == 200
    assert "Choose the agency this person represents." in response.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()
    assert mail.outbox == []


def test_invitation_cannot_move_a_representative_to_another_agency(world):
    organizer = world.client_for(world.organizer)
    other = AgencyFactory(name="Another Agency")
    MembershipFactory(agency=other, coalition=world.home)
    response = organizer.post(
        reverse("invite", args=[world.home.slug]),
        {"full_name": "Deputy", "email": world.member.email, "role": "member", "agency": other.pk},
    )
    assert response.status_code == 200
    assert "already belongs to a representative of another agency" in response.content.decode()
    assert world.member.person.agency == world.member_agency
    assert not Invitation.objects.exists()


def test_pages_do_not_write_the_session_on_every_request(client, world):
    """The idle clock restarts at most once a minute: a page read is no session write."""
    client.force_login(world.member)
    client.get(reverse("dashboard"))  # the first request after login marks the session fresh
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard")).status_code == 200
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    with time_machine.travel(timezone.now() + timedelta(seconds=61)), CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard")).status_code == 200
    assert [q for q in captured.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
