"""Engagement since the first meeting: attendance each year and each
agency's part in it, the chart a lead shows at the annual meeting."""

from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from coordination.models import Coalition
from meetings.models import Attendance, Meeting, MeetingKind
from members.models import Membership

from . import charts
from .common import PRESENT, Report, Section, Table, first_bars, first_year, people, plotted


def engagement(coalition: Coalition, today: date | None = None) -> Report:
    """Attendance each year since the first meeting, and each agency's part in it."""
    today = today or timezone.localdate()
    zone = ZoneInfo(coalition.time_zone)
    first = first_year(coalition, today)
    years = list(range(first, today.year + 1))
    held = Meeting.objects.filter(coalition=coalition, status=Meeting.Status.HELD)
    meetings = {
        row["year"]: row
        for row in held.annotate(year=ExtractYear("starts_at", tzinfo=zone))
        .values("year")
        .annotate(n=Count("id"), general=Count("id", filter=Q(kind=MeetingKind.GENERAL)))
    }
    attended = Attendance.objects.filter(
        meeting__coalition=coalition,
        meeting__status=Meeting.Status.HELD,
        status__in=(*PRESENT, Attendance.Status.GUEST),
    ).annotate(
        year=ExtractYear("meeting__starts_at", tzinfo=zone),
        # only the coalition's active members count as member agencies: not a
        # prospective member's visit, nor a guest's agency
        member=Exists(
            Membership.objects.filter(agency=OuterRef("agency"), coalition=coalition, status=Membership.Status.ACTIVE)
        ),
    )
    per_year = {
        row["year"]: row
        for row in attended.values("year").annotate(
            visits=Count("id"),
            agencies=Count("agency", distinct=True, filter=Q(member=True)),
            people=Count("person", distinct=True),
        )
    }
    per_agency: dict[str, dict[int, int]] = {}
    for row in (
        attended.filter(status__in=PRESENT, agency__isnull=False, member=True)
        .values("year", "agency__name")
        .annotate(n=Count("meeting", distinct=True))
    ):
        per_agency.setdefault(row["agency__name"], {})[row["year"]] = row["n"]
    agencies = sorted(per_agency.items(), key=lambda item: (-sum(item[1].values()), item[0]))

    year_rows = [
        [
            year,
            meetings.get(year, {}).get("n", 0),
            meetings.get(year, {}).get("general", 0),
            people(per_year.get(year, {}).get("visits", 0)),
            people(per_year.get(year, {}).get("people", 0)),
            per_year.get(year, {}).get("agencies", 0),
        ]
        for year in years
    ]
    by_year = Section(
        "by-year",
        f"Attendance each year since {first}",
        figures=[
            ("Years of meetings", len([y for y in years if meetings.get(y)])),
            ("Meetings held", sum(row["n"] for row in meetings.values())),
            ("Member agencies that have taken part", len(per_agency)),
        ],
        tables=[
            Table(
                "Attendance per year",
                [
                    "Year",
                    "Meetings held",
                    "General meetings",
                    "Attendances",
                    "Different people",
                    "Member agencies present",
                ],
                year_rows,
            )
        ],
        note="Attendances count everyone present, guests and substitutes included. Member agencies are the "
        "coalition's active members today: prospective members and guests' agencies count as attendances only. "
        "Counts of 1 to 4 people are withheld.",
    )
    labels = [str(y) for y in years]
    for chart in (
        charts.columns(
            title="Attendances per year",
            labels=labels,
            series={"Attendances": [plotted(per_year.get(y, {}).get("visits")) for y in years]},
            alt="Column chart of attendances at coalition meetings per year; the numbers are in the table below.",
        ),
        charts.lines(
            title="Agencies at the table and meetings held, per year",
            labels=labels,
            series={
                "Member agencies present": [per_year.get(y, {}).get("agencies", 0) for y in years],
                "Meetings held": [meetings.get(y, {}).get("n", 0) for y in years],
            },
            alt="Line chart of agencies present and meetings held per year; the numbers are in the table below.",
        ),
    ):
        if chart:
            by_year.charts.append(chart)

    by_agency = Section(
        "by-agency",
        "Each member agency's meetings attended, per year",
        tables=[
            Table(
                "Meetings attended by agency and year",
                ["Agency", *labels, "Total"],
                [[name, *[counts.get(y, 0) for y in years], sum(counts.values())] for name, counts in agencies],
                empty="No attendance recorded yet.",
            )
        ],
        note="Meetings at which the agency, an active member, was present or sent a substitute.",
    )
    labels, attended, more = first_bars([name for name, _ in agencies], [sum(c.values()) for _, c in agencies])
    if chart := charts.bars(
        title=f"Meetings attended since {first}, by agency{more}",
        labels=labels,
        series={"Meetings attended": attended},
        alt="Bar chart of meetings attended by each agency since the first meeting; the numbers are in the table.",
    ):
        by_agency.charts.append(chart)
    return Report(coalition, "Engagement since the first meeting", date(first, 1, 1), today, [by_year, by_agency])
