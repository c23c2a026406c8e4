"""Exceptions: refused where the law has none, limited to the rule's limbs, never moving dates."""

from __future__ import annotations

from datetime import date

import pytest

from ehc_tracker.statutory.errors import (
    ExceptionLimbNotAllowed,
    ExceptionNotAllowed,
    InvalidDateOrder,
    StatutoryError,
    UnknownMilestone,
)
from ehc_tracker.statutory.exceptions import (
    StatutoryException,
    advice_request_in_closure_window,
    validate_exception,
)
from ehc_tracker.statutory.rules import RULES, ExceptionLimb, Process

D = date.fromisoformat

NO_EXCEPTIONS = [key for key, r in RULES.items() if not r.exception_limbs]


def test_the_milestones_without_exceptions() -> None:
    assert set(NO_EXCEPTIONS) == {
        "representations_close",
        "school_consultation_response",
        "reassessment_decision",  # reg 25(1) has no exceptions
        "review_due",
        "invitations_by",
        "advice_circulated_by",
        "review_report_due",
        "review_decision_due",
        "amended_plan_due",
        "amendment_representations_close",
        "amended_plan_from_proposals_due",
        "decision_not_to_amend_due",  # reg 22(4)
        "phase_transfer_due",
        "response_due",
        "appeal_deadline",
        "mediation_certificate_due",
        "mediation_held_by",
        "transfer_in_notice_due",
        "transfer_in_review_due",
    }
    no_exception_processes = {RULES[key].process for key in NO_EXCEPTIONS}
    assert {Process.ANNUAL_REVIEW, Process.PHASE_TRANSFER, Process.DISPUTES} <= no_exception_processes
    assert not any(
        RULES[key].exception_limbs
        for key in RULES
        if RULES[key].process in {Process.ANNUAL_REVIEW, Process.PHASE_TRANSFER, Process.DISPUTES}
    )


@pytest.mark.parametrize("key", NO_EXCEPTIONS)
@pytest.mark.parametrize("limb", list(ExceptionLimb))
def test_exceptions_are_refused_where_the_law_has_none(key: str, limb: ExceptionLimb) -> None:
    with pytest.raises(ExceptionNotAllowed) as caught:
        validate_exception(key, limb)
    message = str(caught.value)
    assert message.startswith(f"The law allows no exceptions for '{RULES[key].label}'")
    assert RULES[key].source in message
    with pytest.raises(ExceptionNotAllowed):
        StatutoryException(key, limb, D("2025-01-06"), None, "Any reason")


def test_annual_review_decision_message() -> None:
    expected = (
        r"^The law allows no exceptions for 'Notify annual review decision' "
        r"\(SEND Regulations 2014 reg 20\(10\), 21\(8\)\)\.$"
    )
    with pytest.raises(ExceptionNotAllowed, match=expected):
        validate_exception("review_decision_due", ExceptionLimb.PERSONAL_CIRCUMSTANCES)


@pytest.mark.parametrize(
    ("key", "limb"),
    [
        ("decision_to_assess", ExceptionLimb.EARLY_YEARS_CLOSURE),  # not in reg 5(4)
        ("decision_to_assess", ExceptionLimb.MISSED_APPOINTMENT),
        ("advice_due", ExceptionLimb.SCHOOL_CLOSURE),  # not in reg 8(2)
        ("advice_due", ExceptionLimb.EARLY_YEARS_CLOSURE),
        ("decision_not_to_issue", ExceptionLimb.MISSED_APPOINTMENT),
        ("final_plan", ExceptionLimb.MISSED_APPOINTMENT),
        ("final_plan_after_reassessment", ExceptionLimb.MISSED_APPOINTMENT),
    ],
)
def test_a_limb_the_rule_does_not_have_is_refused(key: str, limb: ExceptionLimb) -> None:
    with pytest.raises(ExceptionLimbNotAllowed) as caught:
        validate_exception(key, limb)
    assert RULES[key].exception_source in str(caught.value)


@pytest.mark.parametrize(
    ("key", "limb"),
    [(key, limb) for key, r in RULES.items() for limb in r.exception_limbs],
)
def test_allowed_limbs_are_accepted(key: str, limb: ExceptionLimb) -> None:
    validate_exception(key, limb)
    exception = StatutoryException(key, limb, D("2025-02-01"), D("2025-03-01"), "Evidence on file")
    assert exception.citation.startswith("SEND Regulations 2014 reg ")


def test_citation() -> None:
    exception = StatutoryException(
        "final_plan", ExceptionLimb.ABSENT_FROM_AREA, D("2025-02-01"), None, "Family abroad for 6 weeks"
    )
    assert exception.citation == "SEND Regulations 2014 reg 10(4)(d)"
    assert exception.ends_on is None


def test_exception_dates_and_reason_are_checked() -> None:
    with pytest.raises(InvalidDateOrder):
        StatutoryException("final_plan", ExceptionLimb.ABSENT_FROM_AREA, D("2025-02-01"), D("2025-01-31"), "x")
    with pytest.raises(StatutoryError):
        StatutoryException("final_plan", ExceptionLimb.ABSENT_FROM_AREA, D("2025-02-01"), None, "  ")
    with pytest.raises(UnknownMilestone):
        StatutoryException("nope", ExceptionLimb.ABSENT_FROM_AREA, D("2025-02-01"), None, "x")
    same_day = StatutoryException("final_plan", ExceptionLimb.ABSENT_FROM_AREA, D("2025-02-01"), D("2025-02-01"), "x")
    assert same_day.starts_on == same_day.ends_on


# Closed Monday 2025-07-21, reopens Wednesday 2025-09-03 (44 days): window 2025-07-14 .. 2025-08-27.
@pytest.mark.parametrize(
    ("requested", "inside"),
    [
        ("2025-07-13", False),
        ("2025-07-14", True),  # exactly one week before closing: included
        ("2025-07-21", True),
        ("2025-08-27", True),  # exactly one week before reopening: included
        ("2025-08-28", False),
        ("2025-09-03", False),
    ],
)
def test_closure_window_edges(requested: str, inside: bool) -> None:
    assert advice_request_in_closure_window(D(requested), D("2025-07-21"), D("2025-09-03")) is inside


def test_closure_must_last_at_least_four_weeks() -> None:
    # 27 days closed: never a window.
    assert not advice_request_in_closure_window(D("2025-12-19"), D("2025-12-19"), D("2026-01-15"))
    # Exactly 28 days closed: a window from 2025-12-12 to 2026-01-09.
    assert advice_request_in_closure_window(D("2025-12-12"), D("2025-12-19"), D("2026-01-16"))
    assert advice_request_in_closure_window(D("2026-01-09"), D("2025-12-19"), D("2026-01-16"))
    assert not advice_request_in_closure_window(D("2026-01-10"), D("2025-12-19"), D("2026-01-16"))


def test_closure_dates_must_be_in_order() -> None:
    with pytest.raises(InvalidDateOrder):
        advice_request_in_closure_window(D("2025-07-14"), D("2025-09-03"), D("2025-07-21"))
    with pytest.raises(InvalidDateOrder):
        advice_request_in_closure_window(D("2025-07-14"), D("2025-07-21"), D("2025-07-21"))
