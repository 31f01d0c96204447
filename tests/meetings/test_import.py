"""`manage.py import_minutes` brings an existing archive in: all or nothing,
no duplicates the second time, nothing written on a dry run."""

import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from meetings.models import Attachment, Meeting, Minutes

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "sample_archive"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_minutes", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def local_dates() -> list[date]:
    return sorted(m.local_start.date() for m in Meeting.objects.all())


def test_the_sample_archive_imports_with_progress_and_its_originals(world):
    out, _ = run(str(SAMPLE), "--coalition", world.home.slug)
    assert "[1/4]" in out and "[4/4]" in out
    assert "Imported 4 file(s): 4 meeting(s) created, 4 minutes written, 4 original(s) kept." in out
    assert local_dates() == [date(2014, 3, 13), date(2014, 4, 10), date(2014, 5, 8), date(2014, 6, 12)]
    march = Minutes.objects.get(meeting__starts_at__month=3)
    assert "## Hotel outreach" in march.body and march.status == Minutes.Status.APPROVED
    april = Minutes.objects.get(meeting__starts_at__month=4)
    assert "six hotels in Redding" in april.body
    assert Attachment.objects.count() == 4
    assert {a.name for a in Attachment.objects.all()} == {p.name for p in SAMPLE.iterdir()}


def test_running_the_import_twice_creates_no_duplicates(world):
    run(str(SAMPLE), "--coalition", world.home.slug)
    out, _ = run(str(SAMPLE), "--coalition", world.home.slug)
    assert "0 meeting(s) created, 0 minutes written, 0 original(s) kept" in out
    assert Meeting.objects.count() == 4 and Attachment.objects.count() == 4


def test_a_dry_run_writes_nothing(world, settings):
    out, _ = run(str(SAMPLE), "--coalition", world.home.slug, "--dry-run")
    assert "Dry run, nothing written. Would import 4 file(s)" in out
    assert not Meeting.objects.exists() and not Attachment.objects.exists()
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_an_unreadable_file_is_reported_with_its_reason_and_nothing_is_written(world, tmp_path):
    folder = tmp_path / "archive"
    shutil.copytree(SAMPLE, folder)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "notes.txt").write_text("We met and talked.")
    (folder / "2015-01-08 broken.docx").write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="3 file\\(s\\) could not be read, so nothing was imported"):
        run(str(folder), "--coalition", world.home.slug)
    assert not Meeting.objects.exists()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_minutes", str(folder), "--coalition", world.home.slug, stdout=out, stderr=err)
    assert "Could not read photo.jpg: .jpg files are not minutes Roundtable can read" in err.getvalue()
    assert "Could not read notes.txt: no meeting date in the file name or its first lines" in err.getvalue()
    broken = "Could not read 2015-01-08 broken.docx: it is not a Word document: its content is something else"
    assert broken in err.getvalue()
    out, _ = run(str(folder), "--coalition", world.home.slug, "--skip-unreadable")
    assert "Imported 4 file(s)" in out


def test_import_keeps_minutes_already_written_in_roundtable(world):
    run(str(SAMPLE), "--coalition", world.home.slug)
    march = Minutes.objects.get(meeting__starts_at__month=3)
    march.body = "Rewritten by the organizer."
    march.save()
    out, _ = run(str(SAMPLE), "--coalition", world.home.slug)
    assert "kept the minutes written in Roundtable" in out
    march.refresh_from_db()
    assert march.body == "Rewritten by the organizer."


def test_unknown_coalition_is_named(world):
    with pytest.raises(CommandError, match=r"No coalition 'nowhere'\. Coalitions: "):
        run(str(SAMPLE), "--coalition", "nowhere")


