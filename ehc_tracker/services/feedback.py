"""Family feedback: a short survey offered at the points of a case the council chooses.

When a step named in FEEDBACK_SURVEY_POINTS is recorded (by default the final plan issued and
the annual review's decision notified), each active family account of the child is offered one
survey about that case: on its progress page, and by an emailed link that works once, without
signing in, until FEEDBACK_SURVEY_DAYS have passed. The link's token is kept only as a hash.
An answer is a rating (satisfied, partly satisfied, not satisfied) and an optional comment.

Who reads the answers: the managers of the case's team, always; the coordinator the survey
names (the case's coordinator when it was offered), only once a manager has chosen to share
that answer with them (`set_shared`, audited). Viewers see only the figures, never an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, select, update

from .. import access
from ..extensions import db
from ..models import User
from ..models.case import Case, CaseEvent
from ..models.voice import FamilySurvey, SurveyPoint, SurveyRating
from . import Conflict, Forbidden, ServiceError, audit, family_mail
from .clock import now as clock_now
from .events import step_recorded
from .family import can_view_case, family_accounts_for_child
from .link_tokens import new_token, token_hash
from .reports.scope import next_month

MAX_COMMENT = 2000
USED_OR_EXPIRED = "This link has already been used or has expired. Thank you if you have already told us how we did."


def survey_points() -> set[SurveyPoint]:
    """The steps that offer a survey (FEEDBACK_SURVEY_POINTS); unknown names are ignored."""
    names = {n.strip() for n in str(current_app.config.get("FEEDBACK_SURVEY_POINTS") or "").split(",")}
    return {p for p in SurveyPoint if p.value in names}


@dataclass(frozen=True)
class OfferedSurvey:
    survey: FamilySurvey
    token: str


def offer_surveys(case: Case, event: CaseEvent, *, now: datetime) -> list[OfferedSurvey]:
    """Offer each active family account of the child a survey about the step just recorded, if
    the step is one the council chose; never twice to one account for one case and point."""
    try:
        point = SurveyPoint(event.event_type.value)
    except ValueError:
        return []
    if point not in survey_points():
        return []
    offered = []
    days = int(current_app.config["FEEDBACK_SURVEY_DAYS"])
    for user in family_accounts_for_child(case.child_id):
        if not user.active:
            continue
        exists = db.session.scalar(
            select(FamilySurvey.id).where(
                FamilySurvey.case_id == case.id, FamilySurvey.point == point, FamilySurvey.user_id == user.id
            )
        )
        if exists is not None:
            continue
        token, hashed = new_token()
        survey = FamilySurvey(
            case_id=case.id,
            team_id=case.team_id,
            coordinator_id=case.coordinator_id,
            user_id=user.id,
            point=point,
            token_hash=hashed,
            offered_at=now,
            expires_at=now + timedelta(days=days),
        )
        db.session.add(survey)
        db.session.flush()
        audit.record(
            event.recorded_by,  # offered because they recorded the step
            "feedback_survey_offered",
            "case",
            case.id,
            f"Offered family account {user.id} a feedback survey ({point.label.lower()}) on case {case.id}",
            {"survey_id": survey.id, "point": point.value, "user_id": user.id},
        )
        family_mail.send_survey(survey, token)
        offered.append(OfferedSurvey(survey, token))
    return offered


def _on_step_recorded(case: Case, *, event: CaseEvent, **_: object) -> None:
    offer_surveys(case, event, now=clock_now())


def subscribe() -> None:
    """Offer the surveys when a chosen step is recorded (connecting again changes nothing)."""
    step_recorded.connect(_on_step_recorded)


# --- Answering ------------------------------------------------------------------------------


def survey_by_token(token: str, *, now: datetime) -> FamilySurvey:
    """The survey an emailed link opens, while it is unanswered and unexpired."""
    survey = db.session.scalar(select(FamilySurvey).where(FamilySurvey.token_hash == token_hash(token)))
    if survey is None or not survey.open_at(now) or not survey.user.active:
        raise ServiceError(USED_OR_EXPIRED)
    return survey


def open_surveys(user: User, case: Case, *, now: datetime) -> list[FamilySurvey]:
    """The surveys this family account may still answer about this case (its progress page)."""
    if not can_view_case(user, case):
        return []
    found = db.session.scalars(
        select(FamilySurvey)
        .where(FamilySurvey.case_id == case.id, FamilySurvey.user_id == user.id, FamilySurvey.answered_at.is_(None))
        .order_by(FamilySurvey.offered_at)
    )
    return [s for s in found if s.open_at(now)]


def answer(
    survey: FamilySurvey,
    *,
    rating: SurveyRating,
    comment: str | None,
    now: datetime,
    today: date,
    signed_in: User | None = None,
) -> FamilySurvey:
    """Answer the survey, once. By link (`signed_in` None) the link itself is the credential; a
    signed-in family account may answer only its own survey."""
    if signed_in is not None and (signed_in.id != survey.user_id or not can_view_case(signed_in, survey.case)):
        raise Forbidden("This survey is not yours to answer")
    if not survey.open_at(now):
        raise Conflict(USED_OR_EXPIRED)
    text = (comment or "").strip() or None
    if text is not None and len(text) > MAX_COMMENT:
        raise ServiceError(f"Your comment must be {MAX_COMMENT:,} characters or fewer", field="comment")
    # Spent in one statement that only an unanswered survey matches: two answers sent at the same
    # moment (a double click, the link and the account) cannot both count.
    spent = db.session.execute(
        update(FamilySurvey)
        .where(FamilySurvey.id == survey.id, FamilySurvey.answered_at.is_(None))
        .values(answered_at=now, answered_on=today, rating=rating, comment=text)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(USED_OR_EXPIRED)
    db.session.refresh(survey)
    account = survey.user
    audit.record(
        account,
        "feedback_survey_answered",
        "case",
        survey.case_id,
        f"Family account {account.id} answered the feedback survey {survey.id} on case {survey.case_id}"
        + (" (signed in)" if signed_in is not None else " (by the emailed link)"),
        {"survey_id": survey.id, "rating": rating.value, "with_comment": text is not None},
        label=None if signed_in is not None else f"{account.email} (survey link)",
    )
    return survey


# --- Reading and sharing the answers ---------------------------------------------------------


def can_read(actor: User, survey: FamilySurvey) -> bool:
    """A manager of the survey's team; the coordinator it names once a manager has shared it."""
    if not survey.answered_at or survey.team_id not in actor.team_ids:
        return False
    if access.can_manage(actor):
        return True
    return (
        access.is_staff_editor(actor)
        and survey.coordinator_id == actor.id
        and survey.shared_with_coordinator_at is not None
    )


