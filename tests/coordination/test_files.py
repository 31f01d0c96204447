"""Files are what their names say: an attachment's content must match its
extension, a name that hides what a file is (control or text-direction
characters) is refused, and an Office file that would inflate past the
limit is never opened, by the upload form, the archive import or the scan."""

import io
import zipfile
from io import StringIO

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook
from pypdf import PdfWriter

from meetings.models import Attachment, Meeting, Minutes

pytestmark = pytest.mark.django_db


def _docx(text: str = "Minutes of March 13, 2014. Round table.") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


OLE_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1016)  # an OLE compound document's header


@pytest.fixture
def upload(world):
    meeting = Meeting.objects.create(
        coalition=world.home, title="M", starts_at="2026-01-08T20:00Z", ends_at="2026-01-08T21:00Z"
    )
    client = world.client_for(world.organizer)

    def send(name: str, data: bytes) -> str:
        response = client.post(
            reverse("attachment_upload", args=[meeting.pk]), {"file": SimpleUploadedFile(name, data)}, follow=True
        )
        assert response.status_code == 200
        return response.content.decode()

    send.meeting = meeting
    return send


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("minutes.pdf", _pdf()),
        ("minutes.docx", _docx()),
        ("budget.xlsx", _xlsx()),
        ("notes.txt", "Notes, café, naïve.".encode()),
        ("notes.md", b"# Notes\n"),
        ("roster.csv", "Agency,Seats\r\nSheriff,2\r\n".encode("cp1252")),
        # text that begins like a weak signature: Flash ("CWS"), a bitmap ("BM"), MP3 ("ID3")
        ("services.csv", b"CWS,Child Welfare Services,555-0100\r\n"),
        ("notes.txt", b"BM and the DA met on Tuesday.\n"),
        ("tags.txt", b"ID3 tags are not ours.\n"),
        ("notepad.txt", "Minutes, in Notepad's Unicode.".encode("utf-16")),
        ("flyer.png", PNG),
        ("photo.jpeg", JPEG),
        # Word and Excel before 2007, as LibreOffice and Word 95 write them (no sub-header filetype knows)
        ("letter.doc", OLE_FILE),
        ("budget.xls", OLE_FILE),
    ],
)
def test_a_file_that_is_what_its_name_says_is_kept(upload, name, data):
    upload(name, data)
    kept = Minutes.objects.get(meeting=upload.meeting).attachments.get()
    assert kept.name == name and kept.file.read() == data


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("minutes.pdf", PNG, "minutes.pdf: it is not a PDF: its content is png data."),
        ("minutes.docx", _zip(), "minutes.docx: it is not a Word document: its content is zip data."),
        ("minutes.docx", _pdf(), "minutes.docx: it is not a Word document: its content is pdf data."),
        ("budget.xlsx", _docx(), "budget.xlsx: it is not a workbook: its content is docx data."),
        ("notes.txt", _pdf(), "notes.txt: it is not a text file: its content is pdf data."),
        ("notes.txt", b"MZ\x90\x00\x03\x00", "notes.txt: it is not a text file: its content is exe data."),
        ("notes.txt", b"plain\x00text", "notes.txt: it is not a text file: its content is binary data."),
        ("flyer.png", b"%PDF-1.7", "flyer.png: it is not a PNG image: its content is pdf data."),
        ("letter.doc", PNG, "letter.doc: it is not a Word document: its content is png data."),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept(upload, name, data, said):
    page = upload(name, data)
    assert said.replace("'", "&#x27;") in page
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["minutes\u202efdp.docx", "minutes\u2067.docx", "min\x07utes.docx"])
def test_an_uploaded_name_never_keeps_invisible_characters(upload, name):
    """Django's upload parser drops what cannot be printed before the form sees
    the name; the form checks it again all the same (tested through the import,
    which reads names from disk)."""
    upload(name, _docx())
    kept = Attachment.objects.get()
    assert kept.name == "".join(c for c in name if c.isprintable())
    assert all(c.isprintable() for c in kept.name + kept.file.name)


def _bomb(inflated_mb: int) -> bytes:
    """A real Word document with a part of zeros that inflates to `inflated_mb`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx()), "r") as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item.filename))
        bomb.writestr("word/media/padding.bin", b"\x00" * (inflated_mb * 1024 * 1024))
    return out.getvalue()


def test_the_import_refuses_a_word_file_that_inflates_past_the_limit_and_writes_nothing(world, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    bomb = _bomb(60)
    assert len(bomb) < 300 * 1024  # a small file: 60 MB once opened
    (folder / "2014-03-13 minutes.docx").write_bytes(bomb)
    (folder / "2014-04-10 minutes.docx").write_bytes(_docx("Minutes of April 10, 2014."))
    (folder / "2014-05-08 minutes.pdf").write_text("Minutes of May 8, 2014, typed in a text editor.")
    (folder / "2014-06-12 minutes\u202etxt.md").write_text("Minutes of June 12, 2014.")
    err = StringIO()
    with pytest.raises(Exception, match="could not be read"):
        call_command("import_minutes", str(folder), "--coalition", world.home.slug, stdout=StringIO(), stderr=err)
    said = err.getvalue()
    assert "2014-03-13 minutes.docx: it inflates to 61 MB when opened, more than the 50 MB allowed" in said
    assert "2014-05-08 minutes.pdf: it is not a PDF: its content is something else." in said
    assert "2014-06-12 minutes\\u202etxt.md: the file name holds control or text-direction characters" in said
    assert not Meeting.objects.exists() and not Attachment.objects.exists()


def test_the_scan_never_opens_an_attached_word_file_that_inflates_past_the_limit(world, settings):
    from coordination import stored_text
    from meetings.stored_text import attachment_text

    settings.INFLATE_MAX_MB = 1
    meeting = Meeting.objects.create(
        coalition=world.home, title="M", starts_at="2026-01-08T20:00Z", ends_at="2026-01-08T21:00Z"
    )
    meeting.refresh_from_db()
    minutes = Minutes.objects.create(meeting=meeting, body="Adjourned.")
    attachment = Attachment(minutes=minutes, name="big.docx", size=1, content_type="x", sha256="1")
    attachment.file.save("big.docx", io.BytesIO(_bomb(2)), save=False)
    attachment.save()
    assert attachment_text(attachment) == ""
    assert stored_text.scan(world.home).finished_at is not None
