from django.apps import AppConfig


class PublicSiteConfig(AppConfig):
    name = "public_site"
    verbose_name = "Public pages"

    def ready(self) -> None:
        from coordination import notifications
        from coordination.models import Notification

        from . import services, signals, stored_text  # noqa: F401 - signals connects the receivers

        notifications.register(Notification.Kind.INQUIRY, services.compose_inquiry)
        stored_text.register_sources()
