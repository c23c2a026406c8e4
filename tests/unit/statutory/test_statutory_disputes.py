"""The council's duties after an appeal or a mediation agreement (regs 42, 44, 45; HESC r.21, r.12).

Every date is worked by hand in the comment beside it: weeks are 7-day steps from the anchor (never
moved off a weekend or holiday); the tribunal response counts working days, leaving out weekends,
bank holidays, 25 December-1 January and August.
"""

from __future__ import annotations

from datetime import date

import pytest

from ehc_tracker.statutory import (
    DISPUTE_RULES,
    RULES,
    Counting,
    InvalidDateOrder,
    InvalidPeriod,
    Process,
    StatutoryError,
    WorkingDayCalendar,
    due_on,
    mediation_agreement_milestones,
    order_milestones,
    rule,
    tribunal_response_milestones,
    tribunal_working_days_after,
    unopposed_milestones,
)

S = "SEND Regulations 2014"

# Order made Fri 2025-08-29 (the bank holiday of 25 August is before it; the month ends on day 31).
ORDER_DUE = {
    "order_cease_plan": "2025-08-29",  # "immediately": the day of the order
    "order_continue_plan": "2025-08-29",  # at once
    "order_assessment_notice": "2025-09-12",  # + 2 weeks: 29 Aug + 14 days
    "order_school_amended_plan": "2025-09-12",  # + 2 weeks
    "order_draft_plan": "2025-10-03",  # + 5 weeks: 2 days to 31 Aug, 30 in September, 3 in October
    "order_amended_plan": "2025-10-03",  # + 5 weeks
    "order_assessment_no_plan": "2025-11-07",  # + 10 weeks: 3 Oct + 35 days
    "order_final_plan": "2025-11-14",  # + 11 weeks: 7 Nov + 7
    "order_assessment_final_plan": "2025-12-05",  # + 14 weeks: 14 Nov + 21
}

ORDER_SOURCES = {
    "order_cease_plan": f"{S} reg 44(2)(a)",
    "order_continue_plan": f"{S} reg 44(2)",
    "order_assessment_notice": f"{S} reg 44(2)(b)",
    "order_school_amended_plan": f"{S} reg 44(2)(f)",
    "order_draft_plan": f"{S} reg 44(2)(c)(i)",
    "order_amended_plan": f"{S} reg 44(2)(e)",
    "order_assessment_no_plan": f"{S} reg 44(2)(b)(i)",
    "order_final_plan": f"{S} reg 44(2)(c)(ii)",
    "order_assessment_final_plan": f"{S} reg 44(2)(b)(ii)",
}

# Council told the tribunal on Fri 2025-04-04 that it will not oppose; Good Friday is 2025-04-18.
UNOPPOSED_DUE = {
    "unopposed_continue_plan": "2025-04-04",  # at once
    "unopposed_assessment_notice": "2025-04-18",  # + 2 weeks: Good Friday, not moved
    "unopposed_school_amended_plan": "2025-04-18",  # + 2 weeks
    "unopposed_draft_plan": "2025-05-09",  # + 5 weeks: 26 days to 30 April, then 9 in May
    "unopposed_amended_plan": "2025-05-09",  # + 5 weeks (reg 45(4))
    "unopposed_assessment_no_plan": "2025-06-13",  # + 10 weeks: 9 May + 35
    "unopposed_final_plan": "2025-06-20",  # + 11 weeks
    "unopposed_assessment_final_plan": "2025-07-11",  # + 14 weeks: 13 June + 28
}

UNOPPOSED_SOURCES = {
    "unopposed_assessment_notice": f"{S} reg 45(3) (as substituted by SI 2015/359)",
    "unopposed_assessment_no_plan": f"{S} reg 45(3A)(a) (as substituted by SI 2015/359)",
    "unopposed_assessment_final_plan": f"{S} reg 45(3A)(b) (as substituted by SI 2015/359)",
    "unopposed_amended_plan": f"{S} reg 45(4) (as substituted by SI 2015/359)",
    "unopposed_school_amended_plan": f"{S} reg 45 (paragraph to verify)",
    "unopposed_draft_plan": f"{S} reg 45 (paragraph to verify)",
    "unopposed_final_plan": f"{S} reg 45 (paragraph to verify)",
    "unopposed_continue_plan": f"{S} reg 45 (paragraph to verify)",
}

