"""The public face: the reporting guide, the resource directory, and messages
from the public. Nothing here shows what an agency did not mark public."""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext
from icalendar import Calendar, Event

from coordination import events, notifications
from coordination.mail import absolute_url, build_message
from coordination.models import Coalition, CoalitionRole, Notification, User
from members.models import AgencyRole, ContactLine, Membership, ResponseArea

from .models import GuideStep, Inquiry

Situation = GuideStep.Situation
# (the situation, what to do, its response areas, the ages, the situation): the
# numbers of 911 and the national hotline come from the situation, once a step.
DEFAULT_STEPS = [
    (
        "The person is or looks under 18",
        "Call Child Protective Services. Use the after-hours line outside business hours.",
        ["Child welfare response"],
        AgencyRole.Ages.MINORS,
        "",
    ),
    (
        "An adult presents with injuries",
        "Get emergency care first. Report to law enforcement at once by phone, or within two working days in writing.",
        ["Investigation", "Identification and reporting"],
        AgencyRole.Ages.ADULTS,
        Situation.INJURIES,
    ),
    (
        "An adult asks for help",
        "The National Human Trafficking Hotline answers 24/7 in over 200 languages; a local resource below can "
        "help too.",
        ["Crisis response and hotline", "Shelter and housing"],
        AgencyRole.Ages.ADULTS,
        Situation.HELP,
    ),
]
# The default steps in Spanish (title, what to do), by their English title.
DEFAULT_STEPS_ES = {
    "The person is or looks under 18": (
        "La persona es o parece menor de 18 años",
        "Llame a los Servicios de Protección Infantil. Fuera del horario de oficina, use la línea de fuera de horario.",
    ),
    "An adult presents with injuries": (
        "Un adulto se presenta con lesiones",
        "Primero, busque atención médica de urgencia. Denúncielo a las fuerzas del orden de inmediato por teléfono, "
        "o por escrito en un plazo de dos días hábiles.",
    ),
    "An adult asks for help": (
        "Un adulto pide ayuda",
        "La Línea Nacional contra la Trata de Personas atiende las 24 horas, todos los días, en más de 200 idiomas; "
        "un recurso local de la lista también puede ayudar.",
    ),
}
RATE_LIMIT = 3  # messages an hour from one address
RATE_WINDOW = timedelta(hours=1)


def ensure_guide(coalition: Coalition) -> None:
    if coalition.guide_steps.exists():
        return
    for position, (title, body, areas, age, situation) in enumerate(DEFAULT_STEPS, start=1):
        title_es, body_es = DEFAULT_STEPS_ES[title]
        step = GuideStep.objects.create(
            coalition=coalition,
            position=position * 10,
            title=title,
            body=body,
            title_es=title_es,
            body_es=body_es,
            age=age,
            situation=situation,
        )
        step.response_areas.set(ResponseArea.objects.filter(coalition=coalition, name__in=areas))


def public_roles(coalition: Coalition):
    """Roles an agency marked public, of agencies listed publicly with an active membership."""
    return (
        AgencyRole.objects.filter(
            is_public=True,
            agency__listed_publicly=True,
            response_area__coalition=coalition,
            response_area__is_active=True,
            agency__memberships__coalition=coalition,
            agency__memberships__status=Membership.Status.ACTIVE,
        )
        .select_related("agency", "response_area")
        .prefetch_related("lines")
        .order_by("response_area__position", "agency__name")
    )


@dataclass
class Listed:
    """An agency in a step of the guide: once, with every role of it the step fits."""

    agency: object
    roles: list = field(default_factory=list)

    @cached_property
    def lines(self) -> list[ContactLine]:
        """The contact lines of its roles, in their order, each number once;
        the agency's main phone when none of its roles has a line."""
        return agency_lines(self.agency, self.roles)

    @property
    def languages(self) -> str:
        """The languages its roles are offered in, each once, as written."""
        found = dict.fromkeys(lang.strip() for role in self.roles for lang in role.languages.split(",") if lang.strip())
        return ", ".join(found)

    @property
    def stale(self) -> list:
        return [role for role in self.roles if role.is_stale]


def agency_lines(agency, roles) -> list[ContactLine]:
    """The lines of these roles of one agency, in order, each number once; or
    the agency's main phone, as a line of its own, when they have none."""
    seen, lines = set(), []
    for role in roles:
        for line in role.lines.all():
            key = line.dial or line.number  # a number that cannot be dialled is told apart by its text
            if key not in seen:
                seen.add(key)
                lines.append(line)
    if not lines and agency.phone:
        main = ContactLine(label="Main phone", number=agency.phone, available_24_7=agency.available_24_7)
        for code, _ in settings.LANGUAGES:  # its label in each language the lines are written in
            if hasattr(main, f"label_{code}"):
                with translation.override(code):
                    setattr(main, f"label_{code}", gettext("Main phone"))
        lines.append(main)
    return lines


