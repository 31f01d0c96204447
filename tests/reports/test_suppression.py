"""No count of people under 5 can be worked out from what a report shows.

Each hidden cell is recomputed the way a reader would: from the shown cells,
the totals, and that a withheld count is at least 1 (a 0 is shown); no count
of 1 to 4 may be pinned to fewer than four possible values.
Small cases are solved by brute force, trying every value the hidden cells
could hold, independently of the reader model in reports/suppression.py; the
report itself is then read from its page and its CSV and attacked by
subtraction, as the issue that asked for this did."""

import base64
import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.models import Attendance, Meeting
from reports import annual
from reports.models import Activity
from reports.suppression import SMALL, WITHHELD, Adds, protect

from ..factories import ActivityFactory, AgencyFactory, MembershipFactory, PersonFactory
from ..helpers import downloaded_text

SMALLS = range(1, SMALL)


def reader_can_tell(leaves: dict, parents: dict, hidden: set) -> dict:
    """Every value each hidden leaf can hold, by trying them all (up to a
    ceiling). `leaves` are the counts that add up (agencies); `parents` maps
    each shown or withheld sum (a sector, the total) to the leaves it adds up.
    The reader knows a shown count exactly, and that a withheld one is at
    least 1 (a 0 is shown)."""
    true = dict(leaves) | {p: sum(leaves[m] for m in members) for p, members in parents.items()}
    ceiling = true["total"] if "total" not in hidden else true["total"] + SMALL
    names = list(leaves)
    domains = {key: [true[key]] if key not in hidden else range(1, ceiling + 1) for key in names}
    caps = {p: true[p] if p not in hidden else ceiling for p in parents}
    possible: dict = {key: set() for key in names}

    def search(i: int, guess: dict) -> None:
        for parent, members in parents.items():  # prune: no sum may pass what is shown of it
            if sum(guess.get(m, 0) for m in members) > caps[parent]:
                return
        if i == len(names):
            sums = {p: sum(guess[m] for m in members) for p, members in parents.items()}
            if all(value == true[p] if p not in hidden else value >= 1 for p, value in sums.items()):
                for key, value in guess.items():
                    possible[key].add(value)
            return
        for value in domains[names[i]]:
            guess[names[i]] = value
            search(i + 1, guess)
            del guess[names[i]]

    search(0, {})
    return possible


def assert_nothing_small_can_be_told(leaves: dict, parents: dict, hidden: set) -> None:
    possible = reader_can_tell(leaves, parents, hidden)
    for key, value in leaves.items():
        if value in SMALLS:
            assert key in hidden, f"{key} = {value} is shown"
            assert len(possible[key]) >= len(SMALLS), f"{key} = {value} can be told to be one of {possible[key]}"


def _equations(parents: dict) -> list[Adds]:
    return [Adds(parent, tuple(members)) for parent, members in parents.items()]


@settings(max_examples=80, deadline=None)
@given(sectors=st.lists(st.lists(st.integers(0, 8), min_size=1, max_size=2), min_size=1, max_size=2))
def test_agencies_within_sectors_within_a_total(sectors):
    """Attendance: agencies add up to their sector, sectors to the total."""
    leaves = {("agency", s, a): n for s, agencies in enumerate(sectors) for a, n in enumerate(agencies)}
    parents = {("sector", s): [("agency", s, a) for a in range(len(agencies))] for s, agencies in enumerate(sectors)}
    parents["total"] = list(leaves)
    counts = leaves | {p: sum(leaves[m] for m in members) for p, members in parents.items()}
    # the sectors add up to the total too
    equations = [*_equations(parents), Adds("total", tuple(p for p in parents if p != "total"))]
    hidden = protect(counts, equations)
    assert_nothing_small_can_be_told(leaves, parents, hidden)
    assert {k for k in counts if counts[k] in SMALLS} <= hidden


@settings(max_examples=80, deadline=None)
@given(
    audiences=st.lists(st.integers(0, 9), min_size=1, max_size=4),
    presenters=st.lists(st.integers(0, 9), min_size=1, max_size=4),
)
def test_one_total_split_two_ways(audiences, presenters):
    """Trainings: the people trained by audience and, apart, by presenter add
    up to one total. The report never crosses the two (which presenter trained
    which audience), so each split is read against the total alone."""
    total = sum(audiences)
    presenters = [*presenters[:-1], total - sum(presenters[:-1])]
    if presenters[-1] < 0:
        presenters = [total]
    by_audience = {("audience", i): n for i, n in enumerate(audiences)}
    by_presenter = {("presenter", i): n for i, n in enumerate(presenters)}
    counts = {"total": total, **by_audience, **by_presenter}
    hidden = protect(counts, [Adds("total", tuple(by_audience)), Adds("total", tuple(by_presenter))])
    for split in (by_audience, by_presenter):
        assert_nothing_small_can_be_told(split, {"total": list(split)}, hidden)


# --- The report, as its page and its CSV show it --------------------------------

TRAINED = {
    "Law enforcement": 40,
    "Schools and educators": 3,
    "Health and behavioural health": 12,
    "Child welfare and social services": 25,
    "General public": 9,
    "Faith communities": 7,
}


