"""Counts for the home page, computed in the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models import Role, User
from ..models.case import Case, CaseStatus, Milestone
from ..statutory.status import DEFAULT_DUE_SOON_DAYS
from .milestones import still_possible


@dataclass(frozen=True)
class Summary:
    scope: str
    open_cases: int
    overdue_milestones: int
    due_soon_milestones: int
    cases_with_overdue: int


def summary(user: User, today: date, *, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Summary:
    """Open work for a coordinator's own caseload, or a manager's teams."""
    mine = user.role is Role.COORDINATOR
    cases = select(Case.id).where(Case.status == CaseStatus.OPEN)
    cases = cases.where(Case.coordinator_id == user.id) if mine else cases.where(Case.team_id.in_(user.team_ids or {-1}))
    # One pass over the open steps of those cases (the home page is opened all day long).
    late = Milestone.due_on < today
    soon = and_(Milestone.due_on >= today, Milestone.due_on <= today + timedelta(days=due_soon_days))
    row = db.session.execute(
        select(
            func.coalesce(func.sum(case((late, 1), else_=0)), 0),
            func.coalesce(func.sum(case((soon, 1), else_=0)), 0),
            func.count(func.distinct(case((late, Milestone.case_id)))),
            select(func.count()).select_from(cases.subquery()).scalar_subquery(),
        ).where(
            Milestone.case_id.in_(cases.scalar_subquery()), Milestone.met_on.is_(None), Milestone.is_period.is_(False),
            still_possible(today),
        )
    ).one()
    overdue, due_soon, with_overdue, total = (int(v or 0) for v in row)
    return Summary("my caseload" if mine else "my teams", total, overdue, due_soon, with_overdue)
