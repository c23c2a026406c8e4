"""Opening a case, with every check it needs, for the pages and the JSON API alike.

An assessment (or reassessment) runs from the day the request was received; an annual review of
a plan made before the service was used runs from the day the plan was made or last reviewed; a
plan transferred in from another authority opens its first review here. Each is refused, with
the field it is about, when:

- the team is not one of the opener's teams, or the coordinator cannot hold cases in it;
- the child already has an open case of that kind (`CaseAlreadyOpen`, a 409 in the API);
- and for the rules the case service holds (services/cases.py): a date in the future, or before
  the child was born, and the rules each kind has of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import select

from .. import access
from ..extensions import db
from ..models import Team, User
from ..models.case import AppealType, Case, CaseStatus, CaseType, Plan, RequestSource
from . import Conflict, ServiceError
from . import cases as case_service

ASSESSMENT_TYPES = (CaseType.ASSESSMENT, CaseType.REASSESSMENT)
REVIEW_TYPES = (CaseType.ANNUAL_REVIEW,)


class CaseAlreadyOpen(Conflict):
    """The child already has an open case of the kind asked for."""


def team_of(actor: User, team_id: int | None, *, field: str = "team_id") -> Team:
    """One of the actor's own teams, by id."""
    team = next((t for t in actor.teams if t.id == team_id), None)
    if team is None:
        raise ServiceError("Select one of your teams", field=field)
    return team


def coordinator_of(actor: User, coordinator_id: int | None, team: Team) -> User | None:
    """Who will hold the case, by id: nobody chosen means the opener when they are a coordinator
    (a manager's case waits to be assigned); anyone chosen must be able to hold cases in the team."""
    if coordinator_id is None:
        return actor if access.works_own_caseload(actor) else None
    person = db.session.get(User, coordinator_id)
    if person is None or not access.can_hold_cases_in(person, team.id):
        raise ServiceError(f"Select a coordinator or manager in {team.name}", field="coordinator_id")
    return person


def open_case_of(child: Any, types: tuple[CaseType, ...]) -> int | None:
    """The id of the child's open case of one of these types, if there is one."""
    return db.session.scalar(
        select(Case.id)
        .where(Case.child_id == child.id, Case.status == CaseStatus.OPEN, Case.case_type.in_(types))
        .limit(1)
    )


@contextmanager
def _open_case_refused(child: Any, types: tuple[CaseType, ...]) -> Iterator[None]:
    """The case service checks for an open case of the same kind last, after the dates and the
    rest: its refusal is raised again as a `CaseAlreadyOpen`, a refusal about the child."""
    try:
        yield
    except CaseAlreadyOpen:
        raise
    except ServiceError as error:
        # (After a database guard fired, the session answers nothing until rolled back: a
        # Conflict is taken at its word.)
        if "already has an open" in error.message and (isinstance(error, Conflict) or open_case_of(child, types)):
            raise CaseAlreadyOpen(error.message, field=error.field) from None
        raise


def _check_team(actor: User, team: Team) -> None:
    if team.id not in actor.team_ids:
        raise ServiceError("Select one of your teams", field="team_id")


def open_assessment(
    *,
    child: Any,
    received_on: date,
    source: RequestSource,
    team: Team,
    coordinator: User | None,
    actor: User,
    today: date,
    reassessment: bool = False,
) -> Case:
    """An EHC needs assessment, or a reassessment of an existing plan."""
    _check_team(actor, team)
    with _open_case_refused(child, ASSESSMENT_TYPES):
        return case_service.open_assessment(
            child=child,
            received_on=received_on,
            source=source,
            team=team,
            coordinator=coordinator,
            actor=actor,
            today=today,
            reassessment=reassessment,
        )


def open_review(
    *, child: Any, last_reviewed_on: date, team: Team, coordinator: User | None, actor: User, today: date
) -> Case:
    """The annual reviews of a plan made before the service was used."""
    _check_team(actor, team)
    with _open_case_refused(child, REVIEW_TYPES):
        return case_service.open_review_of_existing_plan(
            child=child,
            last_reviewed_on=last_reviewed_on,
            team=team,
            coordinator=coordinator,
            actor=actor,
            today=today,
        )


def open_transfer_in(
    *,
    child: Any,
    transferred_on: date,
    plan_issued_on: date,
    last_reviewed_on: date,
    previous_authority: str,
    named_settings: str,
    team: Team,
    coordinator: User | None,
    actor: User,
    today: date,
) -> Case:
    """A plan transferred in from another authority (reg 15), and its first review here."""
    _check_team(actor, team)
    return case_service.open_transfer_in(
        child=child,
        transferred_on=transferred_on,
        plan_issued_on=plan_issued_on,
        last_reviewed_on=last_reviewed_on,
        previous_authority=previous_authority,
        named_settings=named_settings,
        team=team,
        coordinator=coordinator,
        actor=actor,
        today=today,
    )


def open_dispute(
    *,
    disputed: Case | None,
    decision_sent_on: date,
    appeal_type: AppealType,
    team: Team,
    coordinator: User | None,
    actor: User,
    today: date,
    plan: Plan | None = None,
) -> Case:
    """A dispute (mediation or an appeal) about the decision of another case of the child's, or
    about one of the child's plans."""
    _check_team(actor, team)
    return case_service.open_dispute(
        disputed=disputed,
        decision_sent_on=decision_sent_on,
        appeal_type=appeal_type,
        team=team,
        coordinator=coordinator,
        actor=actor,
        today=today,
        plan=plan,
    )
