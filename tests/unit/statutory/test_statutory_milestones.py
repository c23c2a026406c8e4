"""One function per process: the milestones in order, with hand-checked dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from ehc_tracker.statutory.calendar import WorkingDayCalendar, add_months, age_on
from ehc_tracker.statutory.errors import InvalidDateOrder
from ehc_tracker.statutory.milestones import (
    Milestone,
    advice_milestones,
    amendment_milestones,
    appeal_milestones,
    assessment_milestones,
    communication_milestones,
    consultation_milestones,
    draft_plan_milestones,
    mediation_milestones,
    phase_transfer_milestone,
    reassessment_milestones,
    review_meeting_milestones,
    review_milestones,
    transfer_in_milestones,
)
from ehc_tracker.statutory.rules import StatutorySettings, tribunal_time_end

D = date.fromisoformat
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def due(milestones: list[Milestone]) -> list[tuple[str, str]]:
    return [(m.key, m.due_on.isoformat()) for m in milestones]


def test_assessment() -> None:
    milestones = assessment_milestones(D("2025-01-06"))
    assert due(milestones) == [
        ("decision_to_assess", "2025-02-17"),
        ("decision_not_to_issue", "2025-04-28"),
        ("final_plan", "2025-05-26"),
    ]
    final = milestones[-1]
    assert final == Milestone(
        key="final_plan",
        label="Issue final EHC plan",
        due_on=D("2025-05-26"),
        source="SEND Regulations 2014 reg 13(2)",
        exceptions_allowed=True,
    )


def test_assessment_over_a_leap_day() -> None:
    assert due(assessment_milestones(D("2024-01-15")))[-1] == ("final_plan", "2024-06-03")


def test_advice() -> None:
    assert due(advice_milestones(D("2025-03-10"))) == [("advice_due", "2025-04-21")]
    assert advice_milestones(D("2025-03-10"))[0].exceptions_allowed


def test_draft_plan() -> None:
    milestones = draft_plan_milestones(D("2025-03-03"))
    assert due(milestones) == [("representations_close", "2025-03-17")]
    assert not milestones[0].exceptions_allowed


def test_consultation() -> None:
    # CoP 9.83: the school or college "should respond within 15 days": Monday 2025-03-03 + 15.
    milestones = consultation_milestones(D("2025-03-03"))
    assert due(milestones) == [("school_consultation_response", "2025-03-18")]
    assert milestones[0].source == (
        "Children and Families Act 2014 s39(4); SEND Code of Practice 9.83 (guidance: within 15 days)"
    )
    assert not milestones[0].exceptions_allowed


def test_reassessment() -> None:
    # Reg 25(1): the decision within 15 days of the request (Monday 2025-01-06 → Tuesday 2025-01-21).
    milestones = reassessment_milestones(D("2025-01-06"))
    assert due(milestones) == [("reassessment_decision", "2025-01-21")]
    assert milestones[0].source == "SEND Regulations 2014 reg 25(1)"
    assert milestones[0].label == "Decide whether to reassess"
    assert not milestones[0].exceptions_allowed


def test_reassessment_final_plan_runs_from_the_notice() -> None:
    # Reg 27(2): 14 weeks from the day the family was told (Monday 2025-01-20 + 98 days), not
    # from the request (which would give 2025-04-14).
    milestones = reassessment_milestones(D("2025-01-06"), notified_on=D("2025-01-20"))
    assert due(milestones) == [
        ("reassessment_decision", "2025-01-21"),
        ("final_plan_after_reassessment", "2025-04-28"),
    ]
    final = milestones[-1]
    assert final == Milestone(
        key="final_plan_after_reassessment",
        label="Issue final EHC plan after reassessment",
        due_on=D("2025-04-28"),
        source="SEND Regulations 2014 reg 27(2)",
        exceptions_allowed=True,
    )
    # Told on the day of the request: both counted from it.
    assert due(reassessment_milestones(D("2025-01-06"), notified_on=D("2025-01-06"))) == [
        ("reassessment_decision", "2025-01-21"),
        ("final_plan_after_reassessment", "2025-04-14"),
    ]


def test_reassessment_notice_before_the_request_is_refused() -> None:
    with pytest.raises(InvalidDateOrder):
        reassessment_milestones(D("2025-01-06"), notified_on=D("2025-01-05"))


@pytest.mark.parametrize(
    ("reviewed", "expected"),
    [
        ("2024-03-15", "2025-03-14"),
        ("2024-03-01", "2025-02-28"),
        ("2024-02-29", "2025-02-28"),
        ("2023-03-01", "2024-02-29"),
        ("2024-08-31", "2025-08-30"),
        ("2024-12-31", "2025-12-30"),
    ],
)
def test_review_due(reviewed: str, expected: str) -> None:
    assert due(review_milestones(D(reviewed))) == [("review_due", expected)]


def test_review_due_for_a_child_under_five() -> None:
    born = D("2020-06-01")
    assert due(review_milestones(D("2025-05-31"), date_of_birth=born)) == [("review_due", "2025-11-30")]
    assert due(review_milestones(D("2024-05-01"), date_of_birth=born)) == [("review_due", "2024-10-31")]
    # Five on the day of the review: the 12-month period applies.
    assert due(review_milestones(D("2025-06-01"), date_of_birth=born)) == [("review_due", "2026-05-31")]
    four_months = StatutorySettings(under_five_review_months=4)
    assert due(review_milestones(D("2025-05-31"), date_of_birth=born, settings=four_months)) == [
        ("review_due", "2025-09-30")
    ]


def test_review_source_names_the_code_only_for_a_child_under_five() -> None:
    born = D("2020-06-01")
    s44 = "Children and Families Act 2014 s44(1)"
    under_five = f"{s44}; SEND Code of Practice 9.178 (under 5)"
    assert review_milestones(D("2025-05-31"), date_of_birth=born)[0].source == under_five  # aged 4
    assert review_milestones(D("2025-06-01"), date_of_birth=born)[0].source == s44  # five that day
    assert review_milestones(D("2030-01-10"), date_of_birth=born)[0].source == s44  # aged 9
    assert review_milestones(D("2025-05-31"))[0].source == s44  # date of birth not given


def test_review_before_birth_is_refused() -> None:
    with pytest.raises(InvalidDateOrder):
        review_milestones(D("2020-01-01"), date_of_birth=D("2020-06-01"))


def test_review_meeting() -> None:
    assert due(review_meeting_milestones(D("2025-06-18"))) == [
        ("invitations_by", "2025-06-04"),
        ("advice_circulated_by", "2025-06-04"),
        ("review_report_due", "2025-07-02"),
        ("review_decision_due", "2025-07-16"),
        ("amended_plan_due", "2025-09-10"),
    ]
    assert not any(m.exceptions_allowed for m in review_meeting_milestones(D("2025-06-18")))
    sources = {m.key: m.source for m in review_meeting_milestones(D("2025-06-18"))}
    assert sources["review_decision_due"] == "SEND Regulations 2014 reg 20(10), 21(8)"


def test_review_meeting_with_local_settings() -> None:
    settings_ = StatutorySettings(review_decision_weeks=2, amended_plan_weeks=10)
    assert due(review_meeting_milestones(D("2025-06-18"), settings=settings_))[-2:] == [
        ("review_decision_due", "2025-07-02"),
        ("amended_plan_due", "2025-08-27"),
    ]


def test_amendment() -> None:
    assert due(amendment_milestones(D("2025-03-03"))) == [
        ("amendment_representations_close", "2025-03-17"),
        ("amended_plan_from_proposals_due", "2025-04-28"),
    ]


def test_communication() -> None:
    assert due(communication_milestones(D("2025-12-19"))) == [("response_due", "2025-12-30")]
    local = WorkingDayCalendar([D("2025-12-29")])
    assert due(communication_milestones(D("2025-12-19"), calendar=local)) == [("response_due", "2025-12-31")]


# `window` is the end of the r.20(1) window (the later of S + 2 months and C + 1 month);
# `expected` the last day once HESC r.12(2)-(3) has moved an end on a non-working day.
@pytest.mark.parametrize(
    ("sent", "certificate", "window", "expected"),
    [
        ("2025-08-31", None, "2025-10-31", "2025-10-31"),  # Friday: unchanged
        ("2025-12-31", None, "2026-02-28", "2026-03-02"),  # Saturday → Monday (r.12(2))
        ("2025-08-31", "2025-10-15", "2025-11-15", "2025-11-17"),  # the later certificate wins; Sat → Mon
        ("2025-08-31", "2025-09-10", "2025-10-31", "2025-10-31"),  # an early certificate changes nothing
        ("2025-08-31", "2025-09-30", "2025-10-31", "2025-10-31"),  # equal: 2025-10-30 < 2025-10-31
        ("2025-12-20", "2026-01-31", "2026-02-28", "2026-03-02"),  # both end of February; Sat → Mon
    ],
)
def test_appeal(sent: str, certificate: str | None, window: str, expected: str) -> None:
    cert = D(certificate) if certificate else None
    ends = [add_months(D(sent), 2)] + ([add_months(cert, 1)] if cert else [])
    assert max(ends) == D(window)  # r.20(1): the later of the two
    assert tribunal_time_end(D(window)) == D(expected)
    assert due(appeal_milestones(D(sent), mediation_certificate_on=cert)) == [("appeal_deadline", expected)]


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        # August (r.12(3)(a)): 2025-08-15 (Friday) → the first working day after 31 August.
        ("2025-06-15", "2025-09-01"),
        # 25 December-1 January (r.12(3)(a)): 2025-12-28 (Sunday) → first working day after 1 January.
        ("2025-10-28", "2026-01-02"),
        # 1 January 2026 itself (Thursday, a bank holiday) → Friday 2 January.
        ("2025-11-01", "2026-01-02"),
        # Weekend (r.12(2)): 2026-02-28 is a Saturday → Monday 2026-03-02.
        ("2025-12-31", "2026-03-02"),
        # Bank holiday (r.12(2)): 2026-05-04 is the Early May bank holiday → Tuesday 2026-05-05.
        ("2026-03-04", "2026-05-05"),
        # An ordinary weekday is unchanged: 2025-10-31 is a Friday.
        ("2025-08-31", "2025-10-31"),
    ],
)
def test_appeal_deadline_runs_on_under_the_tribunal_rules(sent: str, expected: str) -> None:
    (milestone,) = appeal_milestones(D(sent))
    assert milestone.due_on == D(expected)
    assert milestone.source == (
        "First-tier Tribunal (HESC) Rules 2008 r.20(1) with r.12(2)-(3); Children and Families Act 2014 s55"
    )


def test_appeal_certificate_before_the_decision_is_refused() -> None:
    with pytest.raises(InvalidDateOrder):
        appeal_milestones(D("2025-08-31"), mediation_certificate_on=D("2025-08-30"))


def test_mediation() -> None:
    assert due(mediation_milestones(D("2025-12-19"))) == [
        ("mediation_certificate_due", "2025-12-24"),
        ("mediation_held_by", "2026-01-18"),
    ]


def test_mediation_certificate_after_mediation_ends() -> None:
    assert due(mediation_milestones(D("2025-12-19"), ended_on=D("2026-01-16"))) == [
        ("mediation_held_by", "2026-01-18"),
        ("mediation_certificate_due", "2026-01-21"),
    ]
    with pytest.raises(InvalidDateOrder):
        mediation_milestones(D("2025-12-19"), ended_on=D("2025-12-18"))


def test_a_local_closure_day_inside_a_mediation_window_is_not_skipped() -> None:
    # Reg 2(1) "working day" has no place for a council's own closure days: 3 working days from
    # Friday 2025-12-19 are 22, 23 and 24 December whether or not the council closes on the 22nd.
    local = WorkingDayCalendar([D("2025-12-22")])
    assert due(mediation_milestones(D("2025-12-19"), calendar=local))[0] == (
        "mediation_certificate_due",
        "2025-12-24",
    )


def test_the_same_closure_day_inside_a_communication_window_is_skipped() -> None:
    # The local 5-working-day standard counts it: 23, 24, 29, 30 and 31 December.
    local = WorkingDayCalendar([D("2025-12-22")])
    assert due(communication_milestones(D("2025-12-19"), calendar=local)) == [("response_due", "2025-12-31")]
    assert due(communication_milestones(D("2025-12-19"))) == [("response_due", "2025-12-30")]


def test_transfer_in_when_three_months_is_later() -> None:
    # Review due 2025-06-19; transfer + 3 months = 2025-07-10.
    assert due(transfer_in_milestones(D("2025-04-10"), last_reviewed_on=D("2024-06-20"))) == [
        ("transfer_in_notice_due", "2025-05-22"),
        ("transfer_in_review_due", "2025-07-10"),
    ]


def test_transfer_in_when_the_annual_review_is_later() -> None:
    assert due(transfer_in_milestones(D("2025-04-10"), last_reviewed_on=D("2025-01-15"))) == [
        ("transfer_in_notice_due", "2025-05-22"),
        ("transfer_in_review_due", "2026-01-14"),
    ]


def test_transfer_in_for_a_child_under_five() -> None:
    # Aged 3 when last reviewed: review due after 6 months (2025-07-14), later than 2025-05-01.
    assert due(
        transfer_in_milestones(D("2025-02-01"), last_reviewed_on=D("2025-01-15"), date_of_birth=D("2022-01-01"))
    )[-1] == ("transfer_in_review_due", "2025-07-14")


def test_transfer_in_reviewed_after_the_transfer_is_refused() -> None:
    with pytest.raises(InvalidDateOrder):
        transfer_in_milestones(D("2025-04-10"), last_reviewed_on=D("2025-04-11"))


def test_phase_transfer_milestone() -> None:
    found = phase_transfer_milestone(D("2015-03-14"), D("2025-10-01"))
    assert found is not None
    transfer, milestone = found
    assert transfer.description == "Year 6 to Year 7 (primary to secondary)"
    assert milestone == Milestone(
        key="phase_transfer_due",
        label="Review and amend plan for phase transfer",
        due_on=D("2026-02-14"),  # reg 18(1)(b): before 15 February
        source="SEND Regulations 2014 reg 18(1)(b) (before 15 February)",
        exceptions_allowed=False,
    )


def test_phase_transfer_milestone_post16_and_none() -> None:
    found = phase_transfer_milestone(D("2010-03-01"), D("2025-10-01"))
    assert found is not None
    assert found[1].due_on == D("2026-03-30")  # reg 18(1)(a): before 31 March
    assert found[1].label == "Review and amend plan for move to post-16"
    assert found[1].source == "SEND Regulations 2014 reg 18(1)(a) (before 31 March)"
    assert phase_transfer_milestone(D("2008-03-01"), D("2025-10-01")) is None


def test_an_exception_never_moves_a_due_date() -> None:
    from ehc_tracker.statutory.exceptions import StatutoryException
    from ehc_tracker.statutory.rules import ExceptionLimb

    before = assessment_milestones(D("2025-01-06"))
    StatutoryException("final_plan", ExceptionLimb.PERSONAL_CIRCUMSTANCES, D("2025-02-01"), None, "Hospital")
    assert assessment_milestones(D("2025-01-06")) == before


@settings(max_examples=150, deadline=None)
@given(reviewed=dates)
def test_review_dates_fall_within_the_period(reviewed: date) -> None:
    (milestone,) = review_milestones(reviewed)
    assert reviewed < milestone.due_on <= reviewed + relativedelta(years=1)
    assert milestone.due_on + timedelta(days=1) >= add_months(reviewed, 12)


@settings(max_examples=100, deadline=None)
@given(reviewed=dates, age_days=st.integers(min_value=0, max_value=5 * 365))
def test_under_five_review_dates_fall_within_the_shorter_period(reviewed: date, age_days: int) -> None:
    born = reviewed - timedelta(days=age_days)
    (milestone,) = review_milestones(reviewed, date_of_birth=born)
    months = 6 if age_on(born, reviewed) < 5 else 12
    assert reviewed < milestone.due_on <= add_months(reviewed, months)


@settings(max_examples=100, deadline=None)
@given(received=dates)
def test_assessment_milestones_are_in_order(received: date) -> None:
    due_dates = [m.due_on for m in assessment_milestones(received)]
    assert due_dates == sorted(due_dates)
    assert (due_dates[-1] - received).days == 140
