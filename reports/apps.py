from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Activities and reports"

    def ready(self) -> None:
        from . import stored_text

        stored_text.register_sources()
