"""The annual report, or any period's: meetings, attendance, members and
MOUs, action items, trainings and community events. A handful of aggregate
queries, whatever the length of the period."""

import statistics
from bisect import bisect_left
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from coordination.models import Coalition
from meetings.models import Attendance, Meeting, MeetingKind
from members.models import Membership
from tasks.models import ActionItem

from . import charts
from .common import (
    AUDIENCES,
    PRESENT,
    SECTORS,
    Report,
    Section,
    Table,
    bounds,
    bucket_spans,
    buckets,
    calendar_year,
    first_bars,
    percent,
)
from .models import Activity
from .suppression import NOTE, Adds, drawn, protect, shown


def annual_report(coalition: Coalition, start: date, end: date, today: date | None = None) -> Report:
    today = today or timezone.localdate()
    since, until = bounds(coalition, start, end)
    # Every membership, as plain rows: thousands at a statewide coalition.
    memberships = list(
        Membership.objects.filter(coalition=coalition)
        .annotate(name=F("agency__name"), sector=F("agency__sector"))
        .values_list("agency_id", "status", "joined_on", "mou_signed_on", "mou_review_on", "name", "sector", named=True)
    )
    # The period's meetings counted by kind, status and local day: the counts
    # by kind, and the days of the general meetings held, in one query.
    meeting_days = list(
        Meeting.objects.filter(coalition=coalition, starts_at__gte=since, starts_at__lt=until)
        .values("kind", "status", day=TruncDate("starts_at", tzinfo=ZoneInfo(coalition.time_zone)))
        .annotate(n=Count("id"))
        .order_by()
    )
    year = calendar_year(start, end)
    return Report(
        coalition=coalition,
        title=f"Annual report {year}" if year else "Report",
        start=start,
        end=end,
        sections=[
            _meetings(meeting_days),
            _attendance(coalition, since, until, memberships, meeting_days),
            _members(start, end, memberships),
            _actions(coalition, start, end, since, until, today),
            *_activities(coalition, start, end, today),
        ],
    )


def _meetings(meeting_days) -> Section:
    counts: dict[str, dict[str, int]] = {}
    for row in meeting_days:
        by_status = counts.setdefault(row["kind"], {})
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
    kinds = [(kind, label) for kind, label in MeetingKind.choices if kind in counts]
    held = [counts[kind].get(Meeting.Status.HELD, 0) for kind, _ in kinds]
    rows = [
        [
            label,
            counts[kind].get(Meeting.Status.HELD, 0),
            counts[kind].get(Meeting.Status.CANCELLED, 0),
            counts[kind].get(Meeting.Status.SCHEDULED, 0),
        ]
        for kind, label in kinds
    ]
    section = Section(
        "meetings",
        "Meetings held",
        figures=[
            ("Meetings held", sum(held)),
            ("General meetings held", counts.get(MeetingKind.GENERAL, {}).get(Meeting.Status.HELD, 0)),
            ("Meetings cancelled", sum(c.get(Meeting.Status.CANCELLED, 0) for c in counts.values())),
        ],
        tables=[Table("Meetings by kind", ["Kind", "Held", "Cancelled", "Scheduled"], rows)],
        note="Committee meetings count here, restricted committees included; what they discussed stays with them.",
    )
    if chart := charts.bars(
        title="Meetings held, by kind",
        labels=[label for _, label in kinds],
        series={"Held": held},
        alt="Bar chart of meetings held by kind; the numbers are in the table below.",
    ):
        section.charts.append(chart)
    return section


