"""Celery tasks of the meetings app: thin wrappers over services."""

import logging

from celery import shared_task

from . import services
from .models import MeetingSeries

log = logging.getLogger(__name__)


@shared_task(name="meetings.extend_all_series")
def extend_all_series() -> int:
    """Periodic: hand each series to its own task, so one bad series stops no other."""
    count = 0
    for series_id in MeetingSeries.objects.values_list("pk", flat=True).iterator():
        sync_series.delay(series_id=series_id)
        count += 1
    return count


@shared_task(name="meetings.sync_series")
def sync_series(*, series_id: int) -> dict | None:
    series = MeetingSeries.objects.select_related("coalition").filter(pk=series_id).first()
    if series is None:
        log.info("Series %s is gone; nothing to schedule.", series_id)
        return None
    return services.sync_series(series)
