"""A download of more than EXPORT_ASYNC_ROWS rows is written by a real Celery
worker on real Redis: the list answers with a progress page, the page shows
the rows written and then a link, and the file holds what the synchronous
download holds. Only the person who asked sees it; after EXPORT_KEEP_HOURS it
is gone (410) and the hourly sweep deletes the file and the row."""

import csv
import io
import re
import tracemalloc
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination import exports
from coordination.models import CoalitionRole, Export
from coordination.tasks import delete_expired_exports
from tasks.models import ActionItem

from ..conftest import free_port, running_worker, wait_for
from ..factories import AgencyFactory, CoalitionRoleFactory, MembershipFactory
from ..helpers import downloaded

ROWS = 300


@pytest.fixture(scope="module")
def export_worker(django_db_setup, redis_url, tmp_path_factory):
    """A real worker whose MEDIA_ROOT (under its VAR_DIR) the test shares."""
    var = tmp_path_factory.mktemp("export-var")
    with running_worker(redis_url, free_port(), var, VAR_DIR=str(var)) as worker:
        worker.media = var / "media"
        yield worker


@pytest.fixture
def big_list(world, settings, export_worker):
    """The home coalition's action list, longer than a synchronous download."""
    settings.MEDIA_ROOT = export_worker.media
    settings.EXPORT_ASYNC_ROWS = ROWS // 3
    ActionItem.objects.bulk_create(
        ActionItem(
            coalition=world.home,
            title=f"=Item {i:04d}" if i % 50 == 0 else f'Item {i:04d}, "quoted"',
            owner_agency=world.member_agency,
            due_on=timezone.localdate() + timedelta(days=i % 90 - 30),
            status=ActionItem.Status.BLOCKED if i % 7 == 0 else ActionItem.Status.OPEN,
        )
        for i in range(ROWS)
    )
    return reverse("action_list", args=[world.home.slug])


def finished(export_id: int, log):
    def written():
        export = Export.objects.get(pk=export_id)
        return export if export.status in {Export.Status.DONE, Export.Status.FAILED} else None

    return wait_for(written, log=log)


def synchronous(client, url: str, query: dict, settings) -> bytes:
    previous, settings.EXPORT_ASYNC_ROWS = settings.EXPORT_ASYNC_ROWS, ROWS * 10
    try:
        response = client.get(url, query)
        assert "attachment" in response["Content-Disposition"]
        return downloaded(response)
    finally:
        settings.EXPORT_ASYNC_ROWS = previous


def export_of(response) -> Export:
    assert response.status_code == 303
    return Export.objects.get(pk=int(re.search(r"/exports/(\d+)/$", response["Location"]).group(1)))


pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.worker
def test_a_big_csv_is_written_by_the_worker_and_downloads_as_the_synchronous_one(
    world, big_list, settings, export_worker
):
    client = world.client_for(world.organizer)
    query = {"_export": "csv", "status": "blocked", "sort": "-due_on"}
    settings.EXPORT_ASYNC_ROWS = 10  # the blocked items alone are more than that
    response = client.get(big_list, query)
    export = export_of(response)
    assert (export.requested_by, export.format, export.rows_total) == (world.organizer, "csv", 43)
    page = client.get(response["Location"])
    assert "rows written" in page.content.decode() and 'hx-trigger="every 2s"' in page.content.decode()

    export = finished(export.pk, export_worker.log_path)
    assert export.status == Export.Status.DONE, export.error
    progress = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "43 rows written" in progress and "every 2s" not in progress and "<html" not in progress
    download = reverse("export_download", args=[world.home.slug, export.pk])
    assert download in progress

    file = client.get(download)
    assert file["Content-Disposition"].startswith('attachment; filename="shasta-test-actions-')
    body = downloaded(file)
    assert body == synchronous(client, big_list, query, settings)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 44 and {row[4] for row in rows[1:]} == {"Blocked"}
    assert [row[0] for row in rows if row[0].startswith("'=")]  # formulas neutralised, as the sync file


