"""CSV and XLSX downloads of a table, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would run as a
formula in Excel or LibreOffice; in CSV it is prefixed with an apostrophe, in
XLSX it is written as a text cell, so a name like "=HYPERLINK(...)" shows as
the text it is.

A download of more than EXPORT_ASYNC_ROWS rows is written by a worker: the
request records an Export (the list's path and query) and answers with its
progress page; the worker replays that address as the person who asked, so
the file holds exactly the rows that person's list shows, checked as the
page checks them."""

import csv
import inspect
import logging
import secrets
import tempfile
from datetime import date, datetime, timedelta
from functools import partial, partialmethod
from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import DatabaseError, models, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django_htmx.middleware import HtmxDetails
from django_tables2.columns import Column, ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import A, signature
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from . import reauth, security_log
from .celery import app as celery_app
from .models import Coalition, Export
from .text import without_controls

log = logging.getLogger(__name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"csv", "xlsx"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, (int, float, date)):
        return value
    return without_controls(str(value))  # openpyxl refuses them, and no one can see them


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows):
    writer = csv.writer(_Line())
    yield "\ufeff"  # a byte-order mark, so Excel reads the file as UTF-8
    for row in rows:
        yield writer.writerow([neutralise(_plain(cell)) for cell in row])


def _xlsx_file(rows):
    """The rows in openpyxl's write-only mode (memory stays flat however many
    rows), saved to a temporary file that is deleted once sent."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_plain(value))
            if cell.data_type == "f":  # openpyxl took the text for a formula
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _written_file(rows, export_format: str):
    """The whole download in a temporary file, at its start."""
    if export_format == "xlsx":
        return _xlsx_file(rows)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    for line in _csv_lines(rows):
        handle.write(line.encode("utf-8"))
    handle.seek(0)
    return handle


def export_rows(rows, export_format: str, filename: str) -> HttpResponseBase:
    """`rows` is a header row followed by data rows, any iterable: a CSV is
    streamed as the rows come (constant memory), an XLSX written row by row."""
    if export_format == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type=CONTENT_TYPES["csv"])
    else:
        response = FileResponse(_xlsx_file(rows), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


# --- A table's rows, fast -------------------------------------------------------
#
# django-tables2's BoundRow.get_cell_value works out, for every cell, which
# arguments the column's value method takes (inspect.signature) and whether
# the field has choices: nearly half the time of a large export. The column's
# answers do not change from row to row, so _Cell asks once per column and
# then does, per cell, what get_cell_value does.

CELL_ARGUMENTS = {"value", "record", "column", "bound_column", "bound_row", "table"}


class _Cell:
    def __init__(self, table, bound_column):
        self.table = table
        self.bound_column = bound_column
        self.column = column = bound_column.column
        self.accessor = A(bound_column.accessor)
        path, _, self.remainder = self.accessor.rpartition(self.accessor.SEPARATOR)
        self.path = A(path)
        self.bits, self.path_bits = self.accessor.bits, self.path.bits
        self.empty_values = column.empty_values
        self.text_link = isinstance(column, BaseLinkColumn) and column.text is not None
        self.many = isinstance(column, ManyToManyColumn)
        self.choices: dict[type, bool] = {}  # record class -> does the accessor end on a field with choices?
        self.display_name = f"get_{self.remainder}_display"
        self.displays: dict[type, object] = {}  # the penultimate's class -> its get_<remainder>_display, made fast
        self.call, self.needs_row = self._caller(bound_column.value)

    def _caller(self, function):
        """(call(record, value, row), needs a BoundRow): `function` called with
        the arguments it names, as call_with_appropriate does."""
        column = self.column
        if getattr(function, "__func__", None) is Column.value and type(column).render is Column.render:
            return (lambda record, value, row: value), False  # the plain column's value is the value
        names, catch_all = signature(function)
        if not catch_all and not set(names) <= CELL_ARGUMENTS:
            return (lambda record, value, row: None), False  # call_with_appropriate would not call it
        constant = {"column": column, "bound_column": self.bound_column, "table": self.table}
        wanted = CELL_ARGUMENTS if catch_all else set(names)
        constant = {name: constant[name] for name in wanted & constant.keys()}
        takes_value, takes_record, takes_row = ("value" in wanted), ("record" in wanted), ("bound_row" in wanted)

        def call(record, value, row):
            arguments = dict(constant)
            if takes_value:
                arguments["value"] = value
            if takes_record:
                arguments["record"] = record
            if takes_row:
                arguments["bound_row"] = row
            return function(**arguments)

        return call, takes_row

    def _has_choices(self, record) -> bool:
        kind = type(record)
        if kind not in self.choices:
            self.choices[kind] = bool(getattr(self.accessor.get_field(record), "choices", ()))
        return self.choices[kind]

    def _fast_display(self, kind: type):
        """Django's get_<remainder>_display for objects of this class, or None
        when the model writes its own. Django's builds the field's choices into
        a dict on every call; this builds it once."""
        if kind not in self.displays:
            made = inspect.getattr_static(kind, self.display_name, None)
            self.displays[kind] = None
            if isinstance(made, partialmethod) and made.func is models.Model._get_FIELD_display:
                field = made.keywords["field"]
                choices = dict(make_hashable(field.flatchoices))

                def display(obj, attname=field.attname, choices=choices):
                    value = getattr(obj, attname)
                    return force_str(choices.get(make_hashable(value), value), strings_only=True)

                self.displays[kind] = display
        return self.displays[kind]

    def value(self, record, row):
        """BoundRow(record).get_cell_value(name), without asking the column again."""
        value = None
        remainder = self.remainder
        try:
            penultimate = _resolve(self.path, self.path_bits, record)
        except Exception:
            penultimate = None  # as Accessor.penultimate's quiet resolve
        if isinstance(penultimate, models.Model):
            fast = self._fast_display(type(penultimate))
            display = fast or getattr(penultimate, self.display_name, None)
            if display and self._has_choices(record):
                value = fast(penultimate) if fast else display()
                remainder = None
        if remainder:
            try:
                value = _resolve(self.accessor, self.bits, record)
            except Exception:
                if self.text_link:
                    return self.call(record, None, row)
        if value in self.empty_values or (self.many and not value.exists()):
            return None
        return self.call(record, value, row)


def _resolve(accessor: A, bits, context):
    """accessor.resolve(context), quicker along model instances: on one,
    Accessor tries `obj[bit]` first, which raises and is caught for every
    cell; getattr is what it comes to."""
    current = context
    for bit in bits:
        if not isinstance(current, models.Model) or hasattr(current, "__getitem__"):
            return accessor.resolve(context)  # anything else: the library's own way, from the start
        try:
            current = getattr(current, bit)
        except (TypeError, AttributeError):
            return accessor.resolve(context)  # raises as the library does
        if callable(current):
            if getattr(current, "alters_data", False):
                return accessor.resolve(context)
            if not getattr(current, "do_not_call_in_templates", False):
                current = current(*accessor.callable_args, **accessor.callable_kwargs)
        if current is None:
            break
    return current


def table_rows(table, chunk_size: int | None = None):
    """The table's header and every row of its data, in its order, like
    `table.as_values()` but read from the database in chunks (a server-side
    cursor on PostgreSQL) instead of all at once."""
    columns = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
    yield [force_str(column.header, strings_only=True) for column in columns]
    cells = [_Cell(table, column) for column in columns]
    needs_row = any(cell.needs_row for cell in cells)
    data = table.data.data
    chunk_size = chunk_size or settings.EXPORT_CHUNK_ROWS
    records = data.iterator(chunk_size=chunk_size) if isinstance(data, QuerySet) else data
    for record in records:
        row = BoundRow(record, table=table) if needs_row else None
        yield [force_str(cell.value(record, row), strings_only=True) for cell in cells]


def _count(table) -> int:
    data = table.data.data
    return data.count() if isinstance(data, QuerySet) else len(data)


def export_table(request, table, filename: str):
    """The whole filtered, sorted table as a download when the address asks
    for one (?_export=csv or xlsx); None otherwise. More rows than
    EXPORT_ASYNC_ROWS are written by a worker: the answer is its progress page."""
    from django_tables2 import RequestConfig

    export_format = request.GET.get("_export")
    if export_format not in FORMATS:
        return None
    replay = getattr(request, "export_replay", None)
    if replay is None and getattr(table, "contact_details", False) and not reauth.recent(request):
        return reauth.ask_again(request, request.get_full_path())
    RequestConfig(request, paginate=False).configure(table)
    if replay is not None:  # a worker writing an Export (see write_export)
        return replay(table)
    filename = f"{filename}-{timezone.localdate():%Y-%m-%d}"
    if getattr(table, "contact_details", False):
        _log_contact_export(request, export_format, filename, _count(table))
    total = _count(table)
    if total > settings.EXPORT_ASYNC_ROWS and (export := queue_export(request, export_format, filename, total)):
        response = HttpResponse(status=303)  # see the progress page, by GET
        response["Location"] = export.get_absolute_url()
        return response
    return export_rows(table_rows(table), export_format, filename)


def _log_contact_export(request, export_format: str, filename: str, total: int) -> None:
    slug = request.resolver_match.kwargs.get("coalition_slug") if request.resolver_match else None
    security_log.record(
        request,
        security_log.Kind.CONTACT_EXPORT,
        request.user,
        coalition=Coalition.objects.filter(slug=slug).first() if slug else None,
        detail=f"{filename}.{export_format}, {total} rows",
        notify=False,
    )


# --- Exports written by a worker -------------------------------------------------


def queue_export(request: HttpRequest, export_format: str, filename: str, total: int) -> Export | None:
    """An Export of the list at this address, queued for a worker once the
    request commits; None for a list outside a coalition (it stays synchronous)."""
    slug = request.resolver_match.kwargs.get("coalition_slug") if request.resolver_match else None
    coalition = Coalition.objects.filter(slug=slug).first() if slug else None
    if coalition is None:
        return None
    query = request.GET.urlencode()
    asked = {"coalition": coalition, "requested_by": request.user, "path": request.path, "query": query}
    # The same list asked for again (a second click) while it is being written: its page, not a second file.
    if waiting := Export.objects.filter(status__in=[Export.Status.QUEUED, Export.Status.RUNNING], **asked).first():
        return waiting
    export = Export.objects.create(
        **asked,
        format=export_format,
        filename=filename,
        rows_total=total,
        expires_at=timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    task = celery_app.tasks["coordination.write_export"]  # by name: the task module imports this one
    transaction.on_commit(lambda: task.delay(export_id=export.pk))
    return export


HIDDEN = "You can no longer see this list, so it was not exported."
FAILED = "Something went wrong while writing the file. Please export the list again."


class _Written(HttpResponse):
    """What the replayed view answers once the file is written."""


def write_export(export_id: int) -> str:
    """Claim the export and write its file, replaying the list's address as
    the person who asked. A second delivery of a finished export changes
    nothing; one of a running export (its worker died) writes it again."""
    Status = Export.Status
    claimed = Export.objects.filter(pk=export_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.RUNNING, rows_done=0, error=""
    )
    if not claimed:
        return "gone or finished"
    export = Export.objects.select_related("requested_by", "coalition").get(pk=export_id)
    try:
        response = _replay(export)
    except (Http404, PermissionDenied, Resolver404):
        return fail_export(export_id, HIDDEN)
    except DatabaseError:
        raise  # the task retries: the database may be back soon
    except Exception:
        log.exception("Export %s failed.", export_id)
        return fail_export(export_id, FAILED)
    if not isinstance(response, _Written):
        return fail_export(export_id, HIDDEN)
    return "done"


def fail_export(export_id: int, message: str) -> str:
    Export.objects.filter(pk=export_id).update(status=Export.Status.FAILED, error=message, finished_at=timezone.now())
    return "failed"


def _replay(export: Export) -> HttpResponseBase:
    user = export.requested_by
    if not user.is_active:
        raise PermissionDenied
    return replay_list(user, export.path, export.query, partial(_write_file, export))


def replay_list(user, path: str, query: str, replay) -> HttpResponseBase:
    """Call the list view at `path` as `user` with `query` (which asks for an
    export): the view checks access and filters as for a request of theirs,
    then hands its configured table to `replay(table)` and answers what it does."""
    match = resolve(path)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.META = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "SERVER_NAME": "worker", "SERVER_PORT": "80"}
    request.GET = QueryDict(query)
    request.user = user
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()  # never saved
    request.resolver_match = match
    request.htmx = HtmxDetails(request)  # as the middleware sets it: not an htmx request
    request.export_replay = replay
    return match.func(request, *match.args, **match.kwargs)


def _write_file(export: Export, table) -> _Written:
    Export.objects.filter(pk=export.pk).update(rows_total=_count(table))
    progress = _Progress(export.pk)
    with _written_file(progress.count(table_rows(table)), export.format) as handle:
        export.file.save(f"{export.pk}-{secrets.token_hex(8)}.{export.format}", File(handle), save=False)
    now = timezone.now()
    kept = Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE,
        file=export.file.name,
        rows_done=progress.done,
        rows_total=progress.done,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    if not kept:  # the row was deleted while the file was written (its words removed): no file without a row
        export.file.storage.delete(export.file.name)
    return _Written(status=204)


class _Progress:
    """Counts the data rows as they pass, one UPDATE every EXPORT_CHUNK_ROWS."""

    def __init__(self, export_id: int):
        self.export_id = export_id
        self.done = 0

    def count(self, rows):
        rows = iter(rows)
        yield next(rows)  # the header
        every = settings.EXPORT_CHUNK_ROWS
        for row in rows:
            yield row
            self.done += 1
            if self.done % every == 0:
                Export.objects.filter(pk=self.export_id).update(rows_done=self.done)


def delete_expired_exports() -> int:
    """Delete the exports past their time (their files go with them); how many."""
    return Export.objects.filter(expires_at__lte=timezone.now()).delete()[0]


@receiver(post_delete, sender=Export)
def _delete_file(sender, instance: Export, **kwargs) -> None:
    """An export's file goes with its row however the row goes (expired, its
    person or coalition deleted), once the deletion is committed."""
    if instance.file.name:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
