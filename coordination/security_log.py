"""The security log: sign-ins and their failures, lockouts, changes to second
factors, passwords and standing, and exports of contact details; with the
address and browser each came from, never a password or a code.

The coalition's organizers read the lines about its people (Coalition → Sign-in
security → Security log); each person is e-mailed when their factors change
(coordination/second_factor.py) and when they sign in from a browser the log
has not seen them use. Lines older than SECURITY_LOG_DAYS are deleted daily."""

import logging
import re
from datetime import timedelta

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import notifications
from .backends import client_ip, login_identifier
from .mail import build_message
from .models import Coalition, CoalitionRole, Notification, SecurityEvent, User

log = logging.getLogger(__name__)
Kind = SecurityEvent.Kind
# What the person concerned is e-mailed about (besides a new browser).
NOTIFIED = {
    Kind.FACTOR_ADDED, Kind.FACTOR_REMOVED, Kind.FACTOR_RESET, Kind.RECOVERY_CODES, Kind.RECOVERY_CODE_USED,
    Kind.PASSWORD_CHANGED, Kind.TOKEN_CREATED, Kind.TOKEN_REVOKED,
}  # fmt: skip


def _device(request: HttpRequest | None) -> str:
    return " ".join((request.META.get("HTTP_USER_AGENT", "") if request is not None else "").split())[:200]


def record(
    request: HttpRequest | None,
    kind: str,
    user: User | None,
    *,
    actor: User | None = None,
    coalition: Coalition | None = None,
    identifier: str = "",
    detail: str = "",
    notify: bool | None = None,
) -> SecurityEvent:
    """A line of the log. The person concerned is e-mailed (after commit,
    through the ledger) for the kinds in NOTIFIED, unless `notify` says."""
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        actor=actor,
        coalition=coalition,
        identifier=(identifier or (user.email if user else ""))[:254],
        ip_address=client_ip(request) if request is not None else None,
        device=_device(request),
        detail=detail[:200],
    )
    if user is not None and (kind in NOTIFIED if notify is None else notify):
        notifications.queue(Notification.Kind.SECURITY_NOTICE, event.pk, user.email, user=user)
    return event


def _request() -> HttpRequest | None:
    """The request being answered (simple_history keeps it for its own
    records); none in a command or a task."""
    return getattr(HistoricalRecords.context, "request", None)


def _acting_user() -> User | None:
    """Who is making the change: the request's user, if signed in."""
    user = getattr(_request(), "user", None)
    return user if user is not None and user.is_authenticated else None


def compose_notice(notification: Notification):
    """The e-mail of a line the person is told about (templates/emails/security_notice.*)."""
    event = SecurityEvent.objects.select_related("user", "actor").filter(pk=notification.object_id).first()
    if event is None or event.user is None:
        return None
    return build_message("security_notice", {"event": event, "user": event.user}, [notification.email])


notifications.register(Notification.Kind.SECURITY_NOTICE, compose_notice, topic=notifications.Topic.ACCOUNT)


# --- Signing in -----------------------------------------------------------------


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "META"):
        return
    device = _device(request)
    seen = SecurityEvent.objects.filter(user=user, kind=Kind.SIGN_IN)
    # a browser the log has not seen this person sign in with, after their first sign-in;
    # by its name and system, not its version (a browser updates itself every month)
    known = {browser_family(d) for d in seen.values_list("device", flat=True)[:200]}
    new = bool(device) and bool(known) and browser_family(device) not in known
    record(request, Kind.SIGN_IN, user, detail="from a new browser" if new else "", notify=new)


def browser_family(device: str) -> str:
    """A User-Agent without its version numbers: Chrome 140 and 141 on the same
    laptop are one browser."""
    return re.sub(r"[\d._]+", "", device)


@receiver(user_login_failed)
def _failed(sender, credentials, request=None, **kwargs) -> None:
    typed = login_identifier(request, credentials) or ""
    user = User.objects.filter(email__iexact=typed).first() if typed else None
    detail = "wrong code" if sender == "coordination.second_factor" else "wrong password"
    record(request, Kind.SIGN_IN_FAILED, user, identifier=typed, detail=detail, notify=False)


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    # axes says so again at each attempt while locked: one line a lockout
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    address = client_ip(request) if request is not None else ip_address
    if SecurityEvent.objects.filter(
        kind=Kind.LOCKED_OUT, identifier=username or "", ip_address=address, at__gte=since
    ).exists():
        return
    user = User.objects.filter(email__iexact=username).first() if username else None
    # the person is told: a lockout means someone tried (and a wrong code, that the password is known)
    record(request, Kind.LOCKED_OUT, user, identifier=username or "", notify=user is not None)


# --- Standing --------------------------------------------------------------------


@receiver(post_save, sender=CoalitionRole)
def _role_given(sender, instance: CoalitionRole, created: bool, **kwargs) -> None:
    detail = f"{instance.get_role_display()} of {instance.coalition.name}" + ("" if created else " (changed)")
    record(_request(), Kind.ROLE_CHANGED, instance.user, actor=_acting_user(), coalition=instance.coalition,
           detail=detail, notify=False)  # fmt: skip


@receiver(post_delete, sender=CoalitionRole)
def _role_taken(sender, instance: CoalitionRole, origin=None, **kwargs) -> None:
    if getattr(origin, "model", type(origin)) is not CoalitionRole:
        return  # the login or the coalition is being deleted, not the role alone
    coalition = Coalition.objects.get(pk=instance.coalition_id)
    record(_request(), Kind.ROLE_CHANGED, instance.user, actor=_acting_user(), coalition=coalition,
           detail=f"no longer {instance.get_role_display().lower()} of {coalition.name}", notify=False)  # fmt: skip


# --- Reading it -------------------------------------------------------------------

# Apps add the users who stand in a coalition through them (members: the logins
# of its member agencies' people): fn(coalition) -> a queryset of user ids.
_people_sources: list = []


def add_people_source(source) -> None:
    if source not in _people_sources:
        _people_sources.append(source)


def logins_of(coalition: Coalition) -> list[int]:
    """The user ids of the people who stand in the coalition: its organizers and
    leads, and the logins each registered source adds (members: the people of
    its member agencies). One query each; a sorted list an index can use."""
    ids = set(CoalitionRole.objects.filter(coalition=coalition).values_list("user_id", flat=True))
    for source in _people_sources:
        ids.update(source(coalition).values_list("user", flat=True))
    return sorted(ids)


def of_coalition(coalition: Coalition):
    """The lines an organizer of the coalition reads: about it (its roles, its
    exports), and the sign-in lines (of no coalition) of the people who stand in
    it; another coalition's roles and exports stay that coalition's."""
    # the people's ids first, where an OR of subqueries would read the whole site's log
    return SecurityEvent.objects.filter(
        Q(coalition=coalition) | Q(coalition__isnull=True, user_id__in=logins_of(coalition))
    )


def forget_old(now=None) -> int:
    """Delete the lines older than SECURITY_LOG_DAYS, in one statement."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SECURITY_LOG_DAYS)
    deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    if deleted:
        log.info("Deleted %s security log lines older than %s days.", deleted, settings.SECURITY_LOG_DAYS)
    return deleted
