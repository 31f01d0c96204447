"""Celery tasks of the coordination app: thin wrappers over services."""

import logging

from celery import shared_task
from django.db import DatabaseError

from . import exports, notifications

log = logging.getLogger(__name__)


@shared_task(name="coordination.send_notification", bind=True, max_retries=None)
def send_notification(self, *, notification_id: int) -> str:
    outcome = notifications.deliver(notification_id)
    if outcome == notifications.Outcome.RETRY:
        # deliver() counted the attempt and will mark the row failed after the
        # last one, so the retries here need no limit of their own.
        attempts = notifications.Notification.objects.values_list("attempts", flat=True).get(pk=notification_id)
        raise self.retry(countdown=notifications.retry_delay(attempts))
    return outcome


@shared_task(name="coordination.sweep_notifications")
def sweep_notifications() -> dict:
    counts = notifications.sweep()
    if counts.get("skipped"):
        log.info("Sweep skipped: the previous one is still under way.")
    elif any(counts.values()):
        log.info("Sweep: %(queued)s queued, %(requeued)s requeued.", counts)
    return counts


@shared_task(name="coordination.write_export", bind=True, max_retries=3)
def write_export(self, *, export_id: int) -> str:
    try:
        return exports.write_export(export_id)
    except DatabaseError as exc:
        if self.request.retries >= self.max_retries:
            return exports.fail_export(export_id, exports.FAILED)
        # The claim leaves the row running, so the retry claims it again.
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(name="coordination.delete_expired_exports")
def delete_expired_exports() -> int:
    deleted = exports.delete_expired_exports()
    if deleted:
        log.info("Deleted %s expired exports.", deleted)
    return deleted
