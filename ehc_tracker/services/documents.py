"""Documents: adding one (with the upload's checks), listing, downloading, sharing with the family,
deleting, plan versions and retention.

An upload is checked before anything is written: it is copied to a temporary spool while its
bytes are counted (refused past DOCUMENT_MAX_BYTES), its type is judged by its content
(file_checks), its name is made safe, and the ClamAV daemon scans it when one is configured. Only
then are the bytes stored and the row added. A document follows its case's permissions (or the
child's, for a document of the child's record); a family sees only what a coordinator shared.
Every download, share, unshare and deletion is audited; deleting keeps the row and removes the
bytes.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, BinaryIO

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .. import access
from ..extensions import db
from ..models import Child, User
from ..models.case import AdviceRequest, Case, CaseException, Communication, Plan
from ..models.document import PLAN_KINDS, Document, DocumentKind
from . import Forbidden, NotFound, ServiceError, audit
from .family import linked_child_ids
from .file_checks import ACCEPTED_TEXT, CHUNK_BYTES, FileType, safe_filename, sniff
from .storage import StorageError, document_store
from .virus_scan import Scanner, ScannerUnavailable

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SPOOL_IN_MEMORY_BYTES = 1024 * 1024


class DocumentRefused(ServiceError):
    """The upload was refused by one of its checks; the message says which and what to do."""


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 1 else f"{max(size // 1024, 1)} KB"


def max_bytes() -> int:
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def scanner() -> Scanner | None:
    return Scanner.from_settings(current_app.config)


# --- The upload's checks -------------------------------------------------------------------------


@dataclass
class CheckedFile:
    """An upload that passed every check, spooled and ready to store (close it when done)."""

    spool: IO[bytes]
    filename: str
    file_type: FileType
    size: int
    sha256: str

    def close(self) -> None:
        self.spool.close()


def check_upload(stream: BinaryIO, filename: str | None, *, limit: int | None = None) -> CheckedFile:
    """Copy the upload to a spool, counting, then judge its type and scan it. Raises
    DocumentRefused (field "upload") on the first check that fails; nothing is kept then."""
    limit = max_bytes() if limit is None else limit
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115
    try:
        digest, size = hashlib.sha256(), 0
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise DocumentRefused(f"The selected file must be smaller than {_megabytes(limit)}", field="upload")
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise DocumentRefused("The selected file is empty", field="upload")
        file_type = sniff(spool)  # type: ignore[arg-type]
        if file_type is None:
            raise DocumentRefused(f"The selected file must be {ACCEPTED_TEXT}", field="upload")
        found = _scan(spool)
        if found is not None:
            raise DocumentRefused(
                f"The selected file contains a virus ({found}) and was not saved. Delete it, and ask whoever sent it for a clean copy",
                field="upload",
            )
        spool.seek(0)
        return CheckedFile(spool, safe_filename(filename, file_type), file_type, size, digest.hexdigest())
    except BaseException:
        spool.close()
        raise


def _scan(spool: IO[bytes]) -> str | None:
    daemon = scanner()
    if daemon is None:
        return None
    try:
        return daemon.scan(spool)  # type: ignore[arg-type]
    except ScannerUnavailable as exc:
        current_app.logger.error("Upload refused: %s", exc)
        raise DocumentRefused(
            "The file could not be checked for viruses, so it was not saved. Try again later", field="upload"
        ) from exc


# --- Who may see and change a document ----------------------------------------------------------


# Who may see and change a document: the access module's rules, under the names the pages use.
can_view = access.can_view_document
can_change = access.can_change_document
can_confirm_retention = access.can_confirm_document_deletion


def staff_document(user: User, document_id: int) -> Document:
    """A live document the staff member may see; NotFound for anything else (deleted included)."""
    document = db.session.get(Document, document_id)
    if document is None or document.is_deleted or not can_view(user, document):
        raise NotFound("No such document")
    return document


def family_document(user: User, document_id: int) -> Document:
    """A document a family account may fetch: live, shared with the family, of a linked child.
    Anything else is NotFound, so no address tells a family that an unshared document exists."""
    document = db.session.get(Document, document_id)
    if (
        document is None
        or not user.active
        or document.is_deleted
        or not document.is_shared
        or document.child_id not in linked_child_ids(user)
    ):
        raise NotFound("No such document")
    return document


# --- Adding ---------------------------------------------------------------------------------------


@dataclass
class DocumentDetails:
    kind: DocumentKind
    title: str
    dated_on: date
    supplied_by: str
    share: bool = False


@dataclass
class Step:
    """The step of a case a document belongs to (at most one is set)."""

    advice_request: AdviceRequest | None = None
    plan: Plan | None = None
    exception: CaseException | None = None
    communication: Communication | None = None


def _check_details(details: DocumentDetails, child: Child, today: date) -> None:
    if not details.title.strip():
        raise ServiceError("Enter a title for the document", field="title")
    if not details.supplied_by.strip():
        raise ServiceError("Enter who supplied the document", field="supplied_by")
    if details.dated_on > today:
        raise ServiceError("The document’s date must be today or in the past", field="dated_on")


def _check_step(step: Step, child: Child, case: Case | None, kind: DocumentKind) -> None:
    for item in (step.advice_request, step.exception, step.communication):
        if item is not None and (case is None or item.case_id != case.id):
            raise NotFound("That step is not part of this case")
    if step.plan is not None and step.plan.child_id != child.id:
        raise NotFound("That plan is not this child’s")
    if kind in PLAN_KINDS and step.plan is None:
        raise ServiceError("Choose the plan this is a version of", field="plan_id")
    if kind not in PLAN_KINDS and step.plan is not None:
        raise ServiceError("Only a draft, final or amended plan can be a version of a plan", field="kind")


def next_version(plan: Plan, kind: DocumentKind) -> int:
    taken = db.session.scalar(
        select(func.max(Document.version_number)).where(Document.plan_id == plan.id, Document.kind == kind)
    )
    return int(taken or 0) + 1


def add_document(
    child: Child,
    upload: CheckedFile,
    details: DocumentDetails,
    *,
    case: Case | None = None,
    step: Step | None = None,
    actor: User,
    now: datetime,
    today: date,
) -> Document:
    """Store a checked upload and record it against the child, the case and the step."""
    step = step or Step()
    if case is not None and case.child_id != child.id:
        raise NotFound("That case is not this child’s")
    allowed = access.can_edit_case(actor, case) if case is not None else access.can_edit_child(actor, child)
    if not allowed:
        raise Forbidden("Only the case’s coordinator or a manager of its team can add documents to it")
    return add_contributed_document(child, upload, details, case=case, step=step, actor=actor, now=now, today=today)


def add_contributed_document(
    child: Child,
    upload: CheckedFile,
    details: DocumentDetails,
    *,
    case: Case | None,
    step: Step | None = None,
    actor: User,
    now: datetime,
    today: date,
) -> Document:
    """Store a checked upload sent by someone outside the council (a family or a professional,
    whose own rules the calling service has checked), recorded like any other document."""
    step = step or Step()
    _check_details(details, child, today)
    _check_step(step, child, case, details.kind)
    key = f"{child.id}/{secrets.token_hex(16)}"
    document = Document(
        child_id=child.id,
        case_id=case.id if case is not None else None,
        advice_request_id=step.advice_request.id if step.advice_request else None,
        plan_id=step.plan.id if step.plan else None,
        exception_id=step.exception.id if step.exception else None,
        communication_id=step.communication.id if step.communication else None,
        kind=details.kind,
        title=details.title.strip(),
        dated_on=details.dated_on,
        supplied_by=details.supplied_by.strip(),
        version_number=next_version(step.plan, details.kind) if step.plan is not None else None,
        storage_key=key,
        filename=upload.filename,
        content_type=upload.file_type.content_type,
        size_bytes=upload.size,
        sha256=upload.sha256,
        uploaded_by_id=actor.id,
        uploaded_at=now,
        shared_with_family_at=now if details.share else None,
        shared_by_id=actor.id if details.share else None,
    )
    try:
        document_store().put(key, upload.spool, content_type=upload.file_type.content_type)  # type: ignore[arg-type]
    except StorageError as exc:
        current_app.logger.error("Document not stored: %s", exc)
        raise DocumentRefused("The document could not be saved. Try again later", field="upload") from exc
    # Stored bytes whose row is never committed are removed again when the session rolls back.
    _remove_when(db.session, committed=False, key=key)
    db.session.add(document)
    db.session.flush()
    if details.kind is DocumentKind.FINAL_PLAN and step.plan is not None:
        step.plan.final_document_id = document.id
    audit.record(
        actor,
        "document_added",
        "document",
        document.id,
        f"Added {details.kind.label.lower()} '{document.title}' ({upload.file_type.label}, {upload.size} bytes)"
        + (", shared with the family" if details.share else ""),
        {
            "child_id": child.id,
            "case_id": document.case_id,
            "kind": details.kind.value,
            "sha256": upload.sha256,
            "plan_id": document.plan_id,
            "version": document.version_number,
            "shared": details.share,
        },
    )
    db.session.flush()
    return document


# The stored bytes follow the database: bytes added in a transaction that rolls back are removed,
# and a deleted document's bytes are removed once its deletion is committed (never before, so a
# deletion that fails to commit leaves the document whole).
_REMOVE_ON_COMMIT = "documents_remove_on_commit"
_REMOVE_ON_ROLLBACK = "documents_remove_on_rollback"


def _remove_when(session: Any, *, committed: bool, key: str) -> None:
    session.info.setdefault(_REMOVE_ON_COMMIT if committed else _REMOVE_ON_ROLLBACK, []).append(key)


def _remove(keys: list[str]) -> None:
    for key in keys:
        try:
            document_store().delete(key)
        except StorageError as exc:
            current_app.logger.error("Stored document not removed: %s", exc)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_REMOVE_ON_ROLLBACK, None)
    _remove(session.info.pop(_REMOVE_ON_COMMIT, []))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_REMOVE_ON_COMMIT, None)
    _remove(session.info.pop(_REMOVE_ON_ROLLBACK, []))


# --- Lists ----------------------------------------------------------------------------------------


def documents_of_case(case: Case) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.case_id == case.id, Document.deleted_at.is_(None))
            .order_by(Document.dated_on.desc(), Document.id.desc())
        )
    )


def documents_of_child(child: Child, *, viewer: User) -> list[Document]:
    """The child's live documents the viewer may see (those of cases of other teams left out)."""
    found = db.session.scalars(
        select(Document)
        .where(Document.child_id == child.id, Document.deleted_at.is_(None))
        .order_by(Document.dated_on.desc(), Document.id.desc())
    )
    return [d for d in found if can_view(viewer, d)]


