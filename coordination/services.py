"""Operations that change several things at once: inviting a person,
accepting an invitation, requesting a password reset."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.models import Agency, Person

from . import notifications
from .models import Coalition, CoalitionRole, Invitation, Notification, User


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


def accept_invitations(user: User) -> int:
    """Mark the user's open invitations accepted once they have set a password."""
    return Invitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=timezone.now())


def request_password_reset(user: User) -> Notification | None:
    """Queue a reset e-mail. Requests within the same quarter hour send one
    message, so a button pressed five times does not flood the inbox."""
    now = timezone.now()
    window = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    return notifications.queue(
        Notification.Kind.PASSWORD_RESET, user.pk, user.email, period=window.isoformat(), user=user
    )