# Mediation agreement made Mon 2025-12-22: the weeks run over Christmas and into a new year.
AGREEMENT_DUE = {
    "mediation_agreement_cease_plan": "2025-12-22",  # as if an order: immediately
    "mediation_agreement_continue_plan": "2025-12-22",
    "mediation_agreement_notice_to_council": "2025-12-29",  # + 1 week (reg 42(4))
    "mediation_agreement_assessment_notice": "2026-01-05",  # + 2 weeks: 9 days to 31 Dec, 5 in January
    "mediation_agreement_school_amended_plan": "2026-01-05",
    "mediation_agreement_other_action": "2026-01-05",  # + 2 weeks (reg 42(3))
    "mediation_agreement_draft_plan": "2026-01-26",  # + 5 weeks: 9 + 26
    "mediation_agreement_amended_plan": "2026-01-26",
    "mediation_agreement_assessment_no_plan": "2026-03-02",  # + 10 weeks: 9 + 31 + 28 = 68, then 2 March
    "mediation_agreement_final_plan": "2026-03-09",  # + 11 weeks
    "mediation_agreement_assessment_final_plan": "2026-03-30",  # + 14 weeks: 9 March + 21
}


def test_dispute_rules_sit_beside_the_design_table() -> None:
    assert set(DISPUTE_RULES).isdisjoint(RULES)
    assert set(DISPUTE_RULES) == {*ORDER_DUE, *UNOPPOSED_DUE, *AGREEMENT_DUE, "tribunal_response_due"}
    for key, the_rule in DISPUTE_RULES.items():
        assert the_rule.key == key
        assert rule(key) is the_rule
        assert the_rule.process is Process.DISPUTES
        assert not the_rule.exceptions_allowed
        assert not the_rule.local_standard
    labels = [r.label for r in DISPUTE_RULES.values()]
    assert len(labels) == len(set(labels))
    assert set(labels).isdisjoint(r.label for r in RULES.values())


@pytest.mark.parametrize(("key", "due"), ORDER_DUE.items())
def test_order_limbs_from_the_day_the_order_was_made(key: str, due: str) -> None:
    assert due_on(key, date(2025, 8, 29)).isoformat() == due
    assert rule(key).source == ORDER_SOURCES[key]
    assert rule(key).anchor.key == "order_made_on"


@pytest.mark.parametrize(("key", "due"), UNOPPOSED_DUE.items())
def test_unopposed_limbs_from_the_notification(key: str, due: str) -> None:
    assert due_on(key, date(2025, 4, 4)).isoformat() == due
    assert rule(key).source == UNOPPOSED_SOURCES[key]
    assert rule(key).anchor.key == "not_opposing_notified_on"


@pytest.mark.parametrize(("key", "due"), AGREEMENT_DUE.items())
def test_mediation_agreement_limbs_from_the_agreement(key: str, due: str) -> None:
    assert due_on(key, date(2025, 12, 22)).isoformat() == due
    assert rule(key).anchor.key == "mediation_agreement_on"


def test_a_mediation_agreement_on_an_appealable_matter_runs_as_an_order() -> None:
    # Reg 42(2): "as if the mediation agreement were an order": the same periods and the order's paragraph.
    for key, order in DISPUTE_RULES.items():
        if key.startswith("order_"):
            twin = rule(key.replace("order_", "mediation_agreement_", 1))
            assert (twin.offset, twin.counting) == (order.offset, order.counting)
            assert twin.source == f"{S} reg 42(2) with {order.source.removeprefix(S + ' ')}"
    assert rule("mediation_agreement_draft_plan").label == "Issue draft EHC plan (mediation agreement: make a plan)"
    assert rule("mediation_agreement_cease_plan").label == "Cease the plan (mediation agreement)"
    assert rule("mediation_agreement_other_action").source == f"{S} reg 42(3)"
    assert rule("mediation_agreement_notice_to_council").source == f"{S} reg 42(4)"


