"""Celery tasks of the public pages: thin wrappers over services."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="public_site.delete_expired_inquiries")
def delete_expired_inquiries() -> int:
    count = services.delete_expired()
    if count:
        log.info("Deleted %s messages from the public past their retention.", count)
    return count
