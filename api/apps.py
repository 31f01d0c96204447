from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from coordination import second_factor
        from members import events

        from . import tokens

        # A person who leaves their agency keeps no way in: their tokens end with them;
        # and a lost phone or key (a reset second factor) ends them as it ends sessions.
        events.person_left.connect(tokens.revoke_on_leaving, dispatch_uid="api-revoke-on-leaving")
        second_factor.factors_reset.connect(tokens.revoke_on_reset, dispatch_uid="api-revoke-on-reset")
