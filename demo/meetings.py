"""The Shasta coalition's meetings since November 2013: its two series, every
meeting since, minutes of each one held, and attendance and agendas."""

from datetime import date, timedelta
from datetime import time as datetime_time

from django.utils import timezone

from coordination.models import Coalition, Committee, User
from meetings import services as meeting_services
from meetings.models import AgendaItem, Attendance, Meeting, MeetingEvent, MeetingSeries, Minutes
from members.models import Agency, Membership, Person

# Topics of the archive's minutes, in turn: (what was discussed, decisions).
ARCHIVE_TOPICS = [
    (
        "The hospitality association reported on hotel outreach: front-desk staff trained to recognise trafficking.",
        "Continue hotel outreach with two more hotels",
    ),
    ("Child Protective Services presented its after-hours reporting line.", "Add the after-hours line to the guide"),
    ("The district attorney reviewed prosecutions of buyers.", "Invite the court to the next meeting"),
    ("Schools reported on the prevention curriculum.", "Offer the curriculum to two more districts"),
    (
        "The crisis center described shelter capacity and the waiting list.",
        "Look for host homes with the faith council",
    ),
    ("Law enforcement summarised the year's training.", "Hold a joint training in the spring"),
]
DEMO_AGENDA = [
    ("Welcome and introductions", None, 10),
    ("Hotel outreach report", "Shasta Hospitality Association", 15),
    ("Law enforcement update", "Shasta County Sheriff's Office", 15),
    ("Round table: agency updates", None, 30),
]


def build_meetings(coalitions: dict[str, Coalition], organizer: User) -> list[Meeting] | None:
    """The Shasta coalition has met on the second Thursday of every month,
    at noon, since November 2013; its law enforcement group on the third
    Thursday of every third month.

    Returns the monthly meetings held, oldest first, or None if the coalition
    has its series already (then nothing is built)."""
    shasta = coalitions["shasta"]
    if shasta.series.exists():
        return None
    law_enforcement = Committee.objects.get(coalition=shasta, slug="law-enforcement-working-group")
    monthly = MeetingSeries.objects.create(
        coalition=shasta,
        title="Monthly coalition meeting",
        frequency=MeetingSeries.Frequency.MONTHLY,
        weekday=3,
        week_of_month=2,
        start_time=datetime_time(12, 0),
        end_time=datetime_time(13, 30),
        starts_on=date(2013, 11, 14),
        place="County Library community room, Redding",
        created_by=organizer,
    )
    quarterly = MeetingSeries.objects.create(
        coalition=shasta,
        committee=law_enforcement,
        title="Law Enforcement Working Group",
        kind=Meeting.Kind.COMMITTEE,
        frequency=MeetingSeries.Frequency.MONTHLY,
        interval=3,
        weekday=3,
        week_of_month=3,
        start_time=datetime_time(9, 0),
        end_time=datetime_time(10, 0),
        starts_on=date(2013, 12, 1),
        place="Sheriff's Office briefing room",
        created_by=organizer,
    )
    today = timezone.localdate()
    meetings = []
    for series in (monthly, quarterly):
        for day in series.occurrences(series.starts_on, today - timedelta(days=1)):
            starts_at, ends_at = meeting_services.series_times(series, day)
            cancelled = series is monthly and (day.year, day.month) == (2020, 4)
            meetings.append(
                Meeting(
                    coalition=shasta,
                    committee=series.committee,
                    series=series,
                    occurrence=day,
                    kind=series.kind,
                    title=series.title,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    place=series.place,
                    status=Meeting.Status.CANCELLED if cancelled else Meeting.Status.HELD,
                    cancel_reason="County buildings closed; the coalition met by e-mail." if cancelled else "",
                    created_by=organizer,
                )
            )
    Meeting.objects.bulk_create(meetings)
    for series in (monthly, quarterly):
        meeting_services.sync_series(series)
    return _meeting_records(shasta, monthly)


# Old minutes, as typed before Roundtable, hold what they should not: the
# privacy review finds it (fictitious, like all the demo's people and numbers).
SLIP_AT = 20
ARCHIVE_SLIP = (
    "\n\nFollow-up from the drop-in centre: Jasmine, 16, is staying with her aunt; "
    "her cell is 530-555-0148 if the school needs to reach her."
)


