"""What the members app e-mails: "please confirm your roles" to agencies
whose roles have gone stale (with a one-click, signed, expiring confirm
link), and MOU reviews coming up, to organizers."""

from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.mail import absolute_url, build_message
from coordination.models import CoalitionRole, Notification, User

from .email_settings import may_email, may_email_users_filter, settings_url, settings_url_for, wanting
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
    count = 0
    stale = AgencyRole.objects.filter(confirmed_at__lt=now - STALE_AFTER) | AgencyRole.objects.filter(confirmed_at=None)
    agency_ids = set(stale.values_list("agency_id", flat=True))
    memberships = (
        Membership.objects.filter(agency_id__in=agency_ids, status=Membership.Status.ACTIVE)
        .select_related("primary_representative", "coalition")
        .filter(wanting(Topic.REMINDERS, prefix="primary_representative__"))
        .exclude(primary_representative__email="")
    )
    for membership in memberships.iterator():
        person = membership.primary_representative
        if not may_email(person, Topic.REMINDERS, notifications.local_today(membership.coalition, now)):
            continue  # away: asked once back
        oldest = (
            AgencyRole.objects.filter(agency_id=membership.agency_id)
            .order_by("confirmed_at")
            .values_list("confirmed_at", flat=True)
            .first()
        )
        period = f"since-{oldest:%Y%m%d}" if oldest else "never"
        if notifications.queue(
            Kind.ROLE_CONFIRMATION, membership.pk, person.email, period=period, coalition=membership.coalition
        ):
            count += 1
    return count


def _mou_reviews(now) -> int:
    count = 0
    today = timezone.localdate(now)
    due = Membership.objects.filter(mou_review_on__gte=today, mou_review_on__lte=today + MOU_NOTICE).select_related(
        "coalition", "agency"
    )
    for membership in due.iterator():
        for organizer in User.objects.holding(CoalitionRole.Role.ORGANIZER, membership.coalition).filter(
            may_email_users_filter(Topic.REMINDERS, notifications.local_today(membership.coalition, now))
        ):
            if notifications.queue(
                Kind.MOU_REVIEW,
                membership.pk,
                organizer.email,
                period=membership.mou_review_on.isoformat(),
                user=organizer,
                coalition=membership.coalition,
            ):
                count += 1
    return count


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
        membership.agency.roles.filter(response_area__coalition=membership.coalition).select_related("response_area")
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