@pytest.mark.worker
def test_a_big_xlsx_is_written_by_the_worker_with_the_synchronous_cells(world, big_list, settings, export_worker):
    client = world.client_for(world.lead)
    export = export_of(client.get(big_list, {"_export": "xlsx"}))
    export = finished(export.pk, export_worker.log_path)
    assert (export.status, export.rows_done) == (Export.Status.DONE, ROWS)
    file = client.get(reverse("export_download", args=[world.home.slug, export.pk]))
    assert file["Content-Type"].startswith("application/vnd.openxmlformats")

    def cells(body: bytes):
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]

    written = cells(downloaded(file))
    assert len(written) == ROWS + 1
    assert written == cells(synchronous(client, big_list, {"_export": "xlsx"}, settings))


@pytest.mark.worker
def test_only_the_person_who_asked_sees_the_export_and_it_expires(world, big_list, settings, export_worker):
    client = world.client_for(world.organizer)
    export = finished(export_of(client.get(big_list, {"_export": "csv"})).pk, export_worker.log_path)
    pages = [
        reverse("export", args=[world.home.slug, export.pk]),
        reverse("export_download", args=[world.home.slug, export.pk]),
    ]
    other_organizer = CoalitionRoleFactory(coalition=world.home, role=CoalitionRole.Role.ORGANIZER).user
    for user in (world.lead, world.member, other_organizer):
        assert [world.client_for(user).get(page).status_code for page in pages] == [404, 404]
    assert client.get(pages[1]).status_code == 200

    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    gone = client.get(pages[1])
    assert gone.status_code == 410 and "Export the list again" in gone.content.decode()
    assert "expired" in client.get(pages[0]).content.decode()
    path = export.file.path
    assert export.file.storage.exists(export.file.name)

    delete_expired_exports.delay()
    wait_for(lambda: not Export.objects.filter(pk=export.pk).exists(), log=export_worker.log_path)
    assert not export.file.storage.exists(export.file.name), path
    assert client.get(pages[1]).status_code == 404


def test_a_small_export_stays_synchronous(world, settings):
    settings.EXPORT_ASYNC_ROWS = 5
    ActionItem.objects.create(coalition=world.home, title="Only one", owner_agency=world.member_agency)
    response = world.client_for(world.organizer).get(reverse("action_list", args=[world.home.slug]), {"_export": "csv"})
    assert response.status_code == 200 and b"Only one" in downloaded(response)
    assert not Export.objects.exists()


def queued(world, user, settings, count: int = 12) -> Export:
    """An export asked for by `user` and queued (tasks run inline here, so it is written at once)."""
    settings.EXPORT_ASYNC_ROWS = 5
    ActionItem.objects.bulk_create(
        ActionItem(coalition=world.home, title=f"Item {i}", owner_agency=world.member_agency) for i in range(count)
    )
    response = world.client_for(user).get(
        reverse("action_list", args=[world.home.slug]), {"_export": "csv", "scope": "all"}
    )
    return Export.objects.get(pk=export_of(response).pk)


def asked(world, user) -> Export:
    """An export of the home coalition's whole action list, not yet written."""
    return Export.objects.create(
        coalition=world.home,
        requested_by=user,
        format="csv",
        filename="shasta-test-actions",
        path=reverse("action_list", args=[world.home.slug]),
        query="_export=csv&scope=all",
        expires_at=timezone.now() + timedelta(hours=1),
    )


def test_asking_again_while_it_is_being_written_shows_the_same_export(world, settings):
    settings.EXPORT_ASYNC_ROWS = 5
    ActionItem.objects.bulk_create(
        ActionItem(coalition=world.home, title=f"Item {i}", owner_agency=world.member_agency) for i in range(8)
    )
    client = world.client_for(world.organizer)
    url = reverse("action_list", args=[world.home.slug])
    with transaction.atomic():  # the task is queued after commit: both clicks come before it runs
        first = export_of(client.get(url, {"_export": "csv"}))
        again = export_of(client.get(url, {"_export": "csv"}))
        other = export_of(client.get(url, {"_export": "xlsx"}))
    assert first == again != other
    assert Export.objects.filter(status=Export.Status.DONE).count() == 2


