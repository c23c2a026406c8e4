"""Who may see the reports, the teams a report covers (`Scope`), and calendar months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, Date, false, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ... import access
from ...extensions import db
from ...models import User
from ...models.case import Case, CaseType, Milestone
from ..open_steps import open_step

# Who may use the reports at all, and who may see children's names in them.
REPORT_ROLES = access.OVERDUE_READERS
NAME_ROLES = access.CASEWORK
FINAL_PLAN_WEEKS = 20
ASSESSMENT_TYPES = (CaseType.ASSESSMENT, CaseType.REASSESSMENT)
REVIEW_KEYS = ("review_due", "transfer_in_review_due")


can_see_child_names = access.can_see_child_names


# --- Scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose cases a figure or list covers: some teams, and optionally one coordinator's cases
    (`coordinator_id`) or the cases nobody holds (`unassigned`)."""

    team_ids: frozenset[int]
    coordinator_id: int | None = None
    unassigned: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [Case.team_id.in_(self.team_ids) if self.team_ids else false()]
        if self.coordinator_id is not None:
            found.append(Case.coordinator_id == self.coordinator_id)
        elif self.unassigned:
            found.append(Case.coordinator_id.is_(None))
        return found

    def milestone_conditions(self) -> list[ColumnElement[bool]]:
        """`conditions()` on the milestones' own copies of their case's team and coordinator
        (services.open_steps), for a query of milestones that needs nothing else of the case."""
        found: list[ColumnElement[bool]] = [Milestone.team_id.in_(self.team_ids) if self.team_ids else false()]
        if self.coordinator_id is not None:
            found.append(Milestone.coordinator_id == self.coordinator_id)
        elif self.unassigned:
            found.append(Milestone.coordinator_id.is_(None))
        return found

    def step_conditions(self) -> list[ColumnElement[bool]]:
        """The steps still to take of the open cases in scope, on the milestones' own copies of
        their case's team, coordinator and status (services.open_steps): no join to the cases,
        and one range of a partial index (the conditions are written as its WHERE is)."""
        found = [*open_step(), Milestone.team_id.in_(self.team_ids) if self.team_ids else false()]
        if self.coordinator_id is not None:
            found.append(Milestone.coordinator_id == self.coordinator_id)
        elif self.unassigned:
            found.append(Milestone.coordinator_id.is_(None))
        return found


def scope_for(
    user: User, *, team_id: int | None = None, coordinator_id: int | None = None, unassigned: bool = False
) -> Scope:
    """The user's teams, narrowed to one of them if asked; never wider than the user's teams."""
    teams = frozenset(user.team_ids)
    if team_id is not None:
        teams = teams & {team_id}
    return Scope(teams, coordinator_id=coordinator_id, unassigned=unassigned)


def coordinator_in_scope(scope: Scope, coordinator_id: int) -> User | None:
    """The account a list is narrowed to, if the reader may know who it is: a coordinator or
    manager in one of the scope's teams, or anyone holding a case in them (someone who has moved
    team). None otherwise, so that a page asked for anyone else answers "not found" and never
    shows their name."""
    if not scope.team_ids:
        return None
    person = db.session.get(User, coordinator_id)
    if person is None:
        return None
    if person.role in NAME_ROLES and person.team_ids & scope.team_ids:
        return person
    holds = db.session.scalar(
        select(Case.id).where(Case.coordinator_id == person.id, Case.team_id.in_(scope.team_ids)).limit(1)
    )
    return person if holds is not None else None


# --- Months -----------------------------------------------------------------------------------


class month_of(FunctionElement[date]):  # noqa: N801  (an SQL function, named as one)
    """The first day of a date's month."""

    type = Date()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_of_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def month_start(on: date) -> date:
    return on.replace(day=1)


def next_month(month_on: date) -> date:
    return month_on + relativedelta(months=1)


def months_ending(as_at: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including the month of `as_at`, oldest first."""
    last = month_start(as_at)
    return [last - relativedelta(months=n) for n in range(count - 1, -1, -1)]


def parse_month(text: str | None) -> date | None:
    """'2025-02' → 1 February 2025; None if it is not a month."""
    if not text:
        return None
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None
