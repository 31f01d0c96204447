"""What the action items e-mail: one digest a day per person, never one
e-mail per item. Escalations (an item overdue long enough goes to the owning
agency's primary representative, then to the coalition's leads) and the
leads' weekly review are recorded in the ledger as "in the daily digest" and
told in the recipient's next digest, in its own sections. The sweepers work
a coalition or a time zone at a time, never a person at a time."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast, Upper
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.mail import absolute_url, build_message
from coordination.models import Coalition, CoalitionRole, Notification, User
from members.email_settings import may_email_filter, may_email_users_filter, settings_url, settings_url_for
from members.models import Membership, Person

from .models import ActionItem

Kind = Notification.Kind
Topic = notifications.Topic
DIGEST_AHEAD = timedelta(days=3)
REVIEW_WEEKDAY, REVIEW_HOUR = 0, 8  # Monday morning
# Told in the daily digest rather than on their own.
FOLDED = (Kind.ESCALATION_AGENCY, Kind.ESCALATION_LEADS, Kind.LEAD_REVIEW)
ESCALATIONS = (Kind.ESCALATION_AGENCY, Kind.ESCALATION_LEADS)
# A digest's object when its recipient is a login with no person record.
NO_PERSON = 0
# A digest lists at most this many of a person's own items, then says how many more.
DIGEST_LINES = 30


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
    """Record the escalations and reviews first, so today's digests carry them."""
    now = now or timezone.now()
    return _escalations(now) + _lead_reviews(now) + _digests(now)


def _not_escalated(kind: str):
    """Items with no escalation of this kind for their current due date."""
    return ~Exists(
        Notification.objects.filter(
            kind=kind, object_id=OuterRef("pk"), period=Cast(OuterRef("due_on"), output_field=CharField())
        )
    )


def _escalations(now: datetime) -> int:
    """A few queries a coalition: its overdue items not yet escalated for
    their due date, to its representatives and leads who may be told."""
    rows: list[tuple] = []
    for coalition in Coalition.objects.order_by("pk"):
        today = notifications.local_today(coalition, now)
        overdue = ActionItem.objects.filter(coalition=coalition).overdue(today)
        # Only items someone can be told of: the agency's representative who
        # may be e-mailed today, and the coalition's leads who may.
        reachable = (
            Membership.objects.filter(coalition=coalition, primary_representative__isnull=False)
            .filter(may_email_filter(Topic.NOTICE, today, prefix="primary_representative__"))
            .exclude(primary_representative__email="")
        )
        to_agency = (
            overdue.filter(due_on__lte=today - timedelta(days=coalition.escalate_to_agency_days))
            .filter(_not_escalated(Kind.ESCALATION_AGENCY))
            .filter(Exists(reachable.filter(agency_id=OuterRef("owner_agency_id"))))
            .values_list("pk", "due_on", "owner_agency_id")
        )
        to_agency = list(to_agency)
        if to_agency:
            representatives = dict(
                reachable.filter(agency_id__in={agency_id for _, _, agency_id in to_agency}).values_list(
                    "agency_id", "primary_representative__email"
                )
            )
            rows += [
                notifications.owe(
                    Kind.ESCALATION_AGENCY,
                    pk,
                    representatives[agency_id],
                    period=f"{due_on}",
                    coalition_id=coalition.pk,
                    status=Notification.Status.IN_DIGEST,
                )
                for pk, due_on, agency_id in to_agency
            ]
        leads = list(
            User.objects.holding(CoalitionRole.Role.LEAD, coalition)
            .filter(may_email_users_filter(Topic.REMINDERS, today))
            .values_list("pk", "email")
        )
        if leads:
            to_leads = overdue.filter(due_on__lte=today - timedelta(days=coalition.escalate_to_leads_days))
            to_leads = to_leads.filter(_not_escalated(Kind.ESCALATION_LEADS)).values_list("pk", "due_on")
            rows += [
                notifications.owe(
                    Kind.ESCALATION_LEADS,
                    pk,
                    email,
                    period=f"{due_on}",
                    user_id=lead_id,
                    coalition_id=coalition.pk,
                    status=Notification.Status.IN_DIGEST,
                )
                for pk, due_on in to_leads
                for lead_id, email in leads
            ]
    return len(notifications.queue_many(rows))


