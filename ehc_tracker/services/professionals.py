"""Professionals returning the advice asked of them, straight into the case.

From an advice request naming a provider of the directory, the case's coordinator invites a
professional by email (a single-use link, stored only as a hash, that expires after
PROFESSIONAL_INVITATION_DAYS), or picks one of the provider's professionals who already has an
account. The account (role `professional`) belongs to that provider and signs in with a password
and an emailed code, like a family's.

A professional sees the advice requests addressed to them and nothing else of the case: the
child's name and date of birth, the question asked, the due date (6 weeks, SEND Regulations 2014
reg 8(1)) and the documents the coordinator attached for them. Returning the advice stores the
report, records `advice_received` on that request with the day it came, and tells the coordinator.
A provider manager also sees the service's open requests and moves them between its professionals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..models import Role, User
from ..models.case import AdviceRequest, Case, CaseStatus, EventType, Milestone
from ..models.contribution import AdviceReturn, ProfessionalInvitation, ProviderMembership, advice_request_documents
from ..models.directory import DirectoryEntry
from ..models.document import Document, DocumentKind
from . import Forbidden, NotFound, ServiceError, audit
from . import cases as case_service
from . import documents as document_service
from .email_addresses import valid_email_address
from .link_tokens import new_token, token_hash
from .users import create_invited_account

MAX_INVITATIONS_PER_REQUEST_PER_DAY = 5
MAX_SUMMARY = 4000


# --- Who may see what ------------------------------------------------------------------------


def membership(user: User) -> ProviderMembership | None:
    if user.role is not Role.PROFESSIONAL:
        return None
    return db.session.scalar(select(ProviderMembership).where(ProviderMembership.user_id == user.id))


def is_provider_manager(user: User) -> bool:
    found = membership(user)
    return found is not None and found.is_manager


def can_see_request(user: User, advice: AdviceRequest) -> bool:
    """The professional it is addressed to, or a manager of the provider it was asked of."""
    if user.role is not Role.PROFESSIONAL or not user.active:
        return False
    if advice.professional_id == user.id:
        return True
    found = membership(user)
    return found is not None and found.is_manager and advice.directory_entry_id == found.directory_entry_id


def request_for(user: User, advice_id: int) -> AdviceRequest:
    """An advice request the professional may see; NotFound for any other, so no address tells
    them that another request, child or case exists."""
    advice = db.session.get(AdviceRequest, advice_id)
    if advice is None or not can_see_request(user, advice):
        raise NotFound("No such advice request")
    return advice


def my_requests(user: User) -> list[AdviceRequest]:
    """The requests addressed to this professional: waiting ones first, by due date."""
    if user.role is not Role.PROFESSIONAL:
        return []
    found = list(db.session.scalars(select(AdviceRequest).where(AdviceRequest.professional_id == user.id)))
    return sorted(found, key=lambda a: (a.received_on is not None, due_on(a) or date.max, a.id))


def service_requests(user: User) -> list[AdviceRequest]:
    """For a provider manager: the service's requests still waiting for advice, on open cases."""
    found = membership(user)
    if found is None or not found.is_manager or not user.active:
        return []
    rows = db.session.scalars(
        select(AdviceRequest)
        .join(Case, AdviceRequest.case_id == Case.id)
        .where(
            AdviceRequest.directory_entry_id == found.directory_entry_id,
            AdviceRequest.received_on.is_(None),
            Case.status == CaseStatus.OPEN,
        )
    )
    return sorted(rows, key=lambda a: (due_on(a) or date.max, a.id))


def colleagues(entry_id: int) -> list[User]:
    """The provider's active professional accounts, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(ProviderMembership, ProviderMembership.user_id == User.id)
            .where(ProviderMembership.directory_entry_id == entry_id, User.active.is_(True))
            .order_by(User.name)
        )
    )


def due_on(advice: AdviceRequest) -> date | None:
    """The engine's due date for this advice (its `advice_due` milestone)."""
    return db.session.scalar(
        select(Milestone.due_on).where(
            Milestone.case_id == advice.case_id, Milestone.key == "advice_due", Milestone.ref == f"advice:{advice.id}"
        )
    )


