"""CSV and XLSX downloads of a table, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would run as a
formula in Excel or LibreOffice; in CSV it is prefixed with an apostrophe, in
XLSX it is written as a text cell, so a name like "=HYPERLINK(...)" shows as
the text it is."""

import csv
import tempfile
from datetime import date, datetime

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.encoding import force_str
from django_tables2.rows import BoundRow
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .text import without_controls

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"csv", "xlsx"}


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


def export_rows(rows, export_format: str, filename: str) -> HttpResponseBase:
    """`rows` is a header row followed by data rows, any iterable: a CSV is
    streamed as the rows come (constant memory), an XLSX written row by row."""
    if export_format == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = FileResponse(
            _xlsx_file(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def table_rows(table, chunk_size: int | None = None):
    """The table's header and every row of its data, in its order, like
    `table.as_values()` but read from the database in chunks (a server-side
    cursor on PostgreSQL) instead of all at once."""
    columns = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
    yield [force_str(column.header, strings_only=True) for column in columns]
    data = table.data.data
    chunk_size = chunk_size or settings.EXPORT_CHUNK_ROWS
    records = data.iterator(chunk_size=chunk_size) if isinstance(data, QuerySet) else data
    for record in records:
        row = BoundRow(record, table=table)
        yield [force_str(row.get_cell_value(column.name), strings_only=True) for column in columns]


def export_table(request, table, filename: str):
    """The whole filtered, sorted table as a download when the address asks
    for one (?_export=csv or xlsx); None otherwise."""
    from django_tables2 import RequestConfig

    export_format = request.GET.get("_export")
    if export_format not in FORMATS:
        return None
    RequestConfig(request, paginate=False).configure(table)
    return export_rows(table_rows(table), export_format, f"{filename}-{timezone.localdate():%Y-%m-%d}")