def _meeting_records(shasta: Coalition, monthly: MeetingSeries) -> list[Meeting]:
    """Minutes for every meeting held (older ones as if imported from the
    coalition's files), attendance at each, and agendas for the last year."""
    lead = User.objects.get(email="lead@example.org")
    held = list(monthly.meetings.filter(status=Meeting.Status.HELD).order_by("starts_at"))
    minutes = []
    for index, meeting in enumerate(held):
        topic = ARCHIVE_TOPICS[index % len(ARCHIVE_TOPICS)]
        recent = index >= len(held) - 12
        last = index == len(held) - 1
        minutes.append(
            Minutes(
                meeting=meeting,
                body=(
                    f"Minutes of the coalition meeting, {meeting.local_start:%B %-d, %Y}.\n\n"
                    f"Welcome and introductions. {topic[0]}\n\nRound table: agencies shared updates."
                    + (ARCHIVE_SLIP if index == SLIP_AT else "")
                ),
                decisions=topic[1],
                status=Minutes.Status.DRAFT if last else Minutes.Status.APPROVED,
                approved_by=None if last or not recent else lead,
                approved_at=None if last else meeting.ends_at + timedelta(days=28),
            )
        )
    Minutes.objects.bulk_create(minutes)
    people = list(Person.objects.filter(agency__memberships__coalition=shasta).select_related("agency")[:14])
    joined = dict(Membership.objects.filter(coalition=shasta).values_list("agency_id", "joined_on"))
    items, rows = [], []
    # Attendance since the first meeting: agencies come once they join; the
    # early years were thinner.
    for meeting in held:
        day = meeting.local_start.date()
        for number, person in enumerate(people):
            if joined.get(person.agency_id) and joined[person.agency_id] > day:
                continue
            came = (number + day.month + day.year) % (3 if day.year < 2017 else 5) != 0
            rows.append(
                Attendance(
                    meeting=meeting,
                    person=person,
                    agency=person.agency,
                    rsvp=Attendance.Rsvp.YES if came else Attendance.Rsvp.NO,
                    status=Attendance.Status.PRESENT if came else Attendance.Status.EXCUSED,
                )
            )
    for meeting in held[-12:]:
        for position, (title, agency_name, length) in enumerate(DEMO_AGENDA, start=1):
            agency = Agency.objects.filter(name=agency_name).first() if agency_name else None
            items.append(
                AgendaItem(
                    meeting=meeting,
                    position=position * 10,
                    title=title,
                    presenter_agency=agency,
                    minutes_allotted=length,
                )
            )
    AgendaItem.objects.bulk_create(items)
    Attendance.objects.bulk_create(rows)
    _stories(held[-12:], rows, lead)
    return held


def _stories(meetings: list[Meeting], rows: list[Attendance], lead: User) -> None:
    """The last year's meetings tell their story on their pages, as the app
    records it: scheduled, invited, agenda, attendance, minutes, approval."""
    Kind = MeetingEvent.Kind
    organizer = meetings[0].created_by if meetings else None
    recorded: dict[int, int] = {}
    for row in rows:
        recorded[row.meeting_id] = recorded.get(row.meeting_id, 0) + 1
    events = []
    for meeting in meetings:
        n = recorded.get(meeting.pk, 0)
        events += [
            MeetingEvent(
                meeting=meeting,
                at=meeting.starts_at - timedelta(days=90),
                kind=Kind.SCHEDULED,
                summary="Scheduled by the series.",
            ),
            MeetingEvent(
                meeting=meeting,
                at=meeting.starts_at - timedelta(days=30),
                kind=Kind.INVITED,
                summary=f"Invitations sent automatically to {n} people, a month ahead.",
            ),
            MeetingEvent(
                meeting=meeting,
                at=meeting.starts_at - timedelta(days=6),
                user=organizer,
                kind=Kind.AGENDA,
                summary=f"Added the agenda's {len(DEMO_AGENDA)} items.",
            ),
            MeetingEvent(
                meeting=meeting,
                at=meeting.ends_at + timedelta(minutes=5),
                user=organizer,
                kind=Kind.ATTENDANCE,
                summary=f"Attendance recorded for {n} people.",
            ),
            MeetingEvent(
                meeting=meeting,
                at=meeting.ends_at + timedelta(days=2),
                user=organizer,
                kind=Kind.MINUTES,
                summary="Drafted the minutes.",
            ),
        ]
        if meeting.minutes.approved_at:
            events.append(
                MeetingEvent(
                    meeting=meeting,
                    at=meeting.minutes.approved_at,
                    user=lead,
                    kind=Kind.APPROVED,
                    summary="The invitees are told.",
                )
            )
    MeetingEvent.objects.bulk_create(events)