def _lead_reviews(now: datetime) -> int:
    rows = []
    for coalition in Coalition.objects.order_by("pk"):
        local = now.astimezone(ZoneInfo(coalition.time_zone))
        if local.weekday() != REVIEW_WEEKDAY or local.hour < REVIEW_HOUR:
            continue
        week = f"{local.isocalendar().year}-W{local.isocalendar().week:02d}"
        leads = User.objects.holding(CoalitionRole.Role.LEAD, coalition).filter(
            may_email_users_filter(Topic.REMINDERS, local.date())
        )
        rows += [
            notifications.owe(
                Kind.LEAD_REVIEW,
                coalition.pk,
                email,
                period=week,
                user_id=pk,
                coalition_id=coalition.pk,
                status=Notification.Status.IN_DIGEST,
            )
            for pk, email in leads.values_list("pk", "email")
        ]
    return len(notifications.queue_many(rows))


def _untold():
    """What the ledger holds for the digests that no digest has told yet."""
    return Notification.objects.filter(kind__in=FOLDED, status=Notification.Status.IN_DIGEST, sent_at__isnull=True)


def _digests(now: datetime) -> int:
    """One digest a day for each person with items due soon or something
    escalated to them: a query a time zone, whatever the people. A person
    follows the clock of their agency's first active membership."""
    untold = list(_untold().values_list("email", "user_id", "coalition_id").distinct())
    told = set()
    if untold:
        addresses = {email.upper() for email, _, _ in untold}
        told = set(
            Person.objects.annotate(address=Upper("email"))
            .filter(Q(address__in=addresses) | Q(user_id__in={u for _, u, _ in untold if u}))
            .values_list("pk", flat=True)
        )
    home: dict[int, tuple[int, str]] = {}  # agency -> (coalition, time zone)
    active = Membership.objects.filter(status=Membership.Status.ACTIVE).order_by("-pk")
    for agency_id, coalition_id, zone in active.values_list("agency_id", "coalition_id", "coalition__time_zone"):
        home[agency_id] = (coalition_id, zone)  # the first membership (lowest pk) wins
    zones: dict[str, list[int]] = defaultdict(list)
    for agency_id, (_, zone) in home.items():
        zones[zone].append(agency_id)
    zones.setdefault(settings.TIME_ZONE, [])
    rows = []
    for zone, agencies in sorted(zones.items()):
        local = now.astimezone(ZoneInfo(zone))
        today = local.date()
        due = ActionItem.objects.open().filter(due_on__lte=today + DIGEST_AHEAD)
        primary_of = Membership.objects.filter(primary_representative=OuterRef(OuterRef("pk"))).values("coalition_id")
        has_items = Q(receives_digest=True) & (
            Exists(due.filter(assignee=OuterRef("pk")))
            | Exists(due.filter(backup=OuterRef("pk")))
            | Exists(
                due.filter(assignee__isnull=True, owner_agency_id=OuterRef("agency_id"), coalition_id__in=primary_of)
            )
        )
        in_zone = Q(agency_id__in=agencies)
        if zone == settings.TIME_ZONE:  # and everyone whose agency is in no coalition
            in_zone |= Q(agency__isnull=True) | ~Q(agency_id__in=list(home))
        people = (
            Person.objects.filter(in_zone, may_email_filter(Topic.NOTICE, today), digest_hour__lte=local.hour)
            .exclude(email="")
            .exclude(
                Exists(
                    Notification.objects.filter(
                        kind=Kind.ACTION_DIGEST, object_id=OuterRef("pk"), period=today.isoformat()
                    )
                )
            )
            .filter(has_items | Q(pk__in=told))
        )
        rows += [
            notifications.owe(
                Kind.ACTION_DIGEST,
                pk,
                email,
                period=today.isoformat(),
                user_id=user_id,
                coalition_id=home.get(agency_id, (None, ""))[0],
            )
            for pk, email, user_id, agency_id in people.values_list("pk", "email", "user_id", "agency_id")
        ]
    rows += _login_digests(now, untold)
    return len(notifications.queue_many(rows))


