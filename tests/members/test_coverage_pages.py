"""The coverage matrix of a coalition of thousands shows a page of agencies,
but counts every area's coverage over all of them: a single point of failure
whose one agency is on page 3 is still one on page 1."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.coverage import AGENCIES_PER_PAGE, STALE_PER_PAGE
from members.models import Agency, AgencyRole, Membership

pytestmark = pytest.mark.django_db


def test_a_page_of_agencies_and_the_coverage_of_all_of_them(world):
    agencies = Agency.objects.bulk_create(Agency(name=f"Agency {n:03}", sector="health") for n in range(70))
    Membership.objects.bulk_create(Membership(agency=a, coalition=world.home, status="active") for a in agencies)
    areas = {area.name: area for area in world.home.response_areas.all()}
    old = timezone.now() - timedelta(days=400)
    AgencyRole.objects.bulk_create(
        [
            AgencyRole(agency=agencies[65], response_area=areas["Medical care"], confirmed_at=timezone.now()),
            AgencyRole(agency=agencies[1], response_area=areas["Training"], confirmed_at=timezone.now()),
            AgencyRole(agency=agencies[64], response_area=areas["Training"], confirmed_at=timezone.now()),
            AgencyRole(
                agency=agencies[2],
                response_area=areas["Interpretation"],
                capacity="paused",
                confirmed_at=timezone.now(),
            ),
            *(AgencyRole(agency=a, response_area=areas["Investigation"], confirmed_at=old) for a in agencies[:30]),
        ]
    )
    client = world.client_for(world.lead)
    url = reverse("coverage", args=[world.home.slug])
    html = client.get(url).content.decode()
    assert html.count('class="rt-matrix-agency"') == AGENCIES_PER_PAGE
    assert "71 active member agencies" in html  # the world's sheriff too
    assert "Medical care: Agency 065" in html  # its one agency is on page 3
    assert "Single points of failure (1)" in html
    assert "Gaps: no active agency (14)" in html  # 17 areas; Interpretation's one role is paused
    assert "Not confirmed for six months (30)" in html and html.count("(since ") == STALE_PER_PAGE
    assert "stale=2" in html and "page=2" in html

    last = client.get(url, {"page": 3}).content.decode()
    columns = re.findall(r'class="rt-matrix-agency"><a href="[^"]+">([^<]+)</a>', last)
    assert columns == ["Agency 050", *[f"Agency {n:03}" for n in range(51, 70)], "Test Sheriff&#x27;s Office"]
    assert "Medical care: Agency 065" in last and "Single points of failure (1)" in last
    assert client.get(url, {"stale": 2}).content.decode().count("(since ") == 30 - STALE_PER_PAGE
    # more columns on request, within bounds
    assert client.get(url, {"per_page": 1000}).content.decode().count('class="rt-matrix-agency"') == 50
