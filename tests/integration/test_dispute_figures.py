"""Mediation and appeals in figures: by month, by what is disputed and by outcome, appeals per 1,000
plans, mediation taken up, and orders complied with on time; each figure and its list agree.

Run on SQLite and on PostgreSQL (the outcomes are read from the steps' JSON details by SQL)."""

from datetime import date

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models.case import AppealType, EventType, Milestone, Plan
from ehc_tracker.services import cases as svc
from ehc_tracker.services import reports as oversight
from ehc_tracker.services.reports import Scope
from tests.factories_cases import create_refused_dispute
from tests.factories_children import create_child
from tests.helpers import create_team

record = svc.record_event
TODAY = date(2025, 12, 1)
LETTER = date(2025, 2, 10)
MONTHS = [date(2025, m, 1) for m in range(1, 13)]


def _dispute(team, appeal_type=AppealType.REFUSAL_TO_ASSESS):
    return create_refused_dispute(team=team, appeal_type=appeal_type, letter_on=LETTER, today=TODAY)


def _step(dispute, event_type, on, **details):
    record(dispute, event_type, on, actor=dispute.coordinator, today=TODAY, **details)


def _plans(team, *, active, ceased):
    for n in range(active + ceased):
        child = create_child(team=team, date_of_birth=date(2015, 5, 1))
        db.session.add(
            Plan(child_id=child.id, issued_on=date(2024, 3, 1), ceased_on=date(2025, 6, 1) if n >= active else None)
        )
    db.session.commit()


def _world():
    """Three disputes in the north team, one in the south; hand-counted figures in the tests."""
    north, south = create_team(name="North"), create_team(name="South")
    # D1: mediation without agreement, then an appeal upheld at a hearing; the order done late.
    d1 = _dispute(north)
    _step(d1, EventType.MEDIATION_REQUESTED, date(2025, 3, 3), requested_by="parent")
    _step(d1, EventType.MEDIATION_HELD, date(2025, 3, 31), mediation_outcome="no_agreement")
    _step(d1, EventType.MEDIATION_CERTIFICATE_ISSUED, date(2025, 4, 2))
    _step(d1, EventType.APPEAL_REGISTERED, date(2025, 4, 7), tribunal_reference="EH1")
    _step(d1, EventType.HEARING_HELD, date(2025, 5, 28))
    _step(d1, EventType.APPEAL_OUTCOME, date(2025, 6, 2), appeal_outcome="upheld", limbs=["assessment_notice"])
    # Reg 44(2)(b): due 16 June (2 weeks from 2 June); done on 20 June, late.
    _step(d1, EventType.DISPUTE_ACTION_TAKEN, date(2025, 6, 20), under="order", limb="assessment_notice")
    # D2: no mediation (a certificate only), an appeal the council did not oppose; done on time.
    d2 = _dispute(north)
    _step(d2, EventType.MEDIATION_CERTIFICATE_ISSUED, date(2025, 4, 1))
    _step(d2, EventType.APPEAL_REGISTERED, date(2025, 4, 14), tribunal_reference="EH2")
    _step(d2, EventType.APPEAL_NOT_OPPOSED, date(2025, 5, 5), limbs=["assessment_notice"])
    # Reg 45(3): due 19 May (2 weeks from 5 May); done on 12 May.
    _step(d2, EventType.DISPUTE_ACTION_TAKEN, date(2025, 5, 12), under="unopposed", limb="assessment_notice")
    # D3: mediation that reached an agreement the council has not carried out (reg 42(3): due 4 July).
    d3 = _dispute(north, AppealType.DISABILITY_DISCRIMINATION)
    _step(d3, EventType.MEDIATION_REQUESTED, date(2025, 6, 2), requested_by="young_person")
    _step(d3, EventType.MEDIATION_HELD, date(2025, 6, 20), mediation_outcome="agreement")
    _step(d3, EventType.MEDIATION_AGREEMENT_RECORDED, date(2025, 6, 20), limbs=["other_action"])
    # D4: another team's appeal, never in the north's figures.
    d4 = _dispute(south)
    _step(d4, EventType.APPEAL_REGISTERED, date(2025, 4, 7), tribunal_reference="EH4")
    _step(d4, EventType.HEARING_HELD, date(2025, 6, 1))
    _step(d4, EventType.APPEAL_OUTCOME, date(2025, 6, 2), appeal_outcome="dismissed", limbs=[])
    db.session.commit()
    _plans(north, active=3, ceased=1)
    _plans(south, active=2, ceased=0)
    return north, south, (d1, d2, d3, d4)


def _by_month(figures, figure):
    return {m.month_on.month: m.counts[figure] for m in figures.months if m.counts[figure]}


