"""What the action items e-mail: one digest a day per person (never one
e-mail per item), escalations when an item stays overdue, and the leads'
weekly review. All through the notification ledger, so each goes out once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.mail import absolute_url, build_message
from coordination.models import Coalition, CoalitionRole, Notification, User
from members.models import Membership, Person

from .models import ActionItem

Kind = Notification.Kind
DIGEST_AHEAD = timedelta(days=3)
REVIEW_WEEKDAY, REVIEW_HOUR = 0, 8  # Monday morning


def _zone_of(person: Person) -> ZoneInfo:
    membership = (
        Membership.objects.filter(agency_id=person.agency_id, status=Membership.Status.ACTIVE)
        .select_related("coalition")
        .order_by("pk")
        .first()
    )
    return ZoneInfo(membership.coalition.time_zone if membership else settings.TIME_ZONE)


def _reachable(person: Person, today) -> bool:
    return person.is_active and bool(person.email) and not (person.away_until and person.away_until >= today)


def wants_mail(user: User, today) -> bool:
    """Leads' and organizers' mail follows their person's settings, if they have one."""
    person = Person.objects.filter(user=user).first()
    return person is None or (person.receives_reminders and _reachable(person, today))


def user_settings_url(email: str) -> str | None:
    person = Person.objects.filter(user__email__iexact=email).first()
    return settings_url(person) if person else None


def items_for(person: Person, today):
    """A person's open items due within three days or overdue: assigned to
    them, backed up by them, or their agency's unassigned ones if they are its
    primary representative."""
    primary_of = Membership.objects.filter(primary_representative=person).values("coalition_id")
    return (
        ActionItem.objects.open()
        .filter(due_on__lte=today + DIGEST_AHEAD)
        .filter(
            Q(assignee=person)
            | Q(backup=person)
            | Q(assignee__isnull=True, owner_agency_id=person.agency_id, coalition_id__in=primary_of)
        )
        .select_related("coalition", "owner_agency")
        .order_by("due_on")
    )