def _login_digests(now: datetime, untold: list) -> list[tuple]:
    """A lead with a login and no person record gets their escalations and
    reviews in a digest of their own, in the morning of their coalition."""
    user_ids = {user_id for _, user_id, _ in untold if user_id}
    if not user_ids:
        return []
    logins = dict(User.objects.filter(pk__in=user_ids, person__isnull=True, is_active=True).values_list("pk", "email"))
    coalitions = {c.pk: c for c in Coalition.objects.filter(pk__in={c for _, u, c in untold if u in logins})}
    rows, seen = [], set()
    for _, user_id, coalition_id in untold:
        if user_id not in logins or user_id in seen or coalition_id not in coalitions:
            continue
        local = now.astimezone(ZoneInfo(coalitions[coalition_id].time_zone))
        if local.hour < REVIEW_HOUR:
            continue
        seen.add(user_id)
        rows.append(
            notifications.owe(
                Kind.ACTION_DIGEST,
                NO_PERSON,
                logins[user_id],
                period=local.date().isoformat(),
                user_id=user_id,
                coalition_id=coalition_id,
            )
        )
    return rows


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


def compose_digests(rows: list[Notification]) -> dict[int, object]:
    """A batch of digests from a fixed number of queries: the people, their
    items, the escalations and reviews owed to them, and what those concern.
    The escalations and reviews told are marked told."""
    people = {p.pk: p for p in Person.objects.filter(pk__in={r.object_id for r in rows}).select_related("user")}
    days = {r.pk: date.fromisoformat(r.period) for r in rows}
    # Their own items (assigned, backing up, or their agency's unassigned ones as its representative).
    primary_of: dict[int, set] = defaultdict(set)
    for person_id, coalition_id in Membership.objects.filter(primary_representative_id__in=people).values_list(
        "primary_representative_id", "coalition_id"
    ):
        primary_of[person_id].add(coalition_id)
    agencies = {p.agency_id for p in people.values() if primary_of[p.pk]}
    mine = (
        ActionItem.objects.open()
        .filter(due_on__lte=max(days.values(), default=timezone.localdate()) + DIGEST_AHEAD)
        .filter(
            Q(assignee_id__in=people) | Q(backup_id__in=people) | Q(assignee__isnull=True, owner_agency_id__in=agencies)
        )
        .select_related("coalition", "owner_agency")
        .order_by("due_on", "pk")
    )
    representatives: dict[int, list] = defaultdict(list)
    for person in people.values():
        if primary_of[person.pk]:
            representatives[person.agency_id].append(person)
    items_of: dict[int, list] = defaultdict(list)
    for item in mine:
        for person_id in {item.assignee_id, item.backup_id} & people.keys():
            items_of[person_id].append(item)
        if item.assignee_id is None:
            for person in representatives.get(item.owner_agency_id, ()):
                if item.coalition_id in primary_of[person.pk] and item.backup_id != person.pk:
                    items_of[person.pk].append(item)
    # What was escalated to them, and the reviews for them.
    addresses = {r.email.upper() for r in rows} | {p.email.upper() for p in people.values()}
    addresses |= {p.user.email.upper() for p in people.values() if p.user_id}
    user_ids = {r.user_id for r in rows if r.user_id}
    folded = list(
        Notification.objects.filter(kind__in=FOLDED, status=Notification.Status.IN_DIGEST)
        .annotate(address=Upper("email"))
        .filter(Q(address__in=addresses) | Q(user_id__in=user_ids))
        # A review is told once: by the first digest composed after it, or
        # again by that same digest composed anew (a retry after an outage).
        .filter(Q(kind__in=ESCALATIONS) | Q(sent_at__isnull=True) | Q(sent_at__gte=min(r.created_at for r in rows)))
        .values("pk", "kind", "object_id", "address", "user_id", "sent_at")
    )
    escalated = {
        i.pk: i
        for i in ActionItem.objects.open()
        .filter(pk__in={f["object_id"] for f in folded if f["kind"] in ESCALATIONS})
        .select_related("coalition", "owner_agency")
    }
    boards = _boards({f["object_id"] for f in folded if f["kind"] == Kind.LEAD_REVIEW})
    messages, told, concerns = {}, [], []
    Concerns = Notification.also_concerns.through
    for row in rows:
        person = people.get(row.object_id) if row.object_id != NO_PERSON else None
        if row.object_id != NO_PERSON and person is None:
            messages[row.pk] = None
            continue
        today = days[row.pk]
        keys = {row.email.upper()} | ({person.email.upper()} if person else set())
        if person and person.user_id:
            keys.add(person.user.email.upper())
        login = person.user_id if person else row.user_id
        for_me = [f for f in folded if f["address"] in keys or (login and f["user_id"] == login)]
        escalated_items = sorted(
            {f["object_id"]: escalated[f["object_id"]] for f in for_me if f["object_id"] in escalated}.values(),
            key=lambda i: (i.due_on, i.pk),
        )
        shown = {i.pk for i in escalated_items}
        own = [i for i in items_of.get(person.pk, []) if i.pk not in shown] if person and person.receives_digest else []
        reviews = [
            boards[f["object_id"]]
            for f in for_me
            if f["kind"] == Kind.LEAD_REVIEW
            and f["object_id"] in boards
            and (f["sent_at"] is None or f["sent_at"] >= row.created_at)
        ]
        if not (escalated_items or own or reviews):
            messages[row.pk] = None
            continue
        told += [f["pk"] for f in for_me if f["sent_at"] is None]
        # It shows on the "E-mails sent" page of every coalition it tells of.
        tells_of = {i.coalition_id for i in escalated_items + own} | {r["coalition"].pk for r in reviews}
        concerns += [Concerns(notification_id=row.pk, coalition_id=c) for c in tells_of - {row.coalition_id}]
        context = {
            "person": person,
            "name": person.full_name if person else (row.user.full_name if row.user else ""),
            "today": today,
            "escalated": _item_lines(escalated_items, today),
            "lines": _item_lines(own[:DIGEST_LINES], today),
            "more": max(len(own) - DIGEST_LINES, 0),
            "reviews": reviews,
            "count": len(escalated_items) + len(own),
            "settings_url": settings_url(person) if person else None,
        }
        messages[row.pk] = build_message("action_digest", context, [row.email])
    if told:
        Notification.objects.filter(pk__in=told, sent_at__isnull=True).update(sent_at=timezone.now())
    Concerns.objects.bulk_create(concerns, ignore_conflicts=True)
    return messages


