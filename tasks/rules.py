"""Who may update, manage, add and review action items. django-rules imports
this module at start-up."""

import rules
from django.db.models import Q

from coordination.access import is_staff_of, standing


def action_item_filter(user) -> Q:
    """Items a user may see (before the committee rule, which the queryset adds):
    organizers and leads all of their coalitions'; agency members their agency's
    and their committees'."""
    s = standing(user)
    return (
        Q(coalition_id__in=s.staff_of)
        | Q(coalition_id__in=s.member_of, owner_agency_id=s.agency_id)
        | Q(committee_id__in=s.committees)
    )


@rules.predicate
def updates_action(user, item) -> bool:
    """The owning agency's people, and the coalition's organizers and leads."""
    if item is None:
        return False
    s = standing(user)
    return item.coalition_id in s.staff_of or (item.owner_agency_id == s.agency_id and item.coalition_id in s.member_of)


@rules.predicate
def manages_action(user, item) -> bool:
    """Reassign, move the due date, close, reopen: organizers and leads."""
    return item is not None and item.coalition_id in standing(user).staff_of


rules.add_perm("tasks.update_actionitem", updates_action)
rules.add_perm("tasks.manage_actionitem", manages_action)
rules.add_perm("tasks.add_actionitem", is_staff_of)
rules.add_perm("tasks.review_actions", is_staff_of)