def attachments(advice: AdviceRequest) -> list[Document]:
    """The documents attached for the professional (deleted ones are gone)."""
    return list(
        db.session.scalars(
            select(Document)
            .join(advice_request_documents, advice_request_documents.c.document_id == Document.id)
            .where(advice_request_documents.c.advice_request_id == advice.id, Document.deleted_at.is_(None))
            .order_by(Document.dated_on, Document.id)
        )
    )


def attachment_for(user: User, advice_id: int, document_id: int) -> Document:
    advice = request_for(user, advice_id)
    document = next((d for d in attachments(advice) if d.id == document_id), None)
    if document is None:
        raise NotFound("No such document")
    return document


def returned(advice: AdviceRequest) -> AdviceReturn | None:
    return db.session.scalar(select(AdviceReturn).where(AdviceReturn.advice_request_id == advice.id))


def attachable_documents(case: Case) -> list[Document]:
    """What the coordinator may attach for the professional: the case's live documents."""
    return [d for d in document_service.documents_of_case(case) if not d.is_deleted]


# --- Inviting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInvitation:
    invitation: ProfessionalInvitation
    token: str


def _require_open(advice: AdviceRequest, actor: User) -> DirectoryEntry:
    case = advice.case
    if not access.can_edit_case(actor, case):
        raise Forbidden("Only the case's coordinator or a manager of its team can ask a professional for advice")
    if not case.is_open:
        raise ServiceError(f"This case is {case.status.value}: no advice can be returned on it")
    if advice.received_on is not None:
        raise ServiceError(f"This advice was already received on {advice.received_on:%-d %B %Y}")
    entry: DirectoryEntry | None = advice.directory_entry
    if entry is None:
        raise ServiceError(
            f"{advice.provider} is not in the provider directory. Ask an administrator to add it, then request the "
            "advice from the directory entry",
        )
    return entry


def _set_request(advice: AdviceRequest, *, question: str, document_ids: Iterable[int]) -> list[int]:
    question = question.strip()
    if not question:
        raise ServiceError("Enter the question you are asking", field="question")
    if len(question) > MAX_SUMMARY:
        raise ServiceError(f"The question must be {MAX_SUMMARY:,} characters or fewer", field="question")
    offered = {d.id for d in attachable_documents(advice.case)}
    wanted = sorted(set(document_ids))
    if any(i not in offered for i in wanted):
        raise NotFound("That document is not part of this case")
    advice.question = question
    db.session.execute(
        advice_request_documents.delete().where(advice_request_documents.c.advice_request_id == advice.id)
    )
    for document_id in wanted:
        db.session.execute(
            advice_request_documents.insert().values(advice_request_id=advice.id, document_id=document_id)
        )
    return wanted


def invite(
    advice: AdviceRequest,
    *,
    name: str,
    email: str,
    question: str,
    document_ids: Iterable[int] = (),
    actor: User,
    now: datetime,
) -> NewInvitation:
    """Invite a professional of the request's provider to return the advice; returns the one-time token."""
    entry = _require_open(advice, actor)
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the professional's name", field="name")
    if len(name) > 120:
        raise ServiceError("The name must be 120 characters or fewer", field="name")
    email = valid_email_address(email, field="email")
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        found = membership(existing)
        if found is None or found.directory_entry_id != entry.id:
            raise ServiceError(
                f"This email address belongs to another account. Invite an address of {entry.name}", field="email"
            )
    recent = (
        db.session.scalar(
            select(func.count(ProfessionalInvitation.id)).where(
                ProfessionalInvitation.advice_request_id == advice.id,
                ProfessionalInvitation.created_at >= now - timedelta(days=1),
            )
        )
        or 0
    )
    if recent >= MAX_INVITATIONS_PER_REQUEST_PER_DAY:
        raise ServiceError(
            "Too many invitations have been sent for this advice today. Try again tomorrow.", field="email"
        )
    attached = _set_request(advice, question=question, document_ids=document_ids)
    token, hashed = new_token()
    days = int(current_app.config.get("PROFESSIONAL_INVITATION_DAYS", 14))
    invitation = ProfessionalInvitation(
        advice_request_id=advice.id,
        directory_entry_id=entry.id,
        name=name,
        email=email,
        token_hash=hashed,
        expires_at=now + timedelta(days=days),
        invited_by_id=actor.id,
        created_at=now,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        actor,
        "professional_invited",
        "case",
        advice.case_id,
        f"Invited a professional of {entry.name} to return advice request {advice.id}",
        {"invitation_id": invitation.id, "advice_request_id": advice.id, "attached": attached},
    )
    return NewInvitation(invitation, token)


