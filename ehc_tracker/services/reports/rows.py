"""The rows the report lists show: one per milestone or per case, fetched by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select

from ...extensions import db
from ...models import Team, User
from ...models.case import AppealType, Case, CaseType, Milestone
from ...models.child import Child, SenNeed
from ...statutory.status import DEFAULT_DUE_SOON_DAYS, MilestoneStatus, milestone_status
from ..paging import Page, page_of

# --- Rows shown in the lists ------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone in a list, with its case; `child_name`, `primary_need` and `setting_name`
    are None when the reader may not see children's details."""

    milestone_id: int
    case_id: int
    case_type: CaseType
    team_name: str
    coordinator_name: str | None
    child_name: str | None
    primary_need: SenNeed | None
    setting_name: str | None
    key: str
    label: str
    due_on: date
    met_on: date | None
    exception_applies: bool
    status: MilestoneStatus
    # Days past the due date (overdue, or met late); days left for one not yet due.
    days_late: int | None
    days_remaining: int | None


@dataclass(frozen=True)
class CaseRow:
    case_id: int
    case_type: CaseType
    team_name: str
    coordinator_name: str | None
    child_name: str | None
    anchor_on: date
    next_due_on: date | None
    weeks_open: int
    # What a dispute is about, and the day a case closed (None while open).
    appeal_type: AppealType | None = None
    closed_on: date | None = None


def _milestone_columns(with_names: bool) -> list[Any]:
    columns: list[Any] = [
        Milestone.id,
        Milestone.case_id,
        Case.case_type,
        Team.name.label("team_name"),
        User.name.label("coordinator_name"),
        Milestone.key,
        Milestone.label,
        Milestone.due_on,
        Milestone.met_on,
        Milestone.exception_applies,
        Milestone.lapses_on,
    ]
    if with_names:
        columns += [Child.first_name, Child.last_name, Child.primary_need, Child.setting_name]
    return columns


def _with_case_joins(stmt: Select[Any]) -> Select[Any]:
    return (
        stmt.join(Case, Milestone.case_id == Case.id)
        .join(Team, Case.team_id == Team.id)
        .join(Child, Case.child_id == Child.id)
        .outerjoin(User, Case.coordinator_id == User.id)
    )


def _milestone_row(row: Any, *, as_at: date, with_names: bool, due_soon_days: int) -> MilestoneRow:
    m = row._mapping
    state = milestone_status(m["due_on"], m["met_on"], as_at, due_soon_days=due_soon_days, lapses_on=m["lapses_on"])
    return MilestoneRow(
        milestone_id=m["id"],
        case_id=m["case_id"],
        case_type=m["case_type"],
        team_name=m["team_name"],
        coordinator_name=m["coordinator_name"],
        child_name=f"{m['first_name']} {m['last_name']}" if with_names else None,
        primary_need=m["primary_need"] if with_names else None,
        setting_name=m["setting_name"] if with_names else None,
        key=m["key"],
        label=m["label"],
        due_on=m["due_on"],
        met_on=m["met_on"],
        exception_applies=m["exception_applies"],
        status=state.status,
        days_late=state.days_late,
        days_remaining=state.days_remaining,
    )


def milestone_rows(
    ids: Sequence[int], *, as_at: date, with_names: bool, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> list[MilestoneRow]:
    """The rows for these milestone ids, in the order given (one query by primary key)."""
    if not ids:
        return []
    stmt = _with_case_joins(select(*_milestone_columns(with_names)).select_from(Milestone)).where(
        Milestone.id.in_(list(ids))
    )
    found = {
        r.id: _milestone_row(r, as_at=as_at, with_names=with_names, due_soon_days=due_soon_days)
        for r in db.session.execute(stmt)
    }
    return [found[i] for i in ids if i in found]


def _case_columns(with_names: bool) -> list[Any]:
    columns: list[Any] = [
        Case.id,
        Case.case_type,
        Team.name.label("team_name"),
        User.name.label("coordinator_name"),
        Case.anchor_on,
        Case.next_due_on,
        Case.appeal_type,
        Case.closed_on,
    ]
    if with_names:
        columns += [Child.first_name, Child.last_name]
    return columns


def case_rows(ids: Sequence[int], *, as_at: date, with_names: bool) -> list[CaseRow]:
    if not ids:
        return []
    stmt = (
        select(*_case_columns(with_names))
        .select_from(Case)
        .join(Team, Case.team_id == Team.id)
        .join(Child, Case.child_id == Child.id)
        .outerjoin(User, Case.coordinator_id == User.id)
        .where(Case.id.in_(list(ids)))
    )
    found = {}
    for row in db.session.execute(stmt):
        m = row._mapping
        found[m["id"]] = CaseRow(
            case_id=m["id"],
            case_type=m["case_type"],
            team_name=m["team_name"],
            coordinator_name=m["coordinator_name"],
            child_name=f"{m['first_name']} {m['last_name']}" if with_names else None,
            anchor_on=m["anchor_on"],
            next_due_on=m["next_due_on"],
            weeks_open=max((as_at - m["anchor_on"]).days, 0) // 7,
            appeal_type=m["appeal_type"],
            closed_on=m["closed_on"],
        )
    return [found[i] for i in ids if i in found]


def page_of_ids(stmt: Select[tuple[int]], *, page: int, per_page: int) -> Page:
    """One page of a statement that selects ids, with the total, in one query. The offset
    skips over narrow id rows, not joined wide ones; the page's own rows are read afterwards
    by primary key."""
    return page_of(stmt, page=page, per_page=per_page)
