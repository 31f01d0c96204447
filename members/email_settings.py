"""A person's e-mail settings: the signed no-login link at the bottom of every
e-mail, and the one rule for whether someone wants mail today."""

from django.core import signing
from django.urls import reverse

from coordination.mail import absolute_url

from .models import Person

# The salt of links already sent: changing it would break them.
SALT = "meetings.reminder-settings"
LINK_DAYS = 400


def settings_url(person: Person) -> str:
    return absolute_url(reverse("reminder_settings", args=[signing.dumps(person.pk, salt=SALT)]))


def settings_url_for(email: str) -> str | None:
    """The settings link of whoever receives at this address: a person, or a
    login (lead, organizer) linked to one."""
    person = (
        Person.objects.filter(email__iexact=email).first() or Person.objects.filter(user__email__iexact=email).first()
    )
    return settings_url(person) if person else None


def person_from_token(token: str) -> Person | None:
    try:
        person_id = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    return Person.objects.filter(pk=person_id).first()


def reachable(person: Person, today) -> bool:
    return person.is_active and bool(person.email) and not (person.away_until and person.away_until >= today)


def wants_mail(user, today) -> bool:
    """Leads' and organizers' mail follows their person's settings, if they have one."""
    person = Person.objects.filter(user=user).first()
    return person is None or (person.receives_reminders and reachable(person, today))
