from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from members import events

        from . import tokens

        # A person who leaves their agency keeps no way in: their tokens end with them.
        events.person_left.connect(tokens.revoke_on_leaving, dispatch_uid="api-revoke-on-leaving")
