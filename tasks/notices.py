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
from members.email_settings import may_email, may_email_users_filter, settings_url, settings_url_for, wanting
from members.models import Membership, Person

from .models import ActionItem

Kind = Notification.Kind
Topic = notifications.Topic
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
    people = Person.objects.filter(wanting(Topic.DIGEST), pk__in=ids - {None}).exclude(email="")
    for person in people.iterator():
        local = now.astimezone(_zone_of(person))
        if local.hour < person.digest_hour or not may_email(person, Topic.DIGEST, local.date()):
            continue
        if not items_for(person, local.date()).exists():
            continue
        if notifications.queue(Kind.ACTION_DIGEST, person.pk, person.email, period=local.date().isoformat()):
            count += 1
    return count


def _escalations(now: datetime) -> int:
    """Items overdue long enough go to the owning agency's primary
    representative, then to the coalition's leads, once per due date. The
    representatives and the leads are read once, not once an item."""
    count = 0
    today = timezone.localdate(now)
    overdue = list(ActionItem.objects.overdue(today).select_related("coalition"))
    representatives = {
        (m.agency_id, m.coalition_id): m.primary_representative
        for m in Membership.objects.filter(
            coalition_id__in={i.coalition_id for i in overdue}, primary_representative__isnull=False
        ).select_related("primary_representative")
    }
    leads: dict[int, list] = {}
    for item in overdue:
        late = (today - item.due_on).days
        person = representatives.get((item.owner_agency_id, item.coalition_id))
        if (
            late >= item.coalition.escalate_to_agency_days
            and person
            and person.email
            and may_email(person, Topic.NOTICE, notifications.local_today(item.coalition, now))
        ):
            count += bool(
                notifications.queue(
                    Kind.ESCALATION_AGENCY, item.pk, person.email, period=f"{item.due_on}", coalition=item.coalition
                )
            )
        if late >= item.coalition.escalate_to_leads_days:
            if item.coalition_id not in leads:
                leads[item.coalition_id] = list(
                    User.objects.holding(CoalitionRole.Role.LEAD, item.coalition_id).filter(
                        may_email_users_filter(Topic.REMINDERS, notifications.local_today(item.coalition, now))
                    )
                )
            for lead in leads[item.coalition_id]:
                count += bool(
                    notifications.queue(
                        Kind.ESCALATION_LEADS,
                        item.pk,
                        lead.email,
                        period=f"{item.due_on}",
                        user=lead,
                        coalition=item.coalition,
                    )
                )
    return count


def _lead_reviews(now: datetime) -> int:
    count = 0
    for coalition in Coalition.objects.all():
        local = now.astimezone(ZoneInfo(coalition.time_zone))
        if local.weekday() != REVIEW_WEEKDAY or local.hour < REVIEW_HOUR:
            continue
        week = f"{local.isocalendar().year}-W{local.isocalendar().week:02d}"
        for lead in User.objects.holding(CoalitionRole.Role.LEAD, coalition).filter(
            may_email_users_filter(Topic.REMINDERS, local.date())
        ):
            if notifications.queue(
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
    person = Person.objects.filter(pk=notification.object_id).first()
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
        "settings_url": settings_url_for(notification.email),
    }
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
        "settings_url": settings_url_for(notification.email),
    }
    return build_message("lead_review", context, [notification.email])


def register() -> None:
    notifications.register(Kind.ACTION_DIGEST, compose_digest, topic=Topic.DIGEST)
    notifications.register(Kind.ESCALATION_AGENCY, compose_escalation, topic=Topic.NOTICE)
    notifications.register(Kind.ESCALATION_LEADS, compose_escalation, topic=Topic.REMINDERS)
    notifications.register(Kind.LEAD_REVIEW, compose_review, topic=Topic.REMINDERS)
    notifications.register_sweeper(queue_due)
