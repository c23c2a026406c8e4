"""What an uploaded file is, judged by its content and never by its name, and a safe name for it.

Accepted: PDF, Word (.docx, and the older .doc), PNG, JPEG, GIF and plain text (UTF-8 with no NUL
bytes). Anything else is refused, whatever its name says: a program renamed `report.pdf` starts
"MZ" and is not a PDF.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    extensions: tuple[str, ...]


PDF = FileType("application/pdf", "PDF", (".pdf",))
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document", (".docx",))
DOC = FileType("application/msword", "Word document", (".doc",))
PNG = FileType("image/png", "PNG image", (".png",))
JPEG = FileType("image/jpeg", "JPEG image", (".jpg", ".jpeg"))
GIF = FileType("image/gif", "GIF image", (".gif",))
TEXT = FileType("text/plain", "Text", (".txt",))

ACCEPTED = (PDF, DOCX, DOC, PNG, JPEG, GIF, TEXT)
ACCEPTED_TEXT = "a PDF, a Word document, a PNG, JPEG or GIF image, or a plain text file"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(source: BinaryIO) -> FileType | None:
    """The accepted type the content is, or None. `source` must be seekable; it is left at 0."""
    source.seek(0)
    head = source.read(16)
    source.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith((b"GIF87a", b"GIF89a")):
            return GIF
        if head.startswith(_OLE):
            return DOC
        if head.startswith(b"PK\x03\x04"):
            return DOCX if _is_word_package(source) else None
        return TEXT if head and _is_utf8_text(source) else None
    finally:
        source.seek(0)


def _is_word_package(source: BinaryIO) -> bool:
    """A .docx is a zip holding [Content_Types].xml and the word/ part."""
    try:
        with zipfile.ZipFile(source) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith("word/") for name in names)


def _is_utf8_text(source: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := source.read(CHUNK_BYTES):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")
MAX_NAME = 120


def safe_filename(name: str | None, file_type: FileType) -> str:
    """The name to keep and to offer on download: the last part of what the browser sent, in
    letters, digits, spaces and `._()-` only, ending in the extension of what the file is."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base)
    base = re.sub(r"[ _]{2,}", "_", base).strip(" ._-")
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    if f".{extension.lower()}" in file_type.extensions:
        extension = extension.lower()
    else:
        stem = base if dot else stem
        extension = file_type.extensions[0][1:]
    stem = stem.strip(" ._-")[: MAX_NAME - len(extension) - 1] or "document"
    return f"{stem}.{extension}"
