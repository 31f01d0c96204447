"""Sensitive actions ask again: signed in longer ago than REAUTH_MINUTES, a
person confirms their password before exporting contact details, changing
who stands where, or seeing their calendar feed's secret address; a wrong
password counts towards the lockout; the way back stays on this site."""

import time

import pytest
from django.urls import reverse

from coordination import reauth
from members.models import Membership, Person
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def _stale(client, minutes: int = 16) -> None:
    session = client.session
    session[reauth.SESSION_KEY] = int(time.time()) - minutes * 60
    session.save()


def _confirm_url(next_url: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse('confirm_identity')}?{urlencode({'next': next_url})}"


def _sensitive(world) -> dict[str, str]:
    person = Person.objects.get(user=world.member)
    membership = Membership.objects.get(agency=world.member_agency, coalition=world.home)
    hook = WebhookEndpoint.objects.create(coalition=world.home, url="https://hooks.example.org/", events=[])
    return {
        "invite": reverse("invite", args=[world.home.slug]),
        "member_add": reverse("member_add", args=[world.home.slug]),
        "committee_create": reverse("committee_create", args=[world.home.slug]),
        "committee_edit": reverse("committee_edit", args=[world.home.slug, world.restricted_committee.slug]),
        "membership_edit": reverse("membership_edit", args=[membership.pk]),
        "person_add": reverse("person_add", args=[world.member_agency.pk]),
        "person_edit": reverse("person_edit", args=[world.member_agency.pk, person.pk]),
        "calendar_settings": reverse("calendar_settings"),
        "coalition_security": reverse("coalition_security", args=[world.home.slug]),
        "mfa_add_webauthn": reverse("mfa_add_webauthn"),
        "member_list export": reverse("member_list", args=[world.home.slug]) + "?_export=csv",
        "webhook_add": reverse("webhook_add", args=[world.home.slug]),
        "webhook_secret": reverse("webhook_secret", args=[world.home.slug, hook.pk]),
        "webhook_edit": reverse("webhook_edit", args=[world.home.slug, hook.pk]),
    }


def test_every_sensitive_page_asks_for_the_password_after_a_while_and_not_before(world):
    client = world.client_for(world.organizer)
    pages = _sensitive(world)
    for name, url in pages.items():
        assert client.get(url).status_code == 200, name  # signed in just now
    _stale(client)
    for name, url in pages.items():
        response = client.get(url)
        assert (response.status_code, response.url) == (302, _confirm_url(url)), name


def test_confirming_the_password_goes_back_and_a_wrong_one_counts_towards_the_lockout(world, password):
    client = world.client_for(world.organizer)
    _stale(client)
    url = reverse("invite", args=[world.home.slug])
    page = client.post(reverse("confirm_identity"), {"password": "wrong", "next": url})
    assert page.status_code == 200 and "That is not your password" in page.content.decode()
    assert client.post(reverse("confirm_identity"), {"password": password, "next": url}).url == url
    assert client.get(url).status_code == 200
    _stale(client)
    answers = [
        client.post(reverse("confirm_identity"), {"password": "wrong", "next": url}).status_code for _ in range(6)
    ]
    assert answers == [200] * 4 + [429] * 2  # locked at the fifth, as at the login page


def test_a_confirmed_password_starts_the_count_of_failures_over(world, password):
    client = world.client_for(world.organizer)
    _stale(client)
    confirm = reverse("confirm_identity")
    answers = [client.post(confirm, {"password": "wrong"}).status_code for _ in range(4)]
    assert client.post(confirm, {"password": password}).status_code == 302
    answers += [client.post(confirm, {"password": "wrong"}).status_code for _ in range(4)]
    assert answers == [200] * 8


def test_a_person_who_may_not_is_refused_before_being_asked_for_a_password(world):
    client = world.client_for(world.member)
    _stale(client)
    assert client.get(reverse("member_add", args=[world.home.slug])).status_code == 403
    assert client.post(reverse("person_invite", args=[world.member_agency.pk, 1])).status_code in (403, 404)


def test_a_finished_download_asks_too(world):
    from tests.demo_urls import written_export

    client = world.client_for(world.member)
    export = written_export(world.home, world.member)
    url = reverse("export_download", args=[world.home.slug, export.pk])
    assert client.get(url).status_code == 200
    _stale(client)
    assert client.get(url).url == _confirm_url(url)


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/", "javascript:alert(1)"])
def test_the_way_back_never_leaves_the_site(world, password, target):
    client = world.client_for(world.organizer)
    _stale(client)
    response = client.post(reverse("confirm_identity"), {"password": password, "next": target})
    assert response.url == reverse("dashboard")


def test_a_form_sent_after_a_while_leads_back_to_its_page_after_the_password(world):
    """A POST-only address (answering a join request) sends the person back
    to the page they were on once confirmed, with a message to send again."""
    from members.models import JoinRequest

    asked = JoinRequest.objects.create(agency=world.member_agency, coalition=world.other, requested_by=world.organizer)
    client = world.client_for(world.member)  # the agency's own representative answers
    _stale(client)
    page = reverse("agency", args=[world.member_agency.pk])
    answer = reverse("join_request_answer", args=[asked.pk])
    response = client.post(answer, {"answer": "accept"}, HTTP_REFERER=f"http://testserver{page}")
    assert response.url == _confirm_url(f"http://testserver{page}")
    response = client.post(answer, {"answer": "accept"}, HTTP_REFERER="https://evil.example.org/", follow=True)
    assert "Confirm your password, then send the form again." in response.content.decode()
    assert response.redirect_chain[0][0] == _confirm_url(reverse("dashboard"))
    assert JoinRequest.objects.get(pk=asked.pk).status == JoinRequest.Status.PENDING  # nothing done unconfirmed
