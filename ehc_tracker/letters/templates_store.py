"""Where a letter's Word template comes from, and the checks an uploaded one must pass.

`template_for(kind)` is the template letters are made from: the kind's current uploaded version
(models/letters.py: the administrator's versions, with their history; services/letter_templates.py
uploads them and chooses the current one), or the default committed in templates/ when none is
current. `validate_template` is what an upload must pass before it is kept: it names only the
kind's placeholders, and it renders.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from flask import has_app_context
from jinja2 import TemplateError
from sqlalchemy import select

from ..extensions import db
from ..models.letters import LetterTemplate
from .context import sample_context
from .kinds import LetterKind
from .kinds import kind as kind_named

DEFAULTS_DIR = Path(__file__).resolve().parent / "templates"


class TemplateProblem(ValueError):
    """An uploaded template that cannot be used; the message says why, for the page."""


def _kind(letter: LetterKind | str) -> LetterKind:
    return kind_named(letter) if isinstance(letter, str) else letter


def default_template(letter: LetterKind | str) -> bytes:
    """The kind's default template, as committed (built by build_templates.py)."""
    return (DEFAULTS_DIR / _kind(letter).template_name).read_bytes()


def current_version(letter: LetterKind | str) -> LetterTemplate | None:
    """The kind's current uploaded version (None: its letters use the default). Outside the
    application (no database to ask) there is none."""
    if not has_app_context():
        return None
    return db.session.scalar(
        select(LetterTemplate).where(LetterTemplate.kind == _kind(letter).key, LetterTemplate.is_current.is_(True))
    )


def template_for(letter: LetterKind | str) -> bytes:
    """The template the kind's letters are made from now: the current uploaded version, else the default."""
    current = current_version(letter)
    return current.content if current is not None else default_template(letter)


def fill(template_bytes: bytes, values: dict[str, Any]) -> bytes:
    """A Word template filled with `values` (escaped: a name with "&" or "<" prints as typed)."""
    template = DocxTemplate(BytesIO(template_bytes))
    template.render(values, autoescape=True)
    out = BytesIO()
    template.save(out)
    return out.getvalue()


def placeholders_in(template_bytes: bytes) -> set[str]:
    """The names a template uses (its undeclared Jinja variables)."""
    try:
        template = DocxTemplate(BytesIO(template_bytes))
        names: set[str] = template.get_undeclared_template_variables()
    except TemplateError as exc:
        raise TemplateProblem(f"The template has a placeholder that is not written correctly: {exc}") from None
    except Exception:  # a file that is not a Word document at all
        raise TemplateProblem("The file is not a Word (.docx) document") from None
    return names


def validate_template(letter: LetterKind | str, docx_bytes: bytes) -> None:
    """Refuse a template for `letter` that names an unknown placeholder or does not render."""
    the_kind = _kind(letter)
    unknown = placeholders_in(docx_bytes) - the_kind.placeholders
    if unknown:
        names = ", ".join(f"{{{{ {name} }}}}" for name in sorted(unknown))
        raise TemplateProblem(
            f"The template uses placeholders a ‘{the_kind.title}’ letter does not have: {names}. "
            f"It can use: {', '.join(sorted(the_kind.placeholders))}"
        )
    try:
        fill(docx_bytes, sample_context(the_kind).values)
    except Exception as exc:  # whatever stops it filling, the upload is refused with the reason
        raise TemplateProblem(f"The template could not be filled in: {exc}") from None
