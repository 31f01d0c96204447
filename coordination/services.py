"""Operations that change several things at once: inviting a person,
accepting an invitation, requesting a password reset."""

from django.utils import timezone

from . import notifications
from .models import Invitation, Notification, User


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
