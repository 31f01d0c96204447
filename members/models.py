"""Member agencies, their people, their membership in coalitions, and their
roles in each coalition's coordinated response."""

import re
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# A role (or profile) not confirmed for this long is stale.
STALE_AFTER = timedelta(days=182)

# The parts of the coordinated response every new coalition starts with, with
# their names on the Spanish public pages.
DEFAULT_RESPONSE_AREAS_ES = {
    "Awareness and education": "Concienciación y educación",
    "Training": "Capacitación",
    "Prevention and demand reduction": "Prevención y reducción de la demanda",
    "Identification and reporting": "Identificación y denuncia",
    "Crisis response and hotline": "Respuesta a crisis y línea de ayuda",
    "Investigation": "Investigación",
    "Prosecution and victim-witness support": "Fiscalía y apoyo a víctimas y testigos",
    "Child welfare response": "Protección infantil",
    "Shelter and housing": "Refugio y vivienda",
    "Medical care": "Atención médica",
    "Mental health and counselling": "Salud mental y orientación",
    "Legal and immigration help": "Ayuda legal y migratoria",
    "Case management and restoration": "Gestión de casos y recuperación",
    "Interpretation": "Interpretación",
    "Policy and legislation": "Políticas y legislación",
    "Data and evaluation": "Datos y evaluación",
    "Survivor engagement": "Participación de sobrevivientes",
}
DEFAULT_RESPONSE_AREAS = list(DEFAULT_RESPONSE_AREAS_ES)


class Sector(models.TextChoices):
    LAW_ENFORCEMENT_LOCAL = "law_local", "Local law enforcement"
    LAW_ENFORCEMENT_STATE = "law_state", "State law enforcement"
    LAW_ENFORCEMENT_FEDERAL = "law_federal", "Federal law enforcement"
    PROSECUTION = "prosecution", "Prosecution"
    COURTS = "courts", "Courts and probation"
    CHILD_WELFARE = "child_welfare", "Child welfare"
    SOCIAL_SERVICES = "social_services", "Social services"
    VICTIM_SERVICES = "victim_services", "Victim services"
    DV_SA_CENTRE = "dv_sa", "Domestic violence and sexual assault centre"
    HEALTH_CARE = "health_care", "Health care"
    BEHAVIOURAL_HEALTH = "behavioural_health", "Behavioural health"
    PUBLIC_HEALTH = "public_health", "Public health"
    EDUCATION = "education", "Education"
    YOUTH_HOUSING = "youth_housing", "Youth and housing services"
    LEGAL_IMMIGRATION = "legal_immigration", "Legal and immigration services"
    TRIBAL = "tribal", "Tribal"
    FAITH = "faith", "Faith community"
    BUSINESS = "business", "Business"
    CIVIC = "civic", "Civic and volunteer"
    ELECTED = "elected", "Elected officials"
    SURVIVOR_LEADERS = "survivor_leaders", "Survivor leaders"
    OTHER = "other", "Other"


class AgencyQuerySet(models.QuerySet):
    def of_coalition(self, coalition, *statuses: str) -> "AgencyQuerySet":
        """The coalition's member agencies (with a membership of one of these
        statuses, or of any), each once, by name: the one way every form,
        filter and list of a coalition picks its agencies."""
        memberships = Membership.objects.filter(coalition=coalition)
        if statuses:
            memberships = memberships.filter(status__in=statuses)
        return self.filter(pk__in=memberships.values("agency_id")).order_by("name")


