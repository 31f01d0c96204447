"""The security log: what is written (sign-ins, failures, lockouts, factors,
passwords, roles, leaving, contact exports), who reads it (the coalition's
organizers, about its people), how long it is kept, and the e-mail of a
sign-in from a new browser."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordination import security_log
from coordination.models import CoalitionRole, SecurityEvent
from coordination.tasks import forget_old_security_log
from tests.factories import PASSWORD, CoalitionRoleFactory, totp_code

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
EDGE = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36 Edg/140.0"


def sign_in(client, email, password=PASSWORD, browser=FIREFOX, address="10.2.2.2"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, HTTP_USER_AGENT=browser
    )


def lines(**filters):
    return list(SecurityEvent.objects.filter(**filters).order_by("at", "pk"))


def test_a_sign_in_and_a_failure_are_written_with_the_address_and_browser(client, world):
    sign_in(client, world.member.email.upper(), "wrong-password")
    sign_in(client, "nobody@example.org", "wrong-password")
    sign_in(client, world.member.email)
    failed = lines(kind=Kind.SIGN_IN_FAILED)
    assert [(f.user, f.identifier, f.detail) for f in failed] == [
        (world.member, world.member.email, "wrong password"),
        (None, "nobody@example.org", "wrong password"),
    ]
    signed = lines(kind=Kind.SIGN_IN, ip_address="10.2.2.2")
    assert [(s.user, s.device) for s in signed] == [(world.member, FIREFOX)]


def test_a_wrong_code_and_a_lockout_are_written(client, world):
    sign_in(client, world.organizer.email)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"}, REMOTE_ADDR="10.2.2.2")
    assert [e.detail for e in lines(kind=Kind.SIGN_IN_FAILED, user=world.organizer)] == ["wrong code"] * 5
    locked = lines(kind=Kind.LOCKED_OUT)
    assert [(e.user, e.ip_address) for e in locked] == [(world.organizer, "10.2.2.2")]


def test_a_sign_in_from_a_new_browser_is_emailed_to_the_person(world, django_capture_on_commit_callbacks):
    def signed_in_with(browser):
        with django_capture_on_commit_callbacks(execute=True):
            sign_in(Client(), world.member.email, browser=browser)
        return [m for m in mail.outbox if m.to == [world.member.email]]

    assert signed_in_with(FIREFOX) == []  # the first sign-in: no browser to compare with
    assert signed_in_with(FIREFOX) == []  # the same browser
    sent = signed_in_with(EDGE)
    assert [m.subject for m in sent] == ["A sign-in to Roundtable from a new browser"]
    assert "Edg/140.0" in sent[0].body and "10.2.2.2" in sent[0].body
    assert "change your password now" in sent[0].body
    assert len(signed_in_with(EDGE)) == 1  # known now


def test_a_password_change_is_written_and_emailed(world, django_capture_on_commit_callbacks):
    member = world.client_for(world.member)
    new = "a-brand-new-long-password"
    with django_capture_on_commit_callbacks(execute=True):
        member.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
    assert [e.detail for e in lines(kind=Kind.PASSWORD_CHANGED, user=world.member)] == ["changed when signed in"]
    assert [m.subject for m in mail.outbox if m.to == [world.member.email]] == ["Your Roundtable password was changed"]


def test_roles_given_and_taken_are_written_with_who_did_it(world):
    organizer = world.client_for(world.organizer)
    organizer.post(
        reverse("invite", args=[world.home.slug]),
        {"full_name": "Deputy Test", "email": world.member.email, "role": "lead", "agency": world.member_agency.pk},
    )
    given = lines(kind=Kind.ROLE_CHANGED, user=world.member)
    assert [(e.detail, e.actor, e.coalition) for e in given] == [
        (f"Lead of {world.home.name}", world.organizer, world.home)
    ]
    CoalitionRole.objects.filter(user=world.member).delete()
    taken = lines(kind=Kind.ROLE_CHANGED, user=world.member)[-1]
    assert taken.detail == f"no longer lead of {world.home.name}" and taken.actor is None


def test_marking_a_person_as_left_is_written(world):
    person = world.member.person
    world.client_for(world.organizer).post(reverse("person_left", args=[world.member_agency.pk, person.pk]))
    [line] = lines(kind=Kind.ROLE_CHANGED, user=world.member)
    assert (line.detail, line.actor) == (f"left {world.member_agency.name}", world.organizer)


def test_a_download_of_contact_details_is_written(world):
    organizer = world.client_for(world.organizer)
    response = organizer.get(reverse("member_list", args=[world.home.slug]), {"_export": "csv"})
    assert response.status_code == 200
    [line] = lines(kind=Kind.CONTACT_EXPORT)
    assert (line.user, line.coalition) == (world.organizer, world.home)
    assert line.detail.startswith(f"{world.home.slug}-members-") and line.detail.endswith(".csv, 1 rows")
    # a list without contact details is not
    organizer.get(reverse("action_list", args=[world.home.slug]), {"_export": "csv"})
    assert len(lines(kind=Kind.CONTACT_EXPORT)) == 1


# --- Who reads it -------------------------------------------------------------------


@pytest.fixture
def logged(world):
    """A failure of a home member, a sign-in of the home lead, a failure of the
    other coalition's member, and one of an address no login has."""
    security_log.record(None, Kind.SIGN_IN_FAILED, world.member, detail="wrong password")
    security_log.record(None, Kind.SIGN_IN, world.lead)
    security_log.record(None, Kind.SIGN_IN_FAILED, world.other_member, detail="wrong password")
    security_log.record(None, Kind.SIGN_IN_FAILED, None, identifier="stranger@example.org")


