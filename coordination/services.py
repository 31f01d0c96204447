"""Operations that change several things at once: inviting a person,
accepting an invitation, requesting a password reset; and how the e-mail is
going, for the organizers' pages."""

from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery
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


# --- How the e-mail is going: the "E-mails sent" panel and the dashboard ----------

# The dashboard warns organizers when a coalition's oldest owed e-mail has waited this long.
STUCK_AFTER = timedelta(minutes=10)


def email_health(rows) -> dict:
    """The "E-mails sent" panel: notifications.health for a coalition's
    rows (`Notification.objects.of_coalition`: the broker's queue depth, the
    oldest owed row's age, whether the mail server is failing), with how many
    are owed and how many failed, counted in one query that the status index
    answers."""
    health = notifications.health(rows)
    now = timezone.now()
    Status = Notification.Status
    counts = rows.filter(status__in=[Status.PENDING, Status.SENDING, Status.FAILED]).aggregate(
        owed=Count("pk", filter=Q(status__in=[Status.PENDING, Status.SENDING], next_attempt_at__lte=now)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
    )
    oldest_age = health["oldest_age"]
    return {**health, **counts, "oldest_since": now - oldest_age if oldest_age is not None else None}


def oldest_owed_email() -> Subquery:
    """For a queryset of coalitions: since when the oldest e-mail it owes has been due."""
    owed = notifications.owed(Notification.objects.filter(coalition=OuterRef("pk")), timezone.now())
    return Subquery(owed.order_by("next_attempt_at").values("next_attempt_at")[:1])
