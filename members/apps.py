from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from . import notices, signals  # noqa: F401 - signals connects the receivers

        notices.register()
