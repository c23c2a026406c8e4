"""The working-day calendar: England and Wales bank holidays plus the council's own non-working days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import LocalNonWorkingDay, User
from ..statutory.calendar import WorkingDayCalendar
from . import ServiceError, audit


def working_day_calendar() -> WorkingDayCalendar:
    days = db.session.scalars(select(LocalNonWorkingDay.day_on))
    return WorkingDayCalendar(extra_non_working_days=list(days))


def local_non_working_days() -> list[LocalNonWorkingDay]:
    return list(db.session.scalars(select(LocalNonWorkingDay).order_by(LocalNonWorkingDay.day_on.desc())))


def add_non_working_day(day_on: date, description: str, *, actor: User) -> LocalNonWorkingDay:
    if db.session.scalar(select(LocalNonWorkingDay.id).where(LocalNonWorkingDay.day_on == day_on)):
        raise ServiceError(f"{day_on:%-d %B %Y} is already a local non-working day", field="day_on")
    day = LocalNonWorkingDay(day_on=day_on, description=description.strip(), created_by_id=actor.id)
    db.session.add(day)
    db.session.flush()
    audit.record(
        actor,
        "non_working_day_added",
        "non_working_day",
        day.id,
        f"Added local non-working day {day_on.isoformat()}: {day.description}",
    )
    return day


def remove_non_working_day(day: LocalNonWorkingDay, *, actor: User) -> None:
    audit.record(
        actor,
        "non_working_day_removed",
        "non_working_day",
        day.id,
        f"Removed local non-working day {day.day_on.isoformat()}: {day.description}",
    )
    db.session.delete(day)
