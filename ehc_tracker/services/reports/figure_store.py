"""The monthly compliance figures kept as data: one row per team, month and measure
(`models.MonthlyFigure`), so the dashboard, the monthly report, the exports and the API read a
few hundred stored numbers instead of counting five years of milestones on every view.

What a cell holds
-----------------
The same counts as the live query in `measures.monthly_figures`, for a whole calendar month and
without an as-at date: a measure of work *done* counts the milestones met in the month, a
measure of work *due* those due in the month (less those of a case closed before the due date
while still outstanding). The as-at date only cuts into the month it falls in, and months after
it, so readers take months that ended before the as-at date from here and count the rest live.

How cells stay right
--------------------
A cell depends on its milestones' key, due date, date met and exception flag, and on their
case's team and closing date: nothing else. So every flush notes the cases it touches (a counted
step added, changed or removed; an advice request changed; a case's team or closing date
changed) and, for each, every (team, month) its counted steps fall in, read from the database
before this transaction first changed it and again when the transaction settles: the cells
the change could move, under the old team and the new, the old dates and the new. (The states
in between never reached the stored figures.) Before the transaction commits, or before
figures are read in it, `settle` recounts exactly those cells, every measure of each, with the same statement
`rebuild` uses for everything, restricted to them: so the incremental path and the rebuild
cannot count differently, and the agreement test (tests/integration/test_figure_store.py)
checks that the noting misses nothing. A rolled-back transaction forgets what it noted.

Writes that bypass the ORM (the large demo generator's bulk inserts) call `rebuild` when they
finish. Changing what a measure counts (its milestone keys or basis) needs a migration that
rebuilds the table, as the one that made it did; `flask read-model check` finds any cell that
disagrees with a fresh count and `flask read-model rebuild` puts it right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import AdviceFigure, MonthlyFigure
from ...models.case import AdviceRequest, AdviceType, Case, Milestone
from .measures import MEASURES, Basis, Measure
from .scope import month_of, month_start, next_month

# --- What the cells count ---------------------------------------------------------------------

MEASURE_OF_KEY: dict[str, str] = {key: m.key for m in MEASURES for key in m.keys}
if len(MEASURE_OF_KEY) != sum(len(m.keys) for m in MEASURES):  # pragma: no cover  (a definition error)
    raise RuntimeError("a milestone key is counted by two measures: the stored figures need one measure a key")

# The attributes a cell depends on (see the module docstring).
MILESTONE_ATTRIBUTES = ("key", "due_on", "met_on", "exception_applies", "case_id")
CASE_ATTRIBUTES = ("team_id", "closed_on")
ADVICE_ATTRIBUTES = ("advice_type", "provider", "directory_entry_id", "case_id")

Cell = tuple[int, date]  # (team id, first day of the month)


def _sum_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _basis_date(basis: Basis) -> Any:
    return Milestone.met_on if basis == "completed" else Milestone.due_on


def _month_ranges(months: Iterable[date]) -> list[tuple[date, date]]:
    """Months as date ranges [first day, first day after), neighbouring months joined."""
    ranges: list[tuple[date, date]] = []
    for month in sorted(set(months)):
        if ranges and ranges[-1][1] == month:
            ranges[-1] = (ranges[-1][0], next_month(month))
        else:
            ranges.append((month, next_month(month)))
    return ranges


def _cells_condition(on: Any, cells: Iterable[Cell]) -> ColumnElement[bool]:
    by_team: dict[int, set[date]] = defaultdict(set)
    for team_id, month in cells:
        by_team[team_id].add(month)
    return or_(
        *(
            and_(Case.team_id == team_id, or_(*(and_(on >= start, on < end) for start, end in _month_ranges(months))))
            for team_id, months in sorted(by_team.items())
        )
    )


def counted_cells(basis: Basis, cells: Iterable[Cell] | None = None) -> Select[Any]:
    """The cells of the measures on one basis, counted from the milestones: every cell, or only
    `cells`. Columns in the order of `_COLUMNS`."""
    keys = [key for m in MEASURES if m.basis == basis for key in m.keys]
    on = _basis_date(basis)
    measure = case({key: literal(MEASURE_OF_KEY[key]) for key in keys}, value=Milestone.key)
    on_time = and_(Milestone.met_on.is_not(None), Milestone.met_on <= Milestone.due_on)
    kept = Milestone.exception_applies.is_(False)
    conditions: list[ColumnElement[bool]] = [Milestone.key.in_(keys), on.is_not(None)]
    if basis == "due":
        conditions.append(
            or_(Milestone.met_on.is_not(None), Case.closed_on.is_(None), Case.closed_on > Milestone.due_on)
        )
    if cells is not None:
        conditions.append(_cells_condition(on, cells))
    return (
        select(
            Case.team_id,
            month_of(on).label("month_on"),
            measure.label("measure"),
            func.count().label("counted"),
            _sum_if(on_time).label("on_time"),
            _sum_if(kept).label("counted_kept"),
            _sum_if(and_(kept, on_time)).label("on_time_kept"),
        )
        .select_from(Milestone)
        .join(Case, Milestone.case_id == Case.id)
        .where(*conditions)
        # By position: the measure is a CASE with bound values, which PostgreSQL would not
        # recognise as the same expression if it were repeated here.
        .group_by(literal_column("1"), literal_column("2"), literal_column("3"))
    )


def counted_advice(cells: Iterable[Cell] | None = None) -> Select[Any]:
    """Advice received, by team, month, type and provider (directory entry, else the name as
    typed), counted from the advice milestones and their requests: every cell, or only `cells`.
    Columns in the order of `_ADVICE_COLUMNS`."""
    from .measures import MEASURE_BY_KEY, _advice_join

    measure = MEASURE_BY_KEY["advice_6_weeks"]
    on_time = and_(Milestone.met_on.is_not(None), Milestone.met_on <= Milestone.due_on)
    typed = case((AdviceRequest.directory_entry_id.is_(None), AdviceRequest.provider), else_=literal(""))
    conditions: list[ColumnElement[bool]] = [Milestone.key.in_(measure.keys), Milestone.met_on.is_not(None)]
    if cells is not None:
        conditions.append(_cells_condition(Milestone.met_on, cells))
    return (
        select(
            Case.team_id,
            month_of(Milestone.met_on).label("month_on"),
            AdviceRequest.advice_type,
            AdviceRequest.directory_entry_id,
            typed.label("provider"),
            func.count().label("counted"),
            _sum_if(on_time).label("on_time"),
        )
        .select_from(Milestone)
        .join(Case, Milestone.case_id == Case.id)
        .join(AdviceRequest, _advice_join())
        .where(*conditions)
        .group_by(*(literal_column(str(n)) for n in range(1, 6)))
    )


_COLUMNS = ("team_id", "month_on", "measure", "counted", "on_time", "counted_kept", "on_time_kept")
_ADVICE_COLUMNS = ("team_id", "month_on", "advice_type", "directory_entry_id", "provider", "counted", "on_time")
_BASES: tuple[Basis, ...] = ("completed", "due")


def _insert_counted(session: Session, cells: Iterable[Cell] | None) -> None:
    cells = None if cells is None else list(cells)
    for basis in _BASES:
        session.execute(insert(MonthlyFigure).from_select(list(_COLUMNS), counted_cells(basis, cells)))
    session.execute(insert(AdviceFigure).from_select(list(_ADVICE_COLUMNS), counted_advice(cells)))


def rebuild(session: Any = None) -> int:
    """Count every cell again from the milestones, replacing what is stored (in the caller's
    transaction); the number of rows stored."""
    session = session or db.session
    settle(session, discard=True)
    session.execute(delete(MonthlyFigure))
    session.execute(delete(AdviceFigure))
    _insert_counted(session, None)
    return sum(int(session.scalar(select(func.count()).select_from(t)) or 0) for t in (MonthlyFigure, AdviceFigure))


Difference = tuple[tuple[Any, ...], tuple[int, ...] | None, tuple[int, ...] | None]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def differences(session: Any = None) -> list[Difference]:
    """Stored rows whose counts differ from a fresh count: ((team, month, what), stored,
    counted), None where one side has no row; `what` is a measure key, or "advice <type>
    <provider>". Empty when the tables are right."""
    session = session or db.session
    settle(session)
    stored: dict[tuple[Any, ...], tuple[int, ...]] = {}
    counted: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for basis in _BASES:
        for r in session.execute(counted_cells(basis)):
            counted[(r.team_id, _as_date(r.month_on), r.measure)] = tuple(int(r[n]) for n in range(3, 7))
    for r in session.execute(select(*(getattr(MonthlyFigure, c) for c in _COLUMNS))):
        stored[(r.team_id, r.month_on, r.measure)] = tuple(r[3:7])

    def advice_key(r: Any) -> tuple[Any, ...]:
        who = f"entry {r.directory_entry_id}" if r.directory_entry_id is not None else repr(r.provider)
        return (r.team_id, _as_date(r.month_on), f"advice {AdviceType(r.advice_type).value} {who}")

    for r in session.execute(counted_advice()):
        counted[advice_key(r)] = (int(r.counted), int(r.on_time))
    for r in session.execute(select(*(getattr(AdviceFigure, c) for c in _ADVICE_COLUMNS))):
        key = advice_key(r)
        # Two rows for one cell would be a fault of its own: add them up so it shows.
        stored[key] = tuple(a + b for a, b in zip(stored.get(key, (0, 0)), (r.counted, r.on_time), strict=True))
    return [
        (key, stored.get(key), counted.get(key))
        for key in sorted(stored.keys() | counted.keys(), key=repr)
        if stored.get(key) != counted.get(key)
    ]


