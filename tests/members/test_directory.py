"""The member directory: filters, sorting, exports, and a fixed query count."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from members.models import Agency, Sector

from ..factories import AgencyFactory, AgencyRoleFactory, MembershipFactory, PersonFactory
from ..helpers import downloaded, downloaded_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(world):
    hospital = AgencyFactory(name="Valley Hospital", sector=Sector.HEALTH_CARE, counties_served="Tehama County")
    MembershipFactory(agency=hospital, coalition=world.home, status="prospective")
    AgencyRoleFactory(agency=hospital, response_area=world.home.response_areas.get(name="Medical care"))
    hostile = AgencyFactory(name='=HYPERLINK("http://evil.example","click")', sector=Sector.BUSINESS)
    MembershipFactory(agency=hostile, coalition=world.home)
    return world


def names_in(response) -> list[str]:
    html = response.content.decode()
    """The agencies the page lists, in the order it lists them."""
    found = [(html.find(f">{escape(a.name)}<"), a.name) for a in Agency.objects.all()]
    return [name for position, name in sorted(found) if position >= 0]


def listing(client, world, **params):
    return client.get(reverse("member_list", args=[world.home.slug]), params)


def test_filters_narrow_the_directory(directory):
    client = directory.client_for(directory.member)
    medical = directory.home.response_areas.get(name="Medical care")
    assert names_in(listing(client, directory, sector="health_care")) == ["Valley Hospital"]
    assert names_in(listing(client, directory, response_area=medical.pk)) == ["Valley Hospital"]
    assert names_in(listing(client, directory, status="prospective")) == ["Valley Hospital"]
    assert names_in(listing(client, directory, county="tehama")) == ["Valley Hospital"]
    assert names_in(listing(client, directory, q="sheriff")) == ["Test Sheriff's Office"]


def test_directory_never_lists_another_coalitions_members(directory):
    html = listing(directory.client_for(directory.member), directory).content.decode()
    assert "Other County CPS" not in html


def test_directory_sorts_by_a_column(directory):
    client = directory.client_for(directory.member)
    html = listing(client, directory, sort="-agency").content.decode()
    assert html.index("Valley Hospital") < html.index("Test Sheriff")


@pytest.mark.parametrize(
    "column", ["agency", "sector", "status", "primary_representative", "joined_on", "mou_review_on"]
)
def test_every_titled_column_sorts(directory, column):
    client = directory.client_for(directory.member)
    ascending = names_in(listing(client, directory, sort=column))
    descending = names_in(listing(client, directory, sort=f"-{column}"))
    assert sorted(ascending) == sorted(descending) and len(ascending) == 3
    if column == "agency":
        assert ascending == sorted(ascending, key=str.lower) and descending == ascending[::-1]


def test_csv_export_neutralises_formulas_and_follows_the_filters(directory):
    response = listing(directory.client_for(directory.lead), directory, _export="csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(downloaded_text(response))))
    assert rows[0][:3] == ["Agency", "Sector", "Status"]
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","click")' in names
    assert "Valley Hospital" in names
    filtered = listing(directory.client_for(directory.lead), directory, _export="csv", sector="health_care")
    assert [row[0] for row in csv.reader(io.StringIO(downloaded_text(filtered)))][1:] == ["Valley Hospital"]


def test_xlsx_export_writes_formulas_as_text(directory):
    response = listing(directory.client_for(directory.lead), directory, _export="xlsx")
    sheet = load_workbook(io.BytesIO(downloaded(response))).active
    cells = {cell.value: cell.data_type for cell in sheet["A"]}
    assert cells['=HYPERLINK("http://evil.example","click")'] == "s"
    assert cells["Valley Hospital"] == "s"


@pytest.mark.parametrize("agencies", [5, 200])
def test_member_pages_run_a_fixed_number_of_queries(world, django_assert_max_num_queries, agencies):
    areas = list(world.home.response_areas.all()[:4])
    for i in range(agencies):
        agency = AgencyFactory()
        person = PersonFactory(agency=agency)
        MembershipFactory(agency=agency, coalition=world.home, primary_representative=person)
        AgencyRoleFactory(agency=agency, response_area=areas[i % 4])
    client = world.client_for(world.organizer)
    for url in [
        reverse("member_list", args=[world.home.slug]),
        reverse("member_list", args=[world.home.slug]) + "?_export=csv",
        reverse("coverage", args=[world.home.slug]),
        reverse("agency", args=[world.member_agency.pk]),
        reverse("response_areas", args=[world.home.slug]),
    ]:
        with django_assert_max_num_queries(22):
            assert client.get(url).status_code == 200
