"""The site's address for a stranger, and the public frame every public page
shares: Quick exit, the browsing-safely note, no cookie, no third party."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from coordination.tables import PER_PAGE

from ..factories import CoalitionFactory

pytestmark = pytest.mark.django_db


def test_a_stranger_finds_each_coalitions_public_pages_and_the_hotline(world):
    page = Client().get("/")
    assert page.status_code == 200
    html = page.content.decode()
    for coalition in (world.home, world.other):
        assert reverse("public_coalition", args=[coalition.slug]) in html
        assert reverse("public_guide", args=[coalition.slug]) in html
    assert 'href="tel:+18883737888"' in html and 'href="sms:233733"' in html
    assert reverse("login") in html


def test_with_one_coalition_the_address_is_its_public_page():
    only = CoalitionFactory()
    assert Client().get("/").url == reverse("public_coalition", args=[only.slug])


def test_members_keep_their_dashboard_at_the_address(world):
    assert world.client_for(world.member).get("/").url == reverse("dashboard")


def test_the_coalitions_list_is_paged(client):
    for n in range(PER_PAGE + 5):
        CoalitionFactory(name=f"Coalition {n:02}", slug=f"coalition-{n:02}")
    last = f"Coalition {PER_PAGE + 4:02}"
    first, second = client.get("/").content.decode(), client.get("/?page=2").content.decode()
    assert "Coalition 00" in first and last not in first
    assert last in second


def public_pages(coalition) -> list[str]:
    return ["/"] + [
        reverse(name, args=[coalition.slug])
        for name in ("public_coalition", "public_guide", "public_directory", "public_contact")
    ]


def test_every_public_page_has_quick_exit_sets_no_cookie_and_calls_no_third_party(world, settings):
    settings.QUICK_EXIT_URL = "https://neutral.example.org/"
    for url in public_pages(world.home):
        client = Client()
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert re.search(r'<a [^>]*href="https://neutral.example.org/"[^>]*data-quick-exit', html), url
        assert "Browsing safely" in html
        # The neutral site a Quick exit goes to learns nothing of where the visitor was.
        assert page.headers["Referrer-Policy"] == "same-origin"
        # Only the contact form's CSRF cookie, only on the contact form.
        allowed = {"csrftoken"} if url.endswith("/contact/") else set()
        assert set(page.cookies) <= allowed, (url, set(page.cookies))
        # Every script, style sheet and image from this site.
        for source in re.findall(r'(?:src|href)="([^"]+)"', html):
            if source.startswith(("http://", "https://")):
                assert source == "https://neutral.example.org/", (url, source)
        assert "Log out" not in html and "Dashboard" not in html  # the staff frame is not on them
