from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination"

    def ready(self) -> None:
        from . import notifications, public, tasks  # noqa: F401 - tasks registers the Celery tasks
        from .models import Notification

        notifications.register(Notification.Kind.INQUIRY, public.compose_inquiry)