def test_compliance_weeks_are_never_moved_off_a_holiday_or_weekend() -> None:
    # Order made Thu 2025-12-11: 2 weeks is Christmas Day, and stays (r.12 is for the tribunal's own times).
    assert due_on("order_school_amended_plan", date(2025, 12, 11)) == date(2025, 12, 25)
    # Order made Sat 2025-05-17: 2 weeks is Sat 2025-05-31, the month's last day; not moved to Monday.
    assert due_on("order_assessment_notice", date(2025, 5, 17)) == date(2025, 5, 31)
    # Leap day: 2024-02-15 + 2 weeks = 2024-02-29; + 5 weeks = 2024-03-21 (14 days to 29 Feb, 21 in March).
    assert due_on("unopposed_assessment_notice", date(2024, 2, 15)) == date(2024, 2, 29)
    assert due_on("unopposed_amended_plan", date(2024, 2, 15)) == date(2024, 3, 21)
    # In August too: an order made 2025-07-25 needs the plan amended (I) by Fri 2025-08-08.
    assert due_on("order_school_amended_plan", date(2025, 7, 25)) == date(2025, 8, 8)
    # Local closure days never count.
    closed = WorkingDayCalendar([date(2025, 9, 1), date(2025, 9, 12)])
    assert due_on("order_assessment_notice", date(2025, 8, 29), calendar=closed) == date(2025, 9, 12)
    for key in DISPUTE_RULES:
        if key != "tribunal_response_due":
            assert rule(key).counting in (Counting.WEEKS, Counting.DAYS)
            assert not rule(key).tribunal_time


def test_order_milestones_by_kind() -> None:
    made = date(2025, 8, 29)
    assert [(m.key, m.due_on.isoformat()) for m in order_milestones(made)] == list(ORDER_DUE.items())
    assert [m.key for m in order_milestones(made, kinds=("continue", "amend"))] == [
        "order_continue_plan",
        "order_amended_plan",
    ]
    # B/F and I together: I at 2 weeks, the whole at 5.
    assert [(m.key, m.due_on.isoformat()) for m in order_milestones(made, kinds=("amend", "school"))] == [
        ("order_school_amended_plan", "2025-09-12"),
        ("order_amended_plan", "2025-10-03"),
    ]
    assert [m.key for m in order_milestones(made, kinds=("assessment",))] == [
        "order_assessment_notice",
        "order_assessment_no_plan",
        "order_assessment_final_plan",
    ]
    with pytest.raises(StatutoryError, match="'other' is not one of"):
        order_milestones(made, kinds=("other",))


def test_unopposed_and_agreement_milestones() -> None:
    notified = date(2025, 4, 4)
    assert [(m.key, m.due_on.isoformat()) for m in unopposed_milestones(notified)] == list(UNOPPOSED_DUE.items())
    with pytest.raises(StatutoryError, match="'cease' is not one of"):
        unopposed_milestones(notified, kinds=("cease",))
    agreed = date(2025, 12, 22)
    assert [(m.key, m.due_on.isoformat()) for m in mediation_agreement_milestones(agreed)] == list(
        AGREEMENT_DUE.items()
    )
    assert [m.key for m in mediation_agreement_milestones(agreed, kinds=("other",))] == [
        "mediation_agreement_notice_to_council",
        "mediation_agreement_other_action",
    ]