def _boards(coalition_ids: set[int]) -> dict[int, dict]:
    """The weekly review of each coalition: a few queries each (a digest
    batch holds the leads of a few coalitions at most)."""
    from .services import review

    boards = {}
    for coalition in Coalition.objects.filter(pk__in=coalition_ids):
        items = ActionItem.objects.filter(coalition=coalition).open().select_related("owner_agency")
        boards[coalition.pk] = {
            "coalition": coalition,
            "board": review(items, notifications.local_today(coalition)),
            "board_url": absolute_url(reverse("review_board", args=[coalition.slug])),
        }
    return boards


def compose_digest(notification: Notification):
    return compose_digests([notification])[notification.pk]


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
    # The digest's sections follow their own choices (your items: the daily
    # digest; what was escalated: as the escalation; reviews: reminders).
    notifications.register(Kind.ACTION_DIGEST, compose_digest, topic=Topic.NOTICE, many=compose_digests)
    notifications.register(Kind.ESCALATION_AGENCY, compose_escalation, topic=Topic.NOTICE)
    notifications.register(Kind.ESCALATION_LEADS, compose_escalation, topic=Topic.REMINDERS)
    notifications.register(Kind.LEAD_REVIEW, compose_review, topic=Topic.REMINDERS)
    notifications.register_sweeper(queue_due)