def test_an_export_fails_with_a_message_when_its_person_can_no_longer_see_the_list(world, settings):
    role = CoalitionRole.objects.get(user=world.lead, coalition=world.home)
    export = asked(world, world.lead)
    role.delete()
    assert exports.write_export(export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    CoalitionRoleFactory(coalition=world.home, user=world.lead, role=CoalitionRole.Role.LEAD)
    page = world.client_for(world.lead).get(export.get_absolute_url()).content.decode()
    assert "The export failed. You can no longer see this list" in page
    assert exports.write_export(export.pk) == "gone or finished"  # a second delivery changes nothing


def test_the_worker_writes_the_rows_the_member_sees_not_the_organizers(world, settings):
    other = AgencyFactory(name="Another agency")
    MembershipFactory(agency=other, coalition=world.home)
    ActionItem.objects.create(coalition=world.home, title="Another agency's", owner_agency=other)
    export = queued(world, world.member, settings)
    body = open(export.file.path, "rb").read().decode("utf-8-sig")  # noqa: SIM115
    assert export.status == Export.Status.DONE and export.rows_done == 12
    assert "Another agency's" not in body


def test_progress_is_written_every_chunk_of_rows_in_one_update(world, settings):
    settings.EXPORT_CHUNK_ROWS = 5
    with CaptureQueriesContext(connection) as captured:
        export = queued(world, world.organizer, settings, count=12)
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "coordination_export"')]
    progress = [sql for sql in updates if '"rows_done" = 5' in sql or '"rows_done" = 10' in sql]
    assert len(progress) == 2, updates
    assert (export.rows_done, export.rows_total, export.status) == (12, 12, Export.Status.DONE)


def peak_while_writing(world, settings, rows: int) -> int:
    ActionItem.objects.bulk_create(
        ActionItem(coalition=world.home, title=f"Item {i:05d} " + "x" * 120, owner_agency=world.member_agency)
        for i in range(rows - ActionItem.objects.count())
    )
    export = asked(world, world.organizer)
    tracemalloc.start()
    assert exports.write_export(export.pk) == "done"
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    export.refresh_from_db()
    assert export.rows_done == rows
    return peak


def test_a_csv_written_by_the_worker_keeps_its_memory_flat(world, settings):
    settings.EXPORT_CHUNK_ROWS = 500
    small = peak_while_writing(world, settings, 2000)
    large = peak_while_writing(world, settings, 20000)
    assert large < 1.5 * small, f"{large} bytes for 20,000 rows against {small} for 2,000"


def test_an_exports_file_goes_with_its_row_when_the_person_who_asked_is_deleted(
    world, settings, django_capture_on_commit_callbacks
):
    export = queued(world, world.organizer, settings)
    assert export.status == Export.Status.DONE and export.file.storage.exists(export.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        world.organizer.delete()
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not export.file.storage.exists(export.file.name)


def test_an_export_no_worker_has_started_says_so_and_keeps_checking(world):
    export = asked(world, world.organizer)
    client = world.client_for(world.organizer)
    page = reverse("export", args=[world.home.slug, export.pk])
    fresh = client.get(page).content.decode()
    assert "Waiting for a worker" in fresh and "seems to be down" not in fresh
    Export.objects.filter(pk=export.pk).update(created_at=timezone.now() - Export.WAIT_WARNING - timedelta(seconds=1))
    late = client.get(page, headers={"HX-Request": "true"}).content.decode()
    assert "background worker seems to be down" in late and 'hx-trigger="every 2s"' in late
