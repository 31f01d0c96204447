from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from coordination import notifications, privacy, security_log

        from . import choices, email_settings, notices, signals  # noqa: F401 - signals connects the receivers

        notifications.register_recipient_rule(email_settings.recipients_allowed)
        notifications.register_list_headers(email_settings.list_headers)
        notices.register()
        choices.register()
        privacy.register_public_source(published_contacts)
        security_log.add_people_source(logins_of_coalition)


def logins_of_coalition(coalition):
    """The logins of the people of the coalition's member agencies (what the
    organizers' security log reads about), as a subquery."""
    from .models import Membership, Person

    return Person.objects.filter(
        user__isnull=False,
        agency__memberships__coalition=coalition,
        agency__memberships__status=Membership.Status.ACTIVE,
    ).values("user")


def published_contacts():
    """What the coalitions publish, which the privacy guard never flags: each
    agency's main phone, e-mail and street address, its roles' contact lines,
    the coalitions' addresses."""
    from itertools import chain

    from coordination.models import Coalition

    from .models import Agency, ContactLine

    return chain(
        chain.from_iterable(Agency.objects.values_list("phone", "email", "address")),
        ContactLine.objects.values_list("number", flat=True),
        Coalition.objects.values_list("contact_email", flat=True),
    )
