"""Celery tasks of the coordination app: thin wrappers over services."""

import logging

from celery import shared_task
from django.db import DatabaseError

from . import exports, notifications

log = logging.getLogger(__name__)


@shared_task(name="coordination.send_batch")
def send_batch(*, ids: list[int]) -> dict:
    """A batch of ledger rows over one mail connection. Retries are the
    ledger's: a row not sent is due again at its next try, and the sweep
    hands it back to the broker then (no task waits hours in the broker)."""
    outcomes = notifications.deliver_batch(ids)
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    log.info("A batch of %s e-mails: %s.", len(ids), ", ".join(f"{n} {outcome}" for outcome, n in counts.items()))
    return counts


@shared_task(name="coordination.send_notification")
def send_notification(*, notification_id: int) -> str:
    """One row: tasks queued before batches existed."""
    return notifications.deliver(notification_id)


@shared_task(name="coordination.sweep_notifications")
def sweep_notifications() -> dict:
    counts = notifications.sweep()
    if counts.get("skipped"):
        log.info("Sweep skipped: the previous one is still under way.")
    elif any(counts.values()):
        log.info("Sweep: %(queued)s new, %(requeued)s taken back, %(dispatched)s handed to workers.", counts)
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


def start_scan(coalition, user=None, then=()):
    """Ask a worker to scan the coalition's stored text once the request
    commits, then the coalitions `then`, one after another (the weekly
    sweep never fills the queue the e-mail shares)."""
    from django.db import transaction

    from .models import ArchiveScan

    record = ArchiveScan.objects.create(coalition=coalition, requested_by=user, then=list(then))
    transaction.on_commit(lambda: scan_stored_text.delay(scan_id=record.pk))
    return record


@shared_task(name="coordination.scan_stored_text")
def scan_stored_text(*, scan_id: int, then: list[int] | None = None) -> dict:
    """An organizer's scan of a coalition's stored text, or the weekly one,
    which then asks for the next coalition's (one scan at a time, whatever
    happens to this one)."""
    from . import stored_text
    from .models import ArchiveScan

    record = ArchiveScan.objects.select_related("coalition").filter(pk=scan_id).first()
    if record is None or record.finished_at is not None:
        return {"skipped": 1}
    then = record.then or then
    if record.started_at is not None:
        # handed to a worker again while the first still runs (the broker's
        # visibility timeout), or after it died: the first finishes it and goes
        # on with the chain; if it died, resume_lost_scans does, once its lease lapses
        return {"skipped": 1}
    done = None
    try:
        done = stored_text.run(record)
    except Exception:
        log.exception("The scan of coalition %s's stored text failed.", record.coalition_id)
        raise
    finally:
        if done is None:
            stored_text.close(record)  # another scan of the coalition ran, or this one failed
        _next_scan(then or [])
    return {"texts": done.texts, "found": done.found} if done else {"skipped": 1}


def _next_scan(then: list[int]) -> None:
    from . import stored_text
    from .models import Coalition

    for position, coalition_id in enumerate(then):
        coalition = Coalition.objects.filter(pk=coalition_id).first()
        if coalition is not None and stored_text.under_way(coalition) is None:
            start_scan(coalition, then=then[position + 1 :])
            return


@shared_task(name="coordination.forget_old_security_log")
def forget_old_security_log() -> int:
    from . import security_log

    return security_log.forget_old()


@shared_task(name="coordination.resume_lost_scans")
def resume_lost_scans() -> int:
    """Scans whose worker died (killed mid-way, the machine restarted) are
    closed once their lease has lapsed, and their chain goes on: the weekly
    sweep's next coalitions are scanned all the same."""
    from django.utils import timezone

    from . import stored_text
    from .models import ArchiveScan

    lost = list(
        ArchiveScan.objects.filter(
            finished_at__isnull=True, started_at__isnull=False, started_at__lt=timezone.now() - stored_text.LEASE
        )
    )
    for record in lost:
        stored_text.close(record)
        log.warning("The scan of coalition %s's stored text was lost; closed.", record.coalition_id)
        _next_scan(record.then)
    return len(lost)


@shared_task(name="coordination.scan_all_stored_text")
def scan_all_stored_text() -> int:
    """The weekly scan of every coalition's stored text, one after another."""
    from .models import Coalition

    ids = list(Coalition.objects.order_by("pk").values_list("pk", flat=True))
    _next_scan(ids)
    return len(ids)


@shared_task(name="coordination.report_server_errors")
def report_server_errors() -> int:
    """Without Sentry: once a day, the errors seen since the last report, to ADMINS."""
    from . import errors

    return errors.report_due()