def queue_due(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return _digests(now) + _escalations(now) + _lead_reviews(now)


def _digests(now: datetime) -> int:
    horizon = timezone.localdate(now) + DIGEST_AHEAD + timedelta(days=1)
    due = ActionItem.objects.open().filter(due_on__lte=horizon)
    ids = set(due.values_list("assignee_id", flat=True)) | set(due.values_list("backup_id", flat=True))
    ids |= set(
        Membership.objects.filter(agency__action_items__in=due.filter(assignee__isnull=True)).values_list(
            "primary_representative_id", flat=True
        )
    )
    count = 0
    for person in Person.objects.filter(pk__in=ids - {None}, receives_digest=True).iterator():
        local = now.astimezone(_zone_of(person))
        if local.hour < person.digest_hour or not _reachable(person, local.date()):
            continue
        if not items_for(person, local.date()).exists():
            continue
        if notifications.queue(Kind.ACTION_DIGEST, person.pk, person.email, period=local.date().isoformat()):
            count += 1
    return count


def _escalations(now: datetime) -> int:
    count = 0
    today = timezone.localdate(now)
    overdue = (
        ActionItem.objects.overdue(today)
        .select_related("coalition", "owner_agency")
        .filter(due_on__lte=today - timedelta(days=1))
    )
    for item in overdue.iterator():
        late = (today - item.due_on).days
        if late >= item.coalition.escalate_to_agency_days:
            membership = (
                Membership.objects.filter(agency=item.owner_agency, coalition=item.coalition)
                .select_related("primary_representative")
                .first()
            )
            person = membership.primary_representative if membership else None
            if (
                person
                and _reachable(person, today)
                and notifications.queue(
                    Kind.ESCALATION_AGENCY, item.pk, person.email, period=f"{item.due_on}", coalition=item.coalition
                )
            ):
                count += 1
        if late >= item.coalition.escalate_to_leads_days:
            for lead in User.objects.filter(
                coalition_roles__coalition=item.coalition, coalition_roles__role=CoalitionRole.Role.LEAD, is_active=True
            ):
                if wants_mail(lead, today) and notifications.queue(
                    Kind.ESCALATION_LEADS,
                    item.pk,
                    lead.email,
                    period=f"{item.due_on}",
                    user=lead,
                    coalition=item.coalition,
                ):
                    count += 1
    return count


def _lead_reviews(now: datetime) -> int:
    count = 0
    for coalition in Coalition.objects.all():
        local = now.astimezone(ZoneInfo(coalition.time_zone))
        if local.weekday() != REVIEW_WEEKDAY or local.hour < REVIEW_HOUR:
            continue
        week = f"{local.isocalendar().year}-W{local.isocalendar().week:02d}"
        for lead in User.objects.filter(
            coalition_roles__coalition=coalition, coalition_roles__role=CoalitionRole.Role.LEAD, is_active=True
        ):
            if wants_mail(lead, local.date()) and notifications.queue(
                Kind.LEAD_REVIEW, coalition.pk, lead.email, period=week, user=lead, coalition=coalition
            ):
                count += 1
    return count


# --- What the messages say --------------------------------------------------------


def _item_lines(items, today):
    return [
        {
            "item": item,
            "url": absolute_url(item.get_absolute_url()),
            "days_overdue": item.days_overdue(today),
        }
        for item in items
    ]


def compose_digest(notification: Notification):
    person = Person.objects.filter(pk=notification.object_id, is_active=True, receives_digest=True).first()
    if person is None:
        return None
    today = timezone.now().astimezone(_zone_of(person)).date()
    items = list(items_for(person, today))
    if not items:
        return None
    context = {
        "person": person,
        "lines": _item_lines(items, today),
        "today": today,
        "settings_url": settings_url(person),
    }
    return build_message("action_digest", context, [notification.email])


def compose_escalation(notification: Notification):
    item = (
        ActionItem.objects.select_related("coalition", "owner_agency", "assignee")
        .filter(pk=notification.object_id)
        .first()
    )
    if item is None or not item.is_open:
        return None
    today = timezone.localdate()
    context = {
        "item": item,
        "coalition": item.coalition,
        "url": absolute_url(item.get_absolute_url()),
        "days_overdue": item.days_overdue(today),
        "to_leads": notification.kind == Kind.ESCALATION_LEADS,
        "board_url": absolute_url(reverse("review_board", args=[item.coalition.slug])),
        "settings_url": user_settings_url(notification.email) if notification.kind == Kind.ESCALATION_LEADS else None,
    }
    if not context["to_leads"]:
        person = Person.objects.filter(email__iexact=notification.email).first()
        context["settings_url"] = settings_url(person) if person else None
    return build_message("action_escalation", context, [notification.email])


def compose_review(notification: Notification):
    from .services import review

    coalition = Coalition.objects.filter(pk=notification.object_id).first()
    if coalition is None:
        return None
    board = review(ActionItem.objects.filter(coalition=coalition).open().select_related("owner_agency"))
    context = {
        "coalition": coalition,
        "board": board,
        "board_url": absolute_url(reverse("review_board", args=[coalition.slug])),
        "settings_url": user_settings_url(notification.email),
    }
    return build_message("lead_review", context, [notification.email])


def settings_url(person: Person) -> str:
    from django.core.signing import dumps

    from meetings.notices import SETTINGS_SALT

    return absolute_url(reverse("reminder_settings", args=[dumps(person.pk, salt=SETTINGS_SALT)]))


def register() -> None:
    notifications.register(Kind.ACTION_DIGEST, compose_digest)
    notifications.register(Kind.ESCALATION_AGENCY, compose_escalation)
    notifications.register(Kind.ESCALATION_LEADS, compose_escalation)
    notifications.register(Kind.LEAD_REVIEW, compose_review)
    notifications.register_sweeper(queue_due)
