"""The overdue and due-soon list: its filters, its conditions and its order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import CTE, ColumnElement, Select, select

from ...extensions import db
from ...models.case import Case, CaseType, Milestone
from ...models.child import Child, SenNeed
from ...statutory.status import DEFAULT_DUE_SOON_DAYS
from ..milestones import still_possible
from .rows import MilestoneRow, _milestone_columns, _milestone_row, _with_case_joins
from .scope import Scope

# --- The overdue and due-soon list ------------------------------------------------------------

Show = Literal["all", "overdue", "due_soon"]
OverdueSort = Literal["overdue", "due", "child"]


@dataclass(frozen=True)
class OverdueFilters:
    as_at: date
    due_within_days: int = DEFAULT_DUE_SOON_DAYS
    show: Show = "all"
    case_type: CaseType | None = None
    milestone_key: str | None = None
    primary_need: SenNeed | None = None
    setting_contains: str | None = None
    sort: OverdueSort = "overdue"
    descending: bool = True


def open_milestone_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """Milestones still to be met, of open cases in scope (periods that close are not steps),
    on the milestones' own columns (`Scope.step_conditions`): no join to the cases needed."""
    return scope.step_conditions()


def _overdue_conditions(scope: Scope, f: OverdueFilters) -> list[ColumnElement[bool]]:
    found = [*open_milestone_conditions(scope), still_possible(f.as_at)]
    horizon = f.as_at + timedelta(days=f.due_within_days)
    if f.show == "overdue":
        found.append(Milestone.due_on < f.as_at)
    elif f.show == "due_soon":
        found += [Milestone.due_on >= f.as_at, Milestone.due_on <= horizon]
    else:
        found.append(Milestone.due_on <= horizon)
    if f.case_type is not None:
        found.append(Case.case_type == f.case_type)
    if f.milestone_key:
        found.append(Milestone.key == f.milestone_key)
    if f.primary_need is not None:
        found.append(Child.primary_need == f.primary_need)
    if f.setting_contains and f.setting_contains.strip():
        found.append(Child.setting_name.icontains(f.setting_contains.strip(), autoescape=True))
    return found


def _overdue_order(f: OverdueFilters, ident: Any, due_on: Any, last_name: Any, first_name: Any) -> list[Any]:
    if f.sort == "child":
        names = [last_name, first_name, ident]
        return [c.desc() for c in names] if f.descending else names
    # Most days overdue first is the earliest due date first.
    earliest_first = (f.sort == "overdue") == f.descending
    return [due_on, ident] if earliest_first else [due_on.desc(), ident.desc()]


def _needs_child(f: OverdueFilters) -> bool:
    return f.sort == "child" or f.primary_need is not None or bool(f.setting_contains and f.setting_contains.strip())


def _needs_case(f: OverdueFilters) -> bool:
    return f.case_type is not None or _needs_child(f)


def _overdue_steps(scope: Scope, f: OverdueFilters) -> CTE:
    """The steps on the list, with what it sorts by, selected before they are sorted.

    A materialised CTE: the scope's open steps through the partial indexes on the milestones'
    own team and coordinator (services.open_steps), one index range per team. Without this
    fence PostgreSQL, asked for the first rows only (a page, or a cursor for an export), may
    walk the whole due-date index in order and filter as it goes. Cases are joined only when
    the list is filtered by case type, and children only when it is sorted or filtered by
    something of the child's.
    """
    with_child = _needs_child(f)
    columns: list[Any] = [Milestone.id, Milestone.due_on]
    if with_child:
        columns += [Child.last_name, Child.first_name]
    stmt = select(*columns)
    if _needs_case(f):
        stmt = stmt.join(Case, Milestone.case_id == Case.id)
    if with_child:
        stmt = stmt.join(Child, Case.child_id == Child.id)
    return stmt.where(*_overdue_conditions(scope, f)).cte("overdue_steps").prefix_with("MATERIALIZED")


def _overdue_steps_order(f: OverdueFilters, steps: CTE) -> list[Any]:
    names = (steps.c.last_name, steps.c.first_name) if _needs_child(f) else (None, None)
    return _overdue_order(f, steps.c.id, steps.c.due_on, *names)


def overdue_ids(scope: Scope, f: OverdueFilters) -> Select[tuple[int]]:
    """The ids of the milestones on the overdue and due-soon list, in its order."""
    steps = _overdue_steps(scope, f)
    return select(steps.c.id).order_by(*_overdue_steps_order(f, steps))


def overdue_rows(scope: Scope, f: OverdueFilters, *, with_names: bool, batch: int = 500) -> Iterator[MilestoneRow]:
    """Every row of the list (for exports), read from the database in batches."""
    steps = _overdue_steps(scope, f)
    stmt = (
        _with_case_joins(select(*_milestone_columns(with_names)).select_from(Milestone))
        .join(steps, steps.c.id == Milestone.id)
        .order_by(*_overdue_steps_order(f, steps))
        .execution_options(yield_per=batch)
    )
    for row in db.session.execute(stmt):
        yield _milestone_row(row, as_at=f.as_at, with_names=with_names, due_soon_days=f.due_within_days)
