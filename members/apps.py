from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from coordination import notifications

        from . import choices, email_settings, notices, signals  # noqa: F401 - signals connects the receivers

        notifications.register_recipient_rule(email_settings.recipients_allowed)
        notifications.register_list_headers(email_settings.list_headers)
        notices.register()
        choices.register()
