"""Oversight for managers and the Head of Service: what is overdue and who holds it, and how
compliance with the statutory time limits moves month by month against the targets managers set.

Every figure is counted by the database (COUNT, or SUM over CASE), never by loading cases into
Python. Months are date ranges, [1st of the month, 1st of the next month), so the same SQL runs
on SQLite and PostgreSQL. The lists behind the figures (the drill-downs) are built from the same
conditions as the figures, so a figure and its list cannot disagree.

A milestone is *on time* when it was met on or before its due date (met_on <= due_on). Every
figure is limited to the cases of the teams asked for (`Scope`).

Monthly measures (statutory-timescales.md, "Compliance figures")
------------------------------------------------------------------
Measures of work *done in the month* count milestones met in the calendar month (and on or
before the as-at date), whatever has happened to the case since (a decision made before a
request was withdrawn still counts):

final_plan_20_weeks
    New EHC plans issued in the month: `final_plan` milestones (request + 20 weeks, reg 13(2))
    met in the month; % issued on or before the due date. A plan issued on 1 February that was
    due on 31 January counts, late, in February. Plans issued after a reassessment
    (`final_plan_after_reassessment`) are not new plans and are not counted. Shown *including*
    exceptions (every plan) and *excluding* exceptions (plans whose milestone is marked
    "exception applies" under reg 13(3) are removed from both the count and the on-time
    count); the headline is the figure excluding exceptions.
decision_6_weeks
    Decisions whether to assess made in the month: `decision_to_assess` (request + 6 weeks,
    reg 4(1) and 5(1)) met in the month, by a decision either way; % on time.
advice_6_weeks
    Advice received in the month: `advice_due` (advice requested + 6 weeks, reg 8(1)) met in
    the month; % on time; also by advice type and by provider over the months shown.

Measures of work *due in the month* count milestones whose due date fell in the calendar month
and before the as-at date (one due on the as-at date is not late yet). Each counts as on time
if met by its due date, otherwise as late, whether it was met late or is still outstanding.
An outstanding milestone of a case that was closed or withdrawn on or before its due date is
not counted: the duty ended with the case before it fell due.

review_decision_4_weeks
    `review_decision_due`: the review decision notified within 4 weeks of the meeting
    (reg 20(10)).
amended_plan_12_weeks
    `amended_plan_due`: the amended plan issued within 12 weeks of the meeting (reg 22(3),
    R (L, M & P) v Devon CC [2022]).
response_5_days
    `response_due`: a response within 5 working days of each communication (local standard).

Open work at the as-at date (cases open now)
--------------------------------------------
overdue
    Milestones not met, not a period that closes, due before the as-at date, of an open case;
    counted by milestone key. The overdue list shows exactly these.
longest open assessment
    Of the open assessments and reassessments started on or before the as-at date, the
    oldest: whole weeks from the request (or reassessment notice) to the as-at date.
backlog
    Open EHC needs assessments whose request was received more than 20 weeks before the
    as-at date (the final plan is overdue).
no review in 12 months
    Open annual reviews whose `review_due` (or `transfer_in_review_due`) is overdue.
caseload
    Open cases started on or before the as-at date, by coordinator.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from sqlalchemy import CTE, ColumnElement, Select, String, and_, case, cast, false, func, literal, or_, select

from ..extensions import db
from ..models import ComplianceTarget, Role, Team, User
from ..models.case import AdviceRequest, AdviceType, Case, CaseStatus, CaseType, Milestone
from ..models.child import Child, SenNeed
from ..models.directory import DirectoryEntry
from ..statutory.rules import RULES
from ..statutory.status import MilestoneStatus, milestone_status
from . import Forbidden, ServiceError, audit
from .milestones import still_possible
from .paging import Page, page_of

# Who may use the reports at all, and who may see children's names in them.
REPORT_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.VIEWER)
NAME_ROLES = (Role.COORDINATOR, Role.MANAGER)
DEFAULT_DUE_SOON_DAYS = 10
FINAL_PLAN_WEEKS = 20
ASSESSMENT_TYPES = (CaseType.ASSESSMENT, CaseType.REASSESSMENT)
REVIEW_KEYS = ("review_due", "transfer_in_review_due")


def can_see_child_names(user: User) -> bool:
    """Viewers see reports without child-identifying data; staff who hold cases see names."""
    return user.role in NAME_ROLES


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


def scope_for(user: User, *, team_id: int | None = None, coordinator_id: int | None = None, unassigned: bool = False) -> Scope:
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


def _milestone_columns(with_names: bool) -> list[Any]:
    columns: list[Any] = [
        Milestone.id, Milestone.case_id, Case.case_type, Team.name.label("team_name"), User.name.label("coordinator_name"),
        Milestone.key, Milestone.label, Milestone.due_on, Milestone.met_on, Milestone.exception_applies, Milestone.lapses_on,
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
        milestone_id=m["id"], case_id=m["case_id"], case_type=m["case_type"], team_name=m["team_name"],
        coordinator_name=m["coordinator_name"],
        child_name=f"{m['first_name']} {m['last_name']}" if with_names else None,
        primary_need=m["primary_need"] if with_names else None,
        setting_name=m["setting_name"] if with_names else None,
        key=m["key"], label=m["label"], due_on=m["due_on"], met_on=m["met_on"], exception_applies=m["exception_applies"],
        status=state.status, days_late=state.days_late, days_remaining=state.days_remaining,
    )


def milestone_rows(ids: Sequence[int], *, as_at: date, with_names: bool, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> list[MilestoneRow]:
    """The rows for these milestone ids, in the order given (one query by primary key)."""
    if not ids:
        return []
    stmt = _with_case_joins(select(*_milestone_columns(with_names)).select_from(Milestone)).where(Milestone.id.in_(list(ids)))
    found = {r.id: _milestone_row(r, as_at=as_at, with_names=with_names, due_soon_days=due_soon_days) for r in db.session.execute(stmt)}
    return [found[i] for i in ids if i in found]


def _case_columns(with_names: bool) -> list[Any]:
    columns: list[Any] = [
        Case.id, Case.case_type, Team.name.label("team_name"), User.name.label("coordinator_name"), Case.anchor_on, Case.next_due_on,
    ]
    if with_names:
        columns += [Child.first_name, Child.last_name]
    return columns


def case_rows(ids: Sequence[int], *, as_at: date, with_names: bool) -> list[CaseRow]:
    if not ids:
        return []
    stmt = (
        select(*_case_columns(with_names)).select_from(Case)
        .join(Team, Case.team_id == Team.id).join(Child, Case.child_id == Child.id)
        .outerjoin(User, Case.coordinator_id == User.id).where(Case.id.in_(list(ids)))
    )
    found = {}
    for row in db.session.execute(stmt):
        m = row._mapping
        found[m["id"]] = CaseRow(
            case_id=m["id"], case_type=m["case_type"], team_name=m["team_name"], coordinator_name=m["coordinator_name"],
            child_name=f"{m['first_name']} {m['last_name']}" if with_names else None,
            anchor_on=m["anchor_on"], next_due_on=m["next_due_on"], weeks_open=max((as_at - m["anchor_on"]).days, 0) // 7,
        )
    return [found[i] for i in ids if i in found]


def page_of_ids(stmt: Select[tuple[int]], *, page: int, per_page: int) -> Page:
    """One page of a statement that selects ids, with the total, in one query. The offset
    skips over narrow id rows, not joined wide ones; the page's own rows are read afterwards
    by primary key."""
    return page_of(stmt, page=page, per_page=per_page)


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
    """Milestones still to be met, of open cases in scope (periods that close are not steps)."""
    return [Case.status == CaseStatus.OPEN, Milestone.met_on.is_(None), Milestone.is_period.is_(False), *scope.conditions()]


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


def _overdue_steps(scope: Scope, f: OverdueFilters) -> CTE:
    """The steps on the list, with what it sorts by, selected before they are sorted.

    A materialised CTE: a team's open cases through the cases index, then their milestones.
    Without this fence PostgreSQL,
    asked for the first rows only (a page, or a cursor for an export), walks the whole
    due-date index in order and filters as it goes, which on an authority-sized data set
    takes most of a second. Children are joined only when the list is sorted or filtered by
    something of the child's.
    """
    with_child = _needs_child(f)
    columns: list[Any] = [Milestone.id, Milestone.due_on]
    if with_child:
        columns += [Child.last_name, Child.first_name]
    stmt = select(*columns).join(Case, Milestone.case_id == Case.id)
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


# --- Monthly measures -------------------------------------------------------------------------

Basis = Literal["completed", "due"]


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    milestone_key: str
    basis: Basis
    # Shown including and excluding exceptions (headline: excluding).
    with_exceptions: bool
    counted: str  # what one counted item is, in the plural: "plans issued"
    definition: str
    source: str
    # The name a board report uses, e.g. "20-week plans".
    short: str = ""
    # What a month with nothing counted means, in words: "No new plans were issued".
    nothing: str = "Nothing was counted"

    @property
    def milestone_label(self) -> str:
        return RULES[self.milestone_key].label

    def nothing_in(self, period: str) -> str:
        """ "No new plans were issued in June 2026": said instead of a blank or 0%."""
        return f"{self.nothing} in {period}"


MEASURES: tuple[Measure, ...] = (
    Measure(
        "final_plan_20_weeks", "New EHC plans issued within 20 weeks", "final_plan", "completed", True, "plans issued",
        "New EHC plans issued in the month (final plans of EHC needs assessments), and how many were issued on or "
        "before the day 20 weeks after the request was received. A plan counts in the month it was issued, even if "
        "it was due in an earlier month. Plans issued after a reassessment are not counted. The headline figure "
        "leaves out plans where an exception under regulation 13(3) was approved (both from the plans issued and "
        "from those on time); the figure including exceptions counts every plan.",
        "SEND Regulations 2014 reg 13(2)", short="20-week plans", nothing="No new plans were issued",
    ),
    Measure(
        "decision_6_weeks", "Decisions whether to assess within 6 weeks", "decision_to_assess", "completed", False, "decisions made",
        "Decisions whether to carry out an EHC needs assessment made in the month (either way), and how many were "
        "made on or before the day 6 weeks after the request was received.",
        "SEND Regulations 2014 reg 4(1) and 5(1)", short="6-week decisions to assess",
        nothing="No decisions whether to assess were made",
    ),
    Measure(
        "advice_6_weeks", "Advice received within 6 weeks", "advice_due", "completed", False, "pieces of advice received",
        "Advice received in the month, and how much was received on or before the day 6 weeks after it was "
        "requested. Also shown by type of advice and by provider over all the months shown.",
        "SEND Regulations 2014 reg 8(1)", short="6-week advice", nothing="No advice was received",
    ),
    Measure(
        "review_decision_4_weeks", "Annual review decisions within 4 weeks", "review_decision_due", "due", False, "decisions due",
        "Annual review decisions that fell due in the month (4 weeks after the review meeting) and before the as-at "
        "date, and how many were notified on or before the due date. A decision not yet notified counts as late. "
        "One outstanding on a case closed before the due date is not counted.",
        "SEND Regulations 2014 reg 20(10)", short="4-week review decisions",
        nothing="No review decisions fell due",
    ),
    Measure(
        "amended_plan_12_weeks", "Amended plans within 12 weeks of the review", "amended_plan_due", "due", False, "amended plans due",
        "Amended plans that fell due in the month (12 weeks after the review meeting, where the decision was to "
        "amend) and before the as-at date, and how many were issued on or before the due date. A plan not yet issued "
        "counts as late. One outstanding on a case closed before the due date is not counted.",
        "SEND Regulations 2014 reg 22(3); R (L, M & P) v Devon CC [2022]", short="12-week amended plans",
        nothing="No amended plans fell due",
    ),
    Measure(
        "response_5_days", "Responses to communications within 5 working days", "response_due", "due", False, "responses due",
        "Responses to parents' and professionals' communications that fell due in the month (5 working days after "
        "the communication was received) and before the as-at date, and how many were sent on or before the due "
        "date. A response not yet sent counts as late. One outstanding on a case closed before the due date is not counted.",
        "Local standard (5 working days)", short="5-day responses", nothing="No responses fell due",
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}

Outcome = Literal["all", "on_time", "late"]


@dataclass(frozen=True)
class Figure:
    counted: int
    on_time: int

    @property
    def late(self) -> int:
        return self.counted - self.on_time

    @property
    def percent(self) -> float | None:
        return None if not self.counted else round(100 * self.on_time / self.counted, 1)


@dataclass(frozen=True)
class MonthFigures:
    month_on: date
    including: Figure
    excluding: Figure | None
    target_percent: Decimal | None
    national_average_percent: Decimal | None
    # The month of the as-at date: only part of it has happened.
    partial: bool

    @property
    def headline(self) -> Figure:
        return self.excluding if self.excluding is not None else self.including


@dataclass(frozen=True)
class MeasureSeries:
    measure: Measure
    months: list[MonthFigures]

    @property
    def latest(self) -> MonthFigures:
        return self.months[-1]


def _on_time() -> ColumnElement[bool]:
    return and_(Milestone.met_on.is_not(None), Milestone.met_on <= Milestone.due_on)


def _counted_on(measure: Measure) -> Any:
    return Milestone.met_on if measure.basis == "completed" else Milestone.due_on


def _basis_conditions(basis: Basis, start: date, end: date, as_at: date) -> list[ColumnElement[bool]]:
    if basis == "completed":
        return [Milestone.met_on >= start, Milestone.met_on < end, Milestone.met_on <= as_at]
    return [
        Milestone.due_on >= start, Milestone.due_on < end, Milestone.due_on < as_at,
        or_(Milestone.met_on.is_not(None), Case.closed_on.is_(None), Case.closed_on > Milestone.due_on),
    ]


def measure_conditions(measure: Measure, start: date, end: date, as_at: date) -> list[ColumnElement[bool]]:
    """The milestones a measure counts for the months from `start` to `end` (exclusive); see
    the module docstring."""
    return [Milestone.key == measure.milestone_key, *_basis_conditions(measure.basis, start, end, as_at)]


def _advice_join(case_id: Any = Milestone.case_id, ref: Any = Milestone.ref) -> ColumnElement[bool]:
    """An advice milestone (or a selection of its case id and ref) to its request: the
    milestone's ref is "advice:<AdviceRequest.id>"."""
    return and_(AdviceRequest.case_id == case_id, ref == literal("advice:", String) + cast(AdviceRequest.id, String))


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def targets_for(months: Sequence[date]) -> dict[tuple[str, date], ComplianceTarget]:
    if not months:
        return {}
    found = db.session.scalars(
        select(ComplianceTarget).where(ComplianceTarget.month_on >= min(months), ComplianceTarget.month_on <= max(months))
    )
    return {(t.measure, t.month_on): t for t in found}