# --- Reading ----------------------------------------------------------------------------------

Counts = tuple[int, int, int, int]  # counted, on time, counted kept, on time kept


def stored_counts(
    team_ids: Iterable[int], months: Sequence[date], measures: Iterable[Measure], session: Any = None
) -> dict[tuple[str, date], Counts]:
    """The stored cells of these teams, months and measures, added up over the teams; a cell
    with no row counts nothing and is absent."""
    session = session or db.session
    team_ids, keys = list(team_ids), [m.key for m in measures]
    if not team_ids or not months or not keys:
        return {}
    settle(session)
    stmt = (
        select(
            MonthlyFigure.measure,
            MonthlyFigure.month_on,
            func.sum(MonthlyFigure.counted),
            func.sum(MonthlyFigure.on_time),
            func.sum(MonthlyFigure.counted_kept),
            func.sum(MonthlyFigure.on_time_kept),
        )
        .where(
            MonthlyFigure.team_id.in_(team_ids),
            MonthlyFigure.month_on.in_(list(months)),
            MonthlyFigure.measure.in_(keys),
        )
        .group_by(MonthlyFigure.measure, MonthlyFigure.month_on)
    )
    return {
        (measure, month_on): (int(a), int(b), int(c), int(d)) for measure, month_on, a, b, c, d in session.execute(stmt)
    }