def test_attachments_download_only_for_those_who_see_the_meeting(world):
    run(str(SAMPLE), "--coalition", world.home.slug)
    attachment = Attachment.objects.get(name="june-minutes.txt")
    response = world.client_for(world.member).get(reverse("attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content).startswith(b"Minutes of June 12, 2014")
    assert world.client_for(world.other_member).get(reverse("attachment", args=[attachment.pk])).status_code == 404


def test_organizer_attaches_a_file_within_the_limits(world, settings):
    settings.ATTACHMENT_MAX_MB = 1
    meeting = Meeting.objects.create(
        coalition=world.home, title="M", starts_at="2026-01-08T20:00Z", ends_at="2026-01-08T21:00Z"
    )
    client = world.client_for(world.organizer)
    url = reverse("attachment_upload", args=[meeting.pk])
    client.post(url, {"file": SimpleUploadedFile("agenda.pdf", b"%PDF-1.4 handout")})
    assert meeting.minutes.attachments.get().name == "agenda.pdf"
    response = client.post(url, {"file": SimpleUploadedFile("tool.exe", b"MZ")}, follow=True)
    assert "this kind of file cannot be attached" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("big.pdf", b"x" * (1024 * 1024 + 1))}, follow=True)
    assert "larger than 1 MB" in response.content.decode()
    assert meeting.minutes.attachments.count() == 1
    assert world.client_for(world.member).post(url, {"file": SimpleUploadedFile("a.pdf", b"x")}).status_code == 403


def test_a_file_with_a_very_long_name_is_attached_under_a_shortened_name(world):
    meeting = Meeting.objects.create(
        coalition=world.home, title="M", starts_at="2026-01-08T20:00Z", ends_at="2026-01-08T21:00Z"
    )
    long_name = "Quarterly report of the coalition " * 8 + "final.pdf"  # 281 characters
    client = world.client_for(world.organizer)
    response = client.post(
        reverse("attachment_upload", args=[meeting.pk]),
        {"file": SimpleUploadedFile(long_name, b"%PDF-1.4 the report")},
        follow=True,
    )
    assert response.status_code == 200
    attachment = meeting.minutes.attachments.get()
    assert attachment.name.startswith("Quarterly report of the coalition") and attachment.name.endswith(".pdf")
    assert len(attachment.name) <= 200
    download = client.get(reverse("attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the report"


def test_an_empty_a_too_large_or_a_too_long_file_is_refused_with_its_reason(world, tmp_path, settings):
    settings.ATTACHMENT_MAX_MB = 1
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "2015-01-08 minutes.txt").write_bytes(b"")
    (folder / "2015-02-12 minutes.txt").write_text("x" * (1024 * 1024 + 1))
    (folder / "2015-03-12 minutes.txt").write_text("a" * (settings.LONG_TEXT_MAX + 1))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="3 file\\(s\\) could not be read, so nothing was imported"):
        call_command("import_minutes", str(folder), "--coalition", world.home.slug, stdout=out, stderr=err)
    assert "Could not read 2015-01-08 minutes.txt: the file is empty" in err.getvalue()
    assert "Could not read 2015-02-12 minutes.txt: 1.0 MB is larger than the 1 MB a file may be" in err.getvalue()
    assert "Could not read 2015-03-12 minutes.txt: its text is 200,001 characters" in err.getvalue()
    assert not Meeting.objects.exists() and not Minutes.objects.exists()


def test_the_privacy_guard_reads_each_file_and_nothing_is_written_until_checked(world, tmp_path, caplog):
    folder = tmp_path / "archive"
    shutil.copytree(SAMPLE, folder)
    (folder / "2015-02-12 minutes.txt").write_text(
        "Minutes of February 12, 2015.\n\nRound table.\nThe girl, Jasmine, 15, was placed; her cell is 530-555-0177.\n"
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 file\\(s\\) hold what looks like personal details"):
        call_command("import_minutes", str(folder), "--coalition", world.home.slug, stdout=out, stderr=err)
    assert "2015-02-12 minutes.txt: Line 4: “Jasmine” looks like a name in a victim's context." in err.getvalue()
    assert "2015-02-12 minutes.txt: Line 4: “530-555-0177” looks like a phone number." in err.getvalue()
    assert not Meeting.objects.exists() and not Attachment.objects.exists()
    # the sample's own minutes alarm on nothing
    assert err.getvalue().count("looks like") == 2
    out, _ = run(str(folder), "--coalition", world.home.slug, "--checked", "fictitious test data")
    assert "Imported 5 file(s)" in out
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "checked by the operator: fictitious test data" in logged and "phone" in logged
    assert "530-555-0177" not in logged  # the log never holds the text