def _attendance(coalition, since, until, memberships, meeting_days) -> Section:
    """Attendance at general meetings: the rate is the share of the general
    meetings held while the agency was a member at which it was present
    (or sent a substitute)."""
    general_days = sorted(
        row["day"]
        for row in meeting_days
        if row["kind"] == MeetingKind.GENERAL and row["status"] == Meeting.Status.HELD
        for _ in range(row["n"])
    )
    present = Attendance.objects.filter(
        meeting__coalition=coalition,
        meeting__status=Meeting.Status.HELD,
        meeting__starts_at__gte=since,
        meeting__starts_at__lt=until,
        status__in=PRESENT,
    )
    general_only = Q(meeting__kind=MeetingKind.GENERAL)
    by_agency = {
        row["agency_id"]: row
        for row in present.filter(agency__isnull=False)
        .values("agency_id", "agency__name", "agency__sector")
        .annotate(general=Count("meeting", filter=general_only, distinct=True), visits=Count("id"))
    }
    by_sector = {
        row["agency__sector"]: row
        for row in present.filter(agency__isnull=False)
        .values("agency__sector")
        .annotate(general=Count("meeting", filter=general_only, distinct=True), visits=Count("id"))
    }

    held = len(general_days)
    agencies = []
    joined = {m.agency_id: m for m in memberships}
    for agency_id in {m.agency_id for m in memberships if m.status == Membership.Status.ACTIVE} | set(by_agency):
        row = by_agency.get(agency_id, {})
        membership = joined.get(agency_id)
        name = row.get("agency__name") or membership.name
        sector = row.get("agency__sector") or membership.sector
        since_joining = (
            held - bisect_left(general_days, membership.joined_on) if membership and membership.joined_on else held
        )
        attended = row.get("general", 0)
        rate = percent(attended, since_joining)
        agencies.append(
            (name, SECTORS.get(sector, sector), attended, since_joining, rate, row.get("visits", 0), agency_id, sector)
        )
    agencies.sort(key=lambda a: (-(a[4] or 0), a[0]))

    sectors = []
    members_in = {}
    for m in memberships:
        if m.status == Membership.Status.ACTIVE:
            members_in[m.sector] = members_in.get(m.sector, 0) + 1
    for sector in sorted(set(members_in) | set(by_sector), key=lambda s: SECTORS.get(s, s)):
        row = by_sector.get(sector, {})
        sectors.append(
            (
                SECTORS.get(sector, sector),
                members_in.get(sector, 0),
                row.get("general", 0),
                percent(row.get("general", 0), held),
                row.get("visits", 0),
                sector,
            )
        )
    sectors.sort(key=lambda s: (-(s[3] or 0), s[0]))

    visits = sum(row["visits"] for row in by_agency.values())
    # Attendances count people: small ones hidden, with the cells that would give them away.
    total = ("total",)
    counts = {total: visits}
    counts |= {("agency", a[6]): a[5] for a in agencies}
    counts |= {("sector", s[5]): s[4] for s in sectors}
    per_sector: dict[str, list] = {}
    for a in agencies:
        per_sector.setdefault(a[7], []).append(("agency", a[6]))
    hidden = protect(
        counts,
        [
            Adds(total, tuple(("agency", a[6]) for a in agencies)),
            Adds(total, tuple(("sector", s[5]) for s in sectors)),
            *(Adds(("sector", sector), tuple(keys)) for sector, keys in per_sector.items()),
        ],
    )
    average = round(sum(row["general"] for row in by_agency.values()) / held, 1) if held else 0
    section = Section(
        "attendance",
        "Attendance by agency and sector",
        figures=[
            ("General meetings held", held),
            ("Agencies at an average general meeting", average),
            ("Agencies present at least once", sum(1 for a in agencies if a[2] or a[5])),
            ("Attendances, all meetings", shown(visits, total, hidden)),
        ],
        tables=[
            Table(
                "Attendance by agency",
                ["Agency", "Sector", "General meetings attended", "Held while a member", "Rate", "Attendances"],
                [[a[0], a[1], a[2], a[3], _rate(a[4]), shown(a[5], ("agency", a[6]), hidden)] for a in agencies],
            ),
            Table(
                "Attendance by sector",
                ["Sector", "Member agencies", "General meetings with the sector present", "Rate", "Attendances"],
                [[s[0], s[1], s[2], _rate(s[3]), shown(s[4], ("sector", s[5]), hidden)] for s in sectors],
            ),
        ],
        note="The rate is the share of general meetings held while the agency was a member at which it was present or "
        "sent a substitute. Attendances count people present at any meeting, guests' agencies included. " + NOTE,
    )
    for title, rows, alt in (
        ("Attendance rate by agency (%)", agencies, "agency"),
        ("Attendance rate by sector (%)", [(s[0], None, None, None, s[3]) for s in sectors], "sector"),
    ):
        labels, rates, more = first_bars([r[0] for r in rows], [r[4] for r in rows])
        if chart := charts.bars(
            title=title + more,
            labels=labels,
            series={"Rate": rates},
            alt=f"Bar chart of the general-meeting attendance rate by {alt}; the numbers are in the table below.",
        ):
            section.charts.append(chart)
    return section