def monthly_figures(scope: Scope, months: Sequence[date], as_at: date, *, measures: Iterable[Measure] = MEASURES) -> list[MeasureSeries]:
    """Each measure by month. The measures that count by the day a step was done share one
    aggregate query, and those that count by the due date another: one scan of the period's
    milestones each, with a pair of SUM(CASE) columns per measure per month."""
    months = sorted(months)
    measures = list(measures)
    targets = targets_for(months)
    counts: dict[str, list[int]] = {}
    bases: tuple[Basis, ...] = ("completed", "due")
    for basis in bases:
        group = [m for m in measures if m.basis == basis]
        if not group:
            continue
        columns = []
        for measure in group:
            on = _counted_on(measure)
            for start in months:
                in_month = and_(Milestone.key == measure.milestone_key, on >= start, on < next_month(start))
                columns += [_count(in_month), _count(and_(in_month, _on_time()))]
                if measure.with_exceptions:
                    kept = and_(in_month, Milestone.exception_applies.is_(False))
                    columns += [_count(kept), _count(and_(kept, _on_time()))]
        stmt = (
            select(*columns).select_from(Milestone).join(Case, Milestone.case_id == Case.id)
            .where(
                Milestone.key.in_([m.milestone_key for m in group]),
                *_basis_conditions(basis, months[0], next_month(months[-1]), as_at),
                *scope.conditions(),
            )
        )
        values = [int(v) for v in db.session.execute(stmt).one()]
        for measure in group:
            width = len(months) * (4 if measure.with_exceptions else 2)
            counts[measure.key], values = values[:width], values[width:]
    result = []
    for measure in measures:
        width = 4 if measure.with_exceptions else 2
        series = []
        for n, start in enumerate(months):
            chunk = counts[measure.key][n * width:(n + 1) * width]
            target = targets.get((measure.key, start))
            series.append(
                MonthFigures(
                    month_on=start,
                    including=Figure(chunk[0], chunk[1]),
                    excluding=Figure(chunk[2], chunk[3]) if measure.with_exceptions else None,
                    target_percent=target.target_percent if target else None,
                    national_average_percent=target.national_average_percent if target else None,
                    partial=start == month_start(as_at),
                )
            )
        result.append(MeasureSeries(measure, series))
    return result


