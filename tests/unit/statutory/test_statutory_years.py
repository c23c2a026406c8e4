"""Year groups and reg 18 phase transfers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ehc_tracker.statutory.errors import InvalidDateOrder, StatutoryError
from ehc_tracker.statutory.years import (
    PhaseTransfer,
    compulsory_school_age_ends,
    national_curriculum_year,
    next_phase_transfer,
    post16_move_amend_by,
    school_year_start_year,
    year_group_name,
)

D = date.fromisoformat


@pytest.mark.parametrize(
    ("on", "year"),
    [("2025-09-01", 2025), ("2025-08-31", 2024), ("2026-01-15", 2025), ("2025-12-31", 2025)],
)
def test_school_year_start_year(on: str, year: int) -> None:
    assert school_year_start_year(D(on)) == year


@pytest.mark.parametrize(
    ("born", "school_year", "group"),
    [
        ("2015-08-31", 2026, 7),  # youngest in the year
        ("2015-09-01", 2026, 6),  # oldest in the next year
        ("2015-09-01", 2020, 0),  # Reception
        ("2015-08-31", 2019, 0),
        ("2015-12-31", 2020, 0),
        ("2016-01-01", 2020, 0),
        ("2022-01-10", 2025, -1),  # pre-school
        ("2010-03-01", 2025, 11),
    ],
)
def test_national_curriculum_year(born: str, school_year: int, group: int) -> None:
    assert national_curriculum_year(D(born), school_year) == group


def test_year_group_names() -> None:
    assert [year_group_name(n) for n in (-2, -1, 0, 1, 12)] == [
        "Early years",
        "Early years",
        "Reception",
        "Year 1",
        "Year 12",
    ]


def test_year_6_to_year_7() -> None:
    transfer = next_phase_transfer(D("2015-03-14"), D("2025-10-01"))
    assert transfer == PhaseTransfer(
        from_year_group=6,
        to_year_group=7,
        description="Year 6 to Year 7 (primary to secondary)",
        moves_on=D("2026-09-01"),
        amend_by=D("2026-02-14"),  # reg 18(1)(b): before 15 February
        source="SEND Regulations 2014 reg 18(1)(b) (before 15 February)",
    )
    assert not transfer.to_post16


def test_born_31_august_moves_a_year_before_1_september() -> None:
    summer = next_phase_transfer(D("2015-08-31"), D("2025-10-01"))
    autumn = next_phase_transfer(D("2015-09-01"), D("2025-10-01"))
    assert summer is not None and autumn is not None
    assert (summer.to_year_group, summer.moves_on, summer.amend_by) == (7, D("2026-09-01"), D("2026-02-14"))
    assert (autumn.to_year_group, autumn.moves_on, autumn.amend_by) == (7, D("2027-09-01"), D("2027-02-14"))


def test_after_15_february_the_same_transfer_is_still_next_and_late() -> None:
    transfer = next_phase_transfer(D("2015-03-14"), D("2026-03-01"))
    assert transfer is not None
    assert transfer.moves_on == D("2026-09-01")
    assert transfer.amend_by == D("2026-02-14")  # reg 18(1)(b): before 15 February


def test_on_the_day_of_the_move_the_next_transfer_is_post16() -> None:
    transfer = next_phase_transfer(D("2015-03-14"), D("2026-09-01"))
    assert transfer is not None
    assert transfer.description == "Year 11 to Year 12 (secondary to post-16)"
    assert (transfer.moves_on, transfer.amend_by) == (D("2031-09-01"), D("2031-03-30"))  # before 31 March
    assert transfer.source == "SEND Regulations 2014 reg 18(1)(a) (before 31 March)"
    assert transfer.to_post16


def test_the_day_before_the_move() -> None:
    transfer = next_phase_transfer(D("2015-03-14"), D("2026-08-31"))
    assert transfer is not None and transfer.to_year_group == 7


def test_early_years_to_reception() -> None:
    transfer = next_phase_transfer(D("2022-01-10"), D("2025-10-01"))
    assert transfer is not None
    assert transfer.description == "Early years to Reception (early years to school)"
    assert (transfer.from_year_group, transfer.to_year_group) == (-1, 0)
    assert (transfer.moves_on, transfer.amend_by) == (D("2026-09-01"), D("2026-02-14"))


def test_a_baby_is_years_from_reception() -> None:
    transfer = next_phase_transfer(D("2025-05-01"), D("2025-10-01"))
    assert transfer is not None
    assert (transfer.to_year_group, transfer.moves_on) == (0, D("2029-09-01"))


def test_infant_to_junior_only_at_an_infant_school() -> None:
    infant = next_phase_transfer(D("2019-05-05"), D("2025-10-01"), infant_school=True)
    assert infant is not None
    assert infant.description == "Year 2 to Year 3 (infant to junior)"
    assert (infant.moves_on, infant.amend_by) == (D("2026-09-01"), D("2026-02-14"))
    primary = next_phase_transfer(D("2019-05-05"), D("2025-10-01"))
    assert primary is not None and primary.to_year_group == 7


def test_middle_school_transfers_replace_year_7() -> None:
    first = next_phase_transfer(D("2017-05-05"), D("2025-10-01"), middle_school_transfers=(5, 9))
    assert first is not None
    assert first.description == "Year 4 to Year 5 (primary to middle)"
    assert first.moves_on == D("2026-09-01")
    upper = next_phase_transfer(D("2014-05-05"), D("2025-10-01"), middle_school_transfers=(9, 5))
    assert upper is not None
    assert upper.description == "Year 8 to Year 9 (middle to secondary)"
    assert (upper.moves_on, upper.amend_by) == (D("2027-09-01"), D("2027-02-14"))


@pytest.mark.parametrize("bad", [(0,), (12,), (5, 5), (-1,)])
def test_middle_school_transfers_are_validated(bad: tuple[int, ...]) -> None:
    with pytest.raises(StatutoryError):
        next_phase_transfer(D("2017-05-05"), D("2025-10-01"), middle_school_transfers=bad)


def test_year_group_override_shifts_every_transfer() -> None:
    # Chronologically Year 6 in 2025/26, but educated in Year 5.
    transfer = next_phase_transfer(D("2015-03-14"), D("2025-10-01"), year_group_override=5)
    assert transfer is not None
    assert (transfer.to_year_group, transfer.moves_on, transfer.amend_by) == (7, D("2027-09-01"), D("2027-02-14"))
    ahead = next_phase_transfer(D("2015-03-14"), D("2025-10-01"), year_group_override=7)
    assert ahead is not None
    assert (ahead.to_year_group, ahead.moves_on) == (12, D("2030-09-01"))


def test_year_11_to_year_12_is_31_march() -> None:
    transfer = next_phase_transfer(D("2010-03-01"), D("2025-10-01"))
    assert transfer is not None
    assert (transfer.from_year_group, transfer.to_year_group) == (11, 12)
    # Reg 18(1)(a): before 31 March, so by 30 March.
    assert (transfer.moves_on, transfer.amend_by) == (D("2026-09-01"), D("2026-03-30"))


def test_no_transfer_after_year_12() -> None:
    assert next_phase_transfer(D("2008-03-01"), D("2025-10-01")) is None
    assert next_phase_transfer(D("2010-03-01"), D("2026-09-01")) is None
    assert next_phase_transfer(D("2015-03-14"), D("2025-10-01"), year_group_override=12) is None


def test_today_before_birth_is_refused() -> None:
    with pytest.raises(InvalidDateOrder):
        next_phase_transfer(D("2025-10-02"), D("2025-10-01"))


@pytest.mark.parametrize(
    ("move", "amend_by"),
    [("2026-07-31", "2026-02-28"), ("2027-01-15", "2026-08-15"), ("2026-08-29", "2026-03-29")],
)
def test_post16_move_at_least_five_months_before(move: str, amend_by: str) -> None:
    assert post16_move_amend_by(D(move)) == D(amend_by)


# --- deadline_not_before: skip a transfer whose reg 18 date has already passed -------------


def test_deadline_not_before_skips_a_transfer_already_past_its_date() -> None:
    born, today = D("2015-03-14"), D("2026-03-01")
    without = next_phase_transfer(born, today)
    assert without is not None
    assert (without.from_year_group, without.to_year_group) == (6, 7)
    assert (without.moves_on, without.amend_by) == (D("2026-09-01"), D("2026-02-14"))
    skipped = next_phase_transfer(born, today, deadline_not_before=D("2026-03-01"))
    assert skipped == PhaseTransfer(
        from_year_group=11,
        to_year_group=12,
        description="Year 11 to Year 12 (secondary to post-16)",
        moves_on=D("2031-09-01"),
        amend_by=D("2031-03-30"),
        source="SEND Regulations 2014 reg 18(1)(a) (before 31 March)",
    )


def test_deadline_not_before_keeps_a_transfer_due_that_day() -> None:
    born, today = D("2015-03-14"), D("2026-02-01")
    on_the_day = next_phase_transfer(born, today, deadline_not_before=D("2026-02-14"))
    assert on_the_day is not None
    assert (on_the_day.to_year_group, on_the_day.amend_by) == (7, D("2026-02-14"))
    day_after = next_phase_transfer(born, today, deadline_not_before=D("2026-02-15"))
    assert day_after is not None
    assert (day_after.to_year_group, day_after.amend_by) == (12, D("2031-03-30"))
    # An earlier day changes nothing.
    assert next_phase_transfer(born, today, deadline_not_before=D("2025-10-01")) == next_phase_transfer(born, today)


def test_deadline_not_before_on_the_post16_transfer() -> None:
    born, today = D("2010-03-01"), D("2025-10-01")
    kept = next_phase_transfer(born, today, deadline_not_before=D("2026-03-30"))
    assert kept is not None
    assert (kept.to_year_group, kept.amend_by) == (12, D("2026-03-30"))
    # Past 30 March there is no September transfer left under reg 18(1).
    assert next_phase_transfer(born, today, deadline_not_before=D("2026-03-31")) is None


def test_deadline_not_before_with_middle_school_transfers() -> None:
    # Year 4 → 5 in September 2026 (due 2026-02-14) is skipped; the next is Year 8 → 9 in 2030.
    transfer = next_phase_transfer(
        D("2017-05-05"), D("2026-02-20"), middle_school_transfers=(5, 9), deadline_not_before=D("2026-02-20")
    )
    assert transfer is not None
    assert transfer.description == "Year 8 to Year 9 (middle to secondary)"
    assert (transfer.moves_on, transfer.amend_by) == (D("2030-09-01"), D("2030-02-14"))


# --- end of compulsory school age ---------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "ends"),
    [
        ("2010-07-15", "2026-06-26"),  # Year 11 in 2025/26; 30 June 2026 is a Tuesday
        ("2009-09-10", "2026-06-26"),  # oldest in the same cohort
        ("2010-08-31", "2026-06-26"),  # youngest in the same cohort
        ("2010-09-01", "2027-06-25"),  # next cohort; 30 June 2027 is a Wednesday
        ("2007-05-01", "2023-06-30"),  # 30 June 2023 is itself a Friday
        ("2008-02-29", "2024-06-28"),  # leap-day birthday; 30 June 2024 is a Sunday
    ],
)
def test_compulsory_school_age_ends_on_the_last_friday_in_june_of_year_11(born: str, ends: str) -> None:
    assert compulsory_school_age_ends(D(born)) == D(ends)


@settings(max_examples=150, deadline=None)
@given(born=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
def test_compulsory_school_age_ends_in_the_year_11_school_year(born: date) -> None:
    ends = compulsory_school_age_ends(born)
    assert ends.weekday() == 4 and ends.month == 6  # a Friday in June
    assert (ends + timedelta(days=7)).month == 7  # the last one
    assert national_curriculum_year(born, school_year_start_year(ends)) == 11
