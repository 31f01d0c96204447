"""Sensitive actions ask again: signed in longer ago than REAUTH_MINUTES, a
person confirms their password before exporting contact details, changing
who stands where, or seeing their calendar feed's secret address; a wrong
password counts towards the lockout; the way back stays on this site."""

import time

import pytest
from django.urls import reverse

from coordination import reauth
from members.models import Membership, Person

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
    return {
        "invite": reverse("invite", args=[world.home.slug]),
        "member_add": reverse("member_add", args=[world.home.slug]),
        "committee_create": reverse("committee_create", args=[world.home.slug]),
        "committee_edit": reverse("committee_edit", args=[world.home.slug, world.restricted_committee.slug]),
        "membership_edit": reverse("membership_edit", args=[membership.pk]),
        "person_add": reverse("person_add", args=[world.member_agency.pk]),
        "person_edit": reverse("person_edit", args=[world.member_agency.pk, person.pk]),
        "calendar_settings": reverse("calendar_settings"),
        "member_list export": reverse("member_list", args=[world.home.slug]) + "?_export=csv",
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
    for _ in range(5):
        answer = client.post(reverse("confirm_identity"), {"password": "wrong", "next": url})
    assert answer.status_code == 429  # locked out, as at the login page


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/", "javascript:alert(1)"])
def test_the_way_back_never_leaves_the_site(world, password, target):
    client = world.client_for(world.organizer)
    _stale(client)
    response = client.post(reverse("confirm_identity"), {"password": password, "next": target})
    assert response.url == reverse("dashboard")


def test_a_form_sent_after_a_while_is_kept_for_after_the_password(world):
    """A POST-only address (answering a join request) sends the person back
    to the page they were on once confirmed, with a message to send again."""
    client = world.client_for(world.organizer)
    _stale(client)
    page = world.home.get_absolute_url()
    response = client.post(reverse("join_request_answer", args=[1]), HTTP_REFERER=f"http://testserver{page}")
    assert response.url == _confirm_url(f"http://testserver{page}")
    response = client.post(
        reverse("join_request_answer", args=[1]), HTTP_REFERER="https://evil.example.org/", follow=True
    )
    assert "Confirm your password, then send the form again." in response.content.decode()
    assert response.redirect_chain[0][0] == _confirm_url(reverse("dashboard"))
