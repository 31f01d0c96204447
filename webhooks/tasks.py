"""Celery tasks of the webhooks app: thin wrappers over delivery."""

import logging

from celery import shared_task

from . import delivery

log = logging.getLogger(__name__)


@shared_task(name="webhooks.deliver")
def deliver_webhooks(*, ids: list[int]) -> dict:
    """A handful of deliveries, one after another. Retries are the rows':
    one not delivered is due again later, and the sweep hands it back then."""
    counts: dict[str, int] = {}
    for outcome in delivery.deliver_batch(ids).values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@shared_task(name="webhooks.announce_overdue")
def announce_overdue() -> int:
    recorded = delivery.announce_overdue()
    if recorded:
        log.info("Recorded %s webhook deliveries of items that became overdue.", recorded)
    return recorded
