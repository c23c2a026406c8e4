"""Where a milestone stands on a given day. A milestone is on time when it is met on or
before its due date (docs/statutory-timescales.md, "How to count").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from .errors import InvalidSetting

# Calendar days before a due date from which an unmet milestone is "due soon": the one default
# every page, list and alert starts from (config.py's DUE_SOON_DAYS and ALERT_DUE_SOON_DAYS too).
DEFAULT_DUE_SOON_DAYS = 10

__all__ = ["MilestoneStatus", "StatusResult", "is_on_time", "milestone_status"]


class MilestoneStatus(str, Enum):
    NOT_DUE = "not_due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    # Never met, and no longer possible: the day it lapsed has come (a phase transfer whose
    # September move has happened). Late in the compliance figures; on no overdue list.
    MISSED = "missed"
    # Never met, but the duty ended with its case (withdrawn, closed): not late, not overdue.
    ENDED = "ended"


@dataclass(frozen=True)
class StatusResult:
    """`days_remaining` is set for open milestones not yet overdue (0 on the due date);
    `days_late` for overdue and late-met milestones; both are None when met on time.
    """

    status: MilestoneStatus
    days_remaining: int | None = None
    days_late: int | None = None


def is_on_time(due_on: date, met_on: date) -> bool:
    return met_on <= due_on


def milestone_status(
    due_on: date,
    met_on: date | None,
    today: date,
    *,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    lapses_on: date | None = None,
    case_open: bool = True,
) -> StatusResult:
    """Met milestones are judged by `met_on` alone; open ones are overdue the day after the
    due date and "due soon" from `due_soon_days` calendar days before it. An unmet milestone
    is ENDED when its case is no longer open (the duty ended with the case), and MISSED from
    `lapses_on`, the day the step can no longer be taken.
    """
    if due_soon_days < 0:
        raise InvalidSetting(f"due_soon_days cannot be negative, not {due_soon_days}.")
    if met_on is not None:
        if is_on_time(due_on, met_on):
            return StatusResult(MilestoneStatus.MET_ON_TIME)
        return StatusResult(MilestoneStatus.MET_LATE, days_late=(met_on - due_on).days)
    if not case_open:
        return StatusResult(MilestoneStatus.ENDED)
    if lapses_on is not None and today >= lapses_on:
        return StatusResult(MilestoneStatus.MISSED, days_late=max((lapses_on - due_on).days, 0))
    if today > due_on:
        return StatusResult(MilestoneStatus.OVERDUE, days_late=(today - due_on).days)
    remaining = (due_on - today).days
    if remaining <= due_soon_days:
        return StatusResult(MilestoneStatus.DUE_SOON, days_remaining=remaining)
    return StatusResult(MilestoneStatus.NOT_DUE, days_remaining=remaining)
