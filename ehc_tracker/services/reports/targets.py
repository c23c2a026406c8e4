"""The monthly targets managers set for each measure, and national averages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import select

from ... import access
from ...extensions import db
from ...models import ComplianceTarget, User
from .. import Forbidden, ServiceError, audit
from .measures import MEASURE_BY_KEY
from .quality import MEASURE_KEY as QUALITY_MEASURE_KEY

# Every measure a monthly target may be set for: the compliance measures, and the share of
# audited plans and advice rated good or better (services/reports/quality.py).
TARGET_MEASURES = frozenset(MEASURE_BY_KEY) | {QUALITY_MEASURE_KEY}

# --- Targets ----------------------------------------------------------------------------------


def _percent(value: Decimal | None, label: str, field_name: str) -> Decimal | None:
    if value is None:
        return None
    if not Decimal(0) <= value <= Decimal(100):
        raise ServiceError(f"{label} must be between 0 and 100", field=field_name)
    return value.quantize(Decimal("0.01"))


def set_target(
    *,
    measure: str,
    month_on: date,
    target_percent: Decimal | None,
    national_average_percent: Decimal | None,
    actor: User,
) -> ComplianceTarget:
    """Set (or change) a measure's target for a month, and optionally the national average."""
    if not access.can_manage(actor):
        raise Forbidden("Only managers can set compliance targets")
    if measure not in TARGET_MEASURES:
        raise ServiceError("Select a measure", field="measure")
    if month_on.day != 1:
        raise ServiceError("Select a month", field="month")
    target_value = _percent(target_percent, "The target", "target_percent")
    if target_value is None:
        raise ServiceError("Enter the target as a percentage", field="target_percent")
    national_value = _percent(national_average_percent, "The national average", "national_average_percent")
    target = db.session.scalar(
        select(ComplianceTarget).where(ComplianceTarget.measure == measure, ComplianceTarget.month_on == month_on)
    )
    old = None
    if target is None:
        target = ComplianceTarget(measure=measure, month_on=month_on)
        db.session.add(target)
    else:
        old = {
            "target_percent": _text(target.target_percent),
            "national_average_percent": _text(target.national_average_percent),
        }
    target.target_percent = target_value
    target.national_average_percent = national_value
    target.set_by_id = actor.id
    db.session.flush()
    new = {"target_percent": _text(target_value), "national_average_percent": _text(national_value)}
    audit.record(
        actor,
        "compliance_target_set",
        "compliance_target",
        target.id,
        f"Set the {measure} target for {month_on:%B %Y} to {target_value}%"
        + (f" (national average {national_value}%)" if national_value is not None else ""),
        {"measure": measure, "month": month_on.isoformat(), "old": old, "new": new},
    )
    return target


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def all_targets() -> list[ComplianceTarget]:
    return list(
        db.session.scalars(select(ComplianceTarget).order_by(ComplianceTarget.measure, ComplianceTarget.month_on))
    )


def year_targets(measure: str, year: int) -> dict[int, ComplianceTarget]:
    """A measure's targets for the months of a calendar year, by month number (1 to 12)."""
    found = db.session.scalars(
        select(ComplianceTarget).where(
            ComplianceTarget.measure == measure,
            ComplianceTarget.month_on >= date(year, 1, 1),
            ComplianceTarget.month_on < date(year + 1, 1, 1),
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
    if not access.can_manage(actor):
        raise Forbidden("Only managers can set compliance targets")
    if measure not in TARGET_MEASURES:
        raise ServiceError("Select a measure", field="measure")
    checked: list[tuple[date, Decimal | None, Decimal | None]] = []
    for row in months:
        if row.month_on.year != year or row.month_on.day != 1:
            raise ServiceError(f"{row.month_on:%B %Y} is not a month of {year}")
        name = f"{row.month_on:%B}"
        target_value = _percent(row.target_percent, f"The target for {name}", grid_field("target", row.month_on))
        national_value = _percent(
            row.national_average_percent, f"The national average for {name}", grid_field("national", row.month_on)
        )
        if target_value is None and national_value is not None:
            raise ServiceError(
                f"Enter the target for {name}, or clear its national average", field=grid_field("target", row.month_on)
            )
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
        if existing is not None and (existing.target_percent, existing.national_average_percent) == (
            target_value,
            national_value,
        ):
            continue
        set_target(
            measure=measure,
            month_on=month_on,
            target_percent=target_value,
            national_average_percent=national_value,
            actor=actor,
        )
        changed += 1
    return changed, removed


def _remove_target(target: ComplianceTarget, actor: User) -> None:
    old = {
        "target_percent": _text(target.target_percent),
        "national_average_percent": _text(target.national_average_percent),
    }
    audit.record(
        actor,
        "compliance_target_removed",
        "compliance_target",
        target.id,
        f"Removed the {target.measure} target for {target.month_on:%B %Y}",
        {"measure": target.measure, "month": target.month_on.isoformat(), "old": old},
    )
    db.session.delete(target)
    db.session.flush()
