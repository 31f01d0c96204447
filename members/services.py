"""Operations on agencies, their roles and their people that change several
rows at once, inviting a person included."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coordination import notifications
from coordination.models import Coalition, CoalitionRole, Invitation, Notification, User

from .models import DEFAULT_RESPONSE_AREAS, Agency, Membership, Person, ResponseArea
from .rules import role_filter


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
    return agency.roles.filter(role_filter(user, agency)).select_related("response_area")


@transaction.atomic
def invite(
    *,
    coalition: Coalition,
    email: str,
    full_name: str,
    role: str,
    invited_by: User,
    agency: Agency | None = None,
    title: str = "",
) -> Invitation:
    """Give a person access to a coalition and e-mail them a one-time link to
    set their password (or, if they already have one, a note that they now
    have access). Agency representatives are linked to a person of their
    agency, created if needed."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name)
    elif not user.is_active:
        raise ValidationError({"email": "This login has been deactivated; an administrator can restore it."})

    if role == Invitation.Role.MEMBER:
        if agency is None:
            raise ValidationError({"agency": "Choose the agency this person represents."})
        _link_person(user, agency, full_name=full_name, title=title)
    else:
        CoalitionRole.objects.get_or_create(coalition=coalition, user=user, role=role, defaults={"title": title})

    invitation = Invitation.objects.create(coalition=coalition, user=user, role=role, invited_by=invited_by)
    notifications.queue(Notification.Kind.INVITATION, invitation.pk, user.email, user=user, coalition=coalition)
    return invitation


def _link_person(user: User, agency: Agency, *, full_name: str, title: str) -> Person:
    person = Person.objects.filter(user=user).first()
    if person is not None:
        if person.agency_id != agency.pk:
            raise ValidationError(
                {
                    "email": f"This person already represents {person.agency or 'no agency'}; "
                    "change their agency on their profile first."
                }
            )
        return person
    # A directory entry with the same work e-mail gets the login.
    person = Person.objects.filter(agency=agency, email__iexact=user.email, user__isnull=True).first()
    if person is None:
        person = Person(agency=agency, full_name=full_name, email=user.email)
    person.user = user
    if title and not person.title:
        person.title = title
    person.save()
    return person
