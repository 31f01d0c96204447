"""What the members app e-mails: "please confirm your roles" to agencies
whose roles have gone stale (with a one-click, signed, expiring confirm
link), and MOU reviews coming up, to organizers."""

from datetime import timedelta

from django.core import signing
from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.mail import absolute_url, build_message
from coordination.models import Coalition, CoalitionRole, Notification, User

from .email_settings import may_email_filter, may_email_users_filter, settings_url, settings_url_for
from .models import STALE_AFTER, AgencyRole, JoinRequest, Membership, Person

Kind = Notification.Kind
Topic = notifications.Topic
CONFIRM_SALT = "members.confirm-roles"
CONFIRM_LINK_DAYS = 30
MOU_NOTICE = timedelta(days=30)


def queue_due(now=None) -> int:
    now = now or timezone.now()
    return _stale_roles(now) + _mou_reviews(now)


def _stale_roles(now) -> int:
    """A query a coalition: its active memberships whose agency has a role
    unconfirmed for too long, with a representative who may be asked. Each
    is asked once per oldest confirmation (a role confirmed since makes a new
    question)."""
    stale = AgencyRole.objects.filter(agency_id=OuterRef("agency_id")).filter(
        Q(confirmed_at__lt=now - STALE_AFTER) | Q(confirmed_at=None)
    )
    oldest = (
        AgencyRole.objects.filter(agency_id=OuterRef("agency_id"))
        .order_by()
        .values("agency_id")
        .annotate(oldest=Min("confirmed_at"))
        .values("oldest")
    )
    rows = []
    for coalition in Coalition.objects.order_by("pk"):
        today = notifications.local_today(coalition, now)
        due = (
            Membership.objects.filter(coalition=coalition, status=Membership.Status.ACTIVE)
            .filter(Exists(stale), may_email_filter(Topic.REMINDERS, today, prefix="primary_representative__"))
            .exclude(primary_representative__email="")
            .annotate(oldest=Subquery(oldest))
            .values_list("pk", "primary_representative__email", "oldest")
        )
        owed = [(pk, email, f"since-{oldest:%Y%m%d}" if oldest else "never") for pk, email, oldest in due]
        if not owed:
            continue
        asked = set(
            Notification.objects.filter(
                kind=Kind.ROLE_CONFIRMATION, object_id__in=[pk for pk, _, _ in owed]
            ).values_list("object_id", "period")
        )
        rows += [
            notifications.owe(Kind.ROLE_CONFIRMATION, pk, email, period=period, coalition_id=coalition.pk)
            for pk, email, period in owed
            if (pk, period) not in asked
        ]
    return len(notifications.queue_many(rows))


def _mou_reviews(now) -> int:
    rows = []
    today = timezone.localdate(now)
    for coalition in Coalition.objects.order_by("pk"):
        due = Membership.objects.filter(
            coalition=coalition, mou_review_on__gte=today, mou_review_on__lte=today + MOU_NOTICE
        ).values_list("pk", "mou_review_on")
        due = list(due)
        if not due:
            continue
        organizers = list(
            User.objects.holding(CoalitionRole.Role.ORGANIZER, coalition)
            .filter(may_email_users_filter(Topic.REMINDERS, notifications.local_today(coalition, now)))
            .values_list("pk", "email")
        )
        rows += [
            notifications.owe(
                Kind.MOU_REVIEW, pk, email, period=review_on.isoformat(), user_id=user_id, coalition_id=coalition.pk
            )
            for pk, review_on in due
            for user_id, email in organizers
        ]
    return len(notifications.queue_many(rows))


def confirm_token(membership: Membership) -> str:
    return signing.dumps([membership.agency_id, membership.primary_representative_id], salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int, int] | None:
    try:
        agency_id, person_id = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_DAYS * 86400)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return agency_id, person_id


def compose_confirmation(notification: Notification):
    membership = (
        Membership.objects.select_related("agency", "coalition", "primary_representative")
        .filter(pk=notification.object_id)
        .first()
    )
    if membership is None or membership.primary_representative is None:
        return None
    roles = list(
        membership.agency.roles.filter(response_area__coalition=membership.coalition)
        .select_related("response_area")
        .prefetch_related("lines")
    )
    if not any(role.is_stale for role in roles):
        return None  # confirmed since it was queued
    context = {
        "membership": membership,
        "agency": membership.agency,
        "coalition": membership.coalition,
        "person": membership.primary_representative,
        "roles": roles,
        "confirm_url": absolute_url(reverse("confirm_by_link", args=[confirm_token(membership)])),
        "agency_url": absolute_url(membership.agency.get_absolute_url()),
        "valid_days": CONFIRM_LINK_DAYS,
        "settings_url": settings_url(membership.primary_representative),
    }
    return build_message("role_confirmation", context, [notification.email])


def compose_mou(notification: Notification):
    membership = Membership.objects.select_related("agency", "coalition").filter(pk=notification.object_id).first()
    if membership is None or membership.mou_review_on is None:
        return None
    context = {
        "membership": membership,
        "coalition": membership.coalition,
        "agency_url": absolute_url(membership.agency.get_absolute_url()),
        "edit_url": absolute_url(reverse("membership_edit", args=[membership.pk])),
        "settings_url": settings_url_for(notification.email),
    }
    return build_message("mou_review", context, [notification.email])


def compose_join_request(notification: Notification):
    join_request = (
        JoinRequest.objects.select_related("agency", "coalition", "requested_by")
        .filter(pk=notification.object_id, status=JoinRequest.Status.PENDING)
        .first()
    )
    if join_request is None:
        return None  # answered or withdrawn since
    person = Person.objects.filter(agency=join_request.agency, email__iexact=notification.email).first()
    if person is None:
        return None  # no longer with the agency
    context = {
        "join_request": join_request,
        "agency": join_request.agency,
        "coalition": join_request.coalition,
        "person": person,
        "agency_url": absolute_url(join_request.agency.get_absolute_url()),
        "settings_url": settings_url(person),
    }
    return build_message("join_request", context, [notification.email])


def register() -> None:
    notifications.register(Kind.JOIN_REQUEST, compose_join_request, topic=Topic.NOTICE)
    notifications.register(Kind.ROLE_CONFIRMATION, compose_confirmation, topic=Topic.REMINDERS)
    notifications.register(Kind.MOU_REVIEW, compose_mou, topic=Topic.REMINDERS)
    notifications.register_sweeper(queue_due)
