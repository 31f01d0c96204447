"""The page frame: security headers, no inline script or style, landmarks."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def pages(world):
    return [
        reverse("dashboard"),
        reverse("coalition", args=[world.home.slug]),
        reverse("member_list", args=[world.home.slug]),
        reverse("committee", args=[world.home.slug, world.open_committee.slug]),
        reverse("invite", args=[world.home.slug]),
        reverse("committee_create", args=[world.home.slug]),
        reverse("password_change"),
        reverse("meeting_list", args=[world.home.slug]),
        reverse("meeting_create", args=[world.home.slug]),
        reverse("coverage", args=[world.home.slug]),
        reverse("agency", args=[world.member_agency.pk]),
    ]


def test_pages_send_a_content_security_policy_that_forbids_inline_script(world):
    client = world.client_for(world.organizer)
    for url in pages(world):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script_style_or_outside_assets(world):
    client = world.client_for(world.organizer)
    for url in [*pages(world), reverse("login")]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=\"", html), url
        assert not re.search(r"<style", html), url
        for asset in re.findall(r"(?:src|href)=\"(https?://[^\"]+)\"", html):
            raise AssertionError(f"{url} loads {asset} from another site")


def test_every_page_has_landmarks_a_skip_link_and_one_heading(world):
    client = world.client_for(world.member)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'href="#main"' in html and "Skip to main content" in html
    assert '<main id="main"' in html
    assert '<nav class="navbar' in html and 'aria-label="Main"' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1


def test_the_current_section_is_marked_in_the_navigation(world):
    html = world.client_for(world.member).get(reverse("member_list", args=[world.home.slug])).content.decode()
    assert re.search(r'href="/c/shasta-test/members/"\s+aria-current="page">Members<', html)


def test_health_check_answers_without_login(client, db):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_form_errors_are_tied_to_their_fields(world):
    response = world.client_for(world.organizer).post(reverse("invite", args=[world.home.slug]), {})
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_full_name_error"' in html
    assert 'id="id_full_name_error"' in html