def assign(
    advice: AdviceRequest, professional: User, *, question: str, document_ids: Iterable[int] = (), actor: User
) -> None:
    """Address the request to a professional of its provider who already has an account."""
    entry = _require_open(advice, actor)
    if professional.id not in {u.id for u in colleagues(entry.id)}:
        raise ServiceError(f"Choose a professional of {entry.name}", field="professional")
    attached = _set_request(advice, question=question, document_ids=document_ids)
    advice.professional_id = professional.id
    audit.record(
        actor,
        "advice_request_addressed",
        "case",
        advice.case_id,
        f"Addressed advice request {advice.id} to professional account {professional.id}",
        {"advice_request_id": advice.id, "professional_id": professional.id, "attached": attached},
    )
    db.session.flush()


def invitation_for(token: str, *, now: datetime) -> ProfessionalInvitation:
    invitation = db.session.scalar(
        select(ProfessionalInvitation).where(ProfessionalInvitation.token_hash == token_hash(token))
    )
    if invitation is None or not invitation.usable_at(now):
        raise ServiceError(
            "This link has expired or has already been used. Ask the coordinator who wrote to you to send a new one."
        )
    return invitation


def accept(token: str, *, password: str, now: datetime) -> User:
    """Use an invitation: make the professional's account (or use theirs) and address the request to it."""
    invitation = invitation_for(token, now=now)
    user = db.session.scalar(select(User).where(User.email == invitation.email))
    if user is not None:
        found = membership(user)
        if found is None or found.directory_entry_id != invitation.directory_entry_id:
            raise ServiceError("This email address belongs to another account.")
    else:
        user = create_invited_account(
            email=invitation.email, name=invitation.name, role=Role.PROFESSIONAL, password=password
        )
        db.session.add(ProviderMembership(user_id=user.id, directory_entry_id=invitation.directory_entry_id))
    advice = invitation.advice_request
    if advice.received_on is None:
        advice.professional_id = user.id
    invitation.used_at = now
    audit.record(
        user,
        "professional_invitation_accepted",
        "case",
        advice.case_id,
        f"Professional account {user.id} accepted invitation {invitation.id}",
        {"invitation_id": invitation.id, "advice_request_id": advice.id},
    )
    db.session.flush()
    return user


# --- Returning the advice ---------------------------------------------------------------------


@dataclass(frozen=True)
class AdviceSummary:
    """The short structured summary beside the report: what the child needs, the outcomes sought
    and the provision advised (sections B, E and F of the plan), who gave it and when."""

    needs: str
    outcomes: str
    provision: str
    given_by: str
    provider_name: str
    dated_on: date | None


def _clean_summary(summary: AdviceSummary, advice: AdviceRequest, today: date) -> AdviceSummary:
    texts = {}
    for field, words in (("needs", "needs"), ("outcomes", "outcomes"), ("provision", "provision")):
        text = getattr(summary, field).strip()
        if not text:
            raise ServiceError(f"Summarise the {words}", field=field)
        if len(text) > MAX_SUMMARY:
            raise ServiceError(f"The summary of the {words} must be {MAX_SUMMARY:,} characters or fewer", field=field)
        texts[field] = text
    given_by = " ".join(summary.given_by.split())
    if not given_by or len(given_by) > 120:
        raise ServiceError("Enter your name (120 characters or fewer)", field="given_by")
    provider_name = " ".join(summary.provider_name.split())
    if not provider_name or len(provider_name) > 200:
        raise ServiceError("Enter the name of your service (200 characters or fewer)", field="provider_name")
    if summary.dated_on is None:
        raise ServiceError("Enter the date of the advice", field="dated_on")
    if summary.dated_on > today:
        raise ServiceError("The date of the advice cannot be in the future", field="dated_on")
    if summary.dated_on < advice.requested_on:
        raise ServiceError(
            f"The date of the advice cannot be before it was asked for ({advice.requested_on:%-d %B %Y})",
            field="dated_on",
        )
    return AdviceSummary(given_by=given_by, provider_name=provider_name, dated_on=summary.dated_on, **texts)


