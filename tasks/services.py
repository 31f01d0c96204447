"""Changing action items: every change is checked here, logged as an
update, and refused with a message a person can act on."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ActionItem, ActionUpdate

STALE_AFTER = timedelta(days=30)
SOON = timedelta(days=14)


def _check_due(item: ActionItem, due_on: date | None) -> None:
    if due_on and due_on < timezone.localdate(item.created_at):
        raise ValidationError({"due_on": "The due date cannot be before the day the item was created."})


@transaction.atomic
def create_item(*, created_by, **fields) -> ActionItem:
    item = ActionItem(created_by=created_by, **fields)
    _check_due(item, item.due_on)
    item.save()
    ActionUpdate.objects.create(item=item, author=created_by, new_status=item.status, comment="Created.")
    return item


@transaction.atomic
def update_status(item: ActionItem, user, *, status: str, comment: str = "", reason: str = "") -> ActionItem:
    """An agency member's (or a lead's) update: a new status and/or a comment."""
    manages = user.has_perm("tasks.manage_actionitem", item)
    if not user.has_perm("tasks.update_actionitem", item):
        raise PermissionDenied("Only the owning agency and the coalition's organizers and leads can update this item.")
    if not item.is_open and not manages:
        raise ValidationError("This item is closed. Ask a lead or an organizer to reopen it if there is more to do.")
    if status == ActionItem.Status.DROPPED and not manages:
        raise ValidationError({"status": "Only a lead or an organizer can drop an item."})
    if status in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED) and not reason.strip():
        raise ValidationError({"reason": "Say why it is blocked or dropped, so others can help."})
    if status == item.status and not comment.strip() and reason == item.status_reason:
        raise ValidationError("Nothing changed: choose a new status or write a comment.")
    old = item.status
    _apply_status(item, status, reason)
    item.last_update_at = timezone.now()
    item.save()
    ActionUpdate.objects.create(
        item=item, author=user, old_status=old, new_status=status if status != old else "", comment=comment.strip()
    )
    return item


def _apply_status(item: ActionItem, status: str, reason: str) -> None:
    item.status = status
    item.status_reason = reason.strip() if status in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED) else ""
    if status == ActionItem.Status.DONE:
        item.completed_at = item.completed_at or timezone.now()
    elif status in ActionItem.OPEN_STATUSES or status == ActionItem.Status.DROPPED:
        item.completed_at = None


@transaction.atomic
def manage(item: ActionItem, user, *, comment: str = "", **changes) -> ActionItem:
    """A lead's or organizer's change: reassign, move the due date, close or reopen."""
    if not user.has_perm("tasks.manage_actionitem", item):
        raise PermissionDenied("Only the coalition's organizers and leads can reassign, reschedule or close items.")
    if "due_on" in changes:
        _check_due(item, changes["due_on"])
    for person in ("assignee", "backup"):
        chosen = changes.get(person, getattr(item, person))
        agency = changes.get("owner_agency", item.owner_agency)
        if chosen is not None and chosen.agency_id != agency.pk:
            raise ValidationError({person: f"{chosen} is not a person of {agency}."})
    described = []
    for name, value in changes.items():
        if name in ("status", "status_reason"):
            continue
        if getattr(item, name) != value:
            label = ActionItem._meta.get_field(name).verbose_name
            described.append(f"{label}: {getattr(item, name) or '—'} → {value or '—'}")
            setattr(item, name, value)
    old = item.status
    if "status" in changes and changes["status"] != item.status:
        reason = changes.get("status_reason", "")
        if changes["status"] in (ActionItem.Status.BLOCKED, ActionItem.Status.DROPPED) and not reason.strip():
            raise ValidationError({"status_reason": "Say why it is blocked or dropped."})
        _apply_status(item, changes["status"], reason)
    if not described and old == item.status and not comment.strip():
        return item
    item.last_update_at = timezone.now()
    item.save()
    ActionUpdate.objects.create(
        item=item,
        author=user,
        old_status=old,
        new_status=item.status if item.status != old else "",
        comment=comment.strip(),
        changes="; ".join(described)[:500],
    )
    return item


@transaction.atomic
def bulk(items, user, *, action: str, **values) -> int:
    """The review board's one form: reassign, extend, or close many items."""
    count = 0
    # Lock only the items themselves: the visibility filter joins nullable relations.
    for item in items.select_for_update(of=("self",)):
        if action == "reassign":
            manage(
                item,
                user,
                owner_agency=values["owner_agency"],
                assignee=values.get("assignee"),
                comment=values.get("comment", ""),
            )
        elif action == "extend":
            manage(item, user, due_on=values["due_on"], comment=values.get("comment", ""))
        elif action == "close":
            manage(
                item,
                user,
                status=values["status"],
                status_reason=values.get("reason", ""),
                comment=values.get("comment", ""),
            )
        count += 1
    return count


def review(items, today: date | None = None) -> dict:
    """The lead's review board, from one list of open items: overdue by agency
    (most days first), due soon, blocked, and silent for a month."""
    today = today or timezone.localdate()
    open_items = list(items)
    overdue = [i for i in open_items if i.due_on and i.due_on < today]
    by_agency: dict = {}
    for item in sorted(overdue, key=lambda i: i.due_on):
        by_agency.setdefault(item.owner_agency, []).append(item)
    stale_before = timezone.now() - STALE_AFTER
    return {
        "today": today,
        "overdue": overdue,
        "overdue_by_agency": sorted(by_agency.items(), key=lambda pair: (-len(pair[1]), pair[0].name)),
        "due_soon": sorted(
            (i for i in open_items if i.due_on and today <= i.due_on <= today + SOON), key=lambda i: i.due_on
        ),
        "blocked": [i for i in open_items if i.status == ActionItem.Status.BLOCKED],
        "stale": sorted((i for i in open_items if i.last_update_at < stale_before), key=lambda i: i.last_update_at),
        "open_count": len(open_items),
    }
