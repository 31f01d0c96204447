"""The guide is right by construction: each step lists exactly the agencies
whose public roles fit its areas and its ages, each agency once with each
of its numbers once, and 911 or the national hotline where its situation
calls for them, once. Table-driven, over the demo and over data made here."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import AgencyRole
from public_site import services as public
from public_site.models import GuideStep

from ..factories import (
    AgencyFactory,
    AgencyRoleFactory,
    CoalitionFactory,
    ContactLineFactory,
    MembershipFactory,
    ResponseAreaFactory,
)

pytestmark = pytest.mark.django_db

UNDER_18, INJURED, ASKS = "The person is or looks under 18", "An adult presents with injuries", "An adult asks for help"
# The seed guide's rules on the demo: under 18, child protective services; an
# adult with injuries, law enforcement (and 911); an adult asking for support,
# the crisis line (and the national hotline). Roles not public are not listed.
DEMO = [
    ("shasta", UNDER_18, {"Shasta County Child Protective Services"}),
    ("shasta", INJURED, {"Shasta County Sheriff's Office", "Redding Police Department"}),
    ("shasta", ASKS, {"North Valley Crisis and Domestic Violence Center"}),
    ("siskiyou", UNDER_18, {"Siskiyou County Child Protective Services"}),
    ("siskiyou", INJURED, {"Siskiyou County Sheriff's Office"}),
    ("siskiyou", ASKS, {"Siskiyou Crisis and Domestic Violence Center"}),
]
CALLS = {UNDER_18: (0, 0), INJURED: (1, 0), ASKS: (0, 1)}  # tel:911 links, national hotline links


@pytest.fixture
def demo(db):
    call_command("seed_demo")


def steps_of(html: str) -> dict[str, str]:
    """Each step's part of the guide's page, by its title."""
    parts = html.split('<li class="card mb-3">')[1:]
    return {re.search(r"<h2[^>]*>If (.*?)</h2>", part).group(1): part.split("</ol>")[0] for part in parts}


@pytest.mark.parametrize(("slug", "title", "agencies"), DEMO)
def test_the_demo_guide_lists_exactly_the_agencies_that_fit_each_step(demo, slug, title, agencies):
    step = GuideStep.objects.get(coalition__slug=slug, title=title)
    listed = dict(public.guide(step.coalition))[step]
    assert {entry.agency.name for entry in listed} == agencies
    part = steps_of(Client().get(reverse("public_guide", args=[slug])).content.decode())[title.lower()]
    for agency in agencies:
        assert part.count(f"<strong>{agency.replace("'", '&#x27;')}</strong>") == 1, agency
    # The sentences of the step's text (labels such as "Main line:" repeat by design).
    texts = [" ".join(text.split()) for text in re.split(r"<[^>]+>", part)]
    sentences = [s for text in texts for s in re.split(r"(?<=[.;])\s+", text) if s.endswith((".", ";"))]
    assert sentences and len(sentences) == len(set(sentences)), "a sentence twice in one step"
    assert (part.count('href="tel:911"'), part.count('href="tel:+18883737888"')) == CALLS[title]


# The seed guide's two CPS lines, and the 24-hour crisis lines that take texts.
DEMO_LINES = [
    ("siskiyou", UNDER_18, ["tel:5308414200", "tel:5308427009"], ["Business hours", "After hours"]),
    ("shasta", ASKS, ["tel:5305550122", "sms:5305550122", "tel:5305550114"], ["24-hour crisis line", "Office"]),
]


@pytest.mark.parametrize(("slug", "title", "links", "labels"), DEMO_LINES)
def test_the_demo_guide_shows_every_line_of_an_agency_as_a_link(demo, slug, title, links, labels):
    part = steps_of(Client().get(reverse("public_guide", args=[slug])).content.decode())[title.lower()]
    found = re.findall(r'href="((?:tel|sms):[^"]+)"', part)
    assert [link for link in found if link not in {"tel:911", "tel:+18883737888", "sms:233733"}] == links
    assert [label for label in labels if f"{label}:" in part] == labels


def test_each_number_of_an_agency_shows_once_in_the_order_of_its_lines():
    coalition = CoalitionFactory()
    area, other = ResponseAreaFactory(coalition=coalition), ResponseAreaFactory(coalition=coalition)
    agency = AgencyFactory(name="County CPS", phone="(530) 555-0100", listed_publicly=True)
    MembershipFactory(agency=agency, coalition=coalition)
    first = AgencyRoleFactory(agency=agency, response_area=area, is_public=True)
    second = AgencyRoleFactory(agency=agency, response_area=other, is_public=True)
    ContactLineFactory(role=first, label="After hours", number="(530) 842-7009", position=2)
    ContactLineFactory(role=first, label="Business hours", number="(530) 841-4200", position=1)
    ContactLineFactory(role=second, label="Same line", number="530-841-4200")  # the same number, written otherwise
    step = GuideStep.objects.create(coalition=coalition, title="A child", body="Call CPS.")
    step.response_areas.set([area, other])
    (entry,) = dict(public.guide(coalition))[step]
    assert [(line.label, line.number) for line in entry.lines] == [
        ("Business hours", "(530) 841-4200"),
        ("After hours", "(530) 842-7009"),
    ]


def test_an_agency_without_lines_is_reached_at_its_main_phone():
    coalition = CoalitionFactory()
    area = ResponseAreaFactory(coalition=coalition)
    agency = AgencyFactory(name="Shelter", phone="(530) 555-0199", listed_publicly=True, available_24_7=True)
    MembershipFactory(agency=agency, coalition=coalition)
    AgencyRoleFactory(agency=agency, response_area=area, is_public=True)
    step = GuideStep.objects.create(coalition=coalition, title="Help", body="Call.")
    step.response_areas.set([area])
    (entry,) = dict(public.guide(coalition))[step]
    assert [(line.label, line.number, line.available_24_7) for line in entry.lines] == [
        ("Main phone", "(530) 555-0199", True)
    ]


M, A, ALL = AgencyRole.Ages.MINORS, AgencyRole.Ages.ADULTS, AgencyRole.Ages.ALL
# (agency, its roles: area -> ages); then (the step's ages, its areas, the agencies listed)
ROLES = {"X": {"welfare": M}, "Y": {"welfare": ALL, "police": ALL}, "Z": {"police": A}, "W": {"police": M}}
STEPS = [
    (M, ["welfare", "police"], {"X", "Y", "W"}),
    (A, ["police"], {"Y", "Z"}),
    (A, ["welfare"], {"Y"}),
    (ALL, ["welfare"], {"X", "Y"}),
    (ALL, ["police"], {"Y", "Z", "W"}),
    (M, [], set()),
]


@pytest.mark.parametrize(("age", "areas", "agencies"), STEPS)
def test_a_step_lists_the_agencies_of_its_areas_and_ages_each_once(age, areas, agencies):
    coalition = CoalitionFactory()
    area_of = {name: ResponseAreaFactory(coalition=coalition, name=name) for name in ("welfare", "police")}
    for name, roles in ROLES.items():
        agency = AgencyFactory(name=name, listed_publicly=True)
        MembershipFactory(agency=agency, coalition=coalition)
        for area, ages in roles.items():
            AgencyRoleFactory(agency=agency, response_area=area_of[area], ages=ages, is_public=True)
    step = GuideStep.objects.create(coalition=coalition, title="Case", body="What to do.", age=age)
    step.response_areas.set([area_of[a] for a in areas])
    listed = dict(public.guide(coalition))[step]
    assert sorted(entry.agency.name for entry in listed) == sorted(agencies)  # each once
    assert public.guide_warnings([(step, listed)]).get(step.pk, []) == (
        [] if agencies else ["No agency is listed: no public role fits its areas and ages."]
    )


def test_organizers_are_warned_of_a_stale_role_in_a_step(demo):
    from datetime import timedelta

    role = AgencyRole.objects.get(agency__name="Redding Police Department", response_area__name="Investigation")
    role.confirmed_at = timezone.now() - timedelta(days=200)
    role.save()
    from coordination.models import CoalitionRole

    organizer = CoalitionRole.objects.filter(coalition__slug="shasta", role=CoalitionRole.Role.ORGANIZER).first().user
    client = Client()
    client.force_login(organizer)
    page = client.get(reverse("guide_edit", args=["shasta"])).content.decode()
    assert "Redding Police Department: its role in Investigation was last confirmed on" in page