def return_advice(
    advice: AdviceRequest,
    *,
    user: User,
    upload: document_service.CheckedFile,
    summary: AdviceSummary,
    today: date,
    now: datetime,
) -> AdviceReturn:
    """Store the report, record the advice as received today on this request, and keep the summary."""
    if advice.professional_id != user.id or not can_see_request(user, advice):
        raise Forbidden("Only the professional this advice was asked of can return it")
    if advice.received_on is not None:
        raise ServiceError(f"This advice was already received on {advice.received_on:%-d %B %Y}")
    case = advice.case
    if not case.is_open:
        raise ServiceError("This assessment has ended: the advice is no longer needed. Contact the coordinator.")
    clean = _clean_summary(summary, advice, today)
    assert clean.dated_on is not None
    document = document_service.add_contributed_document(
        case.child,
        upload,
        document_service.DocumentDetails(
            kind=DocumentKind.ADVICE,
            title=f"{advice.advice_type.label} advice",
            dated_on=clean.dated_on,
            supplied_by=f"{clean.given_by}, {clean.provider_name}",
        ),
        case=case,
        step=document_service.Step(advice_request=advice),
        actor=user,
        now=now,
        today=today,
    )
    case_service.record_contributed_event(
        case,
        EventType.ADVICE_RECEIVED,
        today,
        actor=user,
        today=today,
        advice_request_id=advice.id,
        quality_note="Returned through the service",
    )
    back = AdviceReturn(
        advice_request_id=advice.id,
        professional_id=user.id,
        document_id=document.id,
        needs=clean.needs,
        outcomes=clean.outcomes,
        provision=clean.provision,
        given_by=clean.given_by,
        provider_name=clean.provider_name,
        dated_on=clean.dated_on,
        submitted_at=now,
    )
    db.session.add(back)
    db.session.flush()
    audit.record(
        user,
        "advice_returned",
        "case",
        case.id,
        f"Professional account {user.id} returned advice request {advice.id}",
        {"advice_request_id": advice.id, "document_id": document.id, "advice_return_id": back.id},
    )
    return back


# --- A provider manager ------------------------------------------------------------------------


def reassign(advice: AdviceRequest, to: User, *, actor: User) -> bool:
    """A provider manager moves an open request to another professional of the service.
    Returns False when it was already theirs."""
    found = membership(actor)
    if found is None or not found.is_manager or advice.directory_entry_id != found.directory_entry_id:
        raise Forbidden("Only a manager of the service the advice was asked of can move it")
    if advice.received_on is not None or not advice.case.is_open:
        raise ServiceError("This advice is no longer waiting: it cannot be moved")
    if to.id not in {u.id for u in colleagues(found.directory_entry_id)}:
        raise ServiceError("Choose a professional of your service", field="professional")
    if advice.professional_id == to.id:
        return False
    before = advice.professional_id
    advice.professional_id = to.id
    audit.record(
        actor,
        "advice_request_reassigned",
        "case",
        advice.case_id,
        f"Moved advice request {advice.id} to professional account {to.id}",
        {"advice_request_id": advice.id, "from": before, "to": to.id},
    )
    db.session.flush()
    return True


def add_to_provider(user: User, entry: DirectoryEntry, *, manager: bool, actor: User | None) -> ProviderMembership:
    """Make a professional account a member (or manager) of a provider (administrators, the demo)."""
    if user.role is not Role.PROFESSIONAL:
        raise ServiceError("Only a professional account can belong to a provider")
    found = membership(user)
    if found is None:
        found = ProviderMembership(user_id=user.id, directory_entry_id=entry.id)
        db.session.add(found)
    found.directory_entry_id = entry.id
    found.is_manager = manager
    db.session.flush()
    audit.record(
        actor,
        "provider_membership_set",
        "user",
        user.id,
        f"Professional account {user.id} works for {entry.name}" + (" as a manager" if manager else ""),
        {"directory_entry_id": entry.id, "manager": manager},
    )
    return found
