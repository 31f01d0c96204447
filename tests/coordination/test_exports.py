"""Downloads stream: a CSV is written row by row as the database hands the
rows over in chunks, so its memory stays flat however many rows it holds; an
XLSX is written in openpyxl's write-only mode."""

import csv
import io
import tracemalloc

import openpyxl
import pytest
from django.urls import reverse

from tasks.models import ActionItem

from ..helpers import downloaded

pytestmark = pytest.mark.django_db


def add_items(world, count: int) -> None:
    ActionItem.objects.bulk_create(
        ActionItem(coalition=world.home, title=f"Item {i:05d} " + "x" * 120, owner_agency=world.member_agency)
        for i in range(count)
    )


def peak_while_reading(response) -> tuple[int, int]:
    """Bytes allocated at most while the download is read chunk by chunk, and its rows."""
    rows = 0
    tracemalloc.start()
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, rows


def test_a_csv_download_streams_in_constant_memory(world, settings):
    settings.EXPORT_CHUNK_ROWS = 200
    client = world.client_for(world.organizer)
    url = reverse("action_list", args=[world.home.slug])
    # Both well above the rows the database hands over at a time.
    add_items(world, 1000)
    small, rows_small = peak_while_reading(client.get(url, {"_export": "csv"}))
    add_items(world, 2000)
    response = client.get(url, {"_export": "csv"})
    assert response.streaming
    large, rows_large = peak_while_reading(response)
    assert (rows_small, rows_large) == (1001, 3001)
    # Three times the rows; the memory of reading them all at once would grow as much.
    assert large < 1.5 * small, f"{large} bytes for 3000 rows against {small} for 1000"


def test_an_xlsx_download_holds_every_row_with_formulas_as_text(world):
    add_items(world, 3)
    ActionItem.objects.create(coalition=world.home, title="=SUM(A1:A2)", owner_agency=world.member_agency)
    client = world.client_for(world.organizer)
    response = client.get(reverse("action_list", args=[world.home.slug]), {"_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(downloaded(response))).active
    cells = {row[0].value: row[0].data_type for row in sheet.iter_rows(min_row=2)}
    assert cells["=SUM(A1:A2)"] == "s" and len(cells) == 4


def test_a_csv_download_opens_in_excel_as_utf8(world):
    ActionItem.objects.create(coalition=world.home, title="Café – señal", owner_agency=world.member_agency)
    client = world.client_for(world.organizer)
    body = downloaded(client.get(reverse("action_list", args=[world.home.slug]), {"_export": "csv"}))
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any("Café – señal" in row for row in rows)