@dataclass(frozen=True)
class BreakdownRow:
    value: str  # the advice type's value, or the provider's name
    label: str
    figure: Figure


def _advice_provider() -> Any:
    """Who gave a piece of advice, as the figures group it: the directory entry's name where the
    request names one (however it was typed, and after a rename), else the name as typed. Needs
    the request outer-joined to its entry (`_with_entry`)."""
    return func.coalesce(DirectoryEntry.name, AdviceRequest.provider)


def _with_entry(stmt: Any) -> Any:
    return stmt.outerjoin(DirectoryEntry, AdviceRequest.directory_entry_id == DirectoryEntry.id)


def advice_breakdowns(scope: Scope, start: date, end: date, as_at: date) -> dict[str, list[BreakdownRow]]:
    """Advice received from `start` to `end` (exclusive), by advice type ("type") and by
    provider ("provider", by directory entry; requests naming no entry by the name typed): one
    query grouped by both, added up here over a handful of rows."""
    measure = MEASURE_BY_KEY["advice_6_weeks"]
    # The advice milestones first (through the key and completion-date index), then their
    # requests by case: left to itself PostgreSQL starts from every request of the team.
    steps = (
        select(Milestone.case_id, Milestone.ref, case((_on_time(), 1), else_=0).label("on_time"))
        .join(Case, Milestone.case_id == Case.id)
        .where(*measure_conditions(measure, start, end, as_at), *scope.conditions())
        .cte("advice_steps").prefix_with("MATERIALIZED")
    )
    provider = _advice_provider()
    stmt = _with_entry(
        select(AdviceRequest.advice_type, provider, func.count(), func.coalesce(func.sum(steps.c.on_time), 0))
        .select_from(steps)
        .join(AdviceRequest, _advice_join(steps.c.case_id, steps.c.ref))
    ).group_by(AdviceRequest.advice_type, provider)
    by_type: dict[AdviceType, list[int]] = {}
    by_provider: dict[str, list[int]] = {}
    for advice_type, provider, counted, on_time in db.session.execute(stmt):
        for totals in (by_type.setdefault(advice_type, [0, 0]), by_provider.setdefault(str(provider), [0, 0])):
            totals[0] += int(counted)
            totals[1] += int(on_time)
    return {
        "type": [BreakdownRow(t.value, t.label, Figure(*by_type[t])) for t in sorted(by_type, key=lambda t: t.value)],
        "provider": [BreakdownRow(name, name, Figure(*by_provider[name])) for name in sorted(by_provider)],
    }


