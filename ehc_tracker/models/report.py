"""What managers set for the compliance dashboard: monthly targets and reference figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .case import AdviceType
from .types import UTCDateTime, utcnow


class ComplianceTarget(db.Model):  # type: ignore[name-defined,misc]
    """The target for one compliance measure in one month (the improvement trajectory), and
    optionally the national average for that month as a reference line."""

    __tablename__ = "compliance_targets"
    __table_args__ = (UniqueConstraint("measure", "month_on", name="uq_compliance_targets_measure_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A measure key of the dashboard, e.g. "final_plan_20_weeks".
    measure: Mapped[str] = mapped_column(String(64))
    # The first day of the month the figures are for.
    month_on: Mapped[date]
    target_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    national_average_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class MonthlyFigure(db.Model):  # type: ignore[name-defined,misc]
    """One compliance measure for one team in one calendar month, as counted from the
    milestones: how many the measure counted and how many of those were on time, with and
    without the steps where an exception applies. Kept by `services.reports.figure_store` in
    the same transaction as the change that moves it, and rebuilt from the milestones by
    `flask read-model rebuild`; a cell that counts nothing has no row."""

    __tablename__ = "monthly_figures"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    # The first day of the month: the month a step was done in (measures of work done) or
    # fell due in (measures of work due).
    month_on: Mapped[date] = mapped_column(primary_key=True)
    # A measure key of the dashboard, e.g. "final_plan_20_weeks".
    measure: Mapped[str] = mapped_column(String(64), primary_key=True)
    counted: Mapped[int]
    on_time: Mapped[int]
    # The same, leaving out the steps where an exception applies (reg 13(3)).
    counted_kept: Mapped[int]
    on_time_kept: Mapped[int]


class AdviceFigure(db.Model):  # type: ignore[name-defined,misc]
    """Advice received by one team in one calendar month, of one type from one provider: how
    much and how much of it on time (the dashboard's advice by type and by provider). The
    provider is the directory entry the request names (its current name is shown), else the
    name as typed. Kept and rebuilt with `MonthlyFigure`."""

    __tablename__ = "advice_figures"
    __table_args__ = (Index("ix_advice_figures_team_month", "team_id", "month_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    month_on: Mapped[date]
    advice_type: Mapped[AdviceType] = mapped_column(
        Enum(AdviceType, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    directory_entry_id: Mapped[int | None] = mapped_column(ForeignKey("directory_entries.id"))
    # The provider as typed, where the request names no directory entry ("" where it does).
    provider: Mapped[str] = mapped_column(String(200))
    counted: Mapped[int]
    on_time: Mapped[int]
