"""The public face: the reporting guide, the resource directory, and messages
from the public. Nothing here shows what an agency did not mark public."""

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from coordination import notifications
from coordination.mail import absolute_url, build_message
from coordination.models import Coalition, CoalitionRole, Notification, User
from members.models import AgencyRole, Membership, ResponseArea

from .models import GuideStep, Inquiry

DEFAULT_STEPS = [
    (
        "The person is or looks under 18",
        "Call Child Protective Services. Use the after-hours line outside business hours.",
        ["Child welfare response"],
    ),
    (
        "An adult presents with injuries",
        "Call 911 for emergency care. Report to law enforcement at once by phone, or within two working days in "
        "writing.",
        ["Investigation", "Identification and reporting"],
    ),
    (
        "An adult asks for help",
        "Call the National Human Trafficking Hotline: 1-888-373-7888 (24/7, over 200 languages), text 233733, "
        "or a local resource below.",
        ["Crisis response and hotline", "Shelter and housing"],
    ),
]
RATE_LIMIT = 3  # messages an hour from one address
RATE_WINDOW = timedelta(hours=1)


def ensure_guide(coalition: Coalition) -> None:
    if coalition.guide_steps.exists():
        return
    for position, (title, body, areas) in enumerate(DEFAULT_STEPS, start=1):
        step = GuideStep.objects.create(coalition=coalition, position=position * 10, title=title, body=body)
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
        .order_by("response_area__position", "agency__name")
    )


def guide(coalition: Coalition) -> list[tuple[GuideStep, list[AgencyRole]]]:
    roles = list(public_roles(coalition))
    steps = coalition.guide_steps.prefetch_related(Prefetch("response_areas", to_attr="areas"))
    return [(step, [r for r in roles if r.response_area_id in {a.pk for a in step.areas}]) for step in steps]


def directory(coalition: Coalition) -> list[tuple[ResponseArea, list[AgencyRole]]]:
    grouped: dict = {}
    for role in public_roles(coalition):
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
def receive(coalition: Coalition, *, name: str, email: str, message: str, source: str) -> Inquiry:
    """Store the message first; the organizers' e-mail goes through the ledger,
    so a mail server that is down loses nothing."""
    inquiry = Inquiry.objects.create(coalition=coalition, name=name, email=email, message=message, source=source)
    for organizer in User.objects.holding(CoalitionRole.Role.ORGANIZER, coalition):
        notifications.queue(Notification.Kind.INQUIRY, inquiry.pk, organizer.email, user=organizer, coalition=coalition)
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