class Agency(models.Model):
    """An organisation at the table: a sheriff's office, a crisis centre, a school district."""

    name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=30, choices=Sector.choices, db_index=True)
    description = models.TextField(blank=True, max_length=settings.TEXT_MAX)
    website = models.URLField(blank=True)
    phone = models.CharField("main phone", max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    counties_served = models.CharField(max_length=300, blank=True)
    languages = models.CharField(max_length=300, blank=True, help_text="Comma-separated, e.g. English, Spanish.")
    available_24_7 = models.BooleanField("available 24/7", default=False)
    listed_publicly = models.BooleanField(default=False, help_text="Shown in the public resource directory.")
    confirmed_at = models.DateTimeField("profile last confirmed", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agency", args=[self.pk])


class Person(models.Model):
    """Someone who takes part: work contact details only, never a victim."""

    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="people")
    full_name = models.CharField(max_length=150, db_index=True)
    title = models.CharField(max_length=150, blank=True)
    email = models.EmailField("work e-mail", blank=True)
    phone = models.CharField("work phone", max_length=40, blank=True)
    receives_reminders = models.BooleanField(
        default=True, help_text="Meeting invitations, reminders and changes; requests to confirm the agency's roles."
    )
    receives_digest = models.BooleanField(
        "receives the daily digest",
        default=True,
        help_text="One e-mail a day of their action items due soon or overdue.",
    )
    digest_hour = models.PositiveSmallIntegerField(
        default=8, choices=[(h, f"{h:02d}:00") for h in range(24)], help_text="Local time of the daily digest."
    )
    away_until = models.DateField(null=True, blank=True, help_text="No reminders or digests until this date.")
    is_active = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        # A person is looked up by e-mail ignoring case (email__iexact, which
        # PostgreSQL runs as UPPER(email) = UPPER(...)) for every escalation,
        # reply and invitation: without this, a scan of every person.
        indexes = [models.Index(Upper("email"), name="person_email_ci_idx")]

    def __str__(self) -> str:
        return self.full_name


class Membership(models.Model):
    """An agency's membership in one coalition."""

    class Status(models.TextChoices):
        PROSPECTIVE = "prospective", "Prospective"
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField(null=True, blank=True)
    is_voting = models.BooleanField("voting member", default=True)
    mou_signed_on = models.DateField("MOU signed", null=True, blank=True)
    mou_review_on = models.DateField("MOU review due", null=True, blank=True)
    primary_representative = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    alternate_representative = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["agency", "coalition"], name="membership_unique")]
        indexes = [
            models.Index(fields=["coalition", "status"], name="membership_status_idx"),
            models.Index(fields=["coalition", "joined_on"], name="membership_joined_idx"),
            models.Index(fields=["coalition", "mou_review_on"], name="membership_mou_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} in {self.coalition}"


class ResponseArea(models.Model):
    """A part of a coalition's coordinated response, e.g. "Shelter and housing"."""

    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="response_areas")
    name = models.CharField(max_length=120)
    name_es = models.CharField(
        "name in Spanish", max_length=120, blank=True, help_text="The heading on the Spanish resources page."
    )
    description = models.TextField(blank=True, max_length=settings.TEXT_MAX)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists and the coverage matrix.")
    is_active = models.BooleanField(default=True, help_text="Inactive areas leave the coverage matrix.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["coalition", "name"], name="responsearea_name_unique")]

    def __str__(self) -> str:
        return self.name


class AgencyRole(models.Model):
    """An agency's part in one response area: what it does, for whom, and how
    to reach it for that. The coverage matrix and the directories read these."""

    class Capacity(models.TextChoices):
        ACTIVE = "active", "Active"
        LIMITED = "limited", "Limited"
        PAUSED = "paused", "Paused"

    class Ages(models.TextChoices):
        ALL = "all", "All ages"
        MINORS = "minors", "Under 18"
        ADULTS = "adults", "18 and over"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="roles")
    response_area = models.ForeignKey(ResponseArea, on_delete=models.PROTECT, related_name="roles")
    description = models.TextField(
        "what it does", max_length=settings.TEXT_MAX, help_text="What the agency does in this part of the response."
    )
    description_es = models.TextField(
        "what it does, in Spanish",
        max_length=settings.TEXT_MAX,
        blank=True,
        help_text="Shown on the Spanish public pages; when empty they show the English.",
    )
    ages = models.CharField("for ages", max_length=10, choices=Ages.choices, default=Ages.ALL)
    languages = models.CharField(max_length=300, blank=True, help_text="Comma-separated, e.g. English, Spanish.")
    capacity = models.CharField(max_length=10, choices=Capacity.choices, default=Capacity.ACTIVE)
    is_public = models.BooleanField(
        "public", default=False, help_text="Shown in the public directory and the reporting guide."
    )
    confirmed_at = models.DateTimeField("last confirmed", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["response_area__position", "response_area__name"]
        constraints = [models.UniqueConstraint(fields=["agency", "response_area"], name="agencyrole_unique")]
        indexes = [models.Index(fields=["response_area", "capacity"], name="agencyrole_area_capacity_idx")]

    def __str__(self) -> str:
        return f"{self.agency} — {self.response_area}"

    @property
    def is_stale(self) -> bool:
        return self.confirmed_at is None or self.confirmed_at < timezone.now() - STALE_AFTER

    @property
    def covers(self) -> bool:
        """Whether the role counts toward covering its area (paused roles do not)."""
        return self.capacity != self.Capacity.PAUSED

    @property
    def numbers(self) -> str:
        """Its lines in a sentence, for e-mails: "Business hours (530) 555-0100, After hours …"."""
        return ", ".join(f"{line.label} {line.number}" for line in self.lines.all())


# A number as people write it: digits, spaces, ( ) - . and a leading +, then
# maybe an extension ("ext. 12", "x 12").
PHONE = re.compile(r"(?P<main>\+?[0-9(][0-9 ().\-]*[0-9])(?:\s*(?:ext\.?|x)\s*(?P<extension>[0-9]{1,6}))?", re.I)


def is_dialable(number: str) -> bool:
    """Whether the whole of it is one number a phone can dial (three digits at least)."""
    found = PHONE.fullmatch(number.strip())
    return bool(found) and len(re.sub(r"\D", "", found["main"])) >= 3


class ContactLine(models.Model):
    """One way to reach an agency for a role: the business-hours line, the
    after-hours line, a text line. A role's lines are shown in their order,
    each a tap to call (and, for a text line, a tap to text)."""

    role = models.ForeignKey(AgencyRole, on_delete=models.CASCADE, related_name="lines")
    label = models.CharField(max_length=80, help_text="For example Business hours, After hours, 24-hour crisis line.")
    label_es = models.CharField("label in Spanish", max_length=80, blank=True)
    # Checked by the role's form as it is written (a number from before lines were
    # records is kept as it was, and shown without a link if it cannot be dialled).
    number = models.CharField(max_length=40)
    hours = models.CharField(max_length=150, blank=True, help_text="For example Mon–Fri 8:00–17:00.")
    hours_es = models.CharField(
        "hours in Spanish", max_length=150, blank=True, help_text="For example lun–vie 8:00–17:00."
    )
    available_24_7 = models.BooleanField("answers 24/7", default=False)
    takes_texts = models.BooleanField("takes text messages", default=False)
    position = models.PositiveSmallIntegerField("order", default=0, help_text="Lines are shown lowest first.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.number}"

    @property
    def dial(self) -> str:
        """The number for a tel:/sms: link: its digits, a leading + kept, an
        extension after a pause (the comma dialers understand)."""
        return dial_string(self.number)


def dial_string(number: str) -> str:
    """The first number written, for a tel:/sms: link, or "" when it holds
    none: (530) 555-0100 ext. 12 -> 5305550100,12; +1 888 373 7888 ->
    +18883737888; "530-555-0100 fax 530-555-0101" -> 5305550100."""
    found = PHONE.match(number.strip())
    digits = re.sub(r"\D", "", found["main"]) if found else ""
    if len(digits) < 3:
        return ""
    prefix = "+" if found["main"].startswith("+") else ""
    return prefix + digits + (f",{found['extension']}" if found["extension"] else "")


class JoinRequest(models.Model):
    """A coalition asks an agency that already sits at another coalition's table
    to join it too. The agency decides: until one of its own representatives
    (or someone who organizes every coalition it belongs to) accepts, the asking
    coalition sees nothing of the agency but its name and this request."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting the agency's answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="join_requests")
    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="join_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    membership_status = models.CharField(
        "status on joining", max_length=20, choices=Membership.Status.choices, default=Membership.Status.ACTIVE
    )
    joined_on = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "coalition"],
                condition=models.Q(status="pending"),
                name="joinrequest_one_pending",
            )
        ]
        indexes = [models.Index(fields=["agency", "status"], name="joinrequest_agency_status_idx")]

    def __str__(self) -> str:
        return f"{self.coalition} asks {self.agency} to join"
