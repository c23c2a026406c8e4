"""Families' contributions straight into the case: their views, and representations on the draft plan.

- Views, wishes and feelings (section A of the plan, "all about me" and aspirations; SEND
  Regulations 2014 reg 12(1)(a)): at any time while the case is open, as text or an upload.
- Representations on the draft plan and the school or college they would like named (Children
  and Families Act 2014 s38(2)(a)-(b)): while the representation period the engine computes is
  open (`representations_close`, reg 13(1): 15 days beginning with the day the draft was
  served), and until the final plan ends it. Afterwards the form is closed.

Each contribution is a family message in the case's communications (so it starts the 5-working-day
response clock, reaches the coordinator's worklist and digest, and its reply comes back to the
family), a document of the case (an upload, or the text written down), and an audit entry.

A young person of 16 or over with an account of their own speaks for themselves: their parents'
accounts can still give views, but the representations on the draft plan are the young person's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..models.case import Case, CaseType
from ..models.contribution import ContributionKind, FamilyContribution
from ..models.document import DocumentKind
from ..models.family import FamilyLink, FamilyRelationship
from ..statutory.calendar import age_on
from . import Forbidden, ServiceError, audit
from . import documents as document_service
from . import family as family_service

MAX_TEXT = 3500  # the message carrying it holds 4,000 characters with its heading
MAX_SETTING = 200


@dataclass(frozen=True)
class Window:
    """What the family account may send now, and the plain words when it may not."""

    views_open: bool
    views_closed: str
    # "none" (no draft plan yet), "open", "closed", or "young_person" (theirs to make).
    representations: str
    closes_on: date | None
    representations_text: str
    speaks_for_self: bool


def _relationship(case: Case, user: User) -> FamilyRelationship | None:
    return db.session.scalar(
        select(FamilyLink.relationship_to_child).where(
            FamilyLink.user_id == user.id, FamilyLink.child_id == case.child_id
        )
    )


def young_person_speaks(case: Case, today: date) -> bool:
    """Whether the child is 16 or over and holds an account of their own."""
    if age_on(case.child.date_of_birth, today) < family_service.YOUNG_PERSON_MIN_AGE:
        return False
    return (
        db.session.scalar(
            select(FamilyLink.id).where(
                FamilyLink.child_id == case.child_id,
                FamilyLink.relationship_to_child == FamilyRelationship.YOUNG_PERSON,
            )
        )
        is not None
    )


def window(case: Case, *, user: User, today: date) -> Window:
    """The views form and the representations form, open or closed, for this account today."""
    speaks_for_self = _relationship(case, user) is FamilyRelationship.YOUNG_PERSON
    views_open = case.is_open and case.case_type is not CaseType.DISPUTE
    if views_open:
        views_closed = ""
    elif case.is_open:
        views_closed = "About this disagreement, send your coordinator a message below."
    else:
        views_closed = "This is finished, so you cannot send your views here any more."
    period = next(
        (s for s in family_service.progress(case, today=today, viewer=user).steps if s.key == "representations_close"),
        None,
    )
    if period is None:
        state, closes_on, text = "none", None, "You can comment on the draft plan once we have sent it to you."
    elif period.status == "period":
        state, closes_on = "open", period.due_on
        text = f"You can tell us what you think of the draft plan until {period.due_on:%A %-d %B %Y}."
    else:
        state, closes_on, text = "closed", period.due_on, period.detail
    if state == "open" and not speaks_for_self and young_person_speaks(case, today):
        state = "young_person"
        text = (
            f"{case.child.first_name} is 16 or over and has an account, so they tell us what they think of the draft "
            "plan themselves. You can still send your views."
        )
    return Window(views_open, views_closed, state, closes_on, text, speaks_for_self)


def _record(
    case: Case,
    *,
    user: User,
    kind: ContributionKind,
    heading: str,
    text: str,
    preferred_setting: str | None,
    upload: document_service.CheckedFile | None,
    today: date,
    now: datetime,
) -> FamilyContribution:
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ServiceError(f"What you write must be {MAX_TEXT:,} characters or fewer", field="text")
    if not text and upload is None:
        raise ServiceError("Write what you want to tell us, or upload a file", field="text")
    lines = [heading]
    if preferred_setting:
        lines.append(f"School or college we would like named: {preferred_setting}")
    lines.append(text if text else f"(Sent as a file: {upload.filename})")  # type: ignore[union-attr]
    comm = family_service.send_message(case, user=user, text="\n".join(lines), today=today, now=now)
    document_kind = DocumentKind.FAMILY_VIEWS if kind is ContributionKind.VIEWS else DocumentKind.REPRESENTATIONS
    written = None
    if upload is None:
        # The words written down as a document of the case, like any letter that came in.
        written = document_service.check_upload(io.BytesIO("\n\n".join(lines).encode()), f"{kind.value}.txt")
        upload = written
    try:
        document = document_service.add_contributed_document(
            case.child,
            upload,
            document_service.DocumentDetails(
                kind=document_kind, title=f"{kind.label} from {user.name}"[:200], dated_on=today, supplied_by=user.name
            ),
            case=case,
            step=document_service.Step(communication=comm),
            actor=user,
            now=now,
            today=today,
        )
    finally:
        if written is not None:
            written.close()
    contribution = FamilyContribution(
        case_id=case.id,
        user_id=user.id,
        kind=kind,
        text=text or None,
        preferred_setting=preferred_setting,
        document_id=document.id,
        communication_id=comm.id,
        submitted_on=today,
        submitted_at=now,
    )
    db.session.add(contribution)
    db.session.flush()
    audit.record(
        user,
        f"family_{kind.value}_sent",
        "case",
        case.id,
        f"Family account {user.id} sent its {kind.label.lower()} on case {case.id}",
        {"contribution_id": contribution.id, "communication_id": comm.id, "document_id": document.id},
    )
    return contribution


def give_views(
    case: Case,
    *,
    user: User,
    text: str,
    upload: document_service.CheckedFile | None = None,
    today: date,
    now: datetime,
) -> FamilyContribution:
    """The family's (or the young person's) views, wishes and feelings, into the case."""
    if not family_service.can_view_case(user, case):
        raise Forbidden("You cannot send anything about this case")
    found = window(case, user=user, today=today)
    if not found.views_open:
        raise ServiceError(found.views_closed, field="text")
    heading = "Views, wishes and feelings (all about me)"
    return _record(
        case,
        user=user,
        kind=ContributionKind.VIEWS,
        heading=heading,
        text=text,
        preferred_setting=None,
        upload=upload,
        today=today,
        now=now,
    )


def send_representations(
    case: Case,
    *,
    user: User,
    text: str,
    preferred_setting: str = "",
    upload: document_service.CheckedFile | None = None,
    today: date,
    now: datetime,
) -> FamilyContribution:
    """Representations on the draft plan, and the school or college preferred, before the deadline."""
    if not family_service.can_view_case(user, case):
        raise Forbidden("You cannot send anything about this case")
    found = window(case, user=user, today=today)
    if found.representations != "open":
        raise ServiceError(found.representations_text, field="text")
    preferred = " ".join(preferred_setting.split())
    if len(preferred) > MAX_SETTING:
        raise ServiceError(f"The name must be {MAX_SETTING} characters or fewer", field="preferred_setting")
    return _record(
        case,
        user=user,
        kind=ContributionKind.REPRESENTATIONS,
        heading="Representations on the draft plan",
        text=text,
        preferred_setting=preferred or None,
        upload=upload,
        today=today,
        now=now,
    )


def contributions_of(case: Case, *, user: User) -> list[FamilyContribution]:
    """What this account has sent into the case, newest first."""
    return list(
        db.session.scalars(
            select(FamilyContribution)
            .where(FamilyContribution.case_id == case.id, FamilyContribution.user_id == user.id)
            .order_by(FamilyContribution.submitted_at.desc(), FamilyContribution.id.desc())
        )
    )
