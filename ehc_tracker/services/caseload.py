"""The caseload: the home page's counts and the caseload list, computed in the database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from .. import access
from ..extensions import db
from ..models import User
from ..models.case import Case, CaseStatus, CaseType, EventType, Milestone
from ..models.child import Child
from ..statutory.status import DEFAULT_DUE_SOON_DAYS
from . import cases as case_service
from . import timeline as timeline_service
from .milestones import communication_awaiting_reply, still_possible
from .open_steps import open_step
from .paging import Page, page_of


@dataclass(frozen=True)
class Summary:
    scope: str
    open_cases: int
    overdue_milestones: int
    due_soon_milestones: int
    cases_with_overdue: int


def summary(user: User, today: date, *, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Summary:
    """Open work for a coordinator's own caseload, or a manager's teams."""
    mine = access.works_own_caseload(user)
    cases = select(Case.id).where(Case.status == CaseStatus.OPEN)
    cases = (
        cases.where(Case.coordinator_id == user.id) if mine else cases.where(Case.team_id.in_(user.team_ids or {-1}))
    )
    # One pass over the open steps of those cases (the home page is opened all day long), on the
    # milestones' own copies of their case's coordinator or team (services.open_steps).
    whose = Milestone.coordinator_id == user.id if mine else Milestone.team_id.in_(user.team_ids or {-1})
    late = Milestone.due_on < today
    soon = and_(Milestone.due_on >= today, Milestone.due_on <= today + timedelta(days=due_soon_days))
    row = db.session.execute(
        select(
            func.coalesce(func.sum(case((late, 1), else_=0)), 0),
            func.coalesce(func.sum(case((soon, 1), else_=0)), 0),
            func.count(func.distinct(case((late, Milestone.case_id)))),
            select(func.count()).select_from(cases.subquery()).scalar_subquery(),
        ).where(*open_step(), whose, still_possible(today))
    ).one()
    overdue, due_soon, with_overdue, total = (int(v or 0) for v in row)
    return Summary("my caseload" if mine else "my teams", total, overdue, due_soon, with_overdue)


# --- The caseload list -------------------------------------------------------------------------

CASELOAD_SORTS = {
    # Nulls last, written so that an index on (team or coordinator, next_due_on, id) of the open
    # cases gives the first page without sorting the whole team.
    "due": (Case.next_due_on.asc().nulls_last(), Case.id),
    "child": (Child.last_name, Child.first_name, Case.id),
    "opened": (Case.anchor_on.desc(), Case.id),
}
CASELOAD_PER_PAGE = 25


@dataclass(frozen=True)
class CaseloadFilters:
    """What the caseload is narrowed to: `coordinator` is "mine", "" (everyone in my teams) or a
    person's id; `status` "open", "closed" or "" (all); `due` "overdue", "soon" or ""."""

    coordinator: str = ""
    status: str = "open"
    case_type: str = ""
    due: str = ""
    sort: str = "due"


def default_coordinator_filter(user: User) -> str:
    """A coordinator's caseload starts at their own cases, a manager's at their teams'."""
    return "mine" if access.works_own_caseload(user) else ""


def colleagues(user: User) -> list[User]:
    """The coordinators and managers of the user's teams, by name (the caseload's "whose cases")."""
    people = {p.id: p for t in user.teams for p in t.members if access.is_staff_editor(p)}
    return sorted(people.values(), key=lambda p: p.name)


