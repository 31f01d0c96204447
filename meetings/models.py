"""Meetings of a coalition or one of its committees."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from coordination import access


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingQuerySet":
        """Meetings of the user's coalitions; a committee's meetings only for
        those who may see the committee."""
        return self.filter(access.coalition_filter(user, prefix="coalition__")).filter(
            models.Q(committee__isnull=True) | access.committee_filter(user, prefix="committee__")
        )


class Meeting(models.Model):
    """One meeting: when and where, in the coalition's time zone, and how it went."""

    class Kind(models.TextChoices):
        GENERAL = "general", "General meeting"
        COMMITTEE = "committee", "Committee meeting"
        TRAINING = "training", "Training"
        CASE_REVIEW = "case_review", "Case review"
        SPECIAL = "special", "Special meeting"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="meetings")
    committee = models.ForeignKey(
        "coordination.Committee", on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True, help_text="Room and address.")
    video_url = models.URLField("video link", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField("reason for cancelling", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["coalition", "starts_at"], name="meeting_coalition_start_idx"),
            models.Index(fields=["committee", "starts_at"], name="meeting_committee_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.local_start:%b %-d, %Y})"

    def get_absolute_url(self) -> str:
        return reverse("meeting", args=[self.pk])

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})
        if self.committee_id and self.committee.coalition_id != self.coalition_id:
            raise ValidationError({"committee": "Choose a committee of this coalition."})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.coalition.time_zone)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self):
        return self.ends_at.astimezone(self.zone)