def test_organizers_read_the_lines_about_their_coalitions_people_only(world, logged):
    # the home lead is given a role in the other coalition: that coalition's line
    CoalitionRoleFactory(coalition=world.other, user=world.lead, role=CoalitionRole.Role.LEAD)
    page = world.client_for(world.organizer).get(reverse("security_log", args=[world.home.slug]))
    text = page.content.decode()
    assert world.member.email in text and world.lead.email in text
    assert world.other_member.email not in text and "stranger@example.org" not in text
    assert world.other.name not in text
    other_organizer = CoalitionRoleFactory(coalition=world.other).user
    other_page = world.client_for(other_organizer).get(reverse("security_log", args=[world.other.slug]))
    assert world.other_member.email in other_page.content.decode()
    assert world.member.email not in other_page.content.decode()


def test_leads_members_and_strangers_may_not(world, logged):
    url = reverse("security_log", args=[world.home.slug])
    assert world.client_for(world.lead).get(url).status_code == 403
    assert world.client_for(world.member).get(url).status_code == 403
    assert world.client_for(world.other_member).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_log_filters_and_downloads(world, logged):
    organizer = world.client_for(world.organizer)
    url = reverse("security_log", args=[world.home.slug])
    failures = organizer.get(url, {"kind": "sign_in_failed"}).content.decode()
    assert world.member.email in failures and world.lead.email not in failures
    by_name = organizer.get(url, {"person": world.lead.full_name}).content.decode()
    assert world.lead.email in by_name and world.member.email not in by_name
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert world.member.email not in organizer.get(url, {"since": tomorrow}).content.decode()
    download = organizer.get(url, {"_export": "csv", "kind": "sign_in_failed"})
    rows = b"".join(download.streaming_content if download.streaming else [download.content]).decode()
    assert rows.lstrip("\ufeff").splitlines()[0] == "When,What,Person,By,Address,Browser,Detail"
    assert world.member.email in rows and world.lead.email not in rows


@pytest.mark.parametrize(
    "query", [{"since": "not a date"}, {"kind": "everything"}, {"until": "2026-02-31"}, {"person": "x" * 5000}]
)
def test_a_hostile_filter_gets_the_page_with_a_message(world, logged, query):
    response = world.client_for(world.organizer).get(reverse("security_log", args=[world.home.slug]), query)
    assert response.status_code == 200
    if "person" not in query:  # (a long name is only a search that finds nothing)
        assert 'class="alert alert-warning"' in response.content.decode()


def test_the_page_reads_a_fixed_number_of_queries_however_many_lines(world, django_assert_max_num_queries):
    for _ in range(60):
        security_log.record(None, Kind.SIGN_IN, world.member)
        security_log.record(None, Kind.ROLE_CHANGED, world.lead, actor=world.organizer, coalition=world.home)
    organizer = world.client_for(world.organizer)
    with django_assert_max_num_queries(12):
        response = organizer.get(reverse("security_log", args=[world.home.slug]))
    assert response.status_code == 200


def test_lines_older_than_the_retention_are_forgotten(world, settings):
    settings.SECURITY_LOG_DAYS = 30
    old = security_log.record(None, Kind.SIGN_IN, world.member)
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))
    recent = security_log.record(None, Kind.SIGN_IN, world.member)
    assert forget_old_security_log() == 1
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=recent.pk).exists()


def test_an_organizer_signs_in_with_a_code_and_the_log_says_so(client, world):
    sign_in(client, world.organizer.email)
    assert not lines(kind=Kind.SIGN_IN, user=world.organizer, ip_address="10.2.2.2")  # the password alone is not one
    client.post(reverse("mfa_authenticate"), {"code": totp_code()}, REMOTE_ADDR="10.2.2.2")
    assert len(lines(kind=Kind.SIGN_IN, user=world.organizer, ip_address="10.2.2.2")) == 1


def test_a_lockout_is_one_line_and_one_email_however_many_tries_follow(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(9):
            sign_in(client, world.member.email, "wrong-password")
    assert len(lines(kind=Kind.LOCKED_OUT)) == 1
    sent = [m.subject for m in mail.outbox if m.to == [world.member.email]]
    assert sent == ["Sign-ins to your Roundtable account were stopped after too many failures"]


def test_a_browser_that_updated_itself_is_not_a_new_one(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(Client(), world.member.email, browser=FIREFOX)
        sign_in(Client(), world.member.email, browser=FIREFOX.replace("140.0", "141.0"))
    assert [m for m in mail.outbox if m.to == [world.member.email]] == []


def test_the_logs_download_asks_for_a_recent_sign_in_and_is_logged(world, logged, settings):
    organizer = world.client_for(world.organizer)
    url = reverse("security_log", args=[world.home.slug])
    settings.REAUTH_MINUTES = 0
    assert organizer.get(url, {"_export": "csv"})["Location"].startswith(reverse("confirm_identity"))
    settings.REAUTH_MINUTES = 15
    assert organizer.get(url, {"_export": "csv"}).status_code == 200
    [line] = lines(kind=Kind.CONTACT_EXPORT)
    assert line.user == world.organizer and "security-log" in line.detail
