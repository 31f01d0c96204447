"""Who may change meetings, read their restricted parts and approve minutes.
django-rules imports this module at start-up."""

import rules
from django.db.models import Q

from coordination.access import is_organizer_of, organizes_its_coalition, standing


def restricted_parts_filter(user, prefix: str = "") -> Q:
    """Meetings whose restricted parts the user may read, as a filter (the
    predicate below says the same of one meeting); `prefix` filters through a
    foreign key, e.g. "meeting__"."""
    s = standing(user)
    return Q(**{f"{prefix}coalition_id__in": s.staff_of}) | Q(**{f"{prefix}committee_id__in": s.committees})


@rules.predicate
def reads_restricted_parts(user, meeting) -> bool:
    """Restricted minutes and case-review items: the coalition's organizers and
    leads, and for a committee's meeting its members."""
    if meeting is None:
        return False
    s = standing(user)
    on_committee = meeting.committee_id is not None and meeting.committee_id in s.committees
    return meeting.coalition_id in s.staff_of or on_committee


@rules.predicate
def approves_minutes(user, meeting) -> bool:
    """The coalition's leads approve minutes; a committee's leads approve its own."""
    if meeting is None:
        return False
    s = standing(user)
    return meeting.coalition_id in s.lead_of or (
        meeting.committee_id is not None and meeting.committee_id in s.committees_led
    )


rules.add_perm("meetings.change_meeting", organizes_its_coalition)
rules.add_perm("meetings.schedule_meeting", is_organizer_of)
rules.add_perm("meetings.read_restricted", reads_restricted_parts)
rules.add_perm("meetings.approve_minutes", approves_minutes)