def shared_with_family(case: Case) -> list[Document]:
    """What the family sees with a case: the case's shared documents and the child's own."""
    return list(
        db.session.scalars(
            select(Document)
            .where(
                Document.child_id == case.child_id,
                (Document.case_id == case.id) | Document.case_id.is_(None),
                Document.shared_with_family_at.is_not(None),
                Document.deleted_at.is_(None),
            )
            .order_by(Document.dated_on.desc(), Document.id.desc())
        )
    )


def plan_versions(plan: Plan) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.plan_id == plan.id, Document.deleted_at.is_(None))
            .order_by(Document.uploaded_at, Document.id)
        )
    )


# --- Downloads, sharing, deletion -----------------------------------------------------------------


def download(document: Document, *, actor: User, family: bool = False) -> Iterator[bytes]:
    """The document's bytes, a chunk at a time, with the download audited (the caller commits
    before sending them)."""
    chunks = document_store().chunks(document.storage_key)
    audit.record(
        actor,
        "document_downloaded",
        "document",
        document.id,
        f"Downloaded '{document.title}'" + (" (family account)" if family else ""),
        {"child_id": document.child_id, "case_id": document.case_id, "sha256": document.sha256},
    )
    return chunks


def share(document: Document, *, share: bool, actor: User, now: datetime) -> bool:
    """Share a document with the child's family accounts, or stop. False when it was already so."""
    if not can_change(actor, document):
        raise Forbidden("Only the case’s coordinator or a manager of its team can share its documents")
    if document.is_deleted:
        raise NotFound("No such document")
    if document.is_shared == share:
        return False
    document.shared_with_family_at = now if share else None
    document.shared_by_id = actor.id if share else None
    audit.record(
        actor,
        "document_shared" if share else "document_unshared",
        "document",
        document.id,
        ("Shared" if share else "Stopped sharing") + f" '{document.title}' with the family",
        {"child_id": document.child_id, "case_id": document.case_id},
    )
    db.session.flush()
    return True