def advice_breakdown(scope: Scope, start: date, end: date, as_at: date, *, by: Literal["type", "provider"]) -> list[BreakdownRow]:
    """Advice received from `start` to `end` (exclusive), by advice type or by provider."""
    return advice_breakdowns(scope, start, end, as_at)[by]


@dataclass(frozen=True)
class DrillDown:
    measure: Measure
    start: date
    end: date
    as_at: date
    outcome: Outcome = "all"
    exclude_exceptions: bool = False
    advice_type: AdviceType | None = None
    provider: str | None = field(default=None)


def drilldown_ids(scope: Scope, d: DrillDown) -> Select[tuple[int]]:
    """The milestones behind one number on the dashboard, most recent first."""
    conditions = measure_conditions(d.measure, d.start, d.end, d.as_at) + scope.conditions()
    if d.exclude_exceptions:
        conditions.append(Milestone.exception_applies.is_(False))
    if d.outcome == "on_time":
        conditions.append(_on_time())
    elif d.outcome == "late":
        conditions.append(~_on_time())
    stmt = select(Milestone.id).join(Case, Milestone.case_id == Case.id)
    if d.advice_type is not None or d.provider is not None:
        stmt = _with_entry(stmt.join(AdviceRequest, _advice_join()))
        if d.advice_type is not None:
            conditions.append(AdviceRequest.advice_type == d.advice_type)
        if d.provider is not None:
            conditions.append(_advice_provider() == d.provider)
    on = _counted_on(d.measure)
    return stmt.where(*conditions).order_by(on.desc(), Milestone.id.desc())


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


