"""The Celery app: settings under the CELERY_ namespace, tasks found in each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")

app = Celery("coordination")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# a request's id rides along in the tasks it queues (coordination/logs.py)
from .logs import connect_celery  # noqa: E402

connect_celery()