def delete(document: Document, *, reason: str, actor: User, now: datetime, retention: bool = False) -> None:
    """Delete a document: the row stays (what it was, who deleted it, why), the bytes go."""
    if retention:
        if not can_confirm_retention(actor, document):
            raise Forbidden("Only a manager of the child’s team can confirm deletions past retention")
    elif not can_change(actor, document):
        raise Forbidden("Only the case’s coordinator or a manager of its team can delete its documents")
    if document.is_deleted:
        raise NotFound("No such document")
    if not reason.strip():
        raise ServiceError("Enter why the document is being deleted", field="reason")
    document.deleted_at = now
    document.deleted_by_id = actor.id
    document.deletion_reason = reason.strip()
    document.shared_with_family_at = None
    for plan in db.session.scalars(select(Plan).where(Plan.final_document_id == document.id)):
        plan.final_document_id = None
    audit.record(
        actor,
        "document_deleted_past_retention" if retention else "document_deleted",
        "document",
        document.id,
        f"Deleted '{document.title}': {reason.strip()}",
        {
            "child_id": document.child_id,
            "case_id": document.case_id,
            "kind": document.kind.value,
            "sha256": document.sha256,
        },
    )
    db.session.flush()
    _remove_when(db.session, committed=True, key=document.storage_key)


