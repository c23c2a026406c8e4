"""Whether the date a step was done meets the time limit the step form showed, in words.

Days are calendar days, as on the case page ("3 days overdue", "Done ..., 3 days late"). The
step form says the same while the date is typed (static/date-fields.js).
"""

from __future__ import annotations

from datetime import date

from ..models.case import Case, EventType
from ..statutory.status import is_on_time
from . import timeline as timeline_service


def step_due_on(case: Case, step: EventType, today: date) -> date | None:
    """The due date of the still-open time limit that recording `step` meets (as the form shows
    it), or None when the step meets none. Read it before recording: recording meets it."""
    row = timeline_service.milestone_for_step(case, step, today)
    return row.milestone.due_on if row is not None else None


def against_due(on: date, due_on: date) -> str:
    """'on time' or 'N days after the due date' for a step done `on`."""
    if is_on_time(due_on, on):
        return "on time"
    late = (on - due_on).days
    return f"{late} day{'s' if late != 1 else ''} after the due date"


def recorded_message(label: str, on: date, due_on: date | None) -> str:
    """The success banner's first sentence after recording a step."""
    message = f"Recorded: {label} on {on:%-d %B %Y}."
    if due_on is not None:
        when = f"due by {due_on:%-d %B %Y}" if is_on_time(due_on, on) else f"{due_on:%-d %B %Y}"
        message += f" That is {against_due(on, due_on)} ({when})."
    return message
