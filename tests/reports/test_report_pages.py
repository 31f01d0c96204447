"""A report's tables by agency show a page of rows at a time; the cells, and
what is withheld, are those of the download, which holds every row."""

import base64
import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from meetings.models import Attendance, Meeting
from members.models import Agency, Membership, Person
from reports.common import CHART_BARS

from ..helpers import downloaded_text

pytestmark = pytest.mark.django_db


def test_the_table_by_agency_pages_and_its_cells_are_the_downloads(world):
    agencies = Agency.objects.bulk_create(Agency(name=f"Agency {n:03}", sector="health") for n in range(64))
    Membership.objects.bulk_create(
        Membership(agency=a, coalition=world.home, status="active", joined_on=date(2020, 1, 1)) for a in agencies
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            coalition=world.home,
            title=f"General {n}",
            starts_at=f"2025-0{n + 1}-10T19:00:00Z",
            ends_at=f"2025-0{n + 1}-10T20:00:00Z",
            status=Meeting.Status.HELD,
        )
        for n in range(3)
    )
    people = Person.objects.bulk_create(
        Person(agency=a, full_name=f"Rep {a.name}", email=f"rep{n}@example.org") for n, a in enumerate(agencies)
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=m, person=p, agency=p.agency, status=Attendance.Status.PRESENT)
        for n, p in enumerate(people)
        for m in meetings[: 1 + n % 3]
    )
    client = world.client_for(world.lead)
    url = reverse("report", args=[world.home.slug])
    rows = list(csv.reader(io.StringIO(downloaded_text(client.get(url, {"year": 2025, "_export": "csv"})))))
    start = rows.index(["Attendance by agency"]) + 2
    download = [row for row in rows[start : start + 66] if row and row[0] != "Agency"]
    assert len(download) == 65  # every member agency, the world's sheriff too

    for page in (1, 2):
        html = client.get(url, {"year": 2025, "attendance-by-agency": page}).content.decode()
        assert "(65 rows;" in html
        on_page = download[(page - 1) * 50 : page * 50]
        assert html.count('<th scope="row" class="fw-normal">Agency ') == len([r for r in on_page if "Agency" in r[0]])
        for name, *cells in on_page:
            row = f'<th scope="row" class="fw-normal">{escape(name)}</th>' + "".join(
                f'<td class="text-end">{escape(cell)}</td>' for cell in cells
            )
            assert row in html, name
    assert "#attendance-by-agency" in html and 'id="attendance-by-agency"' in html  # page 2 links back to its table

    first = client.get(url, {"year": 2025})
    assert len(first.content) < 200_000
    attendance = next(s for s in first.context["report"].sections if s.slug == "attendance")
    svg = base64.b64decode(attendance.charts[0].src.removeprefix("data:image/svg+xml;base64,")).decode()
    assert f"Attendance rate by agency (%), the first {CHART_BARS} of 65" in svg
    assert svg.count('class="bar"') == CHART_BARS
