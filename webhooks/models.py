"""Webhooks: a coalition's endpoints, what happened, and each delivery of it.

An event is recorded once, in the transaction of the change it tells of; a
delivery is one (endpoint, event) pair, unique, so an event reaches an
endpoint once however often it is recorded or swept. Deliveries follow the
notification ledger's ways: claimed by one worker before it sends, retried
with backoff, released when their worker died, failed when retries are spent,
and sent again only when an organizer asks."""

import base64
import secrets
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from coordination.events import NAMES

EVENT_CHOICES = [(name, name) for name in NAMES]


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    """An address of a coalition's that hears the events it chose."""

    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text="Where Roundtable POSTs each event, e.g. https://hooks.example.org/roundtable.",
    )
    description = models.CharField(max_length=200, blank=True, help_text="What listens there, e.g. “County dashboard”.")
    events = models.JSONField(default=list, help_text="The names of the events it hears.")
    secret = models.CharField(max_length=60, default=new_secret)
    is_active = models.BooleanField("active", default=True)
    failures = models.PositiveIntegerField(default=0, help_text="Tries that failed in a row since the last success.")
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["url", "pk"]
        indexes = [models.Index(fields=["coalition", "is_active"], name="webhook_coalition_idx")]

    def __str__(self) -> str:
        return self.description or self.url

    def get_absolute_url(self) -> str:
        return reverse("webhook", args=[self.coalition.slug, self.pk])

    @property
    def state(self) -> str:
        if self.is_active:
            return "active"
        return "disabled after failures" if self.disabled_at else "paused"


class WebhookEvent(models.Model):
    """Something that happened, and the thing it tells of. Its uid is
    the webhook-id header: the same on every try and every redelivery, so a
    receiver can tell a message it has already had."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    coalition = models.ForeignKey("coordination.Coalition", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=20, blank=True, help_text="What it tells of: meeting, item, role...")
    subject_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(
        help_text="The envelope (type, timestamp, coalition); its data is read afresh at each send, so no text "
        "is copied here and a later restriction or redaction holds."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.message_id}"

    @property
    def message_id(self) -> str:
        return f"msg_{self.uid.hex}"


class WebhookDelivery(models.Model):
    """One event owed to one endpoint, and how its tries went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When last handed to the broker.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    tries = models.JSONField(default=list, help_text="The last tries: when, the answer's code, the error, how long.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"
