import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.text import Truncator

from .exports import export_table
from .models import Notification, SecurityEvent, StoredFinding

PER_PAGE = 50
MAX_PER_PAGE = 200


TIEBREAKERS = {"pk", "-pk", "id", "-id"}
# From this many rows in, a page is read in two steps (see Table.paginate).
DEEP_PAGE_ROWS = 2000


class Table(tables.Table):
    """Every table of Roundtable: a page size asked for in the address
    (?per_page=) is kept between 1 and MAX_PER_PAGE, so no value can break the
    paginator or ask for a million rows at once; and the rows' order is total
    (the primary key breaks ties), so a row sorted among equals (fifty items due
    the same day) is on one page only, never on two or none."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        per_page = min(max(per_page or PER_PAGE, 1), MAX_PER_PAGE)
        queryset = getattr(self.data, "data", None)
        if hasattr(queryset, "query"):
            ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
            if not TIEBREAKERS & {str(key) for key in ordering}:
                self.data.data = queryset.order_by(*ordering, "pk")
        super().paginate(paginator_class, per_page, page, *args, **kwargs)
        _read_deep_page_by_keys(self.page.object_list)


def _read_deep_page_by_keys(rows) -> None:
    """A deep page (page 3,000 of a coalition's items) read in one query makes
    the database join and sort every earlier row in full, only to skip them.
    Read its keys first, a narrow query over the same filters and order, then
    the page's rows by key: the same rows in the same order, a third of the time."""
    sliced = rows.data
    if not isinstance(sliced, QuerySet) or sliced.query.low_mark < DEEP_PAGE_ROWS:
        return
    keys = list(sliced.values_list("pk", flat=True))
    whole = sliced._chain()
    whole.query.clear_limits()
    found = {record.pk: record for record in whole.filter(pk__in=keys)}
    rows.data = [found[key] for key in keys if key in found]


def list_page(
    request: HttpRequest, table: tables.Table, *, export_name: str, template: str, partial: str, context: dict
) -> HttpResponse:
    """A filtered, sortable table page: the whole table as a download when the
    address asks for one (?_export=csv or xlsx), otherwise a page of rows; the
    filter form's htmx requests get the table partial alone."""
    if download := export_table(request, table, export_name):
        return download
    tables.RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, partial if request.htmx else template, {"table": table, **context})


class NotificationTable(Table):
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

    # A status's look: a failure stands out; a row told in the daily digest is
    # settled like a sent one, not an error.
    STATUS_BADGES = {
        Notification.Status.FAILED: "text-bg-danger",
        Notification.Status.SENT: "text-bg-success",
        Notification.Status.IN_DIGEST: "text-bg-info",
    }

    def render_status(self, record):
        badge = self.STATUS_BADGES.get(record.status, "text-bg-light border")
        return format_html('<span class="badge {}">{}</span>', badge, record.get_status_display())

    def render_resend(self, record):
        if record.status != Notification.Status.FAILED:
            return ""
        return render_to_string("coordination/_resend.html", {"record": record}, request=self.request)


class StoredFindingTable(Table):
    """The archive scan's findings; the words in context come from the rows
    of the page shown (`spots`, set by the view once the page is cut)."""

    found_at = tables.DateTimeColumn(
        verbose_name="Found",
        format="M j, Y",
        # a phone's screen keeps the words and the buttons
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}},
    )
    kind = tables.Column()
    where = tables.Column(empty_values=(), orderable=False, verbose_name="Where")
    words = tables.Column(empty_values=(), orderable=False, verbose_name="The text")
    status = tables.Column(verbose_name="State")
    act = tables.Column(empty_values=(), orderable=False, verbose_name="Review")

    class Meta:
        model = StoredFinding
        fields = ["found_at", "kind", "where", "words", "status", "act"]
        order_by = "-found_at"
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "Nothing to review."

    spots: dict = {}

    def render_where(self, record):
        spot = self.spots.get(record.pk)
        if spot is None or not spot.where:
            return "Deleted since"
        if not spot.url:
            return spot.where
        return format_html('<a href="{}">{}</a>', spot.url, spot.where)

    def render_words(self, record):
        spot = self.spots.get(record.pk)
        if spot is None or not spot.present:
            missing = (
                "In an earlier version, too far back to show here" if record.status == StoredFinding.Status.OPEN else ""
            )
            return format_html('<span class="text-body-secondary">{}</span>', missing or "No longer in the text")
        return format_html(
            '<span class="small">{}<mark><span class="visually-hidden">found: </span>{}</mark>{}</span>{}',
            spot.before,
            spot.words,
            spot.after,
            format_html('<br><span class="badge text-bg-light border">{}</span>', "in an earlier version")
            if spot.earlier
            else "",
        )

    def render_status(self, record):
        text = record.get_status_display()
        if record.resolved_at:
            who = record.resolved_by.full_name if record.resolved_by else "the scan"
            text = f"{text}: {who}, {record.resolved_at:%b %-d, %Y}"
        if record.reason:
            text = f"{text} ({record.reason})"
        return text

    def render_act(self, record):
        spot = self.spots.get(record.pk)
        if record.status != StoredFinding.Status.OPEN or spot is None:
            return ""
        return render_to_string(
            "coordination/_finding_actions.html", {"record": record, "spot": spot}, request=self.request
        )


WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


class SecurityEventTable(Table):
    """The security log, newest first; a download has every column. It holds
    people's addresses: its download asks for a recent sign-in and is logged."""

    contact_details = True

    at = tables.DateTimeColumn(verbose_name="When", format="M j, Y H:i")
    kind = tables.Column(verbose_name="What")
    user = tables.Column(verbose_name="Person", accessor="identifier", order_by=("identifier",))
    actor = tables.Column(verbose_name="By", accessor="actor__full_name", order_by=("actor__full_name",))
    # a phone's screen keeps when, what and who
    ip_address = tables.Column(verbose_name="Address", attrs=WIDE_ONLY)
    device = tables.Column(verbose_name="Browser", orderable=False, attrs=WIDE_ONLY)
    detail = tables.Column(orderable=False)

    class Meta:
        model = SecurityEvent
        fields = ["at", "kind", "user", "actor", "ip_address", "device", "detail"]
        order_by = "-at"
        attrs = {"class": "table table-sm align-middle small"}
        empty_text = "Nothing logged with these filters."

    def render_user(self, record, value):
        if record.user is not None and record.user.full_name:
            return f"{record.user.full_name} ({value})"
        return value

    def value_user(self, record, value):
        return self.render_user(record, value)

    def render_device(self, value):
        return Truncator(value).chars(60)

    def value_device(self, value):
        return value
