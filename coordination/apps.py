from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the Celery tasks the ledger sends by name
