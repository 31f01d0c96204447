import django_tables2 as tables
from django.utils.html import format_html

from coordination.tables import Table

from .models import Activity


class ActivityTable(Table):
    held_on = tables.DateColumn(verbose_name="Date", format="M j, Y", attrs={"td": {"class": "text-nowrap"}})
    title = tables.Column(verbose_name="Activity")
    kind = tables.Column()
    audience = tables.Column(verbose_name="Audience")
    presenting_agency = tables.Column(verbose_name="Presented by", default="The coalition, together")
    people_reached = tables.Column(
        verbose_name="People", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    is_public = tables.BooleanColumn(verbose_name="Public", yesno="Listed,–")
    edit = tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)

    class Meta:
        model = Activity
        fields = ["held_on", "title", "kind", "audience", "presenting_agency", "people_reached", "is_public"]
        order_by = "-held_on"
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No activities recorded yet."

    def render_edit(self, record):
        if not self.request.user.has_perm("reports.change_activity", record):
            return ""
        return format_html(
            '<a href="{}">Edit<span class="visually-hidden"> {}</span></a>', record.get_absolute_url(), record.title
        )