def guide(coalition: Coalition) -> list[tuple[GuideStep, list[Listed]]]:
    """Each step with exactly the agencies whose public roles fit it (its
    areas and its ages), each agency once. Two queries."""
    roles = list(public_roles(coalition))
    steps = coalition.guide_steps.prefetch_related(Prefetch("response_areas", to_attr="areas"))
    result = []
    for step in steps:
        listed: dict[int, Listed] = {}
        for role in roles:
            if step.fits(role):
                listed.setdefault(role.agency_id, Listed(role.agency)).roles.append(role)
        result.append((step, list(listed.values())))
    return result


def guide_warnings(steps: list[tuple[GuideStep, list[Listed]]]) -> dict[int, list[str]]:
    """What organizers should fix before the public relies on a step: one
    that lists no agency, or an agency whose role has not been confirmed for
    six months."""
    warnings: dict[int, list[str]] = {}
    for step, listed in steps:
        found = [] if listed else ["No agency is listed: no public role fits its areas and ages."]
        found += [
            f"{entry.agency.name}: its role in {role.response_area.name} was "
            + (f"last confirmed on {role.confirmed_at:%B %-d, %Y}." if role.confirmed_at else "never confirmed.")
            for entry in listed
            for role in entry.stale
        ]
        if found:
            warnings[step.pk] = found
    return warnings


def directory(coalition: Coalition) -> list[tuple[ResponseArea, list[AgencyRole]]]:
    grouped: dict = {}
    for role in public_roles(coalition):
        role.public_lines = agency_lines(role.agency, [role])
        grouped.setdefault(role.response_area, []).append(role)
    return list(grouped.items())


def events_calendar(coalition: Coalition, events) -> bytes:
    """Public events as iCalendar (RFC 5545): all-day on their date, or at
    their start time in the coalition's time zone."""
    calendar = Calendar()
    calendar.add("prodid", "-//Roundtable//Public events//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{coalition.name}: public events")
    host = urlsplit(settings.SITE_URL).hostname
    page = absolute_url(reverse("public_coalition", args=[coalition.slug]))
    zone = ZoneInfo(coalition.time_zone)
    stamp = timezone.now()
    for activity in events:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", activity.title)
        if activity.start_time:
            event.add("dtstart", datetime.combine(activity.held_on, activity.start_time, tzinfo=zone))
        else:
            event.add("dtstart", activity.held_on)
        if activity.place:
            event.add("location", activity.place)
        presenter = f", presented by {activity.presenting_agency.name}" if activity.presenting_agency else ""
        about = f"{activity.get_kind_display()} for {activity.get_audience_display().lower()}{presenter}."
        event.add("description", f"{about} Free and open to the public.\n{page}")
        event.add("url", page)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def source_of(address: str | None) -> str:
    """A keyed hash of the sender's address: enough for a rate limit, useless to anyone reading the table."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


def too_many(source: str) -> bool:
    return Inquiry.objects.filter(source=source, created_at__gte=timezone.now() - RATE_WINDOW).count() >= RATE_LIMIT


@transaction.atomic
def receive(coalition: Coalition, *, name: str, email: str, message: str, source: str, language: str = "en") -> Inquiry:
    """Store the message first; the organizers' e-mail goes through the ledger,
    so a mail server that is down loses nothing. The language it was written
    from tells organizers which to answer in."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    inquiry = Inquiry.objects.create(
        coalition=coalition, name=name, email=email, message=message, source=source, language=language
    )
    for organizer in User.objects.holding(CoalitionRole.Role.ORGANIZER, coalition):
        notifications.queue(Notification.Kind.INQUIRY, inquiry.pk, organizer.email, user=organizer, coalition=coalition)
    events.announce("inquiry.received", inquiry, coalition_id=coalition.pk)
    return inquiry


def delete_expired(now=None) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=settings.INQUIRY_RETENTION_DAYS)
    deleted, _ = Inquiry.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def compose_inquiry(notification: Notification):
    from django.urls import reverse

    inquiry = Inquiry.objects.select_related("coalition").filter(pk=notification.object_id).first()
    if inquiry is None:
        return None
    context = {
        "inquiry": inquiry,
        "coalition": inquiry.coalition,
        "url": absolute_url(reverse("inquiries", args=[inquiry.coalition.slug])),
    }
    return build_message("inquiry", context, [notification.email])
