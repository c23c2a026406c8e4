"""Letters made from a case and sent: the kind's current template filled from the case
(letters/context.py: names, dates in words, the engine's due dates, the coordinator), kept as
documents of the case (the Word letter, and its PDF when LibreOffice can make one), and sent.

Sending records an outgoing communication on the case. By post, that is all (the coordinator
posts the printed letter). By email, the letter is shared with the child's family accounts and
each is emailed, through the outbox, a link to their own page in the service, where they sign in
to read and download it: the email never carries the letter itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from flask import current_app

from .. import access
from ..extensions import db
from ..letters.context import LetterNotReady, available_kinds, build_context
from ..letters.kinds import LetterKind, UnknownLetterKind
from ..letters.kinds import kind as kind_named
from ..letters.render import PdfUnavailable, render_docx, to_pdf
from ..letters.templates_store import current_version, default_template
from ..models import User
from ..models.alerts import OutboxMessage
from ..models.case import Case, Channel, Communication
from ..models.document import Document, DocumentKind
from . import Forbidden, NotFound, ServiceError, audit
from . import documents as document_service
from .documents import CheckedFile, DocumentDetails, Step
from .family import family_accounts_for_child
from .family_mail import notify_letter
from .file_checks import DOCX, PDF, FileType, safe_filename

SEND_CHANNELS = (Channel.LETTER, Channel.EMAIL)


class LetterRefused(ServiceError):
    """The letter cannot be made or sent; the message says why, for the page."""


@dataclass
class LetterMade:
    kind: LetterKind
    documents: list[Document]
    # Why there is no PDF (LibreOffice missing or failing), when there is none.
    pdf_problem: str | None = None


@dataclass
class LetterSent:
    communication: Communication
    emails: list[OutboxMessage] = field(default_factory=list)


def council_name() -> str:
    return str(current_app.config.get("COUNCIL_NAME") or "")


def letters_of(case: Case) -> list[Document]:
    """The case's live letters, newest first."""
    return [d for d in document_service.documents_of_case(case) if d.kind is DocumentKind.LETTER]


def _checked(content: bytes, filename: str, file_type: FileType) -> CheckedFile:
    """Bytes the application made itself, in the shape a checked upload has."""
    return CheckedFile(
        BytesIO(content),
        safe_filename(filename, file_type),
        file_type,
        len(content),
        hashlib.sha256(content).hexdigest(),
    )


def create_letter(case: Case, key: str, *, actor: User, now: datetime, today: date) -> LetterMade:
    """Fill the kind's current template from the case and keep the letter as the case's
    documents: the Word letter, and its PDF (unless LibreOffice cannot make it: the Word letter
    is kept and `pdf_problem` says why)."""
    if not access.can_write_letters(actor, case):
        raise Forbidden("Only the case’s coordinator or a manager of its team can write its letters")
    try:
        letter = kind_named(key)
    except UnknownLetterKind:
        raise NotFound("There is no letter of that kind") from None
    try:
        context = build_context(case, letter, council_name=council_name())
    except LetterNotReady as exc:
        raise LetterRefused(str(exc)) from None
    template = current_version(letter)
    word = render_docx(letter, context, template.content if template else default_template(letter))
    try:
        pdf: bytes | None = to_pdf(word)
        problem = None
    except PdfUnavailable as exc:
        pdf, problem = None, str(exc)
        current_app.logger.warning("Letter made without its PDF: %s", exc)
    letter_on = context.dates["letter_on"]
    details = DocumentDetails(
        kind=DocumentKind.LETTER,
        title=f"{letter.title} letter",
        dated_on=letter_on,
        supplied_by=context.values["council_name"],
    )
    stem = f"{letter.key.replace('_', '-')}-letter-{letter_on.isoformat()}"
    made = [(word, DOCX)] + ([(pdf, PDF)] if pdf is not None else [])
    documents = []
    for content, file_type in made:
        upload = _checked(content, f"{stem}{file_type.extensions[0]}", file_type)
        documents.append(
            document_service.add_document(
                case.child, upload, details, case=case, step=Step(), actor=actor, now=now, today=today
            )
        )
    audit.record(
        actor,
        "letter_created",
        "case",
        case.id,
        f"Made the ‘{letter.title}’ letter dated {letter_on.isoformat()} from "
        + (f"version {template.version} of its template" if template else "its default template")
        + ("" if pdf is not None else " (Word only: no PDF)"),
        {
            "kind": letter.key,
            "template_version": template.version if template else None,
            "document_ids": [d.id for d in documents],
            "pdf": pdf is not None,
        },
    )
    return LetterMade(letter, documents, problem)


def _format(document: Document) -> str:
    return "PDF" if document.content_type == PDF.content_type else "Word"


def letter_document(case: Case, document_id: int) -> Document:
    """A live letter of the case; NotFound for anything else."""
    document = db.session.get(Document, document_id)
    if (
        document is None
        or document.case_id != case.id
        or document.is_deleted
        or document.kind is not DocumentKind.LETTER
    ):
        raise NotFound("No such letter on this case")
    return document


def send_letter(document: Document, *, by: Channel, actor: User, now: datetime, today: date) -> LetterSent:
    """Record the letter as sent (an outgoing communication on the case). By email, share it with
    the child's active family accounts and queue each an email with a link to their page."""
    case = document.case
    if case is None or document.kind is not DocumentKind.LETTER or document.is_deleted:
        raise NotFound("No such letter")
    if not access.can_write_letters(actor, case):
        raise Forbidden("Only the case’s coordinator or a manager of its team can send its letters")
    if by not in SEND_CHANNELS:
        raise LetterRefused("Send the letter by post or by email", field="channel")
    accounts = [u for u in family_accounts_for_child(case.child_id) if u.active]
    if by is Channel.EMAIL and not accounts:
        raise LetterRefused(
            "Nobody in the family has an account to receive it by email: send it by post, or invite the family first"
        )
    how = "by post" if by is Channel.LETTER else "by email (a link to the family’s page in the service)"
    comm = Communication(
        case=case,
        received_on=today,
        channel=by,
        from_name=actor.name,
        summary=f"Sent the letter ‘{document.title}’ ({_format(document)}) {how}",
        recorded_by_id=actor.id,
        outgoing=True,
    )
    db.session.add(comm)
    db.session.flush()
    if document.communication_id is None:
        document.communication_id = comm.id  # the step the letter belongs to: its (first) sending
    sent = LetterSent(comm)
    if by is Channel.EMAIL:
        document_service.share(document, share=True, actor=actor, now=now)
        for user in accounts:
            message = notify_letter(comm, document, user)
            if message is not None:
                sent.emails.append(message)
    audit.record(
        actor,
        "letter_sent",
        "case",
        case.id,
        f"Sent the letter ‘{document.title}’ {how}"
        + (f" to {len(sent.emails)} family account{'s' if len(sent.emails) != 1 else ''}" if sent.emails else ""),
        {
            "document_id": document.id,
            "communication_id": comm.id,
            "channel": by.value,
            "recipients": [m.to_address for m in sent.emails],
        },
    )
    db.session.flush()
    return sent


__all__ = [
    "LetterMade",
    "LetterRefused",
    "LetterSent",
    "available_kinds",
    "create_letter",
    "letter_document",
    "letters_of",
    "send_letter",
]