def test_the_figures_by_month_type_and_outcome_for_one_team(app):
    north, _, _ = _world()
    f = oversight.dispute_figures(Scope(frozenset({north.id})), MONTHS, TODAY)
    assert _by_month(f, "mediation_requested") == {3: 1, 6: 1}
    assert _by_month(f, "mediation_held") == {3: 1, 6: 1}
    assert _by_month(f, "mediation_agreement") == {6: 1}
    assert _by_month(f, "certificate_issued") == {4: 2}
    assert _by_month(f, "appeal_registered") == {4: 2}
    assert _by_month(f, "appeal_decided") == {5: 1, 6: 1}
    assert [(r.appeal_type, r.registered, r.decided, r.upheld, r.conceded) for r in f.by_type] == [
        (AppealType.REFUSAL_TO_ASSESS, 2, 2, 1, 1)
    ]
    assert [(r.outcome, r.count) for r in f.by_outcome] == [("upheld", 1), ("not_opposed", 1)]
    assert (f.decided_at_hearing, f.upheld_at_hearing, f.upheld_percent) == (1, 1, 100.0)
    # Three families went to a mediation adviser (3 March, 1 April, 2 June); two asked for mediation.
    assert (f.mediation_advice, f.mediation_taken_up, f.taken_up_percent) == (3, 2, 66.7)
    # Three plans in force on 1 December 2025 (one ceased in June); 2 appeals: 666.7 per 1,000.
    assert f.plans_maintained == 3 and f.appeals_per_thousand_plans == 666.7
    assert f.months[-1].partial and not f.months[-2].partial and f.months[0].empty and not f.empty


def test_both_teams_and_the_months_asked_for(app):
    north, south, _ = _world()
    both = oversight.dispute_figures(Scope(frozenset({north.id, south.id})), MONTHS, TODAY)
    assert both.total("appeal_registered") == 3 and both.plans_maintained == 5
    assert [(r.outcome, r.count) for r in both.by_outcome] == [("dismissed", 1), ("upheld", 1), ("not_opposed", 1)]
    assert (both.decided_at_hearing, both.upheld_percent) == (2, 50.0)
    spring = oversight.dispute_figures(Scope(frozenset({north.id})), [date(2025, 3, 1), date(2025, 4, 1)], TODAY)
    assert spring.total("appeal_registered") == 2 and spring.total("appeal_decided") == 0
    # First contact with the adviser in March or April: D1 (3 March) and D2 (1 April), not D3 (June).
    assert (spring.mediation_advice, spring.mediation_taken_up) == (2, 1)
    # As at a day before a step, the step is not counted.
    early = oversight.dispute_figures(Scope(frozenset({north.id})), MONTHS, date(2025, 4, 10))
    assert early.total("appeal_registered") == 1 and early.total("appeal_decided") == 0
    nobody = oversight.dispute_figures(Scope(frozenset()), MONTHS, TODAY)
    assert nobody.empty and nobody.plans_maintained == 0 and nobody.appeals_per_thousand_plans is None


def _ids(scope, figure, first, last, **kw):
    spec = oversight.DisputeDrillDown(figure, first, oversight.next_month(last), TODAY, **kw)
    return set(db.session.scalars(oversight.dispute_ids(scope, spec)))


def test_each_figure_and_its_list_agree(app):
    north, _, (d1, d2, d3, d4) = _world()
    scope = Scope(frozenset({north.id}))
    f = oversight.dispute_figures(scope, MONTHS, TODAY)
    for figure in oversight.MONTHLY_FIGURES:
        for month in f.months:
            assert len(_ids(scope, figure, month.month_on, month.month_on)) == month.counts[figure], (figure, month)
    assert _ids(scope, "appeal_registered", MONTHS[0], MONTHS[-1]) == {d1.id, d2.id}
    assert _ids(scope, "appeal_decided", MONTHS[0], MONTHS[-1], outcome="upheld_at_hearing") == {d1.id}
    assert _ids(scope, "appeal_decided", MONTHS[0], MONTHS[-1], outcome="conceded_or_not_opposed") == {d2.id}
    assert _ids(scope, "appeal_decided", MONTHS[0], MONTHS[-1], outcome="not_opposed") == {d2.id}
    assert _ids(scope, "mediation_advice", MONTHS[0], MONTHS[-1]) == {d1.id, d2.id, d3.id}
    assert _ids(scope, "mediation_taken_up", MONTHS[0], MONTHS[-1]) == {d1.id, d3.id}
    assert _ids(scope, "mediation_advice", MONTHS[0], MONTHS[-1], appeal_type=AppealType.DISABILITY_DISCRIMINATION) == {
        d3.id
    }
    assert d4.id not in _ids(Scope(frozenset({north.id})), "appeal_decided", MONTHS[0], MONTHS[-1])


def test_orders_concessions_and_agreements_complied_with_on_time_is_a_measure_by_due_month(app):
    north, _, (d1, d2, d3, _) = _world()
    scope = Scope(frozenset({north.id}))
    measure = oversight.MEASURE_BY_KEY["dispute_duties_on_time"]
    assert {"order_assessment_notice", "unopposed_assessment_notice", "mediation_agreement_other_action"} <= set(
        measure.keys
    )
    assert "mediation_agreement_notice_to_council" not in measure.keys  # the commissioning body's, not ours
    series = oversight.monthly_figures(scope, MONTHS, TODAY, measures=[measure])[0]
    counted = {
        m.month_on.month: (m.including.counted, m.including.on_time) for m in series.months if m.including.counted
    }
    # Due 19 May, done 12 May (on time); due 16 June, done 20 June (late); due 4 July, not done (late).
    assert counted == {5: (1, 1), 6: (1, 0), 7: (1, 0)}
    late = oversight.DrillDown(measure, MONTHS[0], oversight.next_month(MONTHS[-1]), TODAY, outcome="late")
    ids = oversight.drilldown_ids(scope, late).subquery()
    cases = set(db.session.scalars(select(Milestone.case_id).where(Milestone.id.in_(select(ids.c.id)))))
    assert cases == {d1.id, d3.id}
