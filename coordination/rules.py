"""Who may do what with the base's things: coalitions, committees and
invitations. django-rules imports this module (and every app's
rules.py) at start-up."""

import rules

from . import access
from .access import has_standing_in, is_organizer_of, organizes_its_coalition, standing
from .models import CoalitionRole, Committee


def coalition_roles(user) -> dict:
    """The coalitions a user organizes or leads (with their names, for the menu)."""
    organizer_of, lead_of, labels = set(), set(), {}
    rows = CoalitionRole.objects.filter(user=user).values_list(
        "coalition_id", "role", "coalition__name", "coalition__slug"
    )
    for coalition_id, role, name, slug in rows:
        (organizer_of if role == CoalitionRole.Role.ORGANIZER else lead_of).add(coalition_id)
        labels[coalition_id] = (name, slug)
    return {"organizer_of": organizer_of, "lead_of": lead_of, "labels": labels}


@rules.predicate
def can_see_committee(user, committee) -> bool:
    s = standing(user)
    v = Committee.Visibility
    cid = committee.coalition_id
    return (
        cid in s.organizer_of
        or committee.pk in s.committees
        or (cid in s.lead_of and committee.visibility != v.RESTRICTED)
        or (cid in s.member_of and committee.visibility == v.OPEN)
    )


access.add_standing_source(coalition_roles)

rules.add_perm("coordination.view_coalition", has_standing_in)
rules.add_perm("coordination.manage_coalition", is_organizer_of)
rules.add_perm("coordination.invite_to_coalition", is_organizer_of)
rules.add_perm("coordination.view_committee", can_see_committee)
rules.add_perm("coordination.change_committee", organizes_its_coalition)
