import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from coordination.tables import Table

from .models import WebhookDelivery, WebhookEndpoint


class EndpointTable(Table):
    url = tables.Column(verbose_name="Address", linkify=lambda record: record.get_absolute_url())
    description = tables.Column(verbose_name="Name")
    events = tables.Column(orderable=False)
    is_active = tables.Column(verbose_name="State")
    failures = tables.Column(verbose_name="Failed in a row")
    created_at = tables.DateTimeColumn(verbose_name="Added", format="M j, Y")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active", "failures", "created_at"]
        order_by = "url"
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "No endpoints yet: add one to send events to another system."

    def render_events(self, value):
        return ", ".join(value) if value else "None"

    def value_events(self, value):
        return " ".join(value)

    def render_is_active(self, record):
        badge = "text-bg-success" if record.is_active else "text-bg-danger" if record.disabled_at else "text-bg-light"
        return format_html('<span class="badge {}">{}</span>', badge, record.state.capitalize())

    def value_is_active(self, record):
        return record.state


class DeliveryTable(Table):
    created_at = tables.DateTimeColumn(verbose_name="Event at", format="M j, Y H:i:s")
    event = tables.Column(verbose_name="Event", accessor="event__name", order_by=("event__name",))
    message_id = tables.Column(verbose_name="webhook-id", accessor="event__message_id", orderable=False)
    status = tables.Column()
    attempts = tables.Column(verbose_name="Tries")
    response_code = tables.Column(verbose_name="Answer", default="—")
    last_attempt_at = tables.DateTimeColumn(verbose_name="Last try", format="M j, Y H:i:s", default="—")
    next_attempt_at = tables.DateTimeColumn(verbose_name="Next try", format="M j, Y H:i:s")
    last_error = tables.Column(verbose_name="Last error", orderable=False)
    redeliver = tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "created_at",
            "event",
            "message_id",
            "status",
            "attempts",
            "response_code",
            "last_attempt_at",
            "next_attempt_at",
            "last_error",
        ]
        order_by = "-created_at"
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "Nothing sent to this endpoint yet."

    BADGES = {
        WebhookDelivery.Status.DELIVERED: "text-bg-success",
        WebhookDelivery.Status.FAILED: "text-bg-danger",
        WebhookDelivery.Status.PENDING: "text-bg-warning",
    }

    def __init__(self, *args, redeliver_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.redeliver_url = redeliver_url

    def render_status(self, record):
        badge = self.BADGES.get(record.status, "text-bg-light border")
        return format_html('<span class="badge {}">{}</span>', badge, record.get_status_display())

    def value_status(self, record):
        return record.status

    def render_next_attempt_at(self, record, value):
        if record.status != WebhookDelivery.Status.PENDING:
            return "—"
        return date_format(timezone.localtime(value), "M j, Y H:i:s")

    def value_next_attempt_at(self, record, value):
        return value.isoformat() if record.status == WebhookDelivery.Status.PENDING else ""

    def render_redeliver(self, record):
        if record.status not in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED):
            return ""
        return render_to_string("webhooks/_redeliver.html", {"url": self.redeliver_url(record)}, request=self.request)
