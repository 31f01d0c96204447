"""The site's address for a stranger, and the public frame every public page
shares: Quick exit, the browsing-safely note, no cookie, no third party."""

import gzip
import html
import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from coordination.tables import PER_PAGE
from reports.models import Activity

from ..factories import CoalitionFactory

pytestmark = pytest.mark.django_db


def test_a_stranger_finds_each_coalitions_public_pages_and_the_hotline(world):
    page = Client().get("/", follow=True)
    assert page.redirect_chain == [(reverse("public_home"), 302)] and page.status_code == 200
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
    home = reverse("public_home")
    first, second = client.get(home).content.decode(), client.get(f"{home}?page=2").content.decode()
    assert "Coalition 00" in first and last not in first
    assert last in second


def public_pages(coalition) -> list[str]:
    return [reverse("public_home")] + [
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


def test_only_the_embedded_guide_may_be_framed_by_other_sites(world):
    client = Client()
    embed = client.get(reverse("public_guide_embed", args=[world.home.slug]))
    guide = client.get(reverse("public_guide", args=[world.home.slug]))
    assert embed.status_code == guide.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors 'none'" in guide.headers["Content-Security-Policy"]
    assert guide.headers["X-Frame-Options"] == "DENY"
    html = embed.content.decode()
    assert '<base target="_top">' in html  # its links open in the whole window, not in the frame
    assert not set(embed.cookies)
    # The same steps as the guide's own page.
    for step in world.home.guide_steps.all():
        assert f"If {step.title.lower()}" in html


def test_the_public_events_feed_holds_the_coming_public_events_only(world):
    today = timezone.localdate()
    common = {"kind": Activity.Kind.AWARENESS_EVENT, "audience": Activity.Audience.GENERAL_PUBLIC}
    Activity.objects.create(
        coalition=world.home,
        title="Hotel staff night",
        held_on=today + timedelta(days=3),
        start_time=time(18, 30),
        place="Redding Library",
        is_public=True,
        **common,
    )
    Activity.objects.create(
        coalition=world.home, title="Church breakfast", held_on=today + timedelta(days=9), is_public=True, **common
    )
    Activity.objects.create(coalition=world.home, title="Members only", held_on=today + timedelta(days=3), **common)
    Activity.objects.create(
        coalition=world.home, title="Last month", held_on=today - timedelta(days=30), is_public=True, **common
    )
    Activity.objects.create(
        coalition=world.other, title="Elsewhere", held_on=today + timedelta(days=3), is_public=True, **common
    )
    response = Client().get(reverse("public_events_feed", args=[world.home.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Hotel staff night", "Church breakfast"]
    evening, breakfast = events
    start = evening.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (18, 30, world.home.time_zone)
    assert breakfast.decoded("DTSTART") == today + timedelta(days=9)  # all day
    assert str(evening["LOCATION"]) == "Redding Library"
    assert len({str(e["UID"]) for e in events}) == 2


def test_organizers_find_the_code_to_embed_the_guide_and_the_events_feed(world, settings):
    # A name with a quote must not break out of the attribute on the agency's site.
    world.home.name = 'Shasta "Safe Harbor" x" onload="alert(1)'
    world.home.save()
    page = world.client_for(world.organizer).get(reverse("guide_edit", args=[world.home.slug])).content.decode()
    for suffix, language, title in (("", "en", "Report trafficking"), ("-es", "es", "Denunciar la trata")):
        found = re.search(rf'<textarea[^>]*id="embed-code{suffix}"[^>]*>(.*?)</textarea>', page, re.S)
        code = html.unescape(found.group(1))
        with translation.override(language):
            embed = reverse("public_guide_embed", args=[world.home.slug])
        assert code.startswith(f'<iframe src="{settings.SITE_URL}{embed}" title="{title} · Shasta &quot;Safe')
        assert f'lang="{language}"' in code and 'onload="' not in code
    assert reverse("public_events_feed", args=[world.home.slug]) in page


def test_every_public_page_weighs_under_60_kb_compressed(world):
    """On a poor phone line: the page and every style sheet and script it
    loads, compressed as WhiteNoise serves them (gzip), under 60 KB."""
    pages = [*public_pages(world.home), reverse("public_guide_embed", args=[world.home.slug])]
    for url in pages:
        html = Client().get(url).content
        weight = len(gzip.compress(html))
        assets = re.findall(rb'<(?:link rel="stylesheet" href|script src)="/static/([^"?]+)"', html)
        assert assets, url
        for asset in assets:
            path = finders.find(asset.decode())
            assert path, asset
            weight += len(gzip.compress(Path(path).read_bytes(), compresslevel=9))
        assert weight < 60 * 1024, f"{url}: {weight / 1024:.1f} KB"


def test_shared_caches_keep_public_pages_for_visitors_only(world):
    """A logged-in member's page may carry a refreshed session cookie or their
    messages: no shared cache keeps it."""
    for name in ("public_coalition", "public_guide", "public_guide_embed", "public_directory", "public_events_feed"):
        url = reverse(name, args=[world.home.slug])
        visitor = Client().get(url)
        assert "public" in visitor["Cache-Control"] and "max-age=300" in visitor["Cache-Control"], url
        member = world.client_for(world.member).get(url)
        assert "private" in member["Cache-Control"] and "public" not in member["Cache-Control"], url
