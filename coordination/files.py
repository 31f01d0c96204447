"""Files people hand to Roundtable: is each what its name says, and safe to open?

- A name with control characters or bidirectional-text controls is refused:
  U+202E turns "minutes‮fdp.exe" into "minutesexe.pdf" on screen.
- The content must be what the extension says. `filetype` reads the magic
  numbers, and the parts inside a zip that tell a Word document from a
  workbook or a plain zip. Text files must read as text: no NUL byte, and
  no known binary type.
- An Office file is a zip: before one is opened, the sizes its parts inflate
  to are added up and refused past INFLATE_MAX_MB. (zipfile never inflates
  a part past the size its directory gives, so that sum bounds the work.)
"""

import re
import zipfile
from pathlib import Path
from typing import BinaryIO

import filetype
from django.conf import settings

from .text import CONTROL

# Bidirectional controls (embeddings, overrides, isolates, marks) and the Arabic letter mark.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

TEXT = {".txt", ".md", ".csv"}
# What filetype says of each extension's content (JPEG is "jpg" either way).
KINDS = {
    ".pdf": {"pdf"},
    ".docx": {"docx"},
    ".doc": {"doc"},
    ".xlsx": {"xlsx"},
    ".xls": {"xls"},
    ".pptx": {"pptx"},
    ".odt": {"odt"},
    ".png": {"png"},
    ".jpg": {"jpg"},
    ".jpeg": {"jpg"},
}
# Word and Excel before 2007 are OLE compound documents; filetype tells them apart by
# bytes that LibreOffice's and Word 95's files do not have, so the container is enough.
COMPOUND = {".doc", ".xls"}
COMPOUND_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Of a zip whose first bytes did not say, the part that makes it one of these.
ZIP_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
NAMES = {".pdf": "a PDF", ".doc": "a Word document", ".docx": "a Word document", ".xls": "a workbook"}
NAMES |= {".xlsx": "a workbook", ".pptx": "a presentation", ".odt": "an OpenDocument text", ".png": "a PNG image"}
NAMES |= {".jpg": "a JPEG image", ".jpeg": "a JPEG image"}
HEAD = 8192  # the bytes filetype reads
# What a text file must never be. filetype knows more, but some of its
# signatures are two or three letters a text may begin with ("CWS," reads as
# Flash, "BM" as a bitmap, "ID3" as MP3): only unmistakable ones refuse a text.
BINARY = {
    "pdf", "zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "doc", "xls", "ppt", "rtf",
    "png", "jpg", "gif", "webp", "tif", "exe", "elf", "7z", "rar", "gz", "bz2", "xz", "zst", "sqlite",
}  # fmt: skip


def _reads_as_text(head: bytes) -> bool:
    """Text in a Windows encoding, UTF-8 or UTF-16 with its byte-order mark (Notepad's "Unicode")."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in head


class Refused(ValueError):
    """Why a file is not taken, in words its sender can act on (after its name and a colon)."""


def shown(name: str) -> str:
    """A file name as it can be shown safely: its invisible characters written out."""
    return "".join(
        c.encode("ascii", "backslashreplace").decode() if CONTROL.match(c) or BIDI.match(c) or c in "\t\n\r" else c
        for c in name
    )


def check_name(name: str) -> None:
    if CONTROL.search(name) or BIDI.search(name) or any(c in name for c in "\t\n\r"):
        raise Refused(
            "the file name holds control or text-direction characters, which can disguise what a file is. "
            "Rename it and try again."
        )


def check_content(name: str, stream: BinaryIO) -> None:
    """Refuse a file whose content is not what its extension says."""
    suffix = Path(name).suffix.lower()
    stream.seek(0)
    head = stream.read(HEAD)
    stream.seek(0)
    guessed = filetype.guess_extension(head)
    if suffix in TEXT:
        if guessed in BINARY:
            raise Refused(f"it is not a text file: its content is {guessed} data.")
        if not _reads_as_text(head):
            raise Refused("it is not a text file: its content is binary data.")
        return
    expected = KINDS.get(suffix)
    if expected is None or guessed in expected:
        return
    if suffix in COMPOUND and head.startswith(COMPOUND_MAGIC):
        return  # an old Word or Excel file filetype cannot place (LibreOffice's, Word 95's)
    if guessed == "zip" and suffix in ZIP_PARTS and _has_part(stream, ZIP_PARTS[suffix]):
        return  # (a part filetype's first bytes did not reach)
    what = f"{guessed} data" if guessed else "something else"
    raise Refused(f"it is not {NAMES.get(suffix, suffix)}: its content is {what}. Check the file and its name.")


def _has_part(stream: BinaryIO, part: str) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            return part in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        stream.seek(0)


def check_inflated_size(path_or_stream) -> None:
    """Refuse a zip (an Office file) whose parts inflate past INFLATE_MAX_MB."""
    limit = settings.INFLATE_MAX_MB * 1024 * 1024
    try:
        with zipfile.ZipFile(path_or_stream) as archive:
            total = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: its reader says what is wrong with it
    if total > limit:
        raise Refused(
            f"it inflates to {total / 1024 / 1024:,.0f} MB when opened, more than the {settings.INFLATE_MAX_MB} MB "
            "allowed (INFLATE_MAX_MB)"
        )
