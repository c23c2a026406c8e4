"""Counts for the home page, computed in the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import Role, User
from ..models.case import Case, CaseStatus, Milestone


@dataclass(frozen=True)
class Summary:
    scope: str
    open_cases: int
    overdue_milestones: int
    due_soon_milestones: int
    cases_with_overdue: int


def summary(user: User, today: date, *, due_soon_days: int = 10) -> Summary:
    """Open work for a coordinator's own caseload, or a manager's teams."""
    mine = user.role is Role.COORDINATOR
    cases = select(Case.id).where(Case.status == CaseStatus.OPEN)
    cases = cases.where(Case.coordinator_id == user.id) if mine else cases.where(Case.team_id.in_(user.team_ids or {-1}))
    case_ids = cases.scalar_subquery()
    open_milestones = select(Milestone).where(
        Milestone.case_id.in_(case_ids), Milestone.met_on.is_(None), Milestone.is_period.is_(False)
    ).subquery()
    overdue = db.session.scalar(select(func.count()).select_from(open_milestones).where(open_milestones.c.due_on < today)) or 0
    soon = db.session.scalar(
        select(func.count()).select_from(open_milestones).where(
            open_milestones.c.due_on >= today, open_milestones.c.due_on <= today + timedelta(days=due_soon_days)
        )
    ) or 0
    with_overdue = db.session.scalar(
        select(func.count(func.distinct(open_milestones.c.case_id))).where(open_milestones.c.due_on < today)
    ) or 0
    total = db.session.scalar(select(func.count()).select_from(cases.subquery())) or 0
    return Summary("my caseload" if mine else "my teams", total, overdue, soon, with_overdue)
