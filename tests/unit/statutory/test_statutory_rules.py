"""The rule table and `due_on`: every rule, counted from one anchor by hand."""
from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest

from ehc_tracker.statutory import rules as rules_module
from ehc_tracker.statutory.calendar import WorkingDayCalendar
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
)

D = date.fromisoformat

DESIGN_KEYS = [
    "decision_to_assess",
    "advice_due",
    "decision_not_to_issue",
    "representations_close",
    "school_consultation_response",
    "final_plan",
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

# Anchor Monday 2025-01-06, counted by hand.
EXPECTED_FROM_2025_01_06 = {
    "decision_to_assess": "2025-02-17",  # + 6 weeks
    "advice_due": "2025-02-17",  # + 6 weeks
    "decision_not_to_issue": "2025-04-28",  # + 16 weeks
    "representations_close": "2025-01-20",  # 15 days beginning with
    "school_consultation_response": "2025-01-20",  # + 14 days
    "final_plan": "2025-05-26",  # + 20 weeks
    "final_plan_after_reassessment": "2025-04-14",  # + 14 weeks
    "review_due": "2026-01-05",  # 12-month period
    "invitations_by": "2024-12-23",  # − 14 days
    "advice_circulated_by": "2024-12-23",  # − 14 days
    "review_report_due": "2025-01-20",  # + 14 days
    "review_decision_due": "2025-02-03",  # + 4 weeks
    "amended_plan_due": "2025-03-31",  # + 12 weeks
    "amendment_representations_close": "2025-01-20",  # 15 days beginning with
    "amended_plan_from_proposals_due": "2025-03-03",  # + 8 weeks
    "phase_transfer_due": "2025-02-15",  # 15 February of the anchor's year
    "response_due": "2025-01-13",  # 5 working days
    "appeal_deadline": "2025-03-06",  # + 2 months
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
    assert list(RULES) == DESIGN_KEYS
    assert all(RULES[key].key == key for key in RULES)


def test_rules_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        RULES["final_plan"] = RULES["advice_due"]  # type: ignore[index]


@pytest.mark.parametrize("key", [k for k in DESIGN_KEYS if k != "transfer_in_review_due"])
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
    assert due_on("appeal_deadline", D("2025-08-31")) == D("2025-10-31")
    assert due_on("appeal_deadline", D("2025-08-31"), second_anchor_on=D("2025-10-15")) == D("2025-11-15")


@pytest.mark.parametrize("key", DESIGN_KEYS)
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


@pytest.mark.parametrize("key", DESIGN_KEYS)
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
    assert rule("decision_to_assess").limb_citation(ExceptionLimb.ABSENT_FROM_AREA) == "SEND Regulations 2014 reg 5(4)(c)"
    assert rule("advice_due").limb_citation(ExceptionLimb.MISSED_APPOINTMENT) == "SEND Regulations 2014 reg 8(2)(c)"
    assert rule("final_plan").limb_citation(ExceptionLimb.PERSONAL_CIRCUMSTANCES) == "SEND Regulations 2014 reg 10(4)(c)"
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
    assert due_on(PHASE_TRANSFER_POST16_RULE, D("2026-09-01")) == D("2026-03-31")
    assert due_on("phase_transfer_due", D("2026-09-01")) == D("2026-02-15")
    assert due_on(POST16_MOVE_RULE, D("2026-07-31")) == D("2026-02-28")
    for variant in (PHASE_TRANSFER_POST16_RULE, POST16_MOVE_RULE):
        assert variant.key == "phase_transfer_due"
        assert not variant.exceptions_allowed
    assert RULES["phase_transfer_due"].source == "SEND Regulations 2014 reg 18(1)(b)"
    assert PHASE_TRANSFER_POST16_RULE.source == "SEND Regulations 2014 reg 18(1)(a)"
    assert POST16_MOVE_RULE.source == "SEND Regulations 2014 reg 18(2)"


def test_working_day_rules_use_the_calendar_given() -> None:
    calendar = WorkingDayCalendar([D("2025-01-07")])
    assert due_on("response_due", D("2025-01-06"), calendar=calendar) == D("2025-01-14")


def test_public_package_reexports() -> None:
    import ehc_tracker.statutory as statutory

    for name in statutory.__all__:
        assert hasattr(statutory, name), name
    assert statutory.rule is rules_module.rule
