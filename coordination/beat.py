"""The beat scheduler, with a heartbeat: every BEAT_TICK it notes that it is
alive (a row /readyz reads), whatever tasks are due. Settings name it
(CELERY_BEAT_SCHEDULER), so every way of starting beat uses it."""

import logging
import time

from celery.beat import PersistentScheduler
from django.db import DatabaseError, close_old_connections

from .health import BEAT, BEAT_TICK

log = logging.getLogger(__name__)


class HeartbeatScheduler(PersistentScheduler):
    last_beat = 0.0

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        if time.monotonic() - self.last_beat >= BEAT_TICK.total_seconds():
            from .models import Heartbeat

            try:
                close_old_connections()
                Heartbeat.beat(BEAT)
                self.last_beat = time.monotonic()
            except DatabaseError:
                log.warning("Beat could not write its heartbeat.", exc_info=True)
        return min(interval, BEAT_TICK.total_seconds())