# --- Retention ------------------------------------------------------------------------------------


def retention_years(kind: DocumentKind, config: Any = None) -> int:
    """Years a kind of document is kept after upload: DOCUMENT_RETENTION_BY_KIND, else the default."""
    config = current_app.config if config is None else config
    overrides = parse_retention(config.get("DOCUMENT_RETENTION_BY_KIND") or "")
    return overrides.get(kind, int(config.get("DOCUMENT_RETENTION_YEARS") or 25))


def parse_retention(text: str) -> dict[DocumentKind, int]:
    """ "draft_plan=2, correspondence=7" as a mapping; a wrong kind or number is an error."""
    found: dict[DocumentKind, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, years = part.partition("=")
        try:
            found[DocumentKind(name.strip())] = int(years)
        except ValueError:
            raise ValueError(f"DOCUMENT_RETENTION_BY_KIND: {part!r} is not kind=years") from None
    return found


def retention_ends_on(document: Document) -> date:
    return document.uploaded_at.date() + relativedelta(years=retention_years(document.kind))


def past_retention(today: date, *, viewer: User | None = None) -> list[Document]:
    """Live documents kept longer than their kind's retention period, oldest first (for a viewer,
    those of the teams they manage)."""
    oldest_first = db.session.scalars(
        select(Document).where(Document.deleted_at.is_(None)).order_by(Document.uploaded_at, Document.id)
    )
    due = [d for d in oldest_first if retention_ends_on(d) <= today]
    if viewer is not None:
        due = [d for d in due if can_confirm_retention(viewer, d)]
    return due


def confirm_retention_deletion(documents: list[Document], *, actor: User, now: datetime, today: date) -> list[Document]:
    """Delete the documents a manager confirmed, each only if it is still past its retention."""
    done = []
    for document in documents:
        if document.is_deleted or retention_ends_on(document) > today:
            continue
        years = retention_years(document.kind)
        delete(document, reason=f"Past its retention period ({years} years)", actor=actor, now=now, retention=True)
        done.append(document)
    return done