def _workload_conditions(kind: WorkloadList, as_at: date) -> list[ColumnElement[bool]]:
    found = _open_case(as_at)
    if kind == "open_assessments":
        found.append(Case.case_type.in_(ASSESSMENT_TYPES))
    elif kind == "backlog":
        found += [Case.case_type == CaseType.ASSESSMENT, Case.anchor_on < as_at - timedelta(weeks=FINAL_PLAN_WEEKS)]
    elif kind == "no_review":
        overdue_review = select(Milestone.case_id).where(
            Milestone.key.in_(REVIEW_KEYS), Milestone.met_on.is_(None), Milestone.due_on < as_at
        )
        found += [Case.case_type == CaseType.ANNUAL_REVIEW, Case.id.in_(overdue_review)]
    return found


def workload_ids(scope: Scope, kind: WorkloadList, as_at: date) -> Select[tuple[int]]:
    """The cases behind one open-work number, oldest first."""
    return select(Case.id).where(*_workload_conditions(kind, as_at), *scope.conditions()).order_by(Case.anchor_on, Case.id)


def _count_cases(scope: Scope, kind: WorkloadList, as_at: date) -> int:
    return int(db.session.scalar(select(func.count(Case.id)).where(*_workload_conditions(kind, as_at), *scope.conditions())) or 0)


