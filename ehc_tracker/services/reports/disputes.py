"""Disputes in figures: mediation and appeals to the tribunal by month, by what is disputed and by
outcome, appeals per 1,000 plans, and how many families took up mediation.

Every figure counts a dispute's recorded step in the month it happened (its date, on or before the
as-at date), for the disputes of the teams asked for (`Scope`). Each dispute step is recorded at
most once, so a count of steps is a count of disputes. The lists behind the figures (drill-downs)
are built from the same conditions (`dispute_ids`), so a figure and its list cannot disagree.

Figures (docs/statutory-timescales.md, "Disputes"):

mediation_requested / mediation_held / mediation_agreement / certificate_issued
    Mediations asked for, held, held with an agreement, and mediation certificates issued in the
    month (CFA 2014 ss52-55; SEND Regulations 2014 regs 33-42).
appeal_registered
    Appeals the tribunal registered in the month, by what is disputed.
appeal_decided
    Appeals that ended in the month: the tribunal's decision (dismissed, upheld in part, upheld,
    withdrawn, conceded), or the council telling the tribunal it would not oppose the appeal
    (counted as "not opposed"; HESC r.21, SEND Regulations 2014 reg 45).
upheld at a hearing
    Of the appeals the tribunal decided (upheld, upheld in part or dismissed), the share upheld in
    full or in part: how the tribunal's own statistics count appeals "decided in favour of the appellant".
appeals per 1,000 plans
    Appeals registered in the months shown, per 1,000 EHC plans maintained at the as-at date by
    the children of the teams asked for.
mediation taken up
    Of the disputes whose family first went to a mediation adviser in the months shown (the first
    of a mediation request and a mediation certificate), how many asked for mediation (rather than
    only a certificate to appeal).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from ...extensions import db
from ...models.case import AppealType, Case, CaseEvent, CaseType, EventType, Plan
from ...models.child import Child
from ..disputes import APPEAL_OUTCOMES
from .scope import Scope, month_start, next_month

Figure = Literal[
    "mediation_requested",
    "mediation_held",
    "mediation_agreement",
    "certificate_issued",
    "appeal_registered",
    "appeal_decided",
    "mediation_advice",
    "mediation_taken_up",
]

FIGURE_TITLES: dict[str, str] = {
    "mediation_requested": "Mediations asked for",
    "mediation_held": "Mediations held",
    "mediation_agreement": "Mediations that reached an agreement",
    "certificate_issued": "Mediation certificates issued",
    "appeal_registered": "Appeals registered",
    "appeal_decided": "Appeals decided or not opposed",
    "mediation_advice": "Disputes that went to a mediation adviser",
    "mediation_taken_up": "Disputes that went on to mediation",
}

# The steps counted by month, and the step each counts.
_STEP_OF: dict[str, tuple[EventType, ...]] = {
    "mediation_requested": (EventType.MEDIATION_REQUESTED,),
    "mediation_held": (EventType.MEDIATION_HELD,),
    "mediation_agreement": (EventType.MEDIATION_HELD,),
    "certificate_issued": (EventType.MEDIATION_CERTIFICATE_ISSUED,),
    "appeal_registered": (EventType.APPEAL_REGISTERED,),
    "appeal_decided": (EventType.APPEAL_OUTCOME, EventType.APPEAL_NOT_OPPOSED),
}
MONTHLY_FIGURES: tuple[str, ...] = tuple(_STEP_OF)

# An appeal's end in words: the tribunal's decisions, and the council not opposing it.
NOT_OPPOSED = "not_opposed"
OUTCOME_LABELS: dict[str, str] = {**APPEAL_OUTCOMES, NOT_OPPOSED: "Not opposed by the council"}
UPHELD = ("upheld", "upheld_in_part")
DECIDED_AT_HEARING = ("upheld", "upheld_in_part", "dismissed")


def _outcome() -> Any:
    """The appeal's end as the figures group it: the tribunal's decision as recorded, or
    "not_opposed" for the council's concession before a decision."""
    return case(
        (CaseEvent.event_type == EventType.APPEAL_NOT_OPPOSED, NOT_OPPOSED),
        else_=CaseEvent.details["appeal_outcome"].as_string(),
    )


def _mediation_outcome() -> Any:
    return CaseEvent.details["mediation_outcome"].as_string()


def _step_conditions(scope: Scope, figure: str, start: date, end: date, as_at: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Case.case_type == CaseType.DISPUTE,
        CaseEvent.event_type.in_(_STEP_OF[figure]),
        CaseEvent.occurred_on >= start,
        CaseEvent.occurred_on < end,
        CaseEvent.occurred_on <= as_at,
        *scope.conditions(),
    ]
    if figure == "mediation_agreement":
        conditions.append(_mediation_outcome() == "agreement")
    return conditions


