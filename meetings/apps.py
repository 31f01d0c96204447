from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from . import choices, notices

        notices.register()
        choices.register()
