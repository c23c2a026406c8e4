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
    assert [s.value for s in MilestoneStatus] == [
        "not_due",
        "due_soon",
        "overdue",
        "met_on_time",
        "met_late",
        "missed",
        "ended",
    ]
    assert MilestoneStatus("missed") is MilestoneStatus.MISSED
    assert MilestoneStatus("ended") is MilestoneStatus.ENDED
    assert MilestoneStatus("overdue") is MilestoneStatus.OVERDUE
    assert isinstance(MilestoneStatus.OVERDUE, str)


# --- lapsed (MISSED) and ended-with-the-case (ENDED) milestones ------------------------------

# A Year 6 → 7 transfer: the plan must be amended by 2026-02-14 (reg 18(1)(b)); once the child
# moves on 2026-09-01 the step can no longer be taken.
PT_DUE = D("2026-02-14")
MOVES = D("2026-09-01")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-02-10", StatusResult(MilestoneStatus.DUE_SOON, days_remaining=4)),
        ("2026-02-15", StatusResult(MilestoneStatus.OVERDUE, days_late=1)),
        ("2026-08-31", StatusResult(MilestoneStatus.OVERDUE, days_late=198)),  # the day before it lapses
        ("2026-09-01", StatusResult(MilestoneStatus.MISSED, days_late=199)),  # lapses that day: 14 Feb → 1 Sep
        ("2027-01-01", StatusResult(MilestoneStatus.MISSED, days_late=199)),  # late by as much as when it lapsed
    ],
)
def test_an_unmet_milestone_is_missed_from_the_day_it_lapses(today: str, expected: StatusResult) -> None:
    assert milestone_status(PT_DUE, None, D(today), lapses_on=MOVES) == expected


@pytest.mark.parametrize(
    ("met", "expected"),
    [
        ("2026-02-14", StatusResult(MilestoneStatus.MET_ON_TIME)),
        ("2026-03-01", StatusResult(MilestoneStatus.MET_LATE, days_late=15)),
    ],
)
def test_a_met_milestone_is_never_missed_or_ended(met: str, expected: StatusResult) -> None:
    assert milestone_status(PT_DUE, D(met), D("2027-01-01"), lapses_on=MOVES) == expected
    assert milestone_status(PT_DUE, D(met), D("2027-01-01"), case_open=False) == expected
    assert milestone_status(PT_DUE, D(met), D("2027-01-01"), lapses_on=MOVES, case_open=False) == expected


@pytest.mark.parametrize("today", ["2025-05-01", "2025-05-20", "2025-05-26", "2025-05-27", "2025-07-01"])
def test_an_unmet_milestone_on_a_closed_case_has_ended(today: str) -> None:
    # Not due, due soon, on the day, overdue: once the case is closed, none of them is late.
    assert milestone_status(DUE, None, D(today), case_open=False) == StatusResult(MilestoneStatus.ENDED)


def test_a_closed_case_ends_even_a_lapsed_milestone() -> None:
    assert milestone_status(PT_DUE, None, D("2026-09-01"), lapses_on=MOVES, case_open=False) == StatusResult(
        MilestoneStatus.ENDED
    )


def test_the_defaults_keep_the_old_statuses() -> None:
    # No lapse date and an open case: exactly as without the new keywords.
    for today in ("2025-05-15", "2025-05-26", "2025-07-01"):
        assert milestone_status(DUE, None, D(today), lapses_on=None, case_open=True) == milestone_status(
            DUE, None, D(today)
        )
