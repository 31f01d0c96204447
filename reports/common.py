"""What the coalition's reports share: the rule for small counts, the shapes
a report takes (figures, charts, tables) and its periods.

Counts that describe people (attendees, people trained or reached) from 1
to 4 are withheld in tables, charts and downloads, so a small training or a
quiet month cannot point at anyone; where a total is shown,
reports/suppression.py withholds the other cells that would give them away.
Counts of meetings, agencies and action items are shown as they are."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.utils.text import slugify

from coordination.models import Coalition
from coordination.paging import slice_list
from meetings.models import Attendance
from members.models import Sector

from .charts import Chart
from .models import Activity
from .suppression import WITHHELD, is_small

PRESENT = (Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE)
SECTORS = dict(Sector.choices)
AUDIENCES = dict(Activity.Audience.choices)


def people(count: int) -> int | str:
    """A count of people as it may be shown, where no total gives it away."""
    return WITHHELD if is_small(count) else count


def plotted(count: int | None) -> int | None:
    """A count of people as it may be drawn: small counts leave no bar."""
    return None if count is None or is_small(count) else count


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list]
    empty: str = "Nothing in this period."
    # The rows a page shows (a coordination.paging.Slice, set by the view): a
    # table by agency runs to thousands of rows; the download holds them all.
    page: object = None

    @property
    def slug(self) -> str:
        """The address parameter that turns this table's pages (?attendance-by-agency=2)."""
        return slugify(self.caption)


@dataclass
class Section:
    slug: str
    title: str
    figures: list[tuple[str, int | str]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""


# A chart by agency draws this many bars at most (the first of its table's order).
CHART_BARS = 30


def first_bars(labels: list, values: list) -> tuple[list, list, str]:
    """At most CHART_BARS labels and values, and the words for the title when
    there are more (a bar chart of 2,000 agencies is a megabyte nobody reads)."""
    if len(labels) <= CHART_BARS:
        return labels, values, ""
    return labels[:CHART_BARS], values[:CHART_BARS], f", the first {CHART_BARS} of {len(labels)}"


@dataclass
class Report:
    coalition: Coalition
    title: str
    start: date
    end: date
    sections: list[Section]

    @property
    def year(self) -> int | None:
        return calendar_year(self.start, self.end)

    def paginate(self, request) -> "Report":
        """Each table shows a page of its rows (its own ?<slug>=N), by
        PER_PAGE: the report's cells, and what is withheld, are the same on
        every page and in the download, which holds every row."""
        for section in self.sections:
            for table in section.tables:
                table.page = slice_list(table.rows, request, table.slug, anchor=table.slug)
        return self

    def as_rows(self) -> list[list]:
        """Every figure and table, one after another, for a spreadsheet."""
        rows: list[list] = [[self.title], [f"{self.coalition.name}, {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"], []]
        for section in self.sections:
            rows.append([section.title])
            rows += [[label, value] for label, value in section.figures]
            for table in section.tables:
                rows += [[], [table.caption], table.headers, *table.rows]
            rows.append([])
        return rows


def activity_totals(activities) -> dict:
    """Trainings and community events counted apart, for a list of activities."""
    trainings, community = Q(kind__in=Activity.TRAINING_KINDS), Q(kind__in=Activity.COMMUNITY_KINDS)
    return activities.order_by().aggregate(
        trainings=Count("id", filter=trainings),
        trained=Sum("people_reached", filter=trainings, default=0),
        events=Count("id", filter=community),
        reached=Sum("people_reached", filter=community, default=0),
    )


# --- Periods ------------------------------------------------------------------


def default_period(today: date) -> tuple[date, date]:
    """Last calendar year: what an annual report usually covers."""
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def calendar_year(start: date, end: date) -> int | None:
    """The calendar year a period covers, when it covers exactly one."""
    return start.year if (start, end) == (date(start.year, 1, 1), date(start.year, 12, 31)) else None


def first_year(coalition: Coalition, today: date) -> int:
    return coalition.founded_on.year if coalition.founded_on else today.year


def bounds(coalition: Coalition, start: date, end: date) -> tuple[datetime, datetime]:
    """The period as instants: from the start day's midnight to the midnight
    after the end day, in the coalition's time zone."""
    zone = ZoneInfo(coalition.time_zone)
    return datetime.combine(start, time(), tzinfo=zone), datetime.combine(end + timedelta(days=1), time(), tzinfo=zone)


def buckets(start: date, end: date) -> tuple[str, list[str]]:
    """Months for a period of up to two years, years beyond."""
    if (end.year - start.year) * 12 + end.month - start.month < 24:
        labels, day = [], date(start.year, start.month, 1)
        while day <= end:
            labels.append(f"{day:%Y-%m}")
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return "month", labels
    return "year", [str(year) for year in range(start.year, end.year + 1)]


def bucket_spans(labels: list[str], unit: str, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Each bucket of `buckets` as instants: from its first local midnight to the next bucket's."""
    spans = []
    for label in labels:
        if unit == "month":
            year, month = map(int, label.split("-"))
            first, after = date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)
        else:
            first, after = date(int(label), 1, 1), date(int(label) + 1, 1, 1)
        spans.append((datetime.combine(first, time(), tzinfo=zone), datetime.combine(after, time(), tzinfo=zone)))
    return spans
