"""The coalition's reports: the numbers a funder reads, who may read them, the
small counts they hide, and what they cost at thirteen years of data."""

import base64
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coordination.models import Coalition
from meetings.models import Attendance, Meeting
from members.models import Membership, Sector
from reports import annual, common, engagement
from reports.models import Activity
from tasks.models import ActionItem
from tests.factories import ActivityFactory, AgencyFactory, MembershipFactory, PersonFactory
from tests.helpers import downloaded_text

pytestmark = pytest.mark.django_db
PACIFIC = ZoneInfo("America/Los_Angeles")
TODAY = date(2026, 11, 22)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PACIFIC)


def _meeting(coalition, day, *, kind=Meeting.Kind.GENERAL, status=Meeting.Status.HELD, hour=12):
    return Meeting.objects.create(
        coalition=coalition,
        title="Coalition meeting",
        kind=kind,
        status=status,
        starts_at=_at(day, hour),
        ends_at=_at(day, hour) + timedelta(hours=1),
    )


def _present(meeting, *people):
    for person in people:
        Attendance.objects.create(
            meeting=meeting, person=person, agency=person.agency, status=Attendance.Status.PRESENT
        )


def _cells(table: common.Table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def _section(report, slug) -> common.Section:
    return next(s for s in report.sections if s.slug == slug)


@pytest.fixture
def year_2025(world):
    """A coalition year with numbers small enough to count by hand."""
    home = world.home
    sheriff = world.member_agency
    Membership.objects.filter(agency=sheriff, coalition=home).update(
        joined_on=date(2019, 1, 10), mou_signed_on=date(2019, 3, 1), mou_review_on=date(2028, 3, 1)
    )
    clinic = AgencyFactory(name="Valley Clinic", sector=Sector.HEALTH_CARE)
    MembershipFactory(
        agency=clinic,
        coalition=home,
        joined_on=date(2025, 6, 1),
        mou_signed_on=date(2025, 7, 1),
        mou_review_on=date(2025, 12, 1),
    )
    deputies = [PersonFactory(agency=sheriff) for _ in range(3)]
    nurse = PersonFactory(agency=clinic)

    march, july, october = (_meeting(home, date(2025, m, 13)) for m in (3, 7, 10))
    _meeting(home, date(2025, 4, 10), status=Meeting.Status.CANCELLED)
    committee = _meeting(home, date(2025, 5, 15), kind=Meeting.Kind.COMMITTEE)
    _meeting(home, date(2024, 12, 12))  # the year before
    # 6 pm on New Year's Eve in California is already 2026 in UTC: it belongs to 2025.
    new_years_eve = _meeting(home, date(2025, 12, 31), kind=Meeting.Kind.SPECIAL, hour=18)
    _present(march, *deputies)
    _present(july, deputies[0])
    _present(october, deputies[0], nurse)
    _present(committee, deputies[1])
    _present(new_years_eve, deputies[2])

    def item(title, created, **kw):
        return ActionItem.objects.create(
            coalition=home, title=title, owner_agency=sheriff, created_at=_at(created), **kw
        )

    item("Hotel outreach", date(2025, 2, 1), status=ActionItem.Status.DONE, completed_at=_at(date(2025, 2, 11)))
    item("Update the protocol", date(2025, 3, 1), status=ActionItem.Status.DONE, completed_at=_at(date(2025, 3, 31)))
    item("Posters in clinics", date(2025, 9, 1), due_on=date(2025, 10, 1))  # still open: overdue at year end
    item("Dropped idea", date(2025, 9, 1), due_on=date(2025, 10, 1), status=ActionItem.Status.DROPPED)
    item(
        "Done late",
        date(2025, 9, 1),
        due_on=date(2025, 10, 1),
        status=ActionItem.Status.DONE,
        completed_at=_at(date(2026, 1, 20)),
    )

    training = {"coalition": home, "kind": Activity.Kind.PROFESSIONAL_TRAINING}
    ActivityFactory(
        **training,
        held_on=date(2025, 2, 5),
        audience=Activity.Audience.LAW_ENFORCEMENT,
        people_reached=30,
        presenting_agency=sheriff,
    )
    ActivityFactory(
        coalition=home,
        kind=Activity.Kind.TRAIN_THE_TRAINER,
        held_on=date(2025, 4, 5),
        audience=Activity.Audience.EDUCATION,
        people_reached=3,
    )
    ActivityFactory(
        coalition=home,
        kind=Activity.Kind.AWARENESS_EVENT,
        held_on=date(2025, 1, 11),
        audience=Activity.Audience.GENERAL_PUBLIC,
        people_reached=200,
    )
    ActivityFactory(
        coalition=home,
        kind=Activity.Kind.COMMUNITY_EDUCATION,
        held_on=date(2025, 5, 1),
        audience=Activity.Audience.PARENTS,
        people_reached=2,
    )
    ActivityFactory(**training, held_on=date(2024, 6, 1), people_reached=99)  # the year before
    return world


def test_the_annual_report_counts_what_the_coalition_did_that_year(year_2025):
    report = annual.annual_report(year_2025.home, date(2025, 1, 1), date(2025, 12, 31), today=TODAY)
    assert report.title == "Annual report 2025"

    meetings = _section(report, "meetings")
    assert dict(meetings.figures) == {"Meetings held": 5, "General meetings held": 3, "Meetings cancelled": 1}
    assert _cells(meetings.tables[0])["Special meeting"] == [1, 0, 0]

    attendance = _section(report, "attendance")
    by_agency = _cells(attendance.tables[0])
    # The sheriff came to all three general meetings; the clinic joined in June and came to one of two.
    assert by_agency["Test Sheriff's Office"][1:4] == [3, 3, "100%"]
    assert by_agency["Valley Clinic"][1:4] == [1, 2, "50%"]
    by_sector = _cells(attendance.tables[1])
    assert by_sector["Health care"][:3] == [1, 1, "33%"]

    members = _section(report, "members")
    assert dict(members.figures) == {
        "Active member agencies at the end of the period": 2,
        "Agencies that joined": 1,
        "MOUs signed": 1,
        "MOUs in force at the end of the period": 1,  # the clinic's fell due for review on December 1
        "MOU reviews that fell due": 1,
    }

    actions = dict(_section(report, "actions").figures)
    assert actions["Opened"] == 5
    assert actions["Completed"] == 2
    assert actions["Overdue on December 31, 2025"] == 2  # the open one, and the one done only in January
    assert actions["Median days to complete"] == 20  # 10 and 30 days

    trainings = dict(_section(report, "trainings").figures)
    assert trainings == {"Professional training": 1, "Train-the-trainer": 1, "People trained": 33}
    community = dict(_section(report, "community").figures)
    assert community == {"Community education": 1, "Awareness event": 1, "People reached": 202}


def test_counts_of_people_under_five_are_withheld_everywhere(year_2025):
    report = annual.annual_report(year_2025.home, date(2025, 1, 1), date(2025, 12, 31), today=TODAY)
    trainings = _section(report, "trainings")
    # 30 officers and 3 teachers trained, 33 in all: the 30 is withheld too, else 33 - 30 gives the 3.
    assert _cells(trainings.tables[0])["Schools and educators"] == [1, "withheld"]
    assert _cells(trainings.tables[0])["Law enforcement"] == [1, "withheld"]
    assert _cells(_section(report, "community").tables[0])["Parents and caregivers"] == [1, "withheld"]
    # The nurse came once, the deputies seven times: with the total shown, both are hidden.
    attendances = {row[0]: row[-1] for row in _section(report, "attendance").tables[0].rows}
    assert attendances == {"Valley Clinic": "withheld", "Test Sheriff's Office": "withheld"}

    client = year_2025.client_for(year_2025.lead)
    url = reverse("report", args=[year_2025.home.slug])
    html = client.get(url, {"year": 2025}).content.decode()
    assert "withheld" in html
    csv = downloaded_text(client.get(url, {"year": 2025, "_export": "csv"}))
    assert "Schools and educators,1,withheld" in csv
    assert "Law enforcement,1,withheld" in csv
    assert "People trained,33" in csv
    # The chart draws no bar for a hidden count: with both hidden, there is no chart to draw.
    assert trainings.charts == [] and _section(report, "community").charts == []


def test_the_report_page_has_charts_tables_and_a_download(year_2025):
    client = year_2025.client_for(year_2025.organizer)
    response = client.get(reverse("report", args=[year_2025.home.slug]), {"start": "2025-01-01", "end": "2025-12-31"})
    html = response.content.decode()
    images = re.findall(
        r'<img class="img-fluid border rounded" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', html
    )
    assert len(images) >= 4
    for data, alt in images:
        svg = base64.b64decode(data).decode()
        assert svg.startswith("<svg") and "<script" not in svg and "the numbers are in the table" in alt
    assert "<caption" in html and "Attendance by agency" in html
    assert 'href="?start=2025-01-01&amp;end=2025-12-31&amp;_export=csv"' in html
    download = client.get(reverse("report", args=[year_2025.home.slug]), {"year": 2025, "_export": "xlsx"})
    assert download["Content-Disposition"] == 'attachment; filename="shasta-test-report-2025-01-01-to-2025-12-31.xlsx"'


def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(world):
    client = world.client_for(world.lead)
    response = client.get(reverse("report", args=[world.home.slug]), {"start": "2025-06-01", "end": "2025-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The start of the period must come before its end." in html
    assert "Meetings held" not in html
    html = client.get(
        reverse("report", args=[world.home.slug]), {"start": "not a date", "end": "2025-01-01"}
    ).content.decode()
    assert "Enter a valid date." in html
    # A year outside the coalition's life (or no year at all) falls back to last year's report.
    for year in ("0", "99999", "MMXXV"):
        response = client.get(reverse("report", args=[world.home.slug]), {"year": year})
        assert response.status_code == 200 and response.context["report"].start.year == date.today().year - 1


def test_reports_are_for_organizers_and_leads(world):
    for user in (world.organizer, world.lead):
        for page in ("report", "engagement"):
            assert world.client_for(user).get(reverse(page, args=[world.home.slug])).status_code == 200
    member = world.client_for(world.member)
    assert member.get(reverse("report", args=[world.home.slug])).status_code == 403
    assert member.get(reverse("engagement", args=[world.home.slug]), {"_export": "csv"}).status_code == 403
    assert "Reports</a>" not in member.get(reverse("dashboard")).content.decode()
    outsider = world.client_for(world.other_member)
    assert outsider.get(reverse("report", args=[world.home.slug])).status_code == 404
    anonymous = Client().get(reverse("report", args=[world.home.slug]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.fixture
def demo(db):
    call_command("seed_demo")
    return Coalition.objects.get(slug="shasta")


def test_engagement_since_the_first_meeting_goes_back_to_2013(demo):
    report = engagement.engagement(demo, today=TODAY)
    per_year = _cells(report.sections[0].tables[0])
    assert list(per_year) == list(range(2013, 2027))
    assert per_year[2014][0] == 16  # twelve general meetings and four of the working group
    by_agency = report.sections[1].tables[0]
    assert by_agency.headers[1] == "2013" and by_agency.headers[-1] == "Total"
    sheriff = _cells(by_agency)["Shasta County Sheriff's Office"]
    assert sheriff[-1] == sum(sheriff[:-1]) > 100
    # Agencies join over the years: fewer at the table in 2014 than in 2024.
    assert per_year[2014][-1] < per_year[2024][-1]


def test_report_pages_cost_the_same_few_queries_at_thirteen_years_of_data(demo, django_assert_max_num_queries):
    from coordination.models import User

    client = Client()
    client.force_login(User.objects.get(email="lead@example.org"))
    for page, params in (
        ("report", {"year": 2025}),
        ("report", {"start": "2013-11-01", "end": "2026-11-21"}),
        ("report", {"start": "2013-11-01", "end": "2026-11-21", "_export": "csv"}),
        ("engagement", {}),
        ("engagement", {"_export": "csv"}),
    ):
        with django_assert_max_num_queries(20):
            response = client.get(reverse(page, args=["shasta"]), params)
        assert response.status_code == 200
    long_view = client.get(reverse("report", args=["shasta"]), {"start": "2013-11-01", "end": "2026-11-21"})
    assert "Action items by year" in long_view.content.decode()


def test_engagement_counts_only_active_members_as_member_agencies(world):
    """A prospective member's visit and a guest's agency count as attendances,
    not as member agencies at the table."""
    start = datetime(2026, 3, 12, 19, 0, tzinfo=ZoneInfo("UTC"))
    meeting = Meeting.objects.create(
        coalition=world.home,
        title="March",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=Meeting.Status.HELD,
    )
    prospective = MembershipFactory(coalition=world.home, status=Membership.Status.PROSPECTIVE).agency
    guest_agency = AgencyFactory()
    for agency in (world.member_agency, prospective, guest_agency):
        for _ in range(5):  # five people each: no count withheld
            person = PersonFactory(agency=agency)
            Attendance.objects.create(meeting=meeting, person=person, agency=agency, status=Attendance.Status.PRESENT)
    report = engagement.engagement(world.home, today=date(2026, 11, 22))
    year = _cells(report.sections[0].tables[0])[2026]
    assert year[2] == 15 and year[-1] == 1  # fifteen attendances, one member agency
    assert ("Member agencies that have taken part", 1) in report.sections[0].figures
    assert list(_cells(report.sections[1].tables[0])) == [world.member_agency.name]
