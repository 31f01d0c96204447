from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination"

    def ready(self) -> None:
        from . import (
            errors,
            exports,  # noqa: F401 - an export's file goes with its row
            notifications,
            reauth,  # noqa: F401 - notes the time of each sign-in
            second_factor,  # noqa: F401 - the lockout counts wrong codes; factor changes are logged
            security_log,  # noqa: F401 - sign-ins, failures, lockouts and roles are logged
            tasks,  # noqa: F401 - registers the Celery tasks the ledger sends by name
        )
        from .models import Notification

        # the day's server errors, to ADMINS (always sent: they are the deployment's, not a person's choice)
        notifications.register(
            Notification.Kind.SERVER_ERRORS, errors.compose_report, topic=notifications.Topic.ACCOUNT
        )
        errors.setup_sentry()