RESPONSE_CASES = [
    # Sent Tue 2025-07-01: 22 working days in July (2-4, 7-11, 14-18, 21-25, 28-31), August left out
    # (the bank holiday of 25 August with it), then 1-5 September (27) and 8, 9, 10 September (30).
    (date(2025, 7, 1), date(2025, 9, 10)),
    # Sent Mon 2025-12-01: 2-5, 8-12, 15-19 and 22-24 December (17); 25 December-1 January left out;
    # Fri 2 January (18), 5-9 (23), 12-16 (28), 19, 20 (30). Without r.12(3)(b): 15 January.
    (date(2025, 12, 1), date(2026, 1, 20)),
    # Sent Mon 2025-03-17 over Easter: 18-21 March (4), 24-28 (9), 31 Mar-4 Apr (14), 7-11 (19),
    # 14-17 (23; Good Friday 18th), 22-25 (27; Easter Monday 21st), 28, 29, 30 April (30).
    (date(2025, 3, 17), date(2025, 4, 30)),
    # Sent Fri 2025-08-15, in August: the count starts on Mon 1 September; 1-5, 8-12, 15-19, 22-26,
    # 29 Sep-3 Oct (25), 6-10 October (30).
    (date(2025, 8, 15), date(2025, 10, 10)),
    # Sent Wed 2025-12-31, inside the Christmas gap: Fri 2 January is the 1st; 5-9 (6), 12-16 (11),
    # 19-23 (16), 26-30 (21), 2-6 February (26), 9-12 February (30).
    (date(2025, 12, 31), date(2026, 2, 12)),
]


@pytest.mark.parametrize(("sent_on", "due"), RESPONSE_CASES, ids=[c[0].isoformat() for c in RESPONSE_CASES])
def test_tribunal_response_default_30_working_days(sent_on: date, due: date) -> None:
    assert due_on("tribunal_response_due", sent_on) == due
    assert tribunal_working_days_after(sent_on, 30) == due
    [milestone] = tribunal_response_milestones(sent_on)
    assert milestone.due_on == due
    assert milestone.source == "First-tier Tribunal (HESC) Rules 2008 r.21 with r.12(3)(b)"


def test_tribunal_response_ignores_local_closure_days() -> None:
    closed = WorkingDayCalendar([date(2025, 7, 2), date(2025, 9, 10)])
    assert tribunal_response_milestones(date(2025, 7, 1), calendar=closed)[0].due_on == date(2025, 9, 10)
    assert due_on("tribunal_response_due", date(2025, 7, 1), calendar=closed) == date(2025, 9, 10)


def test_tribunal_response_on_the_date_the_tribunal_set() -> None:
    sent = date(2025, 7, 1)
    source = "First-tier Tribunal (HESC) Rules 2008 r.21 (date set by the Tribunal) with r.12(2)"
    # A working day is kept, even in August: the tribunal chose it.
    [kept] = tribunal_response_milestones(sent, response_set_on=date(2025, 8, 12))
    assert (kept.due_on, kept.source) == (date(2025, 8, 12), source)
    # Sat 2025-08-16 runs on to Mon 18 August (r.12(2)); the bank holiday Mon 25 August to Tue 26th.
    assert tribunal_response_milestones(sent, response_set_on=date(2025, 8, 16))[0].due_on == date(2025, 8, 18)
    assert tribunal_response_milestones(sent, response_set_on=date(2025, 8, 25))[0].due_on == date(2025, 8, 26)
    with pytest.raises(InvalidDateOrder, match="before the appeal sent"):
        tribunal_response_milestones(sent, response_set_on=date(2025, 6, 30))


def test_tribunal_working_days_needs_a_positive_count() -> None:
    with pytest.raises(InvalidPeriod):
        tribunal_working_days_after(date(2025, 7, 1), 0)


def test_every_dispute_rule_is_on_the_timescales_page() -> None:
    from pathlib import Path

    page = (Path(__file__).parents[3] / "docs" / "statutory-timescales.md").read_text(encoding="utf-8")
    for key in DISPUTE_RULES:
        twin = key.replace("mediation_agreement_", "order_", 1)
        assert f"`{key}`" in page or (twin in DISPUTE_RULES and f"`{twin}`" in page), key
    assert "`mediation_agreement_…`" in page