def workload(scope: Scope, as_at: date) -> Workload:
    overdue_stmt = (
        select(Milestone.key, func.count()).join(Case, Milestone.case_id == Case.id)
        .where(*open_milestone_conditions(scope), still_possible(as_at), Milestone.due_on < as_at)
        .group_by(Milestone.key)
    )
    overdue = sorted(
        (OverdueCount(key, RULES[key].label if key in RULES else key, int(n)) for key, n in db.session.execute(overdue_stmt)),
        key=lambda c: (-c.count, c.label),
    )
    oldest, open_assessments = db.session.execute(
        select(func.min(Case.anchor_on), func.count(Case.id)).where(*_workload_conditions("open_assessments", as_at), *scope.conditions())
    ).one()
    caseload_stmt = (
        select(Case.coordinator_id, User.name, func.count(Case.id)).outerjoin(User, Case.coordinator_id == User.id)
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


# --- Targets ----------------------------------------------------------------------------------


def _percent(value: Decimal | None, label: str, field_name: str) -> Decimal | None:
    if value is None:
        return None
    if not Decimal(0) <= value <= Decimal(100):
        raise ServiceError(f"{label} must be between 0 and 100", field=field_name)
    return value.quantize(Decimal("0.01"))


def set_target(
    *, measure: str, month_on: date, target_percent: Decimal | None, national_average_percent: Decimal | None, actor: User
) -> ComplianceTarget:
    """Set (or change) a measure's target for a month, and optionally the national average."""
    if actor.role is not Role.MANAGER:
        raise Forbidden("Only managers can set compliance targets")
    if measure not in MEASURE_BY_KEY:
        raise ServiceError("Select a measure", field="measure")
    if month_on.day != 1:
        raise ServiceError("Select a month", field="month")
    target_value = _percent(target_percent, "The target", "target_percent")
    if target_value is None:
        raise ServiceError("Enter the target as a percentage", field="target_percent")
    national_value = _percent(national_average_percent, "The national average", "national_average_percent")
    target = db.session.scalar(select(ComplianceTarget).where(ComplianceTarget.measure == measure, ComplianceTarget.month_on == month_on))
    old = None
    if target is None:
        target = ComplianceTarget(measure=measure, month_on=month_on)
        db.session.add(target)
    else:
        old = {"target_percent": _text(target.target_percent), "national_average_percent": _text(target.national_average_percent)}
    target.target_percent = target_value
    target.national_average_percent = national_value
    target.set_by_id = actor.id
    db.session.flush()
    new = {"target_percent": _text(target_value), "national_average_percent": _text(national_value)}
    audit.record(
        actor, "compliance_target_set", "compliance_target", target.id,
        f"Set the {measure} target for {month_on:%B %Y} to {target_value}%"
        + (f" (national average {national_value}%)" if national_value is not None else ""),
        {"measure": measure, "month": month_on.isoformat(), "old": old, "new": new},
    )
    return target


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def all_targets() -> list[ComplianceTarget]:
    return list(db.session.scalars(select(ComplianceTarget).order_by(ComplianceTarget.measure, ComplianceTarget.month_on)))


def year_targets(measure: str, year: int) -> dict[int, ComplianceTarget]:
    """A measure's targets for the months of a calendar year, by month number (1 to 12)."""
    found = db.session.scalars(
        select(ComplianceTarget).where(
            ComplianceTarget.measure == measure, ComplianceTarget.month_on >= date(year, 1, 1), ComplianceTarget.month_on < date(year + 1, 1, 1)
        )
    )
    return {t.month_on.month: t for t in found}


@dataclass(frozen=True)
class MonthTarget:
    """One row of a year's grid as typed: both blank means "no target for this month"."""

    month_on: date
    target_percent: Decimal | None
    national_average_percent: Decimal | None


def grid_field(kind: Literal["target", "national"], month_on: date) -> str:
    """The name of a grid cell, for errors: "target_03", "national_11"."""
    return f"{kind}_{month_on.month:02d}"


def save_year_targets(*, measure: str, year: int, months: Sequence[MonthTarget], actor: User) -> tuple[int, int]:
    """Save a measure's targets for a year, typed as one grid, with the meaning `set_target`
    gives one month: each month's target (0 to 100), and optionally the national average beside
    it (which needs a target in the same month). Every cell is checked before anything is
    written. A month whose values have changed is set (and audited); a month cleared of a saved
    target has it removed (and audited); a month left as it was is not touched, so the audit log
    records only real changes. Returns (months set or changed, months removed)."""
    if actor.role is not Role.MANAGER:
        raise Forbidden("Only managers can set compliance targets")
    if measure not in MEASURE_BY_KEY:
        raise ServiceError("Select a measure", field="measure")
    checked: list[tuple[date, Decimal | None, Decimal | None]] = []
    for row in months:
        if row.month_on.year != year or row.month_on.day != 1:
            raise ServiceError(f"{row.month_on:%B %Y} is not a month of {year}")
        name = f"{row.month_on:%B}"
        target_value = _percent(row.target_percent, f"The target for {name}", grid_field("target", row.month_on))
        national_value = _percent(row.national_average_percent, f"The national average for {name}", grid_field("national", row.month_on))
        if target_value is None and national_value is not None:
            raise ServiceError(f"Enter the target for {name}, or clear its national average", field=grid_field("target", row.month_on))
        checked.append((row.month_on, target_value, national_value))
    saved = year_targets(measure, year)
    changed = removed = 0
    for month_on, target_value, national_value in checked:
        existing = saved.get(month_on.month)
        if target_value is None:
            if existing is not None:
                _remove_target(existing, actor)
                removed += 1
            continue
        if existing is not None and (existing.target_percent, existing.national_average_percent) == (target_value, national_value):
            continue
        set_target(measure=measure, month_on=month_on, target_percent=target_value, national_average_percent=national_value, actor=actor)
        changed += 1
    return changed, removed


def _remove_target(target: ComplianceTarget, actor: User) -> None:
    old = {"target_percent": _text(target.target_percent), "national_average_percent": _text(target.national_average_percent)}
    audit.record(
        actor, "compliance_target_removed", "compliance_target", target.id,
        f"Removed the {target.measure} target for {target.month_on:%B %Y}",
        {"measure": target.measure, "month": target.month_on.isoformat(), "old": old},
    )
    db.session.delete(target)
    db.session.flush()


# --- The dashboard's headline ------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedFigure:
    percent: Decimal
    period: str
    source: str


# The national figure the app ships with, shown until a manager enters a national average on the
# targets page (the latest one entered is then shown instead). Source: Department for Education,
# "Education, health and care plans", reporting year 2025 (published June 2025), data set
# "Timeliness of new EHC plans" (SEN2): in England in the 2024 calendar year 46.4% of new EHC
# plans were issued within 20 weeks, excluding exceptions (50.3% in 2023). Calendar year, like
# the dashboard's "year to date". Each June's release gives the previous calendar year's figure:
# a manager enters the newer one on the targets page; this default is updated with the code.
PUBLISHED_NATIONAL: dict[str, PublishedFigure] = {
    "final_plan_20_weeks": PublishedFigure(
        Decimal("46.4"), "England, 2024", "Department for Education, Education, health and care plans, reporting year 2025"
    ),
}


@dataclass(frozen=True)
class NationalAverage:
    percent: Decimal
    # Where the figure comes from, in words: "entered for March 2025", or the published source.
    period: str
    source: str


@dataclass(frozen=True)
class HeadlinePeriod:
    key: Literal["month", "rolling", "year"]
    title: str
    period: str
    # The period in a sentence: "No new plans were issued in November 2026 so far".
    in_words: str
    first_month: date
    last_month: date
    figure: Figure
    including: Figure | None


@dataclass(frozen=True)
class Headline:
    measure: Measure
    as_at: date
    periods: list[HeadlinePeriod]
    target_percent: Decimal | None
    target_month: date | None
    national: NationalAverage | None

    @staticmethod
    def gap(figure: Figure, reference: Decimal | None) -> float | None:
        """Percentage points above (+) or below (-) a target or average; None if either is missing."""
        if figure.percent is None or reference is None:
            return None
        return round(figure.percent - float(reference), 1)


def national_average(measure: Measure, as_at: date) -> NationalAverage | None:
    """The latest national average a manager entered for the measure, for a month up to the
    as-at month; else the published figure the app ships with, if there is one."""
    entered = db.session.scalars(
        select(ComplianceTarget).where(
            ComplianceTarget.measure == measure.key, ComplianceTarget.national_average_percent.is_not(None),
            ComplianceTarget.month_on <= month_start(as_at),
        ).order_by(ComplianceTarget.month_on.desc()).limit(1)
    ).first()
    if entered is not None and entered.national_average_percent is not None:
        return NationalAverage(entered.national_average_percent, f"entered for {entered.month_on:%B %Y}", "the targets page")
    published = PUBLISHED_NATIONAL.get(measure.key)
    return NationalAverage(published.percent, published.period, published.source) if published else None


def _sum(figures: Iterable[Figure | None]) -> Figure | None:
    found = [f for f in figures if f is not None]
    return Figure(sum(f.counted for f in found), sum(f.on_time for f in found)) if found else None


def headline(scope: Scope, as_at: date, measure: Measure = MEASURES[0]) -> Headline:
    """The dashboard's first figures: a measure this month (to the as-at date), over the rolling
    12 months to the as-at date, and over the calendar year to date, each on the measure's
    headline basis (for 20-week plans, excluding exceptions), with the target in force (the one
    set for the as-at month, or the latest before it in the 12 months) and the national
    average. One query, the monthly figures' own."""
    months = months_ending(as_at, 12)
    series = monthly_figures(scope, months, as_at, measures=[measure])[0]
    this_year = [m for m in series.months if m.month_on.year == as_at.year]
    spans: list[tuple[Literal["month", "rolling", "year"], str, str, str, list[MonthFigures]]] = [
        ("month", "This month", f"1 to {as_at:%-d %B %Y}", f"in {as_at:%B %Y} so far", [series.latest]),
        ("rolling", "Rolling 12 months", f"{months[0]:%-d %B %Y} to {as_at:%-d %B %Y}", f"in the 12 months to {as_at:%-d %B %Y}", series.months),
        ("year", "Year to date", f"1 January to {as_at:%-d %B %Y}", f"in {as_at.year} so far", this_year),
    ]
    periods = []
    for key, title, words, sentence, chosen in spans:
        figure = _sum(m.headline for m in chosen) or Figure(0, 0)
        including = _sum(m.including for m in chosen) if measure.with_exceptions else None
        periods.append(HeadlinePeriod(key, title, words, sentence, chosen[0].month_on, chosen[-1].month_on, figure, including))
    with_target = [m for m in series.months if m.target_percent is not None]
    latest_target = with_target[-1] if with_target else None
    return Headline(
        measure, as_at, periods,
        latest_target.target_percent if latest_target else None, latest_target.month_on if latest_target else None,
        national_average(measure, as_at),
    )


# --- The monthly performance report ------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyLine:
    measure: Measure
    this_month: MonthFigures
    last_month: MonthFigures

    @property
    def change(self) -> float | None:
        now, before = self.this_month.headline.percent, self.last_month.headline.percent
        return None if now is None or before is None else round(now - before, 1)


def monthly_report(scope: Scope, month_on: date, as_at: date) -> list[MonthlyLine]:
    before = month_on - relativedelta(months=1)
    return [MonthlyLine(s.measure, s.months[1], s.months[0]) for s in monthly_figures(scope, [before, month_on], as_at)]
