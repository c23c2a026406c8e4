"""The administrator's letter templates: uploading a new version of a kind's Word template (after
the upload's checks and `validate_template`), choosing which version is current (an earlier one,
or the default again), and the history. Every change and every download is audited.

A kind's versions are numbered 1, 2, 3, ... and never removed, so a letter made from any of them
can be traced (the `letter_created` audit entry names the version). With no current version the
kind's letters use the default template committed with the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..letters.kinds import KINDS, LetterKind, UnknownLetterKind
from ..letters.kinds import kind as kind_named
from ..letters.templates_store import TemplateProblem, current_version, default_template, validate_template
from ..models import User
from ..models.letters import LetterTemplate
from . import Forbidden, NotFound, ServiceError, audit
from .documents import check_upload
from .file_checks import DOCX

# A letter template is a few tens of kilobytes; anything near this is not one.
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024


class TemplateRefused(ServiceError):
    """The upload is not a usable template for the kind; the message says why."""


def letter_kind(key: str) -> LetterKind:
    try:
        return kind_named(key)
    except UnknownLetterKind:
        raise NotFound("There is no letter of that kind") from None


def _check_admin(actor: User) -> None:
    if not access.can_manage_letter_templates(actor):
        raise Forbidden("Only an administrator can change the letter templates")


@dataclass(frozen=True)
class KindTemplates:
    kind: LetterKind
    current: LetterTemplate | None
    versions: int


def overview() -> list[KindTemplates]:
    """Every kind, in the workflow's order, with its current version (None: the default)."""
    counts = dict(
        db.session.execute(select(LetterTemplate.kind, func.count()).group_by(LetterTemplate.kind)).tuples().all()
    )
    current = {t.kind: t for t in db.session.scalars(select(LetterTemplate).where(LetterTemplate.is_current.is_(True)))}
    return [KindTemplates(k, current.get(k.key), int(counts.get(k.key, 0))) for k in KINDS.values()]


def versions_of(letter: LetterKind) -> list[LetterTemplate]:
    """The kind's uploaded versions, newest first."""
    return list(
        db.session.scalars(
            select(LetterTemplate).where(LetterTemplate.kind == letter.key).order_by(LetterTemplate.version.desc())
        )
    )


def version_of(letter: LetterKind, version: int) -> LetterTemplate:
    found = db.session.scalar(
        select(LetterTemplate).where(LetterTemplate.kind == letter.key, LetterTemplate.version == version)
    )
    if found is None:
        raise NotFound("There is no such version of the template")
    return found


def _clear_current(letter: LetterKind) -> LetterTemplate | None:
    """Mark the kind's current version as not current (flushed first: one current per kind)."""
    current = current_version(letter)
    if current is not None:
        current.is_current = False
        db.session.flush()
    return current


def upload_template(
    letter: LetterKind, stream: BinaryIO, filename: str | None, *, note: str, actor: User, now: datetime
) -> LetterTemplate:
    """Keep an uploaded Word template as the kind's next version and make it current. Refused
    (field "upload") when it is not a Word document or `validate_template` finds a problem."""
    _check_admin(actor)
    checked = check_upload(stream, filename, limit=MAX_TEMPLATE_BYTES)
    try:
        if checked.file_type is not DOCX:
            raise TemplateRefused("The selected file must be a Word document (.docx)", field="upload")
        content = checked.spool.read()
    finally:
        checked.close()
    try:
        validate_template(letter, content)
    except TemplateProblem as exc:
        raise TemplateRefused(str(exc), field="upload") from None
    previous = _clear_current(letter)
    number = int(
        db.session.scalar(select(func.max(LetterTemplate.version)).where(LetterTemplate.kind == letter.key)) or 0
    )
    template = LetterTemplate(
        kind=letter.key,
        version=number + 1,
        content=content,
        filename=checked.filename,
        size_bytes=checked.size,
        sha256=checked.sha256,
        note=note.strip(),
        is_current=True,
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    db.session.add(template)
    db.session.flush()
    audit.record(
        actor,
        "letter_template_uploaded",
        "letter_template",
        template.id,
        f"Uploaded version {template.version} of the ‘{letter.title}’ template and made it current"
        + (f" (was version {previous.version})" if previous else " (was the default)"),
        {
            "kind": letter.key,
            "version": template.version,
            "sha256": template.sha256,
            "previous_version": previous.version if previous else None,
            "note": template.note,
        },
    )
    return template


def make_current(letter: LetterKind, version: int | None, *, actor: User) -> bool:
    """Make an uploaded version current again, or (None) go back to the default. False when it
    already was."""
    _check_admin(actor)
    chosen = version_of(letter, version) if version is not None else None
    previous = current_version(letter)
    if (previous.version if previous else None) == version:
        return False
    _clear_current(letter)
    if chosen is not None:
        chosen.is_current = True
        db.session.flush()
    audit.record(
        actor,
        "letter_template_made_current",
        "letter_template",
        chosen.id if chosen else None,
        f"Made {f'version {version}' if version is not None else 'the default'} of the ‘{letter.title}’ "
        f"template current (was {f'version {previous.version}' if previous else 'the default'})",
        {"kind": letter.key, "version": version, "previous_version": previous.version if previous else None},
    )
    return True


def download(letter: LetterKind, version: int | None, *, actor: User) -> tuple[bytes, str]:
    """A version's bytes (None: the default's) and its file name, with the download audited."""
    _check_admin(actor)
    if version is None:
        content, filename = default_template(letter), f"{letter.key}-default.docx"
    else:
        found = version_of(letter, version)
        content, filename = found.content, f"{letter.key}-version-{version}.docx"
    audit.record(
        actor,
        "letter_template_downloaded",
        "letter_template",
        None,
        f"Downloaded {f'version {version}' if version is not None else 'the default'} of the ‘{letter.title}’ template",
        {"kind": letter.key, "version": version},
    )
    return content, filename
