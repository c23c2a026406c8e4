"""Milestone status: every branch, including met exactly on the due date."""
from __future__ import annotations

from datetime import date

import pytest

from ehc_tracker.statutory.errors import InvalidSetting
from ehc_tracker.statutory.status import MilestoneStatus, StatusResult, is_on_time, milestone_status

D = date.fromisoformat
DUE = D("2025-05-26")


@pytest.mark.parametrize(
    ("met", "today", "expected"),
    [
        ("2025-05-26", "2025-06-30", StatusResult(MilestoneStatus.MET_ON_TIME)),  # on the due date
        ("2025-05-01", "2025-06-30", StatusResult(MilestoneStatus.MET_ON_TIME)),
        ("2025-05-27", "2025-06-30", StatusResult(MilestoneStatus.MET_LATE, days_late=1)),
        ("2025-06-25", "2025-06-30", StatusResult(MilestoneStatus.MET_LATE, days_late=30)),
        (None, "2025-05-27", StatusResult(MilestoneStatus.OVERDUE, days_late=1)),
        (None, "2025-07-01", StatusResult(MilestoneStatus.OVERDUE, days_late=36)),
        (None, "2025-05-26", StatusResult(MilestoneStatus.DUE_SOON, days_remaining=0)),
        (None, "2025-05-16", StatusResult(MilestoneStatus.DUE_SOON, days_remaining=10)),
        (None, "2025-05-15", StatusResult(MilestoneStatus.NOT_DUE, days_remaining=11)),
        (None, "2025-01-06", StatusResult(MilestoneStatus.NOT_DUE, days_remaining=140)),
        # Met before "today" reached the due date: still judged by met_on.
        ("2025-05-10", "2025-05-12", StatusResult(MilestoneStatus.MET_ON_TIME)),
    ],
)
def test_milestone_status(met: str | None, today: str, expected: StatusResult) -> None:
    assert milestone_status(DUE, D(met) if met else None, D(today)) == expected


def test_due_soon_lead_time_is_configurable() -> None:
    assert milestone_status(DUE, None, D("2025-05-12"), due_soon_days=14).status is MilestoneStatus.DUE_SOON
    assert milestone_status(DUE, None, D("2025-05-25"), due_soon_days=0).status is MilestoneStatus.NOT_DUE
    assert milestone_status(DUE, None, D("2025-05-26"), due_soon_days=0).status is MilestoneStatus.DUE_SOON
    with pytest.raises(InvalidSetting):
        milestone_status(DUE, None, D("2025-05-12"), due_soon_days=-1)


def test_is_on_time() -> None:
    assert is_on_time(DUE, D("2025-05-26"))
    assert is_on_time(DUE, D("2025-05-25"))
    assert not is_on_time(DUE, D("2025-05-27"))


def test_status_values_are_stable_strings() -> None:
    assert [s.value for s in MilestoneStatus] == ["not_due", "due_soon", "overdue", "met_on_time", "met_late"]
    assert MilestoneStatus("overdue") is MilestoneStatus.OVERDUE
    assert isinstance(MilestoneStatus.OVERDUE, str)