@dataclass(frozen=True)
class DisputeMonth:
    month_on: date
    counts: dict[str, int]
    # The month of the as-at date: only part of it has happened.
    partial: bool

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())


@dataclass(frozen=True)
class TypeRow:
    appeal_type: AppealType
    registered: int
    decided: int
    upheld: int  # upheld in full or in part at a hearing
    conceded: int  # conceded at the tribunal or not opposed

    @property
    def label(self) -> str:
        return self.appeal_type.label


@dataclass(frozen=True)
class OutcomeRow:
    outcome: str
    label: str
    count: int


@dataclass(frozen=True)
class DisputeFigures:
    first_month: date
    last_month: date
    as_at: date
    months: list[DisputeMonth]
    by_type: list[TypeRow]
    by_outcome: list[OutcomeRow]
    plans_maintained: int
    mediation_advice: int
    mediation_taken_up: int

    def total(self, figure: str) -> int:
        return sum(m.counts[figure] for m in self.months)

    @property
    def empty(self) -> bool:
        return all(m.empty for m in self.months) and not self.mediation_advice

    @property
    def appeals_per_thousand_plans(self) -> float | None:
        if not self.plans_maintained:
            return None
        return round(1000 * self.total("appeal_registered") / self.plans_maintained, 1)

    @property
    def decided_at_hearing(self) -> int:
        return sum(r.count for r in self.by_outcome if r.outcome in DECIDED_AT_HEARING)

    @property
    def upheld_at_hearing(self) -> int:
        return sum(r.count for r in self.by_outcome if r.outcome in UPHELD)

    @property
    def upheld_percent(self) -> float | None:
        held = self.decided_at_hearing
        return round(100 * self.upheld_at_hearing / held, 1) if held else None

    @property
    def taken_up_percent(self) -> float | None:
        if not self.mediation_advice:
            return None
        return round(100 * self.mediation_taken_up / self.mediation_advice, 1)


def _first_contact(scope: Scope, start: date, end: date, as_at: date) -> Any:
    """Per dispute of the scope: the day its family first went to a mediation adviser (the first
    of a mediation request and a certificate, up to the as-at date) and whether it asked for
    mediation; only disputes whose first contact falls from `start` to `end` (exclusive)."""
    first = func.min(CaseEvent.occurred_on)
    took_up = func.max(case((CaseEvent.event_type == EventType.MEDIATION_REQUESTED, 1), else_=0))
    return (
        select(Case.id.label("case_id"), first.label("first_on"), took_up.label("took_up"))
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(
            Case.case_type == CaseType.DISPUTE,
            CaseEvent.event_type.in_((EventType.MEDIATION_REQUESTED, EventType.MEDIATION_CERTIFICATE_ISSUED)),
            CaseEvent.occurred_on <= as_at,
            *scope.conditions(),
        )
        .group_by(Case.id)
        .having(and_(first >= start, first < end))
    )


def plans_maintained(scope: Scope, as_at: date) -> int:
    """EHC plans in force at the as-at date for the children of the scope's teams."""
    stmt = (
        select(func.count(Plan.id))
        .join(Child, Plan.child_id == Child.id)
        .where(
            Child.team_id.in_(scope.team_ids) if scope.team_ids else Child.id.is_(None),
            Plan.issued_on <= as_at,
            or_(Plan.ceased_on.is_(None), Plan.ceased_on > as_at),
        )
    )
    return int(db.session.scalar(stmt) or 0)


