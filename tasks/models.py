"""Action items: what came out of a meeting, who owns it, and what happened to it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coordination.models import committee_or_none_filter

from .rules import action_item_filter


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActionItemQuerySet":
        """Organizers and leads: all items of their coalitions. Agency members:
        their agency's items and their committees' items. Items of a
        committee the user may not see stay hidden from everyone else."""
        return self.filter(action_item_filter(user)).filter(committee_or_none_filter(user))

    def open(self) -> "ActionItemQuerySet":
        return self.filter(status__in=ActionItem.OPEN_STATUSES)

    def overdue(self, today=None) -> "ActionItemQuerySet":
        return self.open().filter(due_on__lt=today or timezone.localdate())


class ActionItem(models.Model):
    """Something an agency owes the coalition, from a meeting or on its own."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        BLOCKED = "blocked", "Blocked"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    class Priority(models.IntegerChoices):
        LOW = 1, "Low"
        NORMAL = 2, "Normal"
        HIGH = 3, "High"
        URGENT = 4, "Urgent"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.BLOCKED)
    CLOSED_STATUSES = (Status.DONE, Status.DROPPED)

    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="action_items")
    committee = models.ForeignKey(
        "coordination.Committee", on_delete=models.PROTECT, null=True, blank=True, related_name="action_items"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=settings.TEXT_MAX)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name="from meeting",
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    owner_agency = models.ForeignKey(
        "members.Agency", on_delete=models.PROTECT, related_name="action_items", verbose_name="owning agency"
    )
    assignee = models.ForeignKey("members.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    backup = models.ForeignKey("members.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    response_area = models.ForeignKey(
        "members.ResponseArea", on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    due_on = models.DateField("due", null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    status_reason = models.CharField("reason", max_length=300, blank=True, help_text="Why it is blocked or dropped.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    last_update_at = models.DateTimeField(default=timezone.now, help_text="When anyone last updated or commented.")

    history = HistoricalRecords()
    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["coalition", "status", "due_on"], name="action_status_due_idx"),
            models.Index(fields=["coalition", "due_on"], name="action_due_idx"),
            models.Index(fields=["coalition", "last_update_at"], name="action_last_update_idx"),
            models.Index(fields=["coalition", "priority"], name="action_priority_idx"),
            models.Index(fields=["coalition", "created_at"], name="action_created_idx"),
            models.Index(fields=["coalition", "title"], name="action_title_idx"),
            models.Index(fields=["owner_agency", "status"], name="action_agency_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def days_overdue(self, today=None) -> int:
        if not self.is_open or self.due_on is None:
            return 0
        return max(((today or timezone.localdate()) - self.due_on).days, 0)


class ActionUpdate(models.Model):
    """One entry of an item's log: who said what, when, and any change of status."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    old_status = models.CharField(max_length=12, choices=ActionItem.Status.choices, blank=True)
    new_status = models.CharField(max_length=12, choices=ActionItem.Status.choices, blank=True)
    comment = models.TextField(blank=True, max_length=settings.TEXT_MAX)
    changes = models.CharField(max_length=500, blank=True, help_text="What else changed, in words.")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Update of {self.item} by {self.author}"
