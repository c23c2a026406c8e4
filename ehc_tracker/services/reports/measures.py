"""The monthly compliance measures, the advice breakdowns and the drill-down lists behind each figure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
)

from ...extensions import db
from ...models import ComplianceTarget
from ...models.case import AdviceRequest, AdviceType, Case, Milestone
from ...models.directory import DirectoryEntry
from ...statutory.rules import DISPUTE_RULES, rule
from .scope import Scope, month_of, month_start, next_month

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
    # Further milestone keys counted with `milestone_key` (a measure of several kinds of duty).
    also_keys: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """Every milestone key the measure counts."""
        return (self.milestone_key, *self.also_keys)

    @property
    def milestone_label(self) -> str:
        return rule(self.milestone_key).label

    def nothing_in(self, period: str) -> str:
        """ "No new plans were issued in June 2026": said instead of a blank or 0%."""
        return f"{self.nothing} in {period}"


# The council's duties after an order, a concession or a mediation agreement: every limb of each
# (not the commissioning body's notice to the council of an agreement it made, reg 42(4)).
_DISPUTE_DUTY_KEYS = tuple(
    key
    for key in DISPUTE_RULES
    if key.startswith(("order_", "unopposed_", "mediation_agreement_"))
    and key != "mediation_agreement_notice_to_council"
)

MEASURES: tuple[Measure, ...] = (
    Measure(
        "final_plan_20_weeks",
        "New EHC plans issued within 20 weeks",
        "final_plan",
        "completed",
        True,
        "plans issued",
        "New EHC plans issued in the month (final plans of EHC needs assessments), and how many were issued on or "
        "before the day 20 weeks after the request was received. A plan counts in the month it was issued, even if "
        "it was due in an earlier month. Plans issued after a reassessment are not counted. The headline figure "
        "leaves out plans where an exception under regulation 13(3) was approved (both from the plans issued and "
        "from those on time); the figure including exceptions counts every plan.",
        "SEND Regulations 2014 reg 13(2)",
        short="20-week plans",
        nothing="No new plans were issued",
    ),
    Measure(
        "decision_6_weeks",
        "Decisions whether to assess within 6 weeks",
        "decision_to_assess",
        "completed",
        False,
        "decisions made",
        "Decisions whether to carry out an EHC needs assessment made in the month (either way), and how many were "
        "made on or before the day 6 weeks after the request was received.",
        "SEND Regulations 2014 reg 4(1) and 5(1)",
        short="6-week decisions to assess",
        nothing="No decisions whether to assess were made",
    ),
    Measure(
        "advice_6_weeks",
        "Advice received within 6 weeks",
        "advice_due",
        "completed",
        False,
        "pieces of advice received",
        "Advice received in the month, and how much was received on or before the day 6 weeks after it was "
        "requested. Also shown by type of advice and by provider over all the months shown.",
        "SEND Regulations 2014 reg 8(1)",
        short="6-week advice",
        nothing="No advice was received",
    ),
    Measure(
        "review_decision_4_weeks",
        "Annual review decisions within 4 weeks",
        "review_decision_due",
        "due",
        False,
        "decisions due",
        "Annual review decisions that fell due in the month (4 weeks after the review meeting) and before the as-at "
        "date, and how many were notified on or before the due date. A decision not yet notified counts as late. "
        "One outstanding on a case closed before the due date is not counted.",
        "SEND Regulations 2014 reg 20(10)",
        short="4-week review decisions",
        nothing="No review decisions fell due",
    ),
    Measure(
        "amended_plan_12_weeks",
        "Amended plans within 12 weeks of the review",
        "amended_plan_due",
        "due",
        False,
        "amended plans due",
        "Amended plans that fell due in the month (12 weeks after the review meeting, where the decision was to "
        "amend) and before the as-at date, and how many were issued on or before the due date. A plan not yet issued "
        "counts as late. One outstanding on a case closed before the due date is not counted.",
        "SEND Regulations 2014 reg 22(3); R (L, M & P) v Devon CC [2022]",
        short="12-week amended plans",
        nothing="No amended plans fell due",
    ),
    Measure(
        "response_5_days",
        "Responses to communications within 5 working days",
        "response_due",
        "due",
        False,
        "responses due",
        "Responses to parents' and professionals' communications that fell due in the month (5 working days after "
        "the communication was received) and before the as-at date, and how many were sent on or before the due "
        "date. A response not yet sent counts as late. One outstanding on a case closed before the due date is not counted.",
        "Local standard (5 working days)",
        short="5-day responses",
        nothing="No responses fell due",
    ),
    Measure(
        "dispute_duties_on_time",
        "Tribunal orders, concessions and mediation agreements complied with on time",
        _DISPUTE_DUTY_KEYS[0],
        "due",
        False,
        "duties due",
        "What the council had to do after a tribunal's order, after telling the tribunal it would not oppose an "
        "appeal, or under a mediation agreement (notify an assessment, issue or amend a plan, continue or cease it), "
        "that fell due in the month and before the as-at date, and how much was done on or before the due date. "
        "A duty not yet done counts as late. One outstanding on a dispute closed before the due date is not counted.",
        "SEND Regulations 2014 regs 42(3)-(4), 44 and 45",
        short="Orders complied with on time",
        nothing="No duties after an appeal or mediation fell due",
        also_keys=_DISPUTE_DUTY_KEYS[1:],
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
        Milestone.due_on >= start,
        Milestone.due_on < end,
        Milestone.due_on < as_at,
        or_(Milestone.met_on.is_not(None), Case.closed_on.is_(None), Case.closed_on > Milestone.due_on),
    ]


def measure_conditions(measure: Measure, start: date, end: date, as_at: date) -> list[ColumnElement[bool]]:
    """The milestones a measure counts for the months from `start` to `end` (exclusive); see
    the module docstring."""
    return [Milestone.key.in_(measure.keys), *_basis_conditions(measure.basis, start, end, as_at)]


def _advice_join(case_id: Any = Milestone.case_id, ref: Any = Milestone.ref) -> ColumnElement[bool]:
    """An advice milestone (or a selection of its case id and ref) to its request: the
    milestone's ref is "advice:<AdviceRequest.id>". The id read back from the ref lets the
    database find each request by its primary key instead of hashing every request."""
    return and_(
        AdviceRequest.id == cast(func.substr(ref, len("advice:") + 1), Integer),
        AdviceRequest.case_id == case_id,
        ref == literal("advice:", String) + cast(AdviceRequest.id, String),
    )


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def targets_for(months: Sequence[date]) -> dict[tuple[str, date], ComplianceTarget]:
    if not months:
        return {}
    found = db.session.scalars(
        select(ComplianceTarget).where(
            ComplianceTarget.month_on >= min(months), ComplianceTarget.month_on <= max(months)
        )
    )
    return {(t.measure, t.month_on): t for t in found}


def _live_counts(
    scope: Scope, months: Sequence[date], as_at: date, measures: Sequence[Measure]
) -> dict[tuple[str, date], tuple[int, int, int, int]]:
    """Each measure by month, counted from the milestones: one query for the measures that
    count by the day a step was done and one for those that count by the due date, each
    grouped by month and measure (a few rows, added up here). A column per month and measure
    made a statement PostgreSQL took longer to plan than to run."""
    counts: dict[tuple[str, date], tuple[int, int, int, int]] = {}
    if not months:
        return counts
    wanted = set(months)
    bases: tuple[Basis, ...] = ("completed", "due")
    for basis in bases:
        group = [m for m in measures if m.basis == basis]
        if not group:
            continue
        measure_of = {key: m.key for m in group for key in m.keys}
        on = _counted_on(group[0])
        kept = Milestone.exception_applies.is_(False)
        stmt = select(
            month_of(on),
            case({key: literal(m) for key, m in measure_of.items()}, value=Milestone.key),
            func.count(),
            _count(_on_time()),
            _count(kept),
            _count(and_(kept, _on_time())),
        ).select_from(Milestone)
        if basis == "due":  # the case's closing date
            stmt = stmt.join(Case, Milestone.case_id == Case.id)
        stmt = stmt.where(
            Milestone.key.in_(list(measure_of)),
            *_basis_conditions(basis, months[0], next_month(months[-1]), as_at),
            *scope.milestone_conditions(),
        ).group_by(literal_column("1"), literal_column("2"))
        for month_on, key, *values in db.session.execute(stmt):
            month_on = month_on if isinstance(month_on, date) else date.fromisoformat(str(month_on))
            if month_on in wanted:
                counts[(key, month_on)] = tuple(int(v) for v in values)  # type: ignore[assignment]
    return counts


def monthly_figures(
    scope: Scope, months: Sequence[date], as_at: date, *, measures: Iterable[Measure] = MEASURES
) -> list[MeasureSeries]:
    """Each measure by month. Months that ended before the as-at date are read from the stored
    figures (`figure_store`: one row per team, month and measure, kept in step with every
    change) when the scope is whole teams; the as-at month, and any figure narrowed to one
    coordinator's cases, are counted live from the milestones."""
    from . import figure_store

    months = sorted(months)
    measures = list(measures)
    targets = targets_for(months)
    whole_teams = scope.coordinator_id is None and not scope.unassigned
    stored = [m for m in months if whole_teams and next_month(m) <= as_at]
    counts = figure_store.stored_counts(scope.team_ids, stored, measures)
    counts.update(_live_counts(scope, [m for m in months if m not in stored], as_at, measures))
    result = []
    for measure in measures:
        series = []
        for start in months:
            counted, on_time, counted_kept, on_time_kept = counts.get((measure.key, start), (0, 0, 0, 0))
            target = targets.get((measure.key, start))
            series.append(
                MonthFigures(
                    month_on=start,
                    including=Figure(counted, on_time),
                    excluding=Figure(counted_kept, on_time_kept) if measure.with_exceptions else None,
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


def _live_advice(scope: Scope, start: date, end: date, as_at: date) -> list[tuple[AdviceType, str, int, int]]:
    """Advice received from `start` to `end` (exclusive), counted from the milestones, grouped by
    type and provider."""
    measure = MEASURE_BY_KEY["advice_6_weeks"]
    # The advice milestones first (through the key and completion-date index), then their
    # requests by case: left to itself PostgreSQL starts from every request of the team.
    steps = (
        select(Milestone.case_id, Milestone.ref, case((_on_time(), 1), else_=0).label("on_time"))
        .where(*measure_conditions(measure, start, end, as_at), *scope.milestone_conditions())
        .cte("advice_steps")
        .prefix_with("MATERIALIZED")
    )
    provider = _advice_provider()
    stmt = _with_entry(
        select(AdviceRequest.advice_type, provider, func.count(), func.coalesce(func.sum(steps.c.on_time), 0))
        .select_from(steps)
        .join(AdviceRequest, _advice_join(steps.c.case_id, steps.c.ref))
    ).group_by(AdviceRequest.advice_type, provider)
    return [(t, str(p), int(n), int(k)) for t, p, n, k in db.session.execute(stmt)]


def _stored_advice(team_ids: frozenset[int], start: date, end: date) -> list[tuple[AdviceType, str, int, int]]:
    """The same from the stored advice figures (`figure_store`), for whole months."""
    from ...models import AdviceFigure
    from . import figure_store

    if not team_ids:
        return []
    figure_store.settle()
    provider = func.coalesce(DirectoryEntry.name, AdviceFigure.provider)
    stmt = (
        select(AdviceFigure.advice_type, provider, func.sum(AdviceFigure.counted), func.sum(AdviceFigure.on_time))
        .outerjoin(DirectoryEntry, AdviceFigure.directory_entry_id == DirectoryEntry.id)
        .where(AdviceFigure.team_id.in_(team_ids), AdviceFigure.month_on >= start, AdviceFigure.month_on < end)
        .group_by(AdviceFigure.advice_type, provider)
    )
    return [(t, str(p), int(n), int(k)) for t, p, n, k in db.session.execute(stmt)]


def advice_breakdowns(scope: Scope, start: date, end: date, as_at: date) -> dict[str, list[BreakdownRow]]:
    """Advice received from `start` to `end` (exclusive), by advice type ("type") and by
    provider ("provider", by directory entry; requests naming no entry by the name typed).
    Whole months that ended before the as-at date come from the stored advice figures when the
    scope is whole teams; the rest is counted live, grouped by both, and added up here."""
    settled = start
    if scope.coordinator_id is None and not scope.unassigned and start == month_start(start):
        while next_month(settled) <= min(end, as_at):
            settled = next_month(settled)
    rows = _stored_advice(scope.team_ids, start, settled) if settled > start else []
    if settled < end:
        rows += _live_advice(scope, settled, end, as_at)
    by_type: dict[AdviceType, list[int]] = {}
    by_provider: dict[str, list[int]] = {}
    for advice_type, provider, counted, on_time in rows:
        for totals in (by_type.setdefault(AdviceType(advice_type), [0, 0]), by_provider.setdefault(provider, [0, 0])):
            totals[0] += counted
            totals[1] += on_time
    return {
        "type": [BreakdownRow(t.value, t.label, Figure(*by_type[t])) for t in sorted(by_type, key=lambda t: t.value)],
        "provider": [BreakdownRow(name, name, Figure(*by_provider[name])) for name in sorted(by_provider)],
    }


def advice_breakdown(
    scope: Scope, start: date, end: date, as_at: date, *, by: Literal["type", "provider"]
) -> list[BreakdownRow]:
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