def dispute_figures(scope: Scope, months: Sequence[date], as_at: date) -> DisputeFigures:
    """The disputes' figures by month over `months`, and over all of them by what is disputed and by
    outcome: one grouped query for the steps, one for mediation take-up, one for the plans."""
    months = sorted(months)
    start, end = months[0], next_month(months[-1])
    steps = {e for figure in MONTHLY_FIGURES for e in _STEP_OF[figure]}
    # The outcomes are read from the steps' details in a subquery, and grouped on its columns:
    # PostgreSQL does not match a JSON expression in SELECT to the same one in GROUP BY.
    found = (
        select(
            CaseEvent.event_type.label("event_type"),
            Case.appeal_type.label("appeal_type"),
            _outcome().label("outcome"),
            _mediation_outcome().label("mediation_outcome"),
            CaseEvent.occurred_on.label("occurred_on"),
        )
        .select_from(CaseEvent)
        .join(Case, CaseEvent.case_id == Case.id)
        .where(
            Case.case_type == CaseType.DISPUTE,
            CaseEvent.event_type.in_(steps),
            CaseEvent.occurred_on >= start,
            CaseEvent.occurred_on < end,
            CaseEvent.occurred_on <= as_at,
            *scope.conditions(),
        )
        .subquery()
    )
    month_columns = [
        func.coalesce(
            func.sum(case((and_(found.c.occurred_on >= m, found.c.occurred_on < next_month(m)), 1), else_=0)), 0
        )
        for m in months
    ]
    groups = (found.c.event_type, found.c.appeal_type, found.c.outcome, found.c.mediation_outcome)
    stmt = select(*groups, *month_columns).group_by(*groups)
    by_month = [Counter[str]() for _ in months]
    registered: Counter[AppealType] = Counter()
    decided: Counter[AppealType] = Counter()
    upheld: Counter[AppealType] = Counter()
    conceded: Counter[AppealType] = Counter()
    outcomes: Counter[str] = Counter()
    for event_type, appeal_type, outcome, mediation_outcome, *counts in db.session.execute(stmt):
        total = sum(int(c) for c in counts)
        for figure, counted_steps in _STEP_OF.items():
            if event_type not in counted_steps:
                continue
            if figure == "mediation_agreement" and mediation_outcome != "agreement":
                continue
            for n, count in enumerate(counts):
                by_month[n][figure] += int(count)
        if appeal_type is None:
            continue
        if event_type is EventType.APPEAL_REGISTERED:
            registered[appeal_type] += total
        elif event_type in _STEP_OF["appeal_decided"]:
            decided[appeal_type] += total
            outcomes[str(outcome)] += total
            if outcome in UPHELD:
                upheld[appeal_type] += total
            elif outcome in ("conceded", NOT_OPPOSED):
                conceded[appeal_type] += total
    contact = _first_contact(scope, start, end, as_at).subquery()
    advice, taken_up = db.session.execute(
        select(func.count(contact.c.case_id), func.coalesce(func.sum(contact.c.took_up), 0))
    ).one()
    current = month_start(as_at)
    return DisputeFigures(
        first_month=months[0],
        last_month=months[-1],
        as_at=as_at,
        months=[
            DisputeMonth(m, {figure: by_month[n][figure] for figure in MONTHLY_FIGURES}, m == current)
            for n, m in enumerate(months)
        ],
        by_type=[
            TypeRow(t, registered[t], decided[t], upheld[t], conceded[t])
            for t in AppealType
            if registered[t] or decided[t]
        ],
        by_outcome=[OutcomeRow(key, label, outcomes[key]) for key, label in OUTCOME_LABELS.items() if outcomes[key]],
        plans_maintained=plans_maintained(scope, as_at),
        mediation_advice=int(advice),
        mediation_taken_up=int(taken_up),
    )


@dataclass(frozen=True)
class DisputeDrillDown:
    figure: str
    start: date
    end: date
    as_at: date
    appeal_type: AppealType | None = None
    outcome: str | None = None

    @property
    def title(self) -> str:
        return FIGURE_TITLES[self.figure]


def dispute_ids(scope: Scope, d: DisputeDrillDown) -> Select[tuple[int]]:
    """The disputes behind one figure, most recent step first."""
    if d.figure in ("mediation_advice", "mediation_taken_up"):
        contact = _first_contact(scope, d.start, d.end, d.as_at).subquery()
        stmt = select(contact.c.case_id).join(Case, Case.id == contact.c.case_id)
        if d.figure == "mediation_taken_up":
            stmt = stmt.where(contact.c.took_up == 1)
        if d.appeal_type is not None:
            stmt = stmt.where(Case.appeal_type == d.appeal_type)
        return stmt.order_by(contact.c.first_on.desc(), contact.c.case_id.desc())
    conditions = _step_conditions(scope, d.figure, d.start, d.end, d.as_at)
    if d.appeal_type is not None:
        conditions.append(Case.appeal_type == d.appeal_type)
    if d.outcome is not None:
        if d.outcome == "upheld_at_hearing":
            conditions.append(_outcome().in_(UPHELD))
        elif d.outcome == "conceded_or_not_opposed":
            conditions.append(_outcome().in_(("conceded", NOT_OPPOSED)))
        else:
            conditions.append(_outcome() == d.outcome)
    return (
        select(Case.id)
        .select_from(CaseEvent)
        .join(Case, CaseEvent.case_id == Case.id)
        .where(*conditions)
        .order_by(CaseEvent.occurred_on.desc(), Case.id.desc())
    )


DRILL_OUTCOMES = (*OUTCOME_LABELS, "upheld_at_hearing", "conceded_or_not_opposed")
