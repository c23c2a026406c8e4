"""Quality assurance in figures: the share of audited plans and advice returns rated good or better.

An audit counts once it is complete (graded, and agreed or resolved when moderated), in the month
of its sample (`QualityAudit.month_on`), for the cases of the teams asked for (`Scope`). Good or
better is a final grade of outstanding or good. The target trajectory is a monthly compliance
target under the measure key `audits_good_or_better` (the improvement plan: 30 % rising to 75 %).

Breakdowns over the months shown: by team, by coordinator (the case's coordinator), and by advice
provider (advice returns only). A viewer sees the coordinator breakdown without names. The lists
behind the figures (`audit_rows`) use the same conditions, so a figure and its list agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, func, select

from ...extensions import db
from ...models import ComplianceTarget, Team, User
from ...models.case import AdviceRequest, Case
from ...models.child import Child
from ...models.quality import GOOD_OR_BETTER, AuditStatus, QualityAudit
from .scope import Scope, next_month

MEASURE_KEY = "audits_good_or_better"
TITLE = "Audits rated good or better"
By = Literal["team", "coordinator", "provider"]


@dataclass(frozen=True)
class GradeFigure:
    audited: int
    good: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.good / self.audited, 1) if self.audited else None


@dataclass(frozen=True)
class QualityMonth:
    month_on: date
    figure: GradeFigure
    target_percent: Decimal | None

    @property
    def meets_target(self) -> bool | None:
        if self.target_percent is None or self.figure.percent is None:
            return None
        return Decimal(str(self.figure.percent)) >= self.target_percent


@dataclass(frozen=True)
class QualityRow:
    key: str  # the team's or coordinator's id, or the provider's name
    label: str
    figure: GradeFigure


@dataclass(frozen=True)
class QualityFigures:
    months: list[QualityMonth]
    by_team: list[QualityRow]
    by_coordinator: list[QualityRow]
    by_provider: list[QualityRow]

    @property
    def total(self) -> GradeFigure:
        return GradeFigure(sum(m.figure.audited for m in self.months), sum(m.figure.good for m in self.months))


def _complete(scope: Scope, start: date, end: date) -> list[ColumnElement[bool]]:
    return [
        QualityAudit.status == AuditStatus.COMPLETE,
        QualityAudit.month_on >= start,
        QualityAudit.month_on < end,
        *scope.conditions(),
    ]


def _counts() -> tuple[ColumnElement[int], ColumnElement[int]]:
    good = func.coalesce(func.sum(case((QualityAudit.final_grade.in_(GOOD_OR_BETTER), 1), else_=0)), 0)
    return func.count(QualityAudit.id), good


def _targets(months: list[date]) -> dict[date, Decimal | None]:
    rows = db.session.execute(
        select(ComplianceTarget.month_on, ComplianceTarget.target_percent).where(
            ComplianceTarget.measure == MEASURE_KEY, ComplianceTarget.month_on.in_(months)
        )
    )
    return {month_on: target for month_on, target in rows}


def quality_figures(scope: Scope, months: list[date], *, with_names: bool) -> QualityFigures:
    start, end = months[0], next_month(months[-1])
    audited, good = _counts()
    by_month = {
        month_on: GradeFigure(int(n), int(g))
        for month_on, n, g in db.session.execute(
            select(QualityAudit.month_on, audited, good)
            .join(Case, Case.id == QualityAudit.case_id)
            .where(*_complete(scope, start, end))
            .group_by(QualityAudit.month_on)
        )
    }
    targets = _targets(months)
    series = [QualityMonth(m, by_month.get(m, GradeFigure(0, 0)), targets.get(m)) for m in months]
    return QualityFigures(
        months=series,
        by_team=_breakdown(scope, start, end, "team", with_names=True),
        by_coordinator=_breakdown(scope, start, end, "coordinator", with_names=with_names),
        by_provider=_breakdown(scope, start, end, "provider", with_names=True),
    )


def _breakdown(scope: Scope, start: date, end: date, by: By, *, with_names: bool) -> list[QualityRow]:
    audited, good = _counts()
    query: Select[Any] = (
        select(QualityAudit.id).join(Case, Case.id == QualityAudit.case_id).where(*_complete(scope, start, end))
    )
    if by == "team":
        query = query.join(Team, Team.id == Case.team_id).with_only_columns(Team.id, Team.name, audited, good)
        query = query.group_by(Team.id, Team.name).order_by(Team.name)
    elif by == "coordinator":
        query = query.join(User, User.id == Case.coordinator_id).with_only_columns(User.id, User.name, audited, good)
        query = query.group_by(User.id, User.name).order_by(User.name)
    else:
        query = query.join(AdviceRequest, AdviceRequest.id == QualityAudit.advice_request_id)
        query = query.with_only_columns(AdviceRequest.provider, AdviceRequest.provider, audited, good)
        query = query.group_by(AdviceRequest.provider).order_by(AdviceRequest.provider)
    rows = [
        QualityRow(str(key), str(label), GradeFigure(int(n), int(g))) for key, label, n, g in db.session.execute(query)
    ]
    if not with_names:
        rows = [QualityRow(r.key, f"Coordinator {n}", r.figure) for n, r in enumerate(rows, start=1)]
    return rows


@dataclass(frozen=True)
class AuditRow:
    audit_id: int
    case_id: int
    month_on: date
    subject: str
    child_name: str | None
    coordinator: str | None
    team: str
    provider: str | None
    final_grade: str
    completed_on: date | None


def audit_rows(
    scope: Scope,
    start: date,
    end: date,
    *,
    good: bool | None = None,
    provider: str | None = None,
    with_names: bool,
) -> list[AuditRow]:
    """The completed audits behind a figure: the same conditions as `quality_figures`, narrowed to
    good or better (or not) and to one advice provider when asked."""
    conditions = _complete(scope, start, end)
    if good is not None:
        graded_good = QualityAudit.final_grade.in_(GOOD_OR_BETTER)
        conditions.append(graded_good if good else ~graded_good)
    if provider is not None:
        conditions.append(AdviceRequest.provider == provider)
    query = (
        select(QualityAudit, Case, Child, Team, User, AdviceRequest)
        .join(Case, Case.id == QualityAudit.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(Team, Team.id == Case.team_id)
        .outerjoin(User, User.id == Case.coordinator_id)
        .outerjoin(AdviceRequest, AdviceRequest.id == QualityAudit.advice_request_id)
        .where(*conditions)
        .order_by(QualityAudit.month_on, QualityAudit.id)
    )
    return [
        AuditRow(
            audit_id=a.id,
            case_id=c.id,
            month_on=a.month_on,
            subject=a.subject.label,
            child_name=ch.full_name if with_names else None,
            coordinator=(u.name if u else "Nobody") if with_names else None,
            team=t.name,
            provider=ar.provider if ar is not None else None,
            final_grade=a.final_grade.label if a.final_grade else "",
            completed_on=a.completed_on,
        )
        for a, c, ch, t, u, ar in db.session.execute(query)
    ]
