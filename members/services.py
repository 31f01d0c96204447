"""Operations on agencies and their roles that change several rows at once."""

from django.db import transaction
from django.utils import timezone

from coordination.models import Coalition

from .models import DEFAULT_RESPONSE_AREAS, Agency, Membership, ResponseArea


def ensure_default_response_areas(coalition: Coalition) -> int:
    """Give a coalition without response areas the default list. Returns how many were made."""
    if coalition.response_areas.exists():
        return 0
    created = ResponseArea.objects.bulk_create(
        ResponseArea(coalition=coalition, name=name, position=(i + 1) * 10)
        for i, name in enumerate(DEFAULT_RESPONSE_AREAS)
    )
    return len(created)


@transaction.atomic
def confirm_agency(agency: Agency, user, roles) -> int:
    """One click: the representative says the profile and these roles are still
    right. Each confirmed row gets a history entry saying who and when."""
    now = timezone.now()
    agency.confirmed_at, agency.confirmed_by = now, user
    agency.save(update_fields=["confirmed_at", "confirmed_by", "updated_at"])
    count = 0
    for role in roles:
        role.confirmed_at, role.confirmed_by = now, user
        role.save(update_fields=["confirmed_at", "confirmed_by"])
        count += 1
    return count


@transaction.atomic
def add_member_agency(coalition: Coalition, agency: Agency, **membership) -> Membership:
    """Make an agency (new or already known elsewhere) a member of the coalition."""
    if agency.pk is None:
        agency.save()
    member, _ = Membership.objects.get_or_create(agency=agency, coalition=coalition, defaults=membership)
    return member


def roles_changeable_by(user, agency: Agency):
    """The agency's roles this user may change and confirm."""
    from coordination import access

    s = access.standing(user)
    roles = agency.roles.select_related("response_area")
    if agency.pk == s.agency_id:
        return roles.filter(response_area__coalition_id__in=s.coalitions)
    return roles.filter(response_area__coalition_id__in=s.organizer_of)
