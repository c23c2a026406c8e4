"""The oversight figures, counted by hand from fixed data sets (services/reports/).

Each test states the due date and completion date of every milestone it creates, so each
expected number can be checked by reading the test. Every figure is also compared with the
length of its drill-down list.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, ComplianceTarget
from ehc_tracker.models.case import AdviceType, CaseStatus, CaseType, EventType
from ehc_tracker.models.child import SenNeed
from ehc_tracker.services import Forbidden, ServiceError, exports
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import reports as oversight
from ehc_tracker.services.reports import (
    MEASURE_BY_KEY,
    DrillDown,
    OverdueFilters,
    Scope,
    drilldown_ids,
    monthly_figures,
    next_month,
    workload,
    workload_ids,
)
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.factories_reports import add_advice, add_milestone, make_case
from tests.helpers import create_team, create_user

AS_AT = date(2025, 3, 15)
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
MONTHS = [JAN, FEB, MAR]


@pytest.fixture
def team(app):
    return create_team(name="North Team")


@pytest.fixture
def other_team(app):
    return create_team(name="South Team")


def scope_of(*teams) -> Scope:
    return Scope(frozenset(t.id for t in teams))


def by_month(scope, key, *, months=MONTHS, as_at=AS_AT):
    series = {s.measure.key: s for s in monthly_figures(scope, months, as_at)}
    return {m.month_on: m for m in series[key].months}


def drill(scope, key, month_on, outcome="all", *, exclude=False, as_at=AS_AT, last=None, **kw) -> int:
    spec = DrillDown(
        MEASURE_BY_KEY[key],
        month_on,
        next_month(last or month_on),
        as_at,
        outcome=outcome,
        exclude_exceptions=exclude,
        **kw,
    )
    return len(db.session.scalars(drilldown_ids(scope, spec)).all())


def assert_drilldowns_match(scope, key, figures, *, as_at=AS_AT):
    """Every number of a measure equals the length of its drill-down list."""
    for month_on, m in figures.items():
        assert drill(scope, key, month_on, as_at=as_at) == m.including.counted, (key, month_on)
        assert drill(scope, key, month_on, "on_time", as_at=as_at) == m.including.on_time, (key, month_on)
        assert drill(scope, key, month_on, "late", as_at=as_at) == m.including.late, (key, month_on)
        if m.excluding is not None:
            assert drill(scope, key, month_on, exclude=True, as_at=as_at) == m.excluding.counted
            assert drill(scope, key, month_on, "on_time", exclude=True, as_at=as_at) == m.excluding.on_time
            assert drill(scope, key, month_on, "late", exclude=True, as_at=as_at) == m.excluding.late


# --- Completed-in-the-month measures -------------------------------------------------------------


def test_final_plan_20_weeks_counts_plans_by_the_month_issued_with_and_without_exceptions(team, other_team):
    def plan(due_on, met_on, *, exception=False, t=team, **kw):
        add_milestone(make_case(team=t, **kw), "final_plan", due_on=due_on, met_on=met_on, exception=exception)

    plan(date(2025, 1, 31), date(2025, 2, 1))  # due in January, issued 1 February: late, in February
    plan(date(2025, 2, 10), date(2025, 2, 10))  # issued on the due date: on time
    plan(date(2025, 2, 20), date(2025, 2, 25), exception=True)  # late, but an exception applies
    plan(date(2025, 2, 25), date(2025, 2, 24))  # on time
    plan(date(2025, 1, 20), date(2025, 1, 15))  # January, on time
    plan(date(2025, 3, 20), date(2025, 3, 10))  # March (to date), on time
    plan(date(2025, 2, 15), None, status=CaseStatus.WITHDRAWN, closed_on=date(2025, 2, 1))  # withdrawn: never issued
    plan(date(2025, 2, 5), date(2025, 2, 3), t=other_team)  # another team's
    add_milestone(
        make_case(team=team, case_type=CaseType.REASSESSMENT),
        "final_plan_after_reassessment",
        due_on=date(2025, 2, 5),
        met_on=date(2025, 2, 5),
    )  # a reassessment: not a new plan
    db.session.commit()

    scope = scope_of(team)
    f = by_month(scope, "final_plan_20_weeks")
    feb = f[FEB]
    assert (feb.including.counted, feb.including.on_time, feb.including.late) == (4, 2, 2)
    assert feb.including.percent == 50.0
    assert (feb.excluding.counted, feb.excluding.on_time) == (3, 2)
    assert feb.excluding.percent == 66.7
    assert feb.headline is feb.excluding
    assert (f[JAN].including.counted, f[JAN].including.on_time, f[JAN].excluding.counted) == (1, 1, 1)
    assert (f[MAR].including.counted, f[MAR].including.on_time) == (1, 1)
    assert f[MAR].partial and not f[FEB].partial
    assert_drilldowns_match(scope, "final_plan_20_weeks", f)
    # Both teams together include the other team's plan.
    assert by_month(scope_of(team, other_team), "final_plan_20_weeks")[FEB].including.counted == 5
    # No teams, nothing.
    assert by_month(Scope(frozenset()), "final_plan_20_weeks")[FEB].including.counted == 0


def test_steps_done_after_the_as_at_date_are_not_counted(team):
    add_milestone(make_case(team=team), "final_plan", due_on=date(2025, 3, 31), met_on=date(2025, 3, 20))
    db.session.commit()
    f = by_month(scope_of(team), "final_plan_20_weeks")
    assert f[MAR].including.counted == 0
    assert by_month(scope_of(team), "final_plan_20_weeks", as_at=date(2025, 3, 20))[MAR].including.counted == 1


def test_decisions_to_assess_count_in_the_month_made_even_if_the_case_was_later_withdrawn(team):
    add_milestone(
        make_case(team=team), "decision_to_assess", due_on=date(2025, 2, 17), met_on=date(2025, 2, 17)
    )  # on the due date
    add_milestone(
        make_case(team=team), "decision_to_assess", due_on=date(2025, 1, 31), met_on=date(2025, 2, 3)
    )  # late, February
    add_milestone(
        make_case(team=team, status=CaseStatus.WITHDRAWN, closed_on=date(2025, 2, 20)),
        "decision_to_assess",
        due_on=date(2025, 1, 20),
        met_on=date(2025, 1, 10),
    )  # January, on time
    add_milestone(
        make_case(team=team), "decision_to_assess", due_on=date(2025, 3, 1), met_on=None
    )  # not made: not counted
    db.session.commit()
    scope = scope_of(team)
    f = by_month(scope, "decision_6_weeks")
    assert (f[FEB].including.counted, f[FEB].including.on_time, f[FEB].including.percent) == (2, 1, 50.0)
    assert (f[JAN].including.counted, f[JAN].including.on_time) == (1, 1)
    assert f[MAR].including.counted == 0 and f[MAR].including.percent is None
    assert f[FEB].excluding is None and f[FEB].headline is f[FEB].including
    assert_drilldowns_match(scope, "decision_6_weeks", f)


def test_advice_within_6_weeks_by_type_and_provider(team):
    case = make_case(team=team)
    add_advice(
        case,
        advice_type=AdviceType.EP,
        provider="EP Service",
        requested_on=date(2025, 1, 6),
        due_on=date(2025, 2, 17),
        received_on=date(2025, 2, 17),
    )
    add_advice(
        case,
        advice_type=AdviceType.HEALTH,
        provider="Paediatrics",
        requested_on=date(2024, 12, 30),
        due_on=date(2025, 2, 10),
        received_on=date(2025, 2, 20),
    )
    add_advice(
        case,
        advice_type=AdviceType.EP,
        provider="EP Service",
        requested_on=date(2025, 1, 20),
        due_on=date(2025, 3, 3),
        received_on=date(2025, 2, 28),
    )
    add_advice(
        case, advice_type=AdviceType.SALT, provider="SaLT Team", requested_on=date(2025, 1, 20), due_on=date(2025, 3, 3)
    )  # not received
    other = make_case(team=team)
    add_advice(
        other,
        advice_type=AdviceType.HEALTH,
        provider="Paediatrics",
        requested_on=date(2024, 11, 25),
        due_on=date(2025, 1, 6),
        received_on=date(2025, 1, 6),
    )
    db.session.commit()
    scope = scope_of(team)
    f = by_month(scope, "advice_6_weeks")
    assert (f[FEB].including.counted, f[FEB].including.on_time) == (3, 2)
    assert (f[JAN].including.counted, f[JAN].including.on_time) == (1, 1)
    assert_drilldowns_match(scope, "advice_6_weeks", f)

    by_type = {r.value: r.figure for r in oversight.advice_breakdown(scope, JAN, next_month(MAR), AS_AT, by="type")}
    assert {k: (v.counted, v.on_time) for k, v in by_type.items()} == {"ep": (2, 2), "health": (2, 1)}
    by_provider = {
        r.value: r.figure for r in oversight.advice_breakdown(scope, JAN, next_month(MAR), AS_AT, by="provider")
    }
    assert {k: (v.counted, v.on_time) for k, v in by_provider.items()} == {"EP Service": (2, 2), "Paediatrics": (2, 1)}
    assert drill(scope, "advice_6_weeks", JAN, last=MAR, advice_type=AdviceType.HEALTH) == 2
    assert drill(scope, "advice_6_weeks", JAN, "on_time", last=MAR, advice_type=AdviceType.HEALTH) == 1
    assert drill(scope, "advice_6_weeks", JAN, last=MAR, provider="EP Service") == 2
    assert drill(scope, "advice_6_weeks", FEB, "late", provider="Paediatrics") == 1


# --- Due-in-the-month measures -----------------------------------------------------------------


def test_review_decisions_count_by_the_month_due_and_unmet_ones_are_late(team):
    def decision(due_on, met_on=None, **kw):
        case = make_case(team=team, case_type=CaseType.ANNUAL_REVIEW, **kw)
        add_milestone(case, "review_decision_due", due_on=due_on, met_on=met_on)

    decision(date(2025, 2, 3), date(2025, 2, 3))  # on the due date: on time
    decision(date(2025, 2, 10))  # not notified, case open: late
    decision(date(2025, 2, 12), date(2025, 2, 20))  # notified late
    decision(date(2025, 2, 14), status=CaseStatus.CLOSED, closed_on=date(2025, 2, 1))  # closed before due: not counted
    decision(
        date(2025, 2, 18), status=CaseStatus.CLOSED, closed_on=date(2025, 2, 18)
    )  # closed on the due date: not counted
    decision(
        date(2025, 2, 19), status=CaseStatus.WITHDRAWN, closed_on=date(2025, 2, 25)
    )  # closed after it was due, unmet: late
    decision(date(2025, 1, 31), date(2025, 2, 1))  # due in January, met 1 February: January, late
    decision(date(2025, 3, 14), date(2025, 3, 1))  # March, on time
    decision(date(2025, 3, 15))  # due on the as-at date: not late yet, not counted
    decision(date(2025, 3, 20), date(2025, 3, 10))  # due after the as-at date: not counted yet
    db.session.commit()
    scope = scope_of(team)
    f = by_month(scope, "review_decision_4_weeks")
    assert (f[FEB].including.counted, f[FEB].including.on_time, f[FEB].including.late) == (4, 1, 3)
    assert f[FEB].including.percent == 25.0
    assert (f[JAN].including.counted, f[JAN].including.on_time) == (1, 0)
    assert (f[MAR].including.counted, f[MAR].including.on_time) == (1, 1)
    assert_drilldowns_match(scope, "review_decision_4_weeks", f)
    # A day later the milestone due on 15 March is late.
    later = by_month(scope, "review_decision_4_weeks", as_at=date(2025, 3, 16))
    assert (later[MAR].including.counted, later[MAR].including.on_time) == (2, 1)


def test_amended_plans_and_responses_count_by_the_month_due(team):
    review = make_case(team=team, case_type=CaseType.ANNUAL_REVIEW)
    add_milestone(review, "amended_plan_due", due_on=date(2025, 2, 28), met_on=date(2025, 3, 1))  # late, February
    add_milestone(
        review, "amended_plan_from_proposals_due", due_on=date(2025, 2, 20), met_on=date(2025, 2, 1)
    )  # another measure's key
    other = make_case(team=team, case_type=CaseType.ANNUAL_REVIEW)
    add_milestone(other, "amended_plan_due", due_on=date(2025, 3, 31))  # due after the as-at date
    add_milestone(review, "response_due", ref="communication:1", due_on=date(2025, 3, 3), met_on=date(2025, 3, 3))
    add_milestone(review, "response_due", ref="communication:2", due_on=date(2025, 3, 10))
    add_milestone(review, "response_due", ref="communication:3", due_on=date(2025, 2, 7), met_on=date(2025, 2, 6))
    db.session.commit()
    scope = scope_of(team)
    amended = by_month(scope, "amended_plan_12_weeks")
    assert (amended[FEB].including.counted, amended[FEB].including.on_time) == (1, 0)
    assert amended[MAR].including.counted == 0
    responses = by_month(scope, "response_5_days")
    assert (responses[MAR].including.counted, responses[MAR].including.on_time) == (2, 1)
    assert (responses[FEB].including.counted, responses[FEB].including.on_time) == (1, 1)
    assert_drilldowns_match(scope, "amended_plan_12_weeks", amended)
    assert_drilldowns_match(scope, "response_5_days", responses)


def test_figures_from_cases_run_through_the_real_workflow(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    # Request 6 January 2025: decision due 17 February, final plan due 26 May.
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=coordinator, team=team)
    carry_to_final_plan(case, actor=coordinator, today=date(2025, 6, 1), final_on=date(2025, 5, 27))  # a day late
    # A second request, decided on time and then withdrawn.
    withdrawn = create_assessment(received_on=date(2025, 1, 13), coordinator=coordinator, team=team)
    case_service.record_event(
        withdrawn, EventType.DECIDED_TO_ASSESS, date(2025, 2, 24), actor=coordinator, today=date(2025, 6, 1)
    )
    case_service.record_event(
        withdrawn, EventType.WITHDRAWN, date(2025, 3, 3), actor=coordinator, today=date(2025, 6, 1), reason="Moved away"
    )
    db.session.commit()
    scope = scope_of(team)
    months = [date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)]
    series = {
        s.measure.key: {m.month_on: m for m in s.months} for s in monthly_figures(scope, months, date(2025, 6, 1))
    }
    feb = series["decision_6_weeks"][date(2025, 2, 1)].including
    assert (feb.counted, feb.on_time) == (2, 2)  # 10 Feb (due 17 Feb) and 24 Feb (due 24 Feb)
    advice = series["advice_6_weeks"][date(2025, 3, 1)].including
    assert (advice.counted, advice.on_time) == (1, 1)  # requested 11 Feb, due 25 Mar, received 20 Mar
    plans = series["final_plan_20_weeks"][date(2025, 5, 1)]
    assert (plans.including.counted, plans.including.on_time, plans.excluding.counted) == (1, 0, 1)
    assert (
        sum(m.including.counted for m in series["final_plan_20_weeks"].values()) == 1
    )  # the withdrawn case issued nothing


# --- Open work ---------------------------------------------------------------------------------


def test_workload_at_the_as_at_date(team, other_team):
    casey = create_user(role="coordinator", teams=[team], name="Casey Coordinator")
    jordan = create_user(role="coordinator", teams=[team], name="Jordan Coordinator")
    # Open assessments: received 140 days before the as-at date (20 weeks exactly: not past),
    # 141 days before (past 20 weeks), and 10 weeks before.
    on_limit = make_case(team=team, coordinator=casey, anchor_on=AS_AT - timedelta(days=140))
    add_milestone(on_limit, "final_plan", due_on=AS_AT)  # due today: not overdue
    past = make_case(team=team, coordinator=casey, anchor_on=AS_AT - timedelta(days=141))
    add_milestone(past, "final_plan", due_on=AS_AT - timedelta(days=1))  # overdue
    add_milestone(past, "representations_close", due_on=date(2025, 3, 1), is_period=True)  # a period: never overdue
    make_case(team=team, coordinator=jordan, case_type=CaseType.REASSESSMENT, anchor_on=AS_AT - timedelta(weeks=10))
    make_case(team=team, coordinator=jordan, anchor_on=date(2025, 3, 20))  # opened after the as-at date: not counted
    closed = make_case(
        team=team,
        coordinator=jordan,
        anchor_on=date(2024, 1, 1),
        status=CaseStatus.WITHDRAWN,
        closed_on=date(2024, 6, 1),
    )
    add_milestone(closed, "final_plan", due_on=date(2024, 5, 20))  # closed case: not overdue
    # Annual reviews: one with its review overdue, one transferred in with its review overdue,
    # one reviewed (met), and one not yet due.
    r1 = make_case(team=team, coordinator=jordan, case_type=CaseType.ANNUAL_REVIEW, anchor_on=date(2024, 1, 10))
    add_milestone(r1, "review_due", due_on=date(2025, 1, 9))
    add_milestone(r1, "response_due", ref="communication:9", due_on=date(2025, 3, 14))
    r2 = make_case(team=team, case_type=CaseType.ANNUAL_REVIEW, anchor_on=date(2024, 2, 1))
    add_milestone(r2, "transfer_in_review_due", due_on=date(2025, 2, 1))
    r3 = make_case(team=team, coordinator=casey, case_type=CaseType.ANNUAL_REVIEW, anchor_on=date(2024, 2, 1))
    add_milestone(r3, "review_due", due_on=date(2025, 1, 31), met_on=date(2025, 1, 20))
    r4 = make_case(team=team, coordinator=casey, case_type=CaseType.ANNUAL_REVIEW, anchor_on=date(2024, 6, 1))
    add_milestone(r4, "review_due", due_on=date(2025, 5, 31))
    # Another team's overdue work.
    add_milestone(make_case(team=other_team, anchor_on=date(2024, 1, 1)), "final_plan", due_on=date(2024, 5, 20))
    db.session.commit()

    scope = scope_of(team)
    work = workload(scope, AS_AT)
    assert {c.key: c.count for c in work.overdue} == {
        "final_plan": 1,
        "review_due": 1,
        "transfer_in_review_due": 1,
        "response_due": 1,
    }
    assert work.overdue_total == 4
    assert work.open_assessments == 3
    assert work.longest_open_assessment_weeks == 20  # 141 days
    assert work.backlog == 1
    assert work.no_review == 2
    assert {c.name: c.open_cases for c in work.caseload} == {
        "Casey Coordinator": 4,
        "Jordan Coordinator": 2,
        "Not assigned": 1,
    }

    def ids(kind):
        return db.session.scalars(workload_ids(scope, kind, AS_AT)).all()

    assert len(ids("open_assessments")) == work.open_assessments and ids("open_assessments")[0] == past.id
    assert ids("backlog") == [past.id]
    assert sorted(ids("no_review")) == sorted([r1.id, r2.id])
    for c in work.caseload:
        held = Scope(scope.team_ids, coordinator_id=c.coordinator_id, unassigned=c.coordinator_id is None)
        assert len(db.session.scalars(workload_ids(held, "caseload", AS_AT)).all()) == c.open_cases
    for c in work.overdue:
        listed = db.session.scalars(
            oversight.overdue_ids(scope, OverdueFilters(as_at=AS_AT, show="overdue", milestone_key=c.key))
        ).all()
        assert len(listed) == c.count
    rows = oversight.case_rows(ids("open_assessments"), as_at=AS_AT, with_names=False)
    assert rows[0].weeks_open == 20 and rows[0].child_name is None
    assert workload(scope_of(other_team), AS_AT).overdue_total == 1


# --- The overdue list ------------------------------------------------------------------------------


def test_overdue_list_filters_sorts_and_hides_names(team, other_team):
    me = create_user(role="coordinator", teams=[team])
    colleague = create_user(role="coordinator", teams=[team])
    a = make_case(
        team=team,
        coordinator=me,
        first_name="Ada",
        last_name="Zed",
        primary_need=SenNeed.ASD,
        setting_name="Hill 100% Primary",
    )
    m_old = add_milestone(a, "final_plan", due_on=date(2025, 2, 1))  # 42 days overdue
    m_due_today = add_milestone(a, "response_due", ref="communication:1", due_on=AS_AT)  # due today: due soon
    b = make_case(
        team=team,
        coordinator=colleague,
        case_type=CaseType.ANNUAL_REVIEW,
        first_name="Bo",
        last_name="Young",
        primary_need=SenNeed.SEMH,
        setting_name="Riverside Academy",
    )
    m_recent = add_milestone(b, "review_decision_due", due_on=date(2025, 3, 10))  # 5 days overdue
    m_edge = add_milestone(b, "review_report_due", due_on=AS_AT + timedelta(days=10))  # the last day of "due soon"
    add_milestone(b, "invitations_by", due_on=AS_AT + timedelta(days=11))  # beyond: not listed
    add_milestone(b, "review_due", due_on=date(2025, 1, 1), met_on=date(2024, 12, 1))  # met: not listed
    add_milestone(b, "amendment_representations_close", due_on=date(2025, 3, 1), is_period=True)  # a period: not listed
    c = make_case(team=team, first_name="Cy", last_name="Adams")  # not assigned
    m_unassigned = add_milestone(c, "decision_to_assess", due_on=date(2025, 3, 14))  # 1 day overdue
    add_milestone(
        make_case(team=team, status=CaseStatus.WITHDRAWN, closed_on=date(2025, 1, 1)),
        "final_plan",
        due_on=date(2025, 1, 5),
    )
    add_milestone(make_case(team=other_team), "final_plan", due_on=date(2025, 1, 5))
    db.session.commit()
    scope = scope_of(team)

    def listed(s=scope, **kw):
        return db.session.scalars(oversight.overdue_ids(s, OverdueFilters(as_at=AS_AT, **kw))).all()

    assert listed() == [m_old.id, m_recent.id, m_unassigned.id, m_due_today.id, m_edge.id]  # most overdue first
    assert listed(descending=False) == list(reversed(listed()))
    assert listed(sort="due", descending=False) == listed()  # earliest due date first
    assert listed(sort="due", descending=True) == list(reversed(listed()))
    assert listed(sort="child", descending=False) == [
        m_unassigned.id,
        m_recent.id,
        m_edge.id,
        m_old.id,
        m_due_today.id,
    ]  # Adams, Young, Zed
    assert listed(show="overdue") == [m_old.id, m_recent.id, m_unassigned.id]
    assert listed(show="due_soon") == [m_due_today.id, m_edge.id]
    assert listed(due_within_days=0) == [m_old.id, m_recent.id, m_unassigned.id, m_due_today.id]
    assert listed(case_type=CaseType.ANNUAL_REVIEW) == [m_recent.id, m_edge.id]
    assert listed(milestone_key="final_plan") == [m_old.id]
    assert listed(primary_need=SenNeed.SEMH) == [m_recent.id, m_edge.id]
    assert listed(setting_contains="hill 100%") == [m_old.id, m_due_today.id]
    assert listed(setting_contains="100_") == []
    assert listed(Scope(scope.team_ids, coordinator_id=me.id)) == [m_old.id, m_due_today.id]
    assert listed(Scope(scope.team_ids, unassigned=True)) == [m_unassigned.id]
    assert listed(scope_of(other_team), show="overdue") != []
    assert listed(Scope(frozenset())) == []

    rows = oversight.milestone_rows(listed(), as_at=AS_AT, with_names=True)
    assert rows[0].child_name == "Ada Zed" and rows[0].days_late == 42 and rows[0].primary_need is SenNeed.ASD
    assert rows[3].days_late is None and rows[3].days_remaining == 0
    assert rows[2].coordinator_name is None
    hidden = oversight.milestone_rows(listed(), as_at=AS_AT, with_names=False)
    assert all(r.child_name is None and r.setting_name is None and r.primary_need is None for r in hidden)
    streamed = list(oversight.overdue_rows(scope, OverdueFilters(as_at=AS_AT), with_names=False, batch=2))
    assert [r.milestone_id for r in streamed] == listed()


def test_scope_for_never_widens_beyond_the_users_teams(team, other_team):
    manager = create_user(role="manager", teams=[team])
    assert oversight.scope_for(manager).team_ids == {team.id}
    assert oversight.scope_for(manager, team_id=other_team.id).team_ids == frozenset()
    assert oversight.scope_for(manager, team_id=team.id).team_ids == {team.id}
    assert oversight.can_see_child_names(manager)
    assert not oversight.can_see_child_names(create_user(role="viewer", teams=[team]))


# --- Targets and the monthly report ---------------------------------------------------------------


def test_targets_are_set_updated_validated_and_audited(team):
    manager = create_user(role="manager", teams=[team])
    target = oversight.set_target(
        measure="final_plan_20_weeks",
        month_on=FEB,
        target_percent=Decimal("60"),
        national_average_percent=None,
        actor=manager,
    )
    db.session.commit()
    oversight.set_target(
        measure="final_plan_20_weeks",
        month_on=FEB,
        target_percent=Decimal("62.5"),
        national_average_percent=Decimal("46.4"),
        actor=manager,
    )
    db.session.commit()
    rows = db.session.scalars(select(ComplianceTarget)).all()
    assert len(rows) == 1 and rows[0].id == target.id
    assert rows[0].target_percent == Decimal("62.50") and rows[0].national_average_percent == Decimal("46.40")
    entries = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "compliance_target_set").order_by(AuditEvent.id)
    ).all()
    assert len(entries) == 2
    assert entries[1].details["old"] == {"target_percent": "60.00", "national_average_percent": None}
    f = by_month(scope_of(team), "final_plan_20_weeks")
    assert f[FEB].target_percent == Decimal("62.50") and f[FEB].national_average_percent == Decimal("46.40")
    assert f[JAN].target_percent is None

    for kwargs, field in [
        ({"target_percent": Decimal("100.5")}, "target_percent"),
        ({"target_percent": Decimal("-1")}, "target_percent"),
        ({"target_percent": None}, "target_percent"),
        ({"target_percent": Decimal("50"), "national_average_percent": Decimal("101")}, "national_average_percent"),
        ({"target_percent": Decimal("50"), "measure": "nonsense"}, "measure"),
        ({"target_percent": Decimal("50"), "month_on": date(2025, 2, 2)}, "month"),
    ]:
        values = {"measure": "decision_6_weeks", "month_on": FEB, "national_average_percent": None, **kwargs}
        with pytest.raises(ServiceError) as error:
            oversight.set_target(actor=manager, **values)
        assert error.value.field == field
    with pytest.raises(Forbidden):
        oversight.set_target(
            measure="decision_6_weeks",
            month_on=FEB,
            target_percent=Decimal(50),
            national_average_percent=None,
            actor=create_user(role="viewer", teams=[team]),
        )


def test_monthly_report_compares_with_last_month(team):
    add_milestone(make_case(team=team), "decision_to_assess", due_on=date(2025, 1, 20), met_on=date(2025, 1, 20))
    add_milestone(make_case(team=team), "decision_to_assess", due_on=date(2025, 1, 20), met_on=date(2025, 1, 21))
    add_milestone(make_case(team=team), "decision_to_assess", due_on=date(2025, 2, 20), met_on=date(2025, 2, 19))
    db.session.commit()
    lines = {line.measure.key: line for line in oversight.monthly_report(scope_of(team), FEB, AS_AT)}
    decision = lines["decision_6_weeks"]
    assert decision.this_month.month_on == FEB and decision.last_month.month_on == JAN
    assert decision.this_month.headline.percent == 100.0 and decision.last_month.headline.percent == 50.0
    assert decision.change == 50.0
    assert lines["final_plan_20_weeks"].change is None


def test_months_and_parsing():
    assert oversight.months_ending(date(2025, 3, 15), 3) == MONTHS
    assert oversight.months_ending(date(2025, 1, 31), 2) == [date(2024, 12, 1), date(2025, 1, 1)]
    assert oversight.parse_month("2025-02") == FEB
    assert (
        oversight.parse_month("2025-13") is None
        and oversight.parse_month("x") is None
        and oversight.parse_month(None) is None
    )


# --- Exports -------------------------------------------------------------------------------------


def test_exports_escape_formulas_and_leave_out_names_for_viewers(team):
    case = make_case(team=team, first_name="=HYPERLINK(1)", last_name="Smith", setting_name="@School")
    add_milestone(case, "final_plan", due_on=date(2025, 3, 1))
    db.session.commit()
    rows = list(oversight.overdue_rows(scope_of(team), OverdueFilters(as_at=AS_AT), with_names=True))
    text = "".join(exports.csv_stream(exports.overdue_table(iter(rows), with_names=True)))
    assert text.startswith("\ufeffCase number,Child,")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[1][1] == "'=HYPERLINK(1) Smith" and parsed[1][3] == "'@School"
    assert parsed[1][parsed[0].index("Days overdue")] == "14"

    book = load_workbook(io.BytesIO(exports.xlsx_bytes([exports.overdue_table(iter(rows), with_names=True)])))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][1] == "'=HYPERLINK(1) Smith"
    assert values[1][values[0].index("Due date")].date() == date(2025, 3, 1)

    anonymous = list(oversight.overdue_rows(scope_of(team), OverdueFilters(as_at=AS_AT), with_names=False))
    text = "".join(exports.csv_stream(exports.overdue_table(iter(anonymous), with_names=False)))
    assert "Child" not in text and "Smith" not in text and "School" not in text

    series = monthly_figures(scope_of(team), MONTHS, AS_AT)
    table = exports.figures_table(series)
    assert len(list(table.rows)) == len(MONTHS) * len(oversight.MEASURES)
