import django_tables2 as tables
from django.template.loader import render_to_string

from .models import Notification


class NotificationTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="Queued", format="M j, Y H:i")
    kind = tables.Column()
    email = tables.Column(verbose_name="To")
    status = tables.Column()
    attempts = tables.Column()
    sent_at = tables.DateTimeColumn(verbose_name="Sent", format="M j, Y H:i")
    last_error = tables.Column(verbose_name="Last error", orderable=False)
    resend = tables.Column(empty_values=(), orderable=False, verbose_name="")

    class Meta:
        model = Notification
        fields = ["created_at", "kind", "email", "status", "attempts", "sent_at", "last_error"]
        order_by = "-created_at"
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "Nothing sent yet."

    def render_resend(self, record):
        if record.status != Notification.Status.FAILED:
            return ""
        return render_to_string("coordination/_resend.html", {"record": record, "request": self.request})
