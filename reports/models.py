"""Activities: the trainings, community education sessions and awareness
events a coalition and its agencies give, counted in the reports."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coordination import access
from coordination.models import Coalition


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActivityQuerySet":
        return self.filter(coalition_id__in=access.standing(user).coalitions)

    def trainings(self) -> "ActivityQuerySet":
        return self.filter(kind__in=Activity.TRAINING_KINDS)

    def community(self) -> "ActivityQuerySet":
        return self.filter(kind__in=Activity.COMMUNITY_KINDS)

    def upcoming_public(self, coalition, today=None) -> "ActivityQuerySet":
        return self.filter(coalition=coalition, is_public=True, held_on__gte=today or timezone.localdate()).order_by(
            "held_on", "start_time", "pk"
        )


class Activity(models.Model):
    """A training, community education session or awareness event the
    coalition or one of its agencies gave. Professional trainings (people
    trained) and community events (people reached) are counted apart."""

    class Kind(models.TextChoices):
        PROFESSIONAL_TRAINING = "training", _("Professional training")
        TRAIN_THE_TRAINER = "train_trainer", _("Train-the-trainer")
        COMMUNITY_EDUCATION = "community_education", _("Community education")
        AWARENESS_EVENT = "awareness", _("Awareness event")

    class Audience(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        PROSECUTION_COURTS = "justice", _("Prosecution and courts")
        CHILD_WELFARE = "child_welfare", _("Child welfare and social services")
        VICTIM_SERVICES = "victim_services", _("Victim services and shelters")
        HEALTH_CARE = "health_care", _("Health and behavioural health")
        EDUCATION = "education", _("Schools and educators")
        STUDENTS = "students", _("Students and youth")
        PARENTS = "parents", _("Parents and caregivers")
        FAITH = "faith", _("Faith communities")
        BUSINESS = "business", _("Businesses (hotels, transport, retail)")
        TRIBAL = "tribal", _("Tribal communities")
        GENERAL_PUBLIC = "public", _("General public")
        MIXED = "mixed", _("Mixed professional audience")

    TRAINING_KINDS = (Kind.PROFESSIONAL_TRAINING, Kind.TRAIN_THE_TRAINER)
    COMMUNITY_KINDS = (Kind.COMMUNITY_EDUCATION, Kind.AWARENESS_EVENT)

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(max_length=200, help_text="For example “Recognising trafficking: hotel staff”.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    held_on = models.DateField("date")
    start_time = models.TimeField(null=True, blank=True, help_text="Shown on the public page for public events.")
    place = models.CharField(max_length=300, blank=True)
    audience = models.CharField("audience sector", max_length=20, choices=Audience.choices)
    presenting_agency = models.ForeignKey(
        "members.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text="Leave empty when the coalition presented it together.",
    )
    people_reached = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many people took part (trained, or reached). Fill in after it is held."
    )
    is_public = models.BooleanField(
        "announce on the public page",
        default=False,
        help_text="Upcoming public events are listed on the coalition's public page.",
    )
    notes = models.TextField(
        blank=True, max_length=settings.TEXT_MAX, help_text="For members only. No victim-identifying details."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The tables keep the names they had when activities lived in coordination.
    history = HistoricalRecords(table_name="coordination_historicalactivity")
    objects = ActivityQuerySet.as_manager()

    class Meta:
        db_table = "coordination_activity"
        ordering = ["-held_on", "-pk"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["coalition", "held_on"], name="activity_date_idx"),
            models.Index(fields=["coalition", "kind", "held_on"], name="activity_kind_idx"),
            models.Index(fields=["coalition", "is_public", "held_on"], name="activity_public_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activity_edit", args=[self.coalition.slug, self.pk])

    @property
    def is_training(self) -> bool:
        return self.kind in self.TRAINING_KINDS
