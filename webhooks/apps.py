from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from coordination import events, metrics, notifications
        from coordination.models import Notification

        from . import delivery, tasks  # noqa: F401 (the tasks register with Celery)

        # what happens is recorded in the transaction of the change, for the endpoints that hear it
        events.happened.connect(delivery.record, dispatch_uid="webhooks-record")
        # deliveries ride the ledger's minute sweep (its lease: one sweep at a time)
        notifications.register_sweeper(delivery.sweep)
        notifications.register(Notification.Kind.WEBHOOK_DISABLED, delivery.compose_disabled)
        metrics.register_collector(delivery.DeliveryCollector())