def _rate(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def _members(start, end, memberships) -> Section:
    active = [
        m for m in memberships if m.status == Membership.Status.ACTIVE and (m.joined_on is None or m.joined_on <= end)
    ]
    new = [m for m in memberships if m.joined_on and start <= m.joined_on <= end]
    in_force = [
        m
        for m in active
        if m.mou_signed_on and m.mou_signed_on <= end and (m.mou_review_on is None or m.mou_review_on >= end)
    ]
    signed = [m for m in memberships if m.mou_signed_on and start <= m.mou_signed_on <= end]
    due = sorted(
        (m for m in memberships if m.mou_review_on and start <= m.mou_review_on <= end), key=lambda m: m.mou_review_on
    )

    by_sector: dict[str, list[int]] = {}
    for group, column in ((active, 0), (new, 1), (in_force, 2)):
        for m in group:
            by_sector.setdefault(m.sector, [0, 0, 0])[column] += 1
    rows = sorted(([SECTORS.get(s, s), *counts] for s, counts in by_sector.items()), key=lambda r: (-r[1], r[0]))
    section = Section(
        "members",
        "Members and MOUs",
        figures=[
            ("Active member agencies at the end of the period", len(active)),
            ("Agencies that joined", len(new)),
            ("MOUs signed", len(signed)),
            ("MOUs in force at the end of the period", len(in_force)),
            ("MOU reviews that fell due", len(due)),
        ],
        tables=[
            Table("Members by sector", ["Sector", "Active members", "Joined in the period", "MOU in force"], rows),
            Table(
                "New members",
                ["Agency", "Sector", "Joined", "MOU signed"],
                [
                    [m.name, SECTORS.get(m.sector), m.joined_on, m.mou_signed_on or "not yet"]
                    for m in sorted(new, key=lambda m: m.joined_on)
                ],
                empty="No agency joined in this period.",
            ),
            Table(
                "MOU reviews due in the period",
                ["Agency", "Review due", "Signed"],
                [[m.name, m.mou_review_on, m.mou_signed_on or "–"] for m in due],
                empty="No MOU review fell due in this period.",
            ),
        ],
    )
    if chart := charts.bars(
        title="Member agencies by sector",
        labels=[r[0] for r in rows],
        series={"Active members": [r[1] for r in rows], "MOU in force": [r[3] for r in rows]},
        alt="Bar chart of active member agencies and MOUs in force by sector; the numbers are in the table below.",
    ):
        section.charts.append(chart)
    return section


def _actions(coalition, start, end, since, until, today) -> Section:
    zone = ZoneInfo(coalition.time_zone)
    # Overdue as it stood at the end of the period (or today, for a period still running).
    as_of = min(end, today)
    as_of_until = bounds(coalition, as_of, as_of)[1]
    opened_q = Q(created_at__gte=since, created_at__lt=until)
    completed_q = Q(status=ActionItem.Status.DONE, completed_at__gte=since, completed_at__lt=until)
    overdue_q = (
        Q(created_at__lt=as_of_until, due_on__lt=as_of)
        & ~Q(status=ActionItem.Status.DROPPED)
        & (Q(completed_at__isnull=True) | Q(completed_at__gte=as_of_until))
    )
    items = ActionItem.objects.filter(coalition=coalition)
    unit, labels = buckets(start, end)
    # Each agency's items opened and completed in each month (or year), counted
    # in the same aggregate query as its totals; the period's are their sums.
    spans = dict(zip(labels, bucket_spans(labels, unit, zone), strict=True))
    per_bucket = {}
    for n, (lo, hi) in enumerate(spans.values()):
        per_bucket[f"opened_{n}"] = Count("id", filter=opened_q & Q(created_at__gte=lo, created_at__lt=hi))
        per_bucket[f"completed_{n}"] = Count("id", filter=completed_q & Q(completed_at__gte=lo, completed_at__lt=hi))
    by_agency = list(
        items.filter(opened_q | completed_q | overdue_q)
        .values("owner_agency__name")
        .annotate(
            opened=Count("id", filter=opened_q),
            completed=Count("id", filter=completed_q),
            overdue=Count("id", filter=overdue_q),
            **per_bucket,
        )
        .order_by("owner_agency__name")
    )
    opened_by = {label: sum(row[f"opened_{n}"] for row in by_agency) for n, label in enumerate(labels)}
    completed_by = {label: sum(row[f"completed_{n}"] for row in by_agency) for n, label in enumerate(labels)}
    overdue = sum(row["overdue"] for row in by_agency)
    completed = sum(row["completed"] for row in by_agency)
    # The median: the one or two middle durations, read alone in their order.
    middle = (
        list(
            items.filter(completed_q)
            .annotate(taken=F("completed_at") - F("created_at"))
            .order_by("taken", "pk")
            .values_list("taken", flat=True)[(completed - 1) // 2 : completed // 2 + 1]
        )
        if completed
        else []
    )
    days_to_complete = [taken.days for taken in middle]
    median = statistics.median(days_to_complete) if days_to_complete else None
    section = Section(
        "actions",
        "Action items",
        figures=[
            ("Opened", sum(opened_by.values())),
            ("Completed", completed),
            (f"Overdue on {as_of:%B %-d, %Y}", overdue),
            ("Median days to complete", "–" if median is None else round(median)),
        ],
        tables=[
            Table(
                f"Action items by {unit}",
                [unit.capitalize(), "Opened", "Completed"],
                [[label, opened_by[label], completed_by[label]] for label in labels],
            ),
            Table(
                "Action items by owning agency",
                ["Agency", "Opened", "Completed", f"Overdue on {as_of:%b %-d, %Y}"],
                [[r["owner_agency__name"], r["opened"], r["completed"], r["overdue"]] for r in by_agency],
            ),
        ],
    )
    if chart := charts.columns(
        title=f"Action items opened and completed, by {unit}",
        labels=labels,
        series={"Opened": list(opened_by.values()), "Completed": list(completed_by.values())},
        alt=f"Column chart of action items opened and completed by {unit}; the numbers are in the table below.",
    ):
        section.charts.append(chart)
    return section


def _activities(coalition, start, end, today) -> list[Section]:
    rows = list(
        Activity.objects.filter(coalition=coalition, held_on__gte=start, held_on__lte=min(end, today))
        .values("kind", "audience", "presenting_agency__name")
        .annotate(
            n=Count("id"), reached=Sum("people_reached"), unrecorded=Count("id", filter=Q(people_reached__isnull=True))
        )
    )
    kinds = dict(Activity.Kind.choices)
    sections = []
    for slug, title, group, unit in (
        ("trainings", "Professional trainings", Activity.TRAINING_KINDS, "People trained"),
        ("community", "Community education and awareness", Activity.COMMUNITY_KINDS, "People reached"),
    ):
        mine = [r for r in rows if r["kind"] in group]
        by_kind = _sum_by(mine, "kind")
        by_audience = _sum_by(mine, "audience")
        by_presenter = _sum_by(mine, "presenting_agency__name")
        unrecorded = sum(r["unrecorded"] for r in mine)
        events = "Trainings" if slug == "trainings" else "Events"
        total = ("total",)
        counts = {total: sum(p for _, p in by_kind.values())}
        counts |= {("audience", a): p for a, (_, p) in by_audience.items()}
        counts |= {("presenter", name): p for name, (_, p) in by_presenter.items()}
        hidden = protect(
            counts,
            [
                Adds(total, tuple(("audience", a) for a in by_audience)),
                Adds(total, tuple(("presenter", name) for name in by_presenter)),
            ],
        )
        section = Section(
            slug,
            title,
            figures=[
                *[(kinds[k], by_kind[k][0]) for k in group if k in by_kind],
                (unit, shown(counts[total], total, hidden)),
            ],
            tables=[
                Table(
                    f"{title} by audience",
                    ["Audience", events, unit],
                    [
                        [AUDIENCES.get(a, a), n, shown(p, ("audience", a), hidden)]
                        for a, (n, p) in sorted(by_audience.items(), key=lambda i: -i[1][0])
                    ],
                ),
                Table(
                    f"{title} by presenter",
                    ["Presented by", events, unit],
                    [
                        [name or "The coalition, together", n, shown(p, ("presenter", name), hidden)]
                        for name, (n, p) in sorted(by_presenter.items(), key=lambda i: (-i[1][0], i[0] or ""))
                    ],
                ),
            ],
            note=(
                f"{unrecorded} held without a head count yet; they count as events but add nobody. "
                if unrecorded
                else ""
            )
            + NOTE
            + " Neither is drawn in the chart.",
        )
        audiences = sorted(by_audience.items(), key=lambda i: -i[1][1])
        if chart := charts.bars(
            title=f"{unit}, by audience",
            labels=[AUDIENCES.get(a, a) for a, _ in audiences],
            series={unit: [drawn(p, ("audience", a), hidden) for a, (n, p) in audiences]},
            alt=f"Bar chart of {unit.lower()} by audience sector; the numbers are in the table below.",
        ):
            section.charts.append(chart)
        sections.append(section)
    return sections


def _sum_by(rows, key) -> dict:
    totals: dict = {}
    for row in rows:
        n, p = totals.get(row[key], (0, 0))
        totals[row[key]] = (n + row["n"], p + (row["reached"] or 0))
    return totals
