"""The rule table and `due_on`: every rule, counted from one anchor by hand."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ehc_tracker.statutory import rules as rules_module
from ehc_tracker.statutory.calendar import ENGLAND_CALENDAR, WorkingDayCalendar
from ehc_tracker.statutory.errors import (
    InvalidSetting,
    MissingAnchor,
    StatutoryError,
    UnknownMilestone,
)
from ehc_tracker.statutory.rules import (
    DEFAULT_SETTINGS,
    PHASE_TRANSFER_POST16_RULE,
    POST16_MOVE_RULE,
    RULES,
    Counting,
    ExceptionLimb,
    Process,
    StatutorySettings,
    due_on,
    phase_transfer_rule,
    rule,
    tribunal_time_end,
)

D = date.fromisoformat

DESIGN_KEYS = [
    "decision_to_assess",
    "advice_due",
    "decision_not_to_issue",
    "representations_close",
    "school_consultation_response",
    "final_plan",
    "reassessment_decision",
    "final_plan_after_reassessment",
    "review_due",
    "invitations_by",
    "advice_circulated_by",
    "review_report_due",
    "review_decision_due",
    "amended_plan_due",
    "amendment_representations_close",
    "amended_plan_from_proposals_due",
    "phase_transfer_due",
    "response_due",
    "appeal_deadline",
    "mediation_certificate_due",
    "mediation_held_by",
    "transfer_in_notice_due",
    "transfer_in_review_due",
]

# Rules the law adds beyond the original design list, each placed right after the rule named.
# Reg 22(4): a decision not to amend after proposals is notified within 8 weeks of sending them.
LAW_EXTRA_KEYS = {"decision_not_to_amend_due": "amended_plan_from_proposals_due"}


def _with_law_extras(design_keys: list[str]) -> list[str]:
    keys: list[str] = []
    for key in design_keys:
        keys.append(key)
        keys.extend(extra for extra, after in LAW_EXTRA_KEYS.items() if after == key)
    return keys


RULE_KEYS = _with_law_extras(DESIGN_KEYS)

# Anchor Monday 2025-01-06, counted by hand.
EXPECTED_FROM_2025_01_06 = {
    "decision_to_assess": "2025-02-17",  # + 6 weeks
    "advice_due": "2025-02-17",  # + 6 weeks
    "decision_not_to_issue": "2025-04-28",  # + 16 weeks
    "representations_close": "2025-01-20",  # 15 days beginning with
    "school_consultation_response": "2025-01-21",  # + 15 days (CoP 9.83: "within 15 days")
    "final_plan": "2025-05-26",  # + 20 weeks
    "reassessment_decision": "2025-01-21",  # + 15 days (reg 25(1))
    "final_plan_after_reassessment": "2025-04-14",  # + 14 weeks
    "review_due": "2026-01-05",  # 12-month period
    "invitations_by": "2024-12-23",  # − 14 days
    "advice_circulated_by": "2024-12-23",  # − 14 days
    "review_report_due": "2025-01-20",  # + 14 days
    "review_decision_due": "2025-02-03",  # + 4 weeks
    "amended_plan_due": "2025-03-31",  # + 12 weeks
    "amendment_representations_close": "2025-01-20",  # 15 days beginning with
    "amended_plan_from_proposals_due": "2025-03-03",  # + 8 weeks
    "decision_not_to_amend_due": "2025-03-03",  # + 8 weeks (reg 22(4))
    "phase_transfer_due": "2025-02-14",  # before 15 February of the anchor's year (reg 18(1)(b))
    "response_due": "2025-01-13",  # 5 working days
    "appeal_deadline": "2025-03-06",  # + 2 months (a Thursday: HESC r.12 leaves it)
    "mediation_certificate_due": "2025-01-09",  # 3 working days
    "mediation_held_by": "2025-02-05",  # + 30 days
    "transfer_in_notice_due": "2025-02-17",  # + 6 weeks
}

EXCEPTION_LIMBS = {
    "decision_to_assess": (
        ExceptionLimb.SCHOOL_CLOSURE,
        ExceptionLimb.PERSONAL_CIRCUMSTANCES,
        ExceptionLimb.ABSENT_FROM_AREA,
    ),
    "advice_due": (
        ExceptionLimb.PERSONAL_CIRCUMSTANCES,
        ExceptionLimb.ABSENT_FROM_AREA,
        ExceptionLimb.MISSED_APPOINTMENT,
    ),
    "decision_not_to_issue": (
        ExceptionLimb.SCHOOL_CLOSURE,
        ExceptionLimb.EARLY_YEARS_CLOSURE,
        ExceptionLimb.PERSONAL_CIRCUMSTANCES,
        ExceptionLimb.ABSENT_FROM_AREA,
    ),
}
EXCEPTION_LIMBS["final_plan"] = EXCEPTION_LIMBS["decision_not_to_issue"]
EXCEPTION_LIMBS["final_plan_after_reassessment"] = EXCEPTION_LIMBS["decision_not_to_issue"]


def test_keys_are_exactly_the_design_page_keys_in_a_stable_order() -> None:
    # The original design list's keys in its order, plus only the documented extras the law adds.
    assert [key for key in RULES if key not in LAW_EXTRA_KEYS] == DESIGN_KEYS
    assert list(RULES) == RULE_KEYS
    assert list(RULES).index("decision_not_to_amend_due") == list(RULES).index("amended_plan_from_proposals_due") + 1
    assert all(RULES[key].key == key for key in RULES)


def test_rules_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        RULES["final_plan"] = RULES["advice_due"]  # type: ignore[index]


@pytest.mark.parametrize("key", [k for k in RULE_KEYS if k != "transfer_in_review_due"])
def test_every_rule_counted_by_hand(key: str) -> None:
    assert due_on(key, D("2025-01-06")) == D(EXPECTED_FROM_2025_01_06[key])


def test_transfer_in_review_is_the_later_of_two_dates() -> None:
    # Reviewed 2024-06-20 → review due 2025-06-19; transfer + 3 months = 2025-04-06.
    assert due_on("transfer_in_review_due", D("2025-01-06"), second_anchor_on=D("2024-06-20")) == D("2025-06-19")
    # Reviewed 2024-01-10 → review due 2025-01-09; transfer + 3 months wins.
    assert due_on("transfer_in_review_due", D("2025-01-06"), second_anchor_on=D("2024-01-10")) == D("2025-04-06")


def test_transfer_in_review_needs_the_last_review() -> None:
    with pytest.raises(MissingAnchor):
        due_on("transfer_in_review_due", D("2025-01-06"))


def test_a_single_date_rule_refuses_a_second_date() -> None:
    with pytest.raises(StatutoryError):
        due_on("final_plan", D("2025-01-06"), second_anchor_on=D("2025-01-07"))


def test_appeal_second_date_is_optional() -> None:
    assert due_on("appeal_deadline", D("2025-08-31")) == D("2025-10-31")  # Friday
    # Certificate + 1 month = Saturday 2025-11-15; HESC r.12(2) runs it on to Monday 2025-11-17.
    assert due_on("appeal_deadline", D("2025-08-31"), second_anchor_on=D("2025-10-15")) == D("2025-11-17")


@pytest.mark.parametrize("key", RULE_KEYS)
def test_every_rule_has_a_label_source_and_anchor(key: str) -> None:
    the_rule = rule(key)
    assert the_rule.label and the_rule.label[0].isupper()
    assert the_rule.anchor.key.endswith("_on")
    assert str(the_rule.anchor) == the_rule.anchor.label
    assert any(
        authority in the_rule.source
        for authority in ("SEND Regulations 2014 reg", "Children and Families Act 2014", "Tribunal", "Local standard")
    )
    assert isinstance(the_rule.process, Process)
    assert isinstance(the_rule.counting, Counting)


def test_labels_are_unique() -> None:
    labels = [r.label for r in RULES.values()]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("key", RULE_KEYS)
def test_exception_limbs_per_rule(key: str) -> None:
    the_rule = rule(key)
    assert the_rule.exception_limbs == EXCEPTION_LIMBS.get(key, ())
    assert the_rule.exceptions_allowed == (key in EXCEPTION_LIMBS)
    if the_rule.exceptions_allowed:
        assert the_rule.exception_source.startswith("SEND Regulations 2014 reg ")


def test_exception_sources_and_citations() -> None:
    assert rule("decision_to_assess").exception_source == "SEND Regulations 2014 reg 5(4)"
    assert rule("advice_due").exception_source == "SEND Regulations 2014 reg 8(2)"
    assert rule("decision_not_to_issue").exception_source == "SEND Regulations 2014 reg 10(4)"
    assert rule("final_plan").exception_source == "SEND Regulations 2014 reg 13(3)"
    assert rule("final_plan_after_reassessment").exception_source == "SEND Regulations 2014 reg 27(3)"
    assert (
        rule("decision_to_assess").limb_citation(ExceptionLimb.ABSENT_FROM_AREA) == "SEND Regulations 2014 reg 5(4)(c)"
    )
    assert rule("advice_due").limb_citation(ExceptionLimb.MISSED_APPOINTMENT) == "SEND Regulations 2014 reg 8(2)(c)"
    assert (
        rule("final_plan").limb_citation(ExceptionLimb.PERSONAL_CIRCUMSTANCES) == "SEND Regulations 2014 reg 10(4)(c)"
    )
    assert rule("final_plan").limb_citation(ExceptionLimb.ABSENT_FROM_AREA) == "SEND Regulations 2014 reg 10(4)(d)"
    assert rule("decision_not_to_issue").limb_letter(ExceptionLimb.EARLY_YEARS_CLOSURE) == "b"


def test_every_limb_has_a_description() -> None:
    for limb in ExceptionLimb:
        assert limb.description
        assert ExceptionLimb(limb.value) is limb


@pytest.mark.parametrize("key", ["nope", "", "Final_Plan", "final plan"])
def test_unknown_keys_are_refused(key: str) -> None:
    with pytest.raises(UnknownMilestone):
        rule(key)
    with pytest.raises(UnknownMilestone):
        due_on(key, D("2025-01-06"))


def test_unknown_milestone_is_a_statutory_value_error() -> None:
    assert issubclass(UnknownMilestone, StatutoryError)
    assert issubclass(UnknownMilestone, ValueError)


# --- settings -----------------------------------------------------------------------------


def test_default_settings() -> None:
    assert DEFAULT_SETTINGS == StatutorySettings(
        review_decision_weeks=4, amended_plan_weeks=12, under_five_review_months=6, due_soon_days=10
    )


def test_rule_table_offsets_match_default_settings() -> None:
    for the_rule in RULES.values():
        for name in (the_rule.setting, the_rule.under_five_setting):
            assert name is None or name in {f.name for f in fields(StatutorySettings)}
    assert rule("review_decision_due").offset == DEFAULT_SETTINGS.review_decision_weeks
    assert rule("amended_plan_due").offset == DEFAULT_SETTINGS.amended_plan_weeks


@pytest.mark.parametrize(
    "kwargs",
    [
        {"review_decision_weeks": 0},
        {"review_decision_weeks": -4},
        {"amended_plan_weeks": 0},
        {"under_five_review_months": 0},
        {"under_five_review_months": 13},
        {"due_soon_days": 0},
        {"due_soon_days": -1},
        {"review_decision_weeks": True},
        {"review_decision_weeks": 4.5},
        {"review_decision_weeks": 12, "amended_plan_weeks": 12},
        {"amended_plan_weeks": 53},
    ],
)
def test_settings_are_validated(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidSetting):
        StatutorySettings(**kwargs)  # type: ignore[arg-type]


def test_settings_change_the_annual_review_limits() -> None:
    settings = StatutorySettings(review_decision_weeks=6, amended_plan_weeks=14)
    assert due_on("review_decision_due", D("2025-06-18"), settings=settings) == D("2025-07-30")
    assert due_on("amended_plan_due", D("2025-06-18"), settings=settings) == D("2025-09-24")
    assert due_on("review_decision_due", D("2025-06-18")) == D("2025-07-16")


def test_settings_reject_unknown_names() -> None:
    with pytest.raises(InvalidSetting):
        DEFAULT_SETTINGS.value_of("weeks")


# --- under 5 ------------------------------------------------------------------------------


def test_under_five_review_uses_the_shorter_period() -> None:
    born = D("2020-06-01")
    assert due_on("review_due", D("2025-05-31"), date_of_birth=born) == D("2025-11-30")  # aged 4
    assert due_on("review_due", D("2025-06-01"), date_of_birth=born) == D("2026-05-31")  # aged 5
    three_months = StatutorySettings(under_five_review_months=3)
    assert due_on("review_due", D("2025-05-31"), date_of_birth=born, settings=three_months) == D("2025-08-30")


# --- phase transfer variants --------------------------------------------------------------


def test_phase_transfer_rules() -> None:
    assert phase_transfer_rule(post16=False) is RULES["phase_transfer_due"]
    assert phase_transfer_rule(post16=True) is PHASE_TRANSFER_POST16_RULE
    # Reg 18(1): "before 31 March" / "before 15 February": the last day is the day before.
    assert due_on(PHASE_TRANSFER_POST16_RULE, D("2026-09-01")) == D("2026-03-30")
    assert due_on("phase_transfer_due", D("2026-09-01")) == D("2026-02-14")
    assert due_on(POST16_MOVE_RULE, D("2026-07-31")) == D("2026-02-28")
    for variant in (PHASE_TRANSFER_POST16_RULE, POST16_MOVE_RULE):
        assert variant.key == "phase_transfer_due"
        assert not variant.exceptions_allowed
    assert RULES["phase_transfer_due"].source == "SEND Regulations 2014 reg 18(1)(b) (before 15 February)"
    assert PHASE_TRANSFER_POST16_RULE.source == "SEND Regulations 2014 reg 18(1)(a) (before 31 March)"
    assert POST16_MOVE_RULE.source == "SEND Regulations 2014 reg 18(2)"


def test_working_day_rules_use_the_calendar_given() -> None:
    calendar = WorkingDayCalendar([D("2025-01-07")])
    assert due_on("response_due", D("2025-01-06"), calendar=calendar) == D("2025-01-14")


def test_public_package_reexports() -> None:
    import ehc_tracker.statutory as statutory

    for name in statutory.__all__:
        assert hasattr(statutory, name), name
    assert statutory.rule is rules_module.rule


def test_phase_transfer_counts_the_day_before_the_fixed_date() -> None:
    # Reg 18(1): "before" 15 February / 31 March; the Code's "by" (9.179) cannot extend it.
    assert RULES["phase_transfer_due"].counting is Counting.BEFORE_FIXED_DATE
    assert PHASE_TRANSFER_POST16_RULE.counting is Counting.BEFORE_FIXED_DATE
    assert RULES["phase_transfer_due"].fixed_on == (2, 15)
    assert PHASE_TRANSFER_POST16_RULE.fixed_on == (3, 31)
    # A leap year changes neither date (29 February is after 14 February).
    assert due_on("phase_transfer_due", D("2028-09-01")) == D("2028-02-14")
    assert due_on(PHASE_TRANSFER_POST16_RULE, D("2028-09-01")) == D("2028-03-30")
    # Counted in the transfer's calendar year, whatever the day of the move.
    assert due_on("phase_transfer_due", D("2031-09-01")) == D("2031-02-14")
    assert due_on(PHASE_TRANSFER_POST16_RULE, D("2031-09-01")) == D("2031-03-30")


# --- citations ----------------------------------------------------------------------------


def test_sources_of_the_changed_rules() -> None:
    assert rule("school_consultation_response").source == (
        "Children and Families Act 2014 s39(4); SEND Code of Practice 9.83 (guidance: within 15 days)"
    )
    assert rule("reassessment_decision").source == "SEND Regulations 2014 reg 25(1)"
    assert rule("final_plan_after_reassessment").source == "SEND Regulations 2014 reg 27(2)"
    assert rule("review_due").source == "Children and Families Act 2014 s44(1)"
    assert rule("review_due").under_five_source == (
        "Children and Families Act 2014 s44(1); SEND Code of Practice 9.178 (under 5)"
    )
    assert rule("review_decision_due").source == "SEND Regulations 2014 reg 20(10), 21(8)"
    assert rule("decision_not_to_amend_due").source == "SEND Regulations 2014 reg 22(4)"
    assert rule("appeal_deadline").source == (
        "First-tier Tribunal (HESC) Rules 2008 r.20(1) with r.12(2)-(3); Children and Families Act 2014 s55"
    )


def test_the_under_five_source_only_where_the_child_was_under_five() -> None:
    review = rule("review_due")
    born = D("2020-06-01")
    under_five = "Children and Families Act 2014 s44(1); SEND Code of Practice 9.178 (under 5)"
    assert review.source_for(D("2025-05-31"), date_of_birth=born) == under_five  # aged 4
    assert review.source_for(D("2025-06-01"), date_of_birth=born) == "Children and Families Act 2014 s44(1)"  # 5
    assert review.source_for(D("2025-05-31")) == "Children and Families Act 2014 s44(1)"  # age not known
    # A rule without an under-5 source keeps its own whatever the age.
    assert rule("final_plan").source_for(D("2025-05-31"), date_of_birth=born) == "SEND Regulations 2014 reg 13(2)"
    assert rule("transfer_in_review_due").source_for(D("2025-05-31"), date_of_birth=born) == (
        "SEND Regulations 2014 reg 15"
    )


# --- reassessment and the decision not to amend -------------------------------------------


def test_reassessment_rules_run_from_different_events() -> None:
    decision = rule("reassessment_decision")
    final = rule("final_plan_after_reassessment")
    # Reg 25(1) runs from the request; reg 27(2) from the notice that the council will reassess.
    assert decision.anchor.key == "reassessment_requested_on"
    assert final.anchor.key == "reassessment_notified_on"
    assert (decision.offset, decision.counting) == (15, Counting.DAYS)
    assert (final.offset, final.counting) == (14, Counting.WEEKS)
    assert not decision.exceptions_allowed
    # Request Monday 2025-01-06: 15 days after, the day of receipt not counted → Tuesday 2025-01-21.
    assert due_on("reassessment_decision", D("2025-01-06")) == D("2025-01-21")
    # Told Monday 2025-01-20: + 98 days → Monday 2025-04-28.
    assert due_on("final_plan_after_reassessment", D("2025-01-20")) == D("2025-04-28")


def test_decision_not_to_amend_is_eight_weeks_from_the_proposals() -> None:
    the_rule = rule("decision_not_to_amend_due")
    assert the_rule.process is Process.ANNUAL_REVIEW
    assert the_rule.anchor == rule("amended_plan_from_proposals_due").anchor
    assert not the_rule.exceptions_allowed
    # Proposals sent Monday 2025-03-03: + 56 days → Monday 2025-04-28.
    assert due_on("decision_not_to_amend_due", D("2025-03-03")) == D("2025-04-28")


# --- working days: local closure days count only for the local standard ------------------


def test_only_the_local_standard_counts_local_non_working_days() -> None:
    assert [key for key, r in RULES.items() if r.local_standard] == ["response_due"]


def test_a_statutory_working_day_limit_ignores_local_closure_days() -> None:
    calendar = WorkingDayCalendar([D("2025-01-07")])  # a council closure on Tuesday 2025-01-07
    # Reg 2(1) "working day": 3 working days from Monday 2025-01-06 is still Thursday 2025-01-09.
    assert due_on("mediation_certificate_due", D("2025-01-06"), calendar=calendar) == D("2025-01-09")
    # The local 5-working-day standard skips it: Tuesday 2025-01-14, not Monday 2025-01-13.
    assert due_on("response_due", D("2025-01-06"), calendar=calendar) == D("2025-01-14")
    assert due_on("response_due", D("2025-01-06")) == D("2025-01-13")


# --- appeal deadline: HESC Rules 2008 r.20(1) with r.12(2)-(3) ----------------------------


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        # r.12(3)(a), August: the first working day after 31 August.
        ("2025-08-15", "2025-09-01"),  # Friday in August → Monday 1 September
        ("2025-08-01", "2025-09-01"),  # first day of August
        ("2025-08-30", "2025-09-01"),  # Saturday in August → Monday
        ("2025-08-31", "2025-09-01"),  # Sunday 31 August → Monday
        ("2026-08-10", "2026-09-01"),  # 31 Aug 2026 is a Monday bank holiday → Tuesday 1 September
        ("2027-08-31", "2027-09-01"),  # Tuesday 31 August → Wednesday 1 September
        # r.12(3)(a), 25 December to 1 January inclusive: the first working day after 1 January.
        ("2025-12-25", "2026-01-02"),  # Christmas Day
        ("2025-12-28", "2026-01-02"),  # Sunday → Friday 2 January
        ("2025-12-29", "2026-01-02"),  # an ordinary Monday, but inside 25 Dec-1 Jan
        ("2025-12-31", "2026-01-02"),
        ("2026-01-01", "2026-01-02"),  # New Year's Day (Thursday) → Friday
        ("2026-12-25", "2027-01-04"),  # 1 Jan 2027 is a Friday bank holiday → Monday 4 January
        ("2027-01-01", "2027-01-04"),  # 1 January itself, a Friday → Monday
        # r.12(2): a day that is not a working day runs on to the next working day.
        ("2026-02-28", "2026-03-02"),  # Saturday → Monday
        ("2025-11-15", "2025-11-17"),  # Saturday → Monday
        ("2026-05-04", "2026-05-05"),  # Early May bank holiday (Monday) → Tuesday
        ("2026-04-03", "2026-04-07"),  # Good Friday; Easter Monday 6 April too → Tuesday
        ("2027-01-02", "2027-01-04"),  # Saturday 2 January: outside 25 Dec-1 Jan, r.12(2) only
        # Ordinary working days are unchanged.
        ("2025-10-31", "2025-10-31"),  # Friday
        ("2025-12-24", "2025-12-24"),  # Wednesday 24 December: before the 25th
        ("2025-01-02", "2025-01-02"),  # Thursday 2 January: after the 1st
        ("2025-07-31", "2025-07-31"),  # Thursday 31 July: before August
        ("2025-09-01", "2025-09-01"),  # Monday 1 September
    ],
)
def test_tribunal_time_end(end: str, expected: str) -> None:
    assert tribunal_time_end(D(end)) == D(expected)


def test_tribunal_time_never_counts_local_closure_days() -> None:
    # r.1(3) "working day": weekends, Christmas Day, Good Friday and bank holidays only.
    assert tribunal_time_end(D("2025-10-31"), WorkingDayCalendar([D("2025-10-31")])) == D("2025-10-31")
    assert tribunal_time_end(D("2026-02-28"), WorkingDayCalendar([D("2026-03-02")])) == D("2026-03-02")
    assert tribunal_time_end(D("2025-08-15"), WorkingDayCalendar([D("2025-09-01")])) == D("2025-09-01")
    assert tribunal_time_end(D("2025-12-28"), WorkingDayCalendar([D("2026-01-02")])) == D("2026-01-02")
    closed = WorkingDayCalendar([D("2025-11-17")])
    assert due_on("appeal_deadline", D("2025-08-31"), second_anchor_on=D("2025-10-15"), calendar=closed) == D(
        "2025-11-17"
    )


@pytest.mark.parametrize(
    ("sent", "certificate", "expected"),
    [
        ("2025-06-15", None, "2025-09-01"),  # 2025-08-15 in August → Monday 1 September
        ("2025-10-28", None, "2026-01-02"),  # 2025-12-28 → Friday 2 January
        ("2025-11-01", None, "2026-01-02"),  # 2026-01-01 (New Year's Day) → Friday 2 January
        ("2025-12-31", None, "2026-03-02"),  # 2026-02-28 Saturday → Monday
        ("2026-02-03", None, "2026-04-07"),  # 2026-04-03 Good Friday → Tuesday after Easter Monday
        ("2026-03-04", None, "2026-05-05"),  # 2026-05-04 bank holiday → Tuesday
        ("2025-08-31", None, "2025-10-31"),  # Friday: unchanged
        ("2025-10-24", None, "2025-12-24"),  # Wednesday 24 December: unchanged
        # The later date is taken first, then moved: certificate + 1 month = 2025-08-20 → 1 September.
        ("2025-05-01", "2025-07-20", "2025-09-01"),
    ],
)
def test_appeal_deadline_follows_the_tribunal_rules(sent: str, certificate: str | None, expected: str) -> None:
    second = D(certificate) if certificate else None
    assert due_on("appeal_deadline", D(sent), second_anchor_on=second) == D(expected)


def _in_christmas_break(day: date) -> bool:
    return (day.month, day.day) >= (12, 25) or (day.month, day.day) == (1, 1)


@hypothesis_settings(max_examples=200, deadline=None)
@given(end=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
def test_tribunal_time_end_properties(end: date) -> None:
    moved = tribunal_time_end(end)
    assert moved >= end
    assert ENGLAND_CALENDAR.is_working_day(moved)
    if end.month == 8 or _in_christmas_break(end):
        # r.12(3)(a): the first working day after 31 August / 1 January.
        last_day = date(end.year, 8, 31) if end.month == 8 else date(end.year + (end.month == 12), 1, 1)
        assert moved > last_day
        assert ENGLAND_CALENDAR.working_days_between(last_day, moved) == 1
    elif ENGLAND_CALENDAR.is_working_day(end):
        assert moved == end
    else:
        # r.12(2): the next working day, with nothing but non-working days in between.
        assert moved == ENGLAND_CALENDAR.add_working_days(end, 1)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        # r.12(2) alone: the window ended before August / 25 December, on a non-working day.
        ("2027-07-31", "2027-08-02"),  # Saturday 31 July → Monday 2 August
        ("2028-12-24", "2028-12-27"),  # Sunday 24 December → Wednesday 27 (25th, 26th bank holidays)
    ],
)
def test_a_window_ending_just_before_august_or_christmas_runs_on_by_r12_2_only(end: str, expected: str) -> None:
    assert tribunal_time_end(D(end)) == D(expected)