def readable_for_case(actor: User, case: Case) -> list[FamilySurvey]:
    """The answered surveys of this case that `actor` may read (the case page)."""
    found = db.session.scalars(
        select(FamilySurvey)
        .where(FamilySurvey.case_id == case.id, FamilySurvey.answered_at.is_not(None))
        .order_by(FamilySurvey.answered_at.desc())
    )
    return [s for s in found if can_read(actor, s)]


def set_shared(survey: FamilySurvey, *, share: bool, actor: User, now: datetime) -> bool:
    """A manager lets the coordinator the answer names read it (or stops). False if already so."""
    if not (access.can_manage(actor) and survey.team_id in actor.team_ids):
        raise Forbidden("Only a manager of the team can share a family's answer with its coordinator")
    if survey.answered_at is None:
        raise ServiceError("This survey has not been answered")
    if (survey.shared_with_coordinator_at is not None) == share:
        return False
    survey.shared_with_coordinator_at = now if share else None
    survey.shared_by_id = actor.id if share else None
    audit.record(
        actor,
        "feedback_shared_with_coordinator" if share else "feedback_unshared_with_coordinator",
        "case",
        survey.case_id,
        ("Shared" if share else "Stopped sharing")
        + f" the family's answer {survey.id} with the coordinator it names (user {survey.coordinator_id})",
        {"survey_id": survey.id, "coordinator_id": survey.coordinator_id},
    )
    db.session.flush()
    return True


@dataclass(frozen=True)
class FeedbackFilters:
    month_on: date | None = None
    rating: SurveyRating | None = None
    point: SurveyPoint | None = None


def answers(team_ids: frozenset[int] | set[int], f: FeedbackFilters) -> Select[tuple[FamilySurvey]]:
    """The answered surveys of these teams that match the filters, the latest first."""
    conditions: list[Any] = [
        FamilySurvey.team_id.in_(team_ids) if team_ids else FamilySurvey.id.is_(None),
        FamilySurvey.answered_at.is_not(None),
    ]
    if f.month_on is not None:
        conditions += [FamilySurvey.answered_on >= f.month_on, FamilySurvey.answered_on < next_month(f.month_on)]
    if f.rating is not None:
        conditions.append(FamilySurvey.rating == f.rating)
    if f.point is not None:
        conditions.append(FamilySurvey.point == f.point)
    return select(FamilySurvey).where(*conditions).order_by(FamilySurvey.answered_at.desc(), FamilySurvey.id.desc())


def record_answers_viewed(actor: User, surveys: list[FamilySurvey], filters: dict[str, object]) -> None:
    """The managers' list names children and coordinators: each showing of it is audited."""
    audit.record(
        actor,
        "feedback_answers_viewed",
        "report",
        "feedback",
        f"Viewed {len(surveys)} family feedback answers",
        {"surveys": [s.id for s in surveys], "filters": filters},
    )
