"""The statewide data set the benchmark measures: at scale 1, 60 coalitions,
10,000 agencies, 30,000 people, 100,000 meetings with 2-4 KB minutes, 400,000
agenda items, 600,000 attendance rows and 1,000,000 action items, with the
busiest coalition ("Bench County 01") holding 22% of the agencies and 18% of
the meetings and items. The big tables are written with COPY; the few rows
whose creation has side effects (coalitions, with their response areas and
reporting guide, and the three logins) go through the ORM.

Random, but the same every run: the generator is seeded."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection, transaction
from django.utils import timezone

from coordination.models import Coalition, CoalitionRole, Committee, CommitteeMember, User
from meetings.models import AgendaItem, Attendance, Meeting, Minutes
from members.models import Agency, AgencyRole, Membership, Person, ResponseArea
from reports.models import Activity
from tasks.models import ActionItem

from .copy import load, next_id, reset_sequences

PASSWORD = "bench-password"
LOGINS = {
    "organizer": "bench-organizer@example.org",
    "lead": "bench-lead@example.org",
    "member": "bench-member@example.org",
}
BUSIEST = "bench-01"
COMMON_WORD = "coalition"  # in every minutes body
RARE_WORD = "Weaverville"  # in about one minutes body in a thousand

SECTORS = [value for value, _ in Agency._meta.get_field("sector").choices]
SENTENCES = [
    "The coalition reviewed the referral protocol with the sheriff's office and child protective services.",
    "Members discussed outreach to motels along the interstate and the hotline posters for truck stops.",
    "The crisis centre reported on shelter capacity and the after-hours response line.",
    "Schools asked for another training on the warning signs for counsellors and nurses.",
    "The district attorney's office summarised changes to the victim witness programme.",
    "Hospital social workers described the new screening question in the emergency department.",
    "Faith partners offered volunteers for the awareness month events in January.",
    "Business members shared the results of the hotel staff training and asked for materials in Spanish.",
    "The probation department proposed a joint review of the safety planning checklist.",
    "The coalition agreed to update the report trafficking guide with the new after-hours numbers.",
    "Public health presented the county data request and the timeline for the annual report.",
    "The tribal liaison asked that the protocol name a contact for each tribal police department.",
    "Transportation partners will ask drivers to report concerns through the hotline.",
    "Members thanked the volunteers who staffed the booth at the county fair.",
    "The committee chair reminded agencies to confirm their roles before the next meeting.",
    "Parents asked for an evening session on online safety and recruitment through social media.",
]
ACTION_TITLES = [
    "Update the referral contact list",
    "Send the training dates to the schools",
    "Confirm the after-hours number for the guide",
    "Share the shelter capacity figures",
    "Draft the awareness month press release",
    "Review the screening question with the hospital",
    "Print hotline posters for truck stops",
    "Translate the guide into Spanish",
    "Schedule the protocol review",
    "Collect the annual report figures",
]
AGENDA_TITLES = [
    "Welcome and introductions",
    "Approval of the minutes",
    "Agency updates",
    "Training calendar",
    "Awareness month planning",
    "Protocol review",
    "Open action items",
    "Next steps",
]


@dataclass(frozen=True)
class Sizes:
    coalitions: int
    agencies: int
    meetings: int
    action_items: int
    people_per_agency: int = 3
    agenda_per_meeting: int = 4
    attendance_per_meeting: int = 6
    committees_per_coalition: int = 4
    activities_per_coalition: int = 150
    busiest_agencies: float = 0.22
    busiest_rest: float = 0.18

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        return cls(
            coalitions=max(2, round(60 * scale)),
            agencies=max(40, round(10_000 * scale)),
            meetings=max(40, round(100_000 * scale)),
            action_items=max(200, round(1_000_000 * scale)),
            activities_per_coalition=max(5, min(150, round(150 * scale * 10))),
        )


def _shares(total: int, parts: int, first: float) -> list[int]:
    """`total` split over `parts`, the first taking the share `first`."""
    head = round(total * first)
    rest = total - head
    return [head] + [rest // (parts - 1) + (1 if i < rest % (parts - 1) else 0) for i in range(parts - 1)]


def exists() -> float | None:
    """The scale of the data set in this database, or None if there is none."""
    coalition = Coalition.objects.filter(slug=BUSIEST).only("description").first()
    if coalition is None:
        return None
    try:
        return float(coalition.description.rpartition("scale ")[2])
    except ValueError:
        return None


@transaction.atomic
def build(scale: float, say=print, seed: int = 2013) -> Sizes:
    sizes = Sizes.at(scale)
    rng = random.Random(seed)  # noqa: S311 - sample data, the same every run
    today = timezone.localdate()
    now = timezone.now()
    start = date(2013, 11, 1)
    span = (today + timedelta(days=180) - start).days

    say(f"coalitions: {sizes.coalitions}")
    coalitions = []
    for n in range(1, sizes.coalitions + 1):
        coalitions.append(
            Coalition.objects.create(
                name=f"Bench County {n:02} Coalition",
                slug=f"bench-{n:02}",
                counties=f"Bench County {n:02}",
                founded_on=start,
                description=f"A benchmark coalition, scale {scale}",
            )
        )
    areas = {c.pk: list(ResponseArea.objects.filter(coalition=c).values_list("pk", flat=True)) for c in coalitions}
    committee_ids: dict[int, list[int]] = {}
    visibilities = [v for v, _ in Committee._meta.get_field("visibility").choices]
    for c in coalitions:
        Committee.objects.bulk_create(
            Committee(coalition=c, name=f"Committee {k}", slug=f"committee-{k}", visibility=visibilities[k % 3])
            for k in range(1, sizes.committees_per_coalition + 1)
        )
        committee_ids[c.pk] = list(Committee.objects.filter(coalition=c).values_list("pk", flat=True))

    say(f"agencies: {sizes.agencies}, people: {sizes.agencies * sizes.people_per_agency}")
    agency_counts = _shares(sizes.agencies, sizes.coalitions, sizes.busiest_agencies)
    first_agency = next_id(Agency)
    agencies_of: dict[int, list[int]] = {}
    agency_id = first_agency
    for c, count in zip(coalitions, agency_counts, strict=True):
        agencies_of[c.pk] = list(range(agency_id, agency_id + count))
        agency_id += count

    def agencies():
        for pk in range(first_agency, agency_id):
            yield (pk, f"Bench agency {pk:05}", SECTORS[pk % len(SECTORS)], pk % 4 == 0, "555-0100", now)

    load(Agency, ["id", "name", "sector", "listed_publicly", "phone", "updated_at"], agencies())

    first_person = next_id(Person)
    people_of: dict[int, list[int]] = {}

    def people():
        pk = first_person
        for agency in range(first_agency, agency_id):
            people_of[agency] = []
            for k in range(sizes.people_per_agency):
                people_of[agency].append(pk)
                yield (pk, agency, f"Person {pk:06}", f"person{pk}@agency{agency}.example.org", k % 3)
                pk += 1

    load(Person, ["id", "agency_id", "full_name", "email", "digest_hour"], people())

    def memberships():
        for c in coalitions:
            for agency in agencies_of[c.pk]:
                yield (agency, c.pk, "active" if agency % 10 else "prospective", start, people_of[agency][0])
        # about one agency in twenty also belongs to the next coalition
        for i, c in enumerate(coalitions):
            other = coalitions[(i + 1) % len(coalitions)]
            for agency in agencies_of[c.pk][::20]:
                yield (agency, other.pk, "active", start, None)

    load(Membership, ["agency_id", "coalition_id", "status", "joined_on", "primary_representative_id"], memberships())

    def roles():
        for c in coalitions:
            for agency in agencies_of[c.pk]:
                for area in rng.sample(areas[c.pk], min(2, len(areas[c.pk]))):
                    yield (agency, area, "Takes referrals and joins the coordinated response.", area % 2 == 0)

    load(AgencyRole, ["agency_id", "response_area_id", "description", "is_public"], roles())

    say(f"meetings: {sizes.meetings} with minutes, agendas and attendance")
    meeting_counts = _shares(sizes.meetings, sizes.coalitions, sizes.busiest_rest)
    first_meeting = next_id(Meeting)
    past_meetings_of: dict[int, list[int]] = {}
    meetings: list[tuple] = []
    pk = first_meeting
    for c, count in zip(coalitions, meeting_counts, strict=True):
        past_meetings_of[c.pk] = []
        for k in range(count):
            day = start + timedelta(days=span * k // max(count, 1))
            starts = datetime.combine(day, time(18, 0), tzinfo=UTC)
            committee = rng.choice(committee_ids[c.pk]) if k % 2 else None
            past = day < today
            if past:
                past_meetings_of[c.pk].append(pk)
            meetings.append(
                (
                    pk,
                    c.pk,
                    committee,
                    "Committee meeting" if committee else "General meeting",
                    "committee" if committee else "general",
                    starts,
                    starts + timedelta(hours=2),
                    "held" if past else "scheduled",
                    "County library, room B",
                )
            )
            pk += 1
    columns = ["id", "coalition_id", "committee_id", "title", "kind", "starts_at", "ends_at", "status", "place"]
    load(Meeting, columns, meetings)

    def agenda():
        for meeting in meetings:
            for position in range(sizes.agenda_per_meeting):
                title = AGENDA_TITLES[(meeting[0] + position) % len(AGENDA_TITLES)]
                case_review = position == 3 and meeting[0] % 20 == 0
                yield (meeting[0], position, title, rng.choice(SENTENCES), case_review)

    load(AgendaItem, ["meeting_id", "position", "title", "notes", "is_case_review"], agenda())

    def attendance():
        statuses = ["present", "present", "present", "absent", "excused"]
        for meeting in meetings:
            if meeting[7] != "held":
                continue
            for agency in rng.sample(
                agencies_of[meeting[1]], min(sizes.attendance_per_meeting, len(agencies_of[meeting[1]]))
            ):
                yield (meeting[0], people_of[agency][0], agency, "yes", rng.choice(statuses))

    load(Attendance, ["meeting_id", "person_id", "agency_id", "rsvp", "status"], attendance())

    def minutes():
        for meeting in meetings:
            if meeting[7] != "held":
                continue
            paragraphs = []
            for _ in range(rng.randint(6, 12)):
                paragraphs.append(" ".join(rng.sample(SENTENCES, 3)))
            if meeting[0] % 1000 == 7:
                paragraphs.append(f"The {RARE_WORD} outreach team joined by video.")
            body = f"## Minutes of the {COMMON_WORD}\n\n" + "\n\n".join(paragraphs)
            restricted = rng.choice(SENTENCES) if meeting[0] % 20 == 0 else ""
            decisions = "Approve the training calendar\nUpdate the guide"
            yield (meeting[0], body, restricted, decisions, "approved", meeting[6])

    load(Minutes, ["meeting_id", "body", "restricted_body", "decisions", "status", "updated_at"], minutes())

    say(f"action items: {sizes.action_items}")
    item_counts = _shares(sizes.action_items, sizes.coalitions, sizes.busiest_rest)
    open_statuses = ["open", "in_progress", "blocked"]

    def items():
        for c, count in zip(coalitions, item_counts, strict=True):
            owners = agencies_of[c.pk]
            past = past_meetings_of[c.pk] or [None]
            for k in range(count):
                owner = owners[k % len(owners)]
                created = now - timedelta(days=rng.randint(1, span))
                is_open = rng.random() < 0.07
                status = rng.choice(open_statuses) if is_open else ("done" if k % 9 else "dropped")
                due = (created + timedelta(days=rng.randint(7, 90))).date()
                yield (
                    c.pk,
                    f"{ACTION_TITLES[k % len(ACTION_TITLES)]} ({k})",
                    rng.choice(SENTENCES),
                    rng.choice(past) if k % 10 < 7 else None,
                    owner,
                    rng.choice(people_of[owner]),
                    rng.choice(areas[c.pk]) if areas[c.pk] else None,
                    due,
                    1 + k % 4,
                    status,
                    created,
                    None if is_open else created + timedelta(days=rng.randint(1, 60)),
                    created + timedelta(days=rng.randint(0, 30)),
                )

    columns = [
        "coalition_id",
        "title",
        "description",
        "meeting_id",
        "owner_agency_id",
        "assignee_id",
        "response_area_id",
        "due_on",
        "priority",
        "status",
        "created_at",
        "completed_at",
        "last_update_at",
    ]
    load(ActionItem, columns, items())

    say("activities and logins")
    kinds = [v for v, _ in Activity._meta.get_field("kind").choices]
    audiences = [v for v, _ in Activity._meta.get_field("audience").choices]

    def activities():
        for c in coalitions:
            for k in range(sizes.activities_per_coalition):
                yield (
                    c.pk,
                    f"Awareness session {k}",
                    kinds[k % len(kinds)],
                    start + timedelta(days=rng.randint(0, span - 181)),
                    audiences[k % len(audiences)],
                    rng.choice(agencies_of[c.pk]),
                    rng.randint(5, 120),
                    k % 3 == 0,
                    now,
                )

    columns = [
        "coalition_id",
        "title",
        "kind",
        "held_on",
        "audience",
        "presenting_agency_id",
        "people_reached",
        "is_public",
        "created_at",
    ]
    load(Activity, columns, activities())

    reset_sequences(
        Agency, Person, Membership, AgencyRole, Meeting, AgendaItem, Attendance, Minutes, ActionItem, Activity
    )
    _logins(coalitions[0], agencies_of[coalitions[0].pk][0], committee_ids[coalitions[0].pk], people_of)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does to a production database in its own time:
            # the statistics, and the visibility map that lets a count read an
            # index alone. VACUUM cannot run in a transaction (a test's).
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    return sizes


def _logins(busiest: Coalition, agency: int, committees: list[int], people_of: dict[int, list[int]]) -> None:
    """An organizer and a lead of the busiest coalition, and a member of its
    first agency who sits on its first committee."""
    users = {}
    for role, email in LOGINS.items():
        users[role] = User.objects.create_user(email=email, password=PASSWORD, full_name=f"Bench {role}")
    CoalitionRole.objects.create(coalition=busiest, user=users["organizer"], role=CoalitionRole.Role.ORGANIZER)
    CoalitionRole.objects.create(coalition=busiest, user=users["lead"], role=CoalitionRole.Role.LEAD)
    for role in ("organizer", "lead"):  # the second factor their standing needs (measured signed in)
        TOTP.activate(users[role], generate_totp_secret())
    member = Person.objects.get(pk=people_of[agency][0])
    member.user = users["member"]
    member.save(update_fields=["user"])
    CommitteeMember.objects.create(committee_id=committees[0], person=member)


KEPT = {"django_migrations", "django_content_type", "auth_permission"}


def wipe() -> None:
    """Empty every table of the benchmark's database (never run on another)."""
    tables = [t for t in connection.introspection.django_table_names(only_existing=True) if t not in KEPT]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred checks
            cursor.execute(
                "TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " RESTART IDENTITY CASCADE"
            )
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 - Django's tables
