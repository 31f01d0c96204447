"""What happens in a coalition, told to the apps above that pass it on
(webhooks). The domain apps announce here, in the transaction of the change
itself, so a listener that records what it owes in the same transaction
owes it exactly when the change is kept; the base imports none of them.

The names (`meeting.scheduled`, `action_item.closed`...) are the events an
organizer subscribes a webhook to; `NAMES` lists them, with their words."""

from django.dispatch import Signal

# Sent with name (one of NAMES), subject (the changed row) and coalition_id.
happened = Signal()

NAMES: dict[str, str] = {
    "meeting.scheduled": "A meeting is scheduled",
    "meeting.changed": "A meeting's time, place, title or video link changes",
    "meeting.cancelled": "A meeting is cancelled",
    "minutes.approved": "Minutes are approved",
    "action_item.created": "An action item is created",
    "action_item.changed": "An action item is updated (status, owner, due date or a comment)",
    "action_item.overdue": "An action item becomes overdue",
    "action_item.closed": "An action item is done or dropped",
    "role.changed": "An agency's role is changed",
    "role.confirmed": "An agency's role is confirmed as still right",
    "inquiry.received": "A message arrives from the public contact form",
}


def announce(name: str, subject, *, coalition_id: int) -> None:
    """Tell the listeners that `name` happened to `subject` in the coalition."""
    if name not in NAMES:
        raise ValueError(f"No such event: {name!r}")
    happened.send(sender=type(subject), name=name, subject=subject, coalition_id=coalition_id)
