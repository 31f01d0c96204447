"""Who is invited to a meeting, their attendance rows, and RSVPs (also by the
signed link in each invitation e-mail)."""

from django.core import signing
from django.db.models import Q
from django.utils import timezone

from members.models import Membership, Person

from .models import Attendance, Meeting


def invitees(meeting: Meeting):
    """Who is invited: a committee's members, or the representatives (primary
    and alternate) of the coalition's active member agencies."""
    if meeting.committee_id:
        people = Person.objects.filter(committee_memberships__committee_id=meeting.committee_id)
    else:
        memberships = Membership.objects.filter(coalition_id=meeting.coalition_id, status=Membership.Status.ACTIVE)
        people = Person.objects.filter(
            Q(pk__in=memberships.values("primary_representative"))
            | Q(pk__in=memberships.values("alternate_representative"))
        )
    return people.filter(is_active=True).select_related("agency")


def ensure_invitations_of(meetings: list[Meeting]) -> int:
    """`ensure_invitations` for many meetings of one coalition in four
    queries, whatever the meetings: the coalition's representatives, the
    committees' members, and the rows that exist already."""
    if not meetings:
        return 0
    coalition_id = meetings[0].coalition_id
    active = Person.objects.filter(is_active=True)
    memberships = Membership.objects.filter(coalition_id=coalition_id, status=Membership.Status.ACTIVE)
    representatives = list(
        active.filter(
            Q(pk__in=memberships.values("primary_representative"))
            | Q(pk__in=memberships.values("alternate_representative"))
        ).values_list("pk", "agency_id")
    )
    committee_ids = {m.committee_id for m in meetings if m.committee_id}
    by_committee: dict[int, list] = {}
    if committee_ids:
        members = active.filter(committee_memberships__committee_id__in=committee_ids)
        for committee_id, pk, agency_id in members.values_list(
            "committee_memberships__committee_id", "pk", "agency_id"
        ):
            by_committee.setdefault(committee_id, []).append((pk, agency_id))
    existing = set(
        Attendance.objects.filter(meeting__in=meetings, person__isnull=False).values_list("meeting_id", "person_id")
    )
    rows = [
        Attendance(meeting=meeting, person_id=pk, agency_id=agency_id)
        for meeting in meetings
        for pk, agency_id in (by_committee.get(meeting.committee_id, []) if meeting.committee_id else representatives)
        if (meeting.pk, pk) not in existing
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def ensure_invitations(meeting: Meeting) -> int:
    """An attendance row for every invitee who has none yet. Returns how many were added."""
    existing = set(meeting.attendances.exclude(person=None).values_list("person_id", flat=True))
    rows = [
        Attendance(meeting=meeting, person=person, agency=person.agency)
        for person in invitees(meeting)
        if person.pk not in existing
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def record_rsvp(attendance: Attendance, answer: str) -> Attendance:
    attendance.rsvp = answer
    attendance.rsvp_at = timezone.now()
    attendance.save(update_fields=["rsvp", "rsvp_at"])
    return attendance


RSVP_SALT = "meetings.rsvp"


def rsvp_token(attendance: Attendance) -> str:
    """A signed token for the e-mail's RSVP link: it names one invitation."""
    return signing.dumps(attendance.pk, salt=RSVP_SALT)


def attendance_from_token(token: str) -> Attendance | None:
    try:
        pk = signing.loads(token, salt=RSVP_SALT, max_age=RSVP_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    row = Attendance.objects.select_related("meeting__coalition", "person__user").filter(pk=pk).first()
    if row is not None and row.person is not None and not _still_active(row.person):
        return None  # a person marked inactive (left the agency): their links stop working
    return row


def _still_active(person) -> bool:
    return person.is_active and (person.user is None or person.user.is_active)


RSVP_LINK_DAYS = 120
