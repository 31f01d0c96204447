from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from . import choices, notices, stored_text

        notices.register()
        choices.register()
        stored_text.register_sources()
