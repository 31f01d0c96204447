"""Who may record activities and read the reports. django-rules imports this
module at start-up."""

import rules

from coordination.access import has_standing_in, is_staff_of, standing


@rules.predicate
def changes_activity(user, activity) -> bool:
    """Organizers and leads record any activity; an agency's people record
    the ones their agency presented."""
    if activity is None:
        return False
    s = standing(user)
    return activity.coalition_id in s.staff_of or (
        activity.presenting_agency_id is not None
        and activity.presenting_agency_id == s.agency_id
        and activity.coalition_id in s.member_of
    )


rules.add_perm("reports.add_activity", has_standing_in)
rules.add_perm("reports.change_activity", changes_activity)
rules.add_perm("reports.view_reports", is_staff_of)