def _caseload_conditions(
    user: User, filters: CaseloadFilters, today: date, *, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> list[ColumnElement[bool]]:
    """Which cases of the user's teams the filters choose."""
    found: list[ColumnElement[bool]] = [Case.team_id.in_(user.team_ids or {-1})]
    who = filters.coordinator
    if who == "mine":
        found.append(Case.coordinator_id == user.id)
    elif who and who.isdigit():
        found.append(Case.coordinator_id == int(who))
    status = filters.status or "open"
    if status == "open":
        found.append(Case.status == CaseStatus.OPEN)
    elif status == "closed":
        found.append(Case.status != CaseStatus.OPEN)
    if filters.case_type:
        found.append(Case.case_type == CaseType(filters.case_type))
    if filters.due in ("overdue", "soon"):
        # Steps still to take (a lapsed step is missed, not overdue), not the cached next date.
        horizon = today if filters.due == "overdue" else today + timedelta(days=due_soon_days) + timedelta(days=1)
        steps = select(Milestone.case_id).where(
            Milestone.met_on.is_(None),
            Milestone.is_period.is_(False),
            still_possible(today),
            Milestone.due_on < horizon,
        )
        found.append(Case.id.in_(steps))
    return found


def caseload_query(
    user: User, filters: CaseloadFilters, today: date, *, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> Select[tuple[Case]]:
    """The cases of the user's teams the filters choose, sorted."""
    return (
        select(Case)
        .join(Case.child)
        .where(*_caseload_conditions(user, filters, today, due_soon_days=due_soon_days))
        # One query for the page (children and coordinators), one for the open milestones the
        # "next step" column chooses from.
        .options(
            contains_eager(Case.child),
            joinedload(Case.coordinator),
            selectinload(Case.milestones.and_(Milestone.met_on.is_(None), Milestone.is_period.is_(False))),
            # What the "Record" link of each row needs to know which step comes next.
            selectinload(Case.events),
            selectinload(Case.advice_requests),
            selectinload(Case.consultations),
        )
        .order_by(*CASELOAD_SORTS.get(filters.sort, CASELOAD_SORTS["due"]))
    )


def caseload_count(
    user: User, filters: CaseloadFilters, today: date, *, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> Select[tuple[int]]:
    """How many cases `caseload_query` chooses, counted on the cases alone (every case has its
    child): a team's open cases from an index, where the page's own query reads 25 rows."""
    return (
        select(func.count())
        .select_from(Case)
        .where(*_caseload_conditions(user, filters, today, due_soon_days=due_soon_days))
    )


@dataclass(frozen=True)
class CaseloadRow:
    case: Case
    milestone: Milestone | None
    step: EventType | None
    chosen: dict[str, Any]
    # When the next time limit is a reply to a message, the row offers to record that reply (the
    # link matches the time limit it sits under), not the case's next workflow step.
    communication_id: int | None = None

    def __iter__(self) -> Iterator[Any]:  # the template unpacks each row
        return iter((self.case, self.milestone, self.step, self.chosen, self.communication_id))


def caseload_page(
    user: User, filters: CaseloadFilters, today: date, *, page: int = 1, per_page: int = CASELOAD_PER_PAGE
) -> tuple[Page, list[CaseloadRow]]:
    """One page of the caseload, and for each case its next time limit and the step the user may
    record now (none on a case they cannot change)."""
    found = page_of(
        caseload_query(user, filters, today),
        page=page,
        per_page=per_page,
        count=caseload_count(user, filters, today),
    )
    rows = []
    for open_case in found.items:
        milestone = timeline_service.next_milestone(open_case, today)
        step = (
            timeline_service.step_to_offer(open_case, case_service.recordable_now(open_case))
            if access.can_edit_case(user, open_case)
            else None
        )
        # The link opens the step's form with the advice or consultation of the row's time limit chosen.
        chosen = timeline_service.chosen_for(step, milestone.ref) if step and milestone else {}
        reply_to = (
            communication_awaiting_reply(milestone) if milestone and access.can_edit_case(user, open_case) else None
        )
        if reply_to is not None:
            step, chosen = None, {}
        rows.append(CaseloadRow(open_case, milestone, step, chosen, reply_to))
    return found, rows


def open_case_holders(user: User) -> list[tuple[User, int]]:
    """Everyone holding open cases in the user's teams (a leaver whose account is closed too), with how many."""
    counts = db.session.execute(
        select(Case.coordinator_id, func.count(Case.id))
        .where(
            Case.status == CaseStatus.OPEN, Case.team_id.in_(user.team_ids or {-1}), Case.coordinator_id.is_not(None)
        )
        .group_by(Case.coordinator_id)
    ).all()
    holders = [(db.session.get(User, user_id), count) for user_id, count in counts]
    return sorted(((u, n) for u, n in holders if u is not None), key=lambda pair: pair[0].name)