@pytest.fixture
def busy_year(world):
    """Trainings for six audiences, one of them small, by three presenters; a
    year of meetings with agencies of two sectors, some seldom there."""
    home = world.home
    people = {audience: TRAINED[label] for audience, label in Activity.Audience.choices if label in TRAINED}
    presenters = [world.member_agency, AgencyFactory(name="Crisis Center"), AgencyFactory(name="Valley Clinic")]
    for i, (audience, n) in enumerate(people.items()):
        ActivityFactory(
            coalition=home,
            kind=Activity.Kind.PROFESSIONAL_TRAINING,
            audience=audience,
            people_reached=n,
            held_on=date(2025, 3, 1 + i),
            presenting_agency=presenters[i % 3],
        )
    clinic, crisis = presenters[2], presenters[1]
    for agency in (clinic, crisis):
        MembershipFactory(agency=agency, coalition=home)
    people_of = {
        world.member_agency: [world.member.person, PersonFactory(agency=world.member_agency)],
        clinic: [PersonFactory(agency=clinic)],
        crisis: [PersonFactory(agency=crisis), PersonFactory(agency=crisis)],
    }
    for month in range(1, 7):
        meeting = Meeting.objects.create(
            coalition=home,
            title="Monthly",
            starts_at=f"2025-{month:02d}-10T19:00:00Z",
            ends_at=f"2025-{month:02d}-10T20:30:00Z",
            status=Meeting.Status.HELD,
        )
        for agency, persons in people_of.items():
            if agency is clinic and month > 2:
                continue  # the clinic came twice: 2 attendances
            for person in persons:
                Attendance.objects.create(
                    meeting=meeting, person=person, agency=agency, status=Attendance.Status.PRESENT
                )
    return world


def _csv_tables(text: str) -> dict[str, list[list[str]]]:
    """The CSV download's tables by caption, and its figures under "figures"."""
    tables: dict[str, list[list[str]]] = {"figures": []}
    current = None
    rows = list(csv.reader(io.StringIO(text)))
    for i, row in enumerate(rows):
        if not row or not any(row):
            current = None
            continue
        if len(row) == 1 and i + 1 < len(rows) and len(rows[i + 1]) > 2:
            current = tables.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
        elif len(row) == 2:
            tables["figures"].append(row)
    return tables


def _attack(rows: list[list[str]], column: int, total: str, true: dict[str, int]) -> None:
    """Subtract every shown cell from the total: no small count may fall out,
    nor be pinned to fewer than four values (each withheld one is at least 1)."""
    cells = {row[0]: row[column] for row in rows[1:]}
    assert all(cells[label] == WITHHELD for label, n in true.items() if n in SMALLS), "a small count is shown"
    hidden = [label for label, cell in cells.items() if cell == WITHHELD]
    if total == WITHHELD or not hidden:
        return
    rest = int(total) - sum(int(cell) for cell in cells.values() if cell != WITHHELD)
    assert rest == sum(true[label] for label in hidden)  # what the reader can work out: the hidden ones' sum
    # a hidden count is at most the rest less 1 for each other hidden one
    assert len(hidden) >= 2 and rest - (len(hidden) - 1) >= SMALL - 1, f"{hidden} can be worked out from {rest}"


@pytest.mark.django_db
def test_no_table_of_the_report_gives_a_small_count_away(busy_year):
    client = busy_year.client_for(busy_year.lead)
    url = reverse("report", args=[busy_year.home.slug])
    text = downloaded_text(client.get(url, {"year": 2025, "_export": "csv"}))
    tables = _csv_tables(text)
    figures = dict(tuple(row) for row in tables["figures"])
    by_audience = tables["Professional trainings by audience"]
    assert ["Schools and educators", "1", WITHHELD] in by_audience
    _attack(by_audience, 2, figures["People trained"], TRAINED)
    presenters = {"Test Sheriff's Office": 40 + 25, "Crisis Center": 3 + 9, "Valley Clinic": 12 + 7}
    _attack(tables["Professional trainings by presenter"], 2, figures["People trained"], presenters)
    # six meetings: two deputies at each, two crisis workers at each, the nurse at two
    visits = {"Test Sheriff's Office": 12, "Crisis Center": 12, "Valley Clinic": 2}
    _attack(tables["Attendance by agency"], 5, figures["Attendances, all meetings"], visits)
    sectors = {}
    for row in tables["Attendance by agency"][1:]:
        sectors[row[1]] = sectors.get(row[1], 0) + visits[row[0]]
    _attack(tables["Attendance by sector"], 4, figures["Attendances, all meetings"], sectors)

    # The page shows the same cells as the download.
    html = client.get(url, {"year": 2025}).content.decode()
    page_cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    for caption in ("Professional trainings by audience", "Attendance by agency"):
        for row in tables[caption][1:]:
            assert row[-1] in page_cells

    # The chart draws none of the hidden counts.
    report = annual.annual_report(busy_year.home, date(2025, 1, 1), date(2025, 12, 31), today=date(2026, 2, 1))
    trainings = next(s for s in report.sections if s.slug == "trainings")
    svg = base64.b64decode(trainings.charts[0].src.removeprefix("data:image/svg+xml;base64,")).decode()
    shown_values = {row[2] for row in by_audience[1:] if row[2] != WITHHELD}
    assert shown_values and all(f">{value}<" in svg for value in shown_values)
    for label, _, cell in by_audience[1:]:
        true_value = str(TRAINED[label])
        if cell == WITHHELD and true_value not in shown_values:
            assert f">{true_value}<" not in svg, f"the chart draws {label}'s hidden {true_value}"