# --- Keeping the cells in step ----------------------------------------------------------------

_PENDING = "monthly_figures.pending"


def _pending(session: Session) -> set[Cell]:
    found: set[Cell] = session.info.setdefault(_PENDING, set())
    return found


def settle(session: Any = None, *, discard: bool = False) -> None:
    """Recount the cells this transaction's changes have touched (or, with `discard`, forget
    them: a rebuild recounts everything)."""
    session = session or db.session
    while True:
        session.flush()
        final = session.info.pop(_FINAL, None)
        session.info.pop(_SEEN, None)
        if final and not discard:
            # The touched cases as they stand now: the cells they count in at the end.
            _pending(session).update(_cells_of_cases(session, final))
        cells = session.info.pop(_PENDING, None)
        if not cells or discard:
            return
        # Delete and count again, per team, the months noted.
        by_team: dict[int, set[date]] = defaultdict(set)
        for team_id, month in cells:
            by_team[team_id].add(month)
        for team_id, months in sorted(by_team.items()):
            for table in (MonthlyFigure, AdviceFigure):
                session.execute(delete(table).where(table.team_id == team_id, table.month_on.in_(sorted(months))))
        _insert_counted(session, cells)


def _changed(obj: Any, attributes: Sequence[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[a].history.has_changes() for a in attributes)


def _counted_key(obj: Milestone) -> bool:
    """Whether a step is (or, before this flush, was) of a kind the measures count; True when its
    kind is not loaded, to be safe."""
    history: Any = inspect(obj).attrs.key.history
    keys = [k for k in chain(history.added or (), history.unchanged or (), history.deleted or ()) if k is not None]
    return not keys or any(k in MEASURE_OF_KEY for k in keys)


def _cases_touched(session: Session) -> set[int]:
    """The persistent cases whose counted cells this flush may move, read before it: those of a
    counted step changed or removed, of an advice request changed, and those whose team or
    closing date changed. (Steps and cases new in the flush only add cells: the after-flush
    reading finds them.)"""
    found: set[int] = set()
    with session.no_autoflush:
        for obj in chain(session.dirty, session.deleted):
            if isinstance(obj, Milestone):
                if obj in session.dirty and obj not in session.deleted and not _changed(obj, MILESTONE_ATTRIBUTES):
                    continue
                if obj.case_id is not None and _counted_key(obj):
                    found.add(obj.case_id)
            elif isinstance(obj, AdviceRequest) and obj.case_id is not None:
                if obj in session.deleted or _changed(obj, ADVICE_ATTRIBUTES):
                    found.add(obj.case_id)
            elif isinstance(obj, Case) and obj.id is not None:
                removed: Sequence[Any] = inspect(obj).attrs.milestones.history.deleted or ()
                if (
                    obj in session.deleted
                    or _changed(obj, CASE_ATTRIBUTES)
                    or any(isinstance(m, Milestone) and _counted_key(m) for m in removed)
                ):
                    found.add(obj.id)
    return found


def _cells_of_cases(session: Session, case_ids: Iterable[int]) -> set[Cell]:
    """Every (team, month) the cases' counted steps fall in now, by due date and date met."""
    cells: set[Cell] = set()
    ids = sorted(set(case_ids))
    connection = session.connection()
    for start in range(0, len(ids), 500):
        steps = (
            select(Case.team_id, Milestone.due_on, Milestone.met_on)
            .join(Milestone, Milestone.case_id == Case.id)
            .where(Case.id.in_(ids[start : start + 500]), Milestone.key.in_(list(MEASURE_OF_KEY)))
        )
        for team_id, due_on, met_on in connection.execute(steps):
            cells.update((team_id, month_start(d)) for d in (due_on, met_on) if d is not None)
    return cells


# Cases whose cells before this transaction's changes are already noted (a later flush finds
# them as an earlier one left them, which is not what the stored figures count), and cases
# touched whose cells at the end are read when the transaction settles: the states in between
# never reached the stored figures.
_SEEN = "monthly_figures.cases_seen"
_FINAL = "monthly_figures.cases_final"


def _note_before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    """The cells of the cases about to change, as they stood before this transaction touched them."""
    touched = _cases_touched(session)
    if not touched:
        return
    seen: set[int] = session.info.setdefault(_SEEN, set())
    first = touched - seen
    if first:
        _pending(session).update(_cells_of_cases(session, first))
        seen |= first
    session.info.setdefault(_FINAL, set()).update(touched)


def _note_after_flush(session: Session, _flush_context: Any) -> None:
    """The cases of the counted steps the flush created, to be read when the transaction settles."""
    created = {
        obj.case_id
        for obj in session.new
        if isinstance(obj, Milestone) and obj.case_id is not None and _counted_key(obj)
    }
    if created:
        session.info.setdefault(_FINAL, set()).update(created)


def _settle_before_commit(session: Session) -> None:
    settle(session)


def _forget_after_transaction(session: Session, transaction: Any) -> None:
    # Only the outermost transaction: a savepoint rolled back leaves cells noted that its
    # changes touched, and counting a cell again that did not change is harmless.
    if transaction.parent is None:
        for key in (_PENDING, _SEEN, _FINAL):
            session.info.pop(key, None)


event.listen(Session, "before_flush", _note_before_flush)
event.listen(Session, "after_flush", _note_after_flush)
event.listen(Session, "before_commit", _settle_before_commit)
event.listen(Session, "after_transaction_end", _forget_after_transaction)
