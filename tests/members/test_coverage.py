"""The coverage matrix: gaps, single points of failure, stale roles."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.coverage import coverage_for

from ..factories import AgencyFactory, AgencyRoleFactory, CoalitionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coalition():
    return CoalitionFactory(name="Matrix Coalition", slug="matrix")


def member(coalition, name, status="active"):
    agency = AgencyFactory(name=name)
    MembershipFactory(agency=agency, coalition=coalition, status=status)
    return agency


def area(coalition, name):
    return coalition.response_areas.get(name=name)


def statuses(coalition) -> dict[str, str]:
    return {row.area.name: row.status for row in coverage_for(coalition).rows}


def test_a_new_coalition_starts_with_the_default_response_areas(coalition):
    names = list(coalition.response_areas.values_list("name", flat=True))
    assert names[0] == "Awareness and education"
    assert "Legal and immigration help" in names
    assert len(names) == 17


def test_areas_are_gaps_single_points_or_covered(coalition):
    sheriff, police, shelter = member(coalition, "Sheriff"), member(coalition, "Police"), member(coalition, "Shelter")
    AgencyRoleFactory(agency=sheriff, response_area=area(coalition, "Investigation"))
    AgencyRoleFactory(agency=police, response_area=area(coalition, "Investigation"))
    AgencyRoleFactory(agency=shelter, response_area=area(coalition, "Shelter and housing"), capacity="limited")
    result = statuses(coalition)
    assert result["Investigation"] == "covered"
    assert result["Shelter and housing"] == "single"
    assert result["Interpretation"] == "gap"


def test_paused_roles_and_inactive_members_do_not_cover(coalition):
    host_homes = member(coalition, "Host homes")
    former = member(coalition, "Former member", status="inactive")
    AgencyRoleFactory(agency=host_homes, response_area=area(coalition, "Shelter and housing"), capacity="paused")
    AgencyRoleFactory(agency=former, response_area=area(coalition, "Medical care"))
    result = statuses(coalition)
    assert result["Shelter and housing"] == "gap"
    assert result["Medical care"] == "gap"
    assert "Former member" not in [a.name for a in coverage_for(coalition).agencies]


def test_inactive_areas_leave_the_matrix(coalition):
    coalition.response_areas.filter(name="Interpretation").update(is_active=False)
    assert "Interpretation" not in statuses(coalition)


def test_roles_unconfirmed_for_six_months_are_stale(coalition):
    agency = member(coalition, "Clinic")
    old = AgencyRoleFactory(
        agency=agency, response_area=area(coalition, "Medical care"), confirmed_at=timezone.now() - timedelta(days=200)
    )
    fresh = AgencyRoleFactory(agency=agency, response_area=area(coalition, "Training"))
    never = AgencyRoleFactory(agency=agency, response_area=area(coalition, "Interpretation"), confirmed_at=None)
    assert {role.pk for role in coverage_for(coalition).stale} == {old.pk, never.pk}
    assert not fresh.is_stale


def test_the_matrix_page_shows_gaps_and_capacity(world):
    agency = world.member_agency
    AgencyRoleFactory(agency=agency, response_area=area(world.home, "Investigation"), capacity="limited")
    html = world.client_for(world.lead).get(reverse("coverage", args=[world.home.slug])).content.decode()
    assert "Gaps: no active agency (16)" in html
    assert "Single points of failure (1)" in html
    assert "Investigation: Test Sheriff&#x27;s Office" in html
    assert ">Limited<" in html
