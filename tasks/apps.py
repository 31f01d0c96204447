from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "Action items"

    def ready(self) -> None:
        from . import notices

        notices.register()
