"""CSV and XLSX downloads of a table, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would run as a
formula in Excel or LibreOffice; in CSV it is prefixed with an apostrophe, in
XLSX it is written as a text cell, so a name like "=HYPERLINK(...)" shows as
the text it is."""

import csv
import io
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

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


def export_rows(rows, export_format: str, filename: str) -> HttpResponse:
    """`rows` is a header row followed by data rows (e.g. table.as_values())."""
    rows = [[_plain(cell) for cell in row] for row in rows]
    if export_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([neutralise(cell) for cell in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # openpyxl took the text for a formula
                    cell.data_type = "s"
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def export_table(request, table, filename: str):
    """The whole filtered, sorted table as a download when the address asks
    for one (?_export=csv or xlsx); None otherwise."""
    from django_tables2 import RequestConfig

    export_format = request.GET.get("_export")
    if export_format not in FORMATS:
        return None
    RequestConfig(request, paginate=False).configure(table)
    return export_rows(table.as_values(), export_format, f"{filename}-{timezone.localdate():%Y-%m-%d}")
