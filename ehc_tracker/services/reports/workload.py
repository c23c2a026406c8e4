"""Open work at the as-at date: overdue milestones, backlog, reviews missed and caseloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, Select, func, select

from ...extensions import db
from ...models import User
from ...models.case import Case, CaseStatus, CaseType, Milestone
from ...statutory.rules import RULES
from ..milestones import still_possible
from .overdue import open_milestone_conditions
from .scope import ASSESSMENT_TYPES, FINAL_PLAN_WEEKS, REVIEW_KEYS, Scope

# --- Open work --------------------------------------------------------------------------------

WorkloadList = Literal["open_assessments", "backlog", "no_review", "caseload"]
WORKLOAD_TITLES = {
    "open_assessments": "Open assessments, oldest first",
    "backlog": "Open assessments past 20 weeks",
    "no_review": "Plans with no review in the last 12 months",
    "caseload": "Open cases",
}


@dataclass(frozen=True)
class OverdueCount:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class CaseloadCount:
    coordinator_id: int | None
    name: str
    open_cases: int


@dataclass(frozen=True)
class Workload:
    as_at: date
    overdue: list[OverdueCount]
    open_assessments: int
    longest_open_assessment_weeks: int | None
    backlog: int
    no_review: int
    caseload: list[CaseloadCount]

    @property
    def overdue_total(self) -> int:
        return sum(c.count for c in self.overdue)


def _open_case(as_at: date) -> list[ColumnElement[bool]]:
    return [Case.status == CaseStatus.OPEN, Case.anchor_on <= as_at]


def _workload_conditions(scope: Scope, kind: WorkloadList, as_at: date) -> list[ColumnElement[bool]]:
    found = [*_open_case(as_at), *scope.conditions()]
    if kind == "open_assessments":
        found.append(Case.case_type.in_(ASSESSMENT_TYPES))
    elif kind == "backlog":
        found += [Case.case_type == CaseType.ASSESSMENT, Case.anchor_on < as_at - timedelta(weeks=FINAL_PLAN_WEEKS)]
    elif kind == "no_review":
        overdue_review = select(Milestone.case_id).where(*_overdue_review(scope, as_at))
        found += [Case.case_type == CaseType.ANNUAL_REVIEW, Case.id.in_(overdue_review)]
    return found


def _overdue_review(scope: Scope, as_at: date) -> list[ColumnElement[bool]]:
    """A review not held by its due date, of an open case in scope: the scope's open steps (one
    range of the open-steps index), not every review's."""
    return [*scope.step_conditions(), Milestone.key.in_(REVIEW_KEYS), Milestone.due_on < as_at]


def workload_ids(scope: Scope, kind: WorkloadList, as_at: date) -> Select[tuple[int]]:
    """The cases behind one open-work number, oldest first."""
    return select(Case.id).where(*_workload_conditions(scope, kind, as_at)).order_by(Case.anchor_on, Case.id)


def _count_cases(scope: Scope, kind: WorkloadList, as_at: date) -> int:
    if kind == "no_review":
        # The same conditions in two steps: the overdue review steps (a few rows of the
        # open-steps index), then their cases by id. Asked in one statement, PostgreSQL
        # overestimates the steps and reads every open review of the team to test each one.
        found = sorted(set(db.session.scalars(select(Milestone.case_id).where(*_overdue_review(scope, as_at)))))
        if not found:
            return 0
        stmt = (
            select(func.count())
            .select_from(Case)
            .where(
                *_open_case(as_at), *scope.conditions(), Case.case_type == CaseType.ANNUAL_REVIEW, Case.id.in_(found)
            )
        )
    else:
        stmt = select(func.count()).select_from(Case).where(*_workload_conditions(scope, kind, as_at))
    return int(db.session.scalar(stmt) or 0)


def workload(scope: Scope, as_at: date) -> Workload:
    overdue_stmt = (
        select(Milestone.key, func.count())
        .where(*open_milestone_conditions(scope), still_possible(as_at), Milestone.due_on < as_at)
        .group_by(Milestone.key)
    )
    overdue = sorted(
        (
            OverdueCount(key, RULES[key].label if key in RULES else key, int(n))
            for key, n in db.session.execute(overdue_stmt)
        ),
        key=lambda c: (-c.count, c.label),
    )
    oldest, open_assessments = db.session.execute(
        select(func.min(Case.anchor_on), func.count(Case.id)).where(
            *_workload_conditions(scope, "open_assessments", as_at)
        )
    ).one()
    caseload_stmt = (
        select(Case.coordinator_id, User.name, func.count())
        .outerjoin(User, Case.coordinator_id == User.id)
        .where(*_open_case(as_at), *scope.conditions())
        .group_by(Case.coordinator_id, User.name)
    )
    caseload = sorted(
        (CaseloadCount(ident, name or "Not assigned", int(n)) for ident, name, n in db.session.execute(caseload_stmt)),
        key=lambda c: (-c.open_cases, c.name),
    )
    return Workload(
        as_at=as_at,
        overdue=overdue,
        open_assessments=int(open_assessments),
        longest_open_assessment_weeks=(as_at - oldest).days // 7 if oldest is not None else None,
        backlog=_count_cases(scope, "backlog", as_at),
        no_review=_count_cases(scope, "no_review", as_at),
        caseload=caseload,
    )
