"""Fill a letter's Word template (docxtpl) and convert the result to PDF (LibreOffice).

PDFs come from LibreOffice's own conversion of the filled Word document, so the PDF and the Word
letter are the same document: an HTML renderer (WeasyPrint) would need a second template for each
letter, which could drift from the Word one an administrator edits. LibreOffice is a system package
(Debian: libreoffice-writer-nogui); where it is missing, `to_pdf` raises `PdfUnavailable` and the
Word letter is still there.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .context import LetterContext
from .kinds import LetterKind
from .kinds import kind as kind_named
from .templates_store import fill, template_for

# How long one conversion may take (a cold LibreOffice start is a few seconds).
PDF_TIMEOUT_SECONDS = 120


class PdfUnavailable(RuntimeError):
    """The PDF could not be made; the message is fit for the page."""


def render_docx(
    letter: LetterKind | str, context: LetterContext | dict[str, Any], template_bytes: bytes | None = None
) -> bytes:
    """The filled Word letter. `template_bytes` is an administrator's template; None, the kind's current one."""
    letter = kind_named(letter) if isinstance(letter, str) else letter
    if template_bytes is None:
        template_bytes = template_for(letter)
    values = context.values if isinstance(context, LetterContext) else context
    return fill(template_bytes, values)


def soffice_path() -> str | None:
    """LibreOffice's command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_bytes: bytes, *, timeout: int = PDF_TIMEOUT_SECONDS) -> bytes:
    """The Word letter converted to PDF by LibreOffice, headless, with a profile of its own in a
    temporary folder (so that conversions never share or lock a user's profile)."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable("PDF needs LibreOffice; the Word letter is available")
    with tempfile.TemporaryDirectory(prefix="letter-") as folder:
        work = Path(folder)
        source = work / "letter.docx"
        source.write_bytes(docx_bytes)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout, cwd=work)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(
                f"The PDF took longer than {timeout} seconds to make; the Word letter is available"
            ) from None
        except (subprocess.CalledProcessError, OSError) as exc:
            raise PdfUnavailable(f"LibreOffice could not make the PDF ({exc}); the Word letter is available") from None
        result = work / "letter.pdf"
        if not result.exists():
            raise PdfUnavailable("LibreOffice made no PDF; the Word letter is available")
        return result.read_bytes()
