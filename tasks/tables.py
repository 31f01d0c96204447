import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from coordination.tables import Table

from .models import ActionItem


class ActionItemTable(Table):
    title = tables.Column(linkify=True, verbose_name="Action")
    owner_agency = tables.Column(verbose_name="Agency", order_by="owner_agency__name")
    assignee = tables.Column(order_by="assignee__full_name")
    due_on = tables.DateColumn(verbose_name="Due", format="M j, Y", attrs={"td": {"class": "text-nowrap"}})
    status = tables.Column()
    priority = tables.Column()
    meeting = tables.Column(verbose_name="From meeting", order_by="meeting__starts_at")
    last_update_at = tables.DateColumn(
        verbose_name="Last update", format="M j, Y", attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta:
        model = ActionItem
        fields = ["title", "owner_agency", "assignee", "due_on", "status", "priority", "meeting", "last_update_at"]
        order_by = "due_on"
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No action items match these filters."

    def render_due_on(self, record, value):
        if value is None:
            return "—"
        days = record.days_overdue(timezone.localdate())
        if days:
            return format_html(
                '{} <span class="badge text-bg-danger">{} day{} overdue</span>',
                value.strftime("%b %-d, %Y"),
                days,
                "s" if days != 1 else "",
            )
        return value.strftime("%b %-d, %Y")

    def render_meeting(self, value):
        return value.local_start.strftime("%b %-d, %Y")

    def value_due_on(self, record):
        return record.due_on

    def value_meeting(self, record):
        return record.meeting.local_start.date() if record.meeting_id else ""

    def value_status(self, record):
        return record.get_status_display()

    def value_priority(self, record):
        return record.get_priority_display()
