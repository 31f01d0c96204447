import django_tables2 as tables
from django.template.loader import render_to_string

from coordination.tables import Table

from .models import ApiToken


class TokenTable(Table):
    """Tokens, newest first; the person's own page leaves out the person column."""

    name = tables.Column()
    user = tables.Column(verbose_name="Person", accessor="user__full_name", order_by=("user__full_name",))
    scope = tables.Column()
    prefix = tables.Column(verbose_name="Starts with", orderable=False)
    created_at = tables.DateTimeColumn(verbose_name="Made", format="M j, Y")
    expires_at = tables.DateTimeColumn(verbose_name="Expires", format="M j, Y")
    last_used_at = tables.DateTimeColumn(verbose_name="Last used", format="M j, Y H:i", default="Never")
    state = tables.Column(empty_values=(), orderable=False)
    revoke = tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)

    class Meta:
        model = ApiToken
        fields = ["name", "user", "scope", "prefix", "created_at", "expires_at", "last_used_at"]
        order_by = "-created_at"
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "No tokens."

    def __init__(self, *args, revoke_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.revoke_url = revoke_url

    def render_prefix(self, value):
        return f"{value}…"

    def render_state(self, record):
        return record.state.capitalize()

    def value_state(self, record):
        return record.state

    def render_revoke(self, record):
        if record.state != "active":
            return ""
        return render_to_string(
            "api/_revoke.html", {"token": record, "url": self.revoke_url(record)}, request=self.request
        )
