"""The public face's own records: the steps of the "report trafficking" guide
and the messages the public sends through the contact form."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language_info
from simple_history.models import HistoricalRecords

from coordination.models import Coalition
from members.models import AgencyRole


class GuideStep(models.Model):
    """One step of the coalition's public "report trafficking" guide. The
    numbers shown come from the public roles of agencies in its response
    areas, kept current by those agencies."""

    class Situation(models.TextChoices):
        DANGER = "danger", "In immediate danger"
        INJURIES = "injuries", "Has injuries"
        HELP = "help", "Asks for help"
        UNSURE = "unsure", "Unsure what is happening"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="guide_steps")
    position = models.PositiveSmallIntegerField(default=0)
    age = models.CharField(
        "for ages",
        max_length=10,
        choices=AgencyRole.Ages.choices,
        default=AgencyRole.Ages.ALL,
        help_text="Agencies whose roles serve only other ages are not listed in this step.",
    )
    situation = models.CharField(
        max_length=10,
        choices=Situation.choices,
        blank=True,
        help_text="In danger or with injuries, the step shows 911; asking for help or unsure, "
        "the national hotline. Each once.",
    )
    title = models.CharField(max_length=200, help_text="The situation, e.g. “The person is or looks under 18”.")
    body = models.TextField(max_length=settings.TEXT_MAX, help_text="What to do. Shown as written (line breaks kept).")
    title_es = models.CharField(
        "if…, in Spanish",
        max_length=200,
        blank=True,
        help_text="E.g. “La persona es o parece menor de 18 años”. Empty: the Spanish guide shows the English.",
    )
    body_es = models.TextField("what to do, in Spanish", max_length=settings.TEXT_MAX, blank=True)
    response_areas = models.ManyToManyField(
        "members.ResponseArea", blank=True, help_text="Public roles in these areas are listed with their numbers."
    )

    history = HistoricalRecords(m2m_fields=[response_areas])

    class Meta:
        db_table = "coordination_guidestep"  # the name it had in coordination
        ordering = ["coalition", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def calls_911(self) -> bool:
        return self.situation in (self.Situation.DANGER, self.Situation.INJURIES)

    @property
    def calls_hotline(self) -> bool:
        return self.situation in (self.Situation.HELP, self.Situation.UNSURE)

    def fits(self, role: AgencyRole) -> bool:
        """Whether an agency's public role belongs in this step: one of its
        areas, and ages the step is about."""
        ages = AgencyRole.Ages
        return role.response_area_id in self.area_ids and (self.age == ages.ALL or role.ages in (ages.ALL, self.age))

    @cached_property
    def area_ids(self) -> set[int]:
        """Its response areas' ids, read once (`areas` when prefetched, as the guide does)."""
        areas = self.areas if hasattr(self, "areas") else self.response_areas.all()
        return {area.pk for area in areas}


class Inquiry(models.Model):
    """A message from the public contact form, triaged by organizers and
    deleted after the retention period."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="inquiries")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    message = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=64, help_text="A keyed hash of the sender's address, for the rate limit.")
    language = models.CharField(
        max_length=10, choices=settings.LANGUAGES, default="en", help_text="The language the visitor wrote from."
    )

    class Meta:
        db_table = "coordination_inquiry"  # the name it had in coordination
        ordering = ["-created_at"]
        verbose_name_plural = "inquiries"
        indexes = [
            models.Index(fields=["source", "created_at"], name="inquiry_source_idx"),
            # The organizers' list of messages: a coalition's, newest first, of a status or all.
            models.Index(fields=["coalition", "-created_at"], name="inquiry_list_idx"),
            models.Index(fields=["coalition", "status", "-created_at"], name="inquiry_list_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Message from {self.name}"

    @property
    def language_name(self) -> str:
        """The language it was written from, named in English for the organizers: "Spanish"."""
        return get_language_info(self.language)["name"]
