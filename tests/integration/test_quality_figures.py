"""The share of audits rated good or better, by month against the target trajectory, by team, by
coordinator and by advice provider, with the lists behind them. Run on SQLite and PostgreSQL."""

from datetime import date
from decimal import Decimal

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditSubject, ComplianceTarget, Grade, QualityAudit
from ehc_tracker.models.case import AdviceRequest, AdviceType
from ehc_tracker.models.quality import AuditStatus
from ehc_tracker.services import quality
from ehc_tracker.services.reports import Scope
from ehc_tracker.services.reports.quality import audit_rows, quality_figures
from tests.factories_cases import create_assessment
from tests.helpers import create_team, create_user

SEP, OCT, NOV = date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)


def _audit(case, month_on, grade, *, status=AuditStatus.COMPLETE, provider=None):
    framework = quality.current_framework(AuditSubject.ADVICE if provider else AuditSubject.PLAN)
    advice = None
    if provider:
        advice = AdviceRequest(
            case_id=case.id, advice_type=AdviceType.EP, provider=provider, requested_on=date(2025, 6, 1)
        )
        db.session.add(advice)
        db.session.flush()
    db.session.add(
        QualityAudit(
            month_on=month_on,
            subject=AuditSubject.ADVICE if provider else AuditSubject.PLAN,
            case_id=case.id,
            advice_request_id=advice.id if advice else None,
            framework_id=framework.id,
            status=status,
            grade=grade,
            final_grade=grade if status is AuditStatus.COMPLETE else None,
        )
    )


def _world():
    admin = create_user(role="admin")
    quality.publish_framework(AuditSubject.PLAN, "Plans", "# A\nq", actor=admin)
    quality.publish_framework(AuditSubject.ADVICE, "Advice", "# A\nq", actor=admin)
    north, south = create_team(name="North"), create_team(name="South")
    ann = create_user(role="coordinator", teams=[north], name="Ann Ash")
    bob = create_user(role="coordinator", teams=[north], name="Bob Birch")
    sue = create_user(role="coordinator", teams=[south], name="Sue Sand")
    a, b, s = (create_assessment(team=t, coordinator=c) for t, c in ((north, ann), (north, bob), (south, sue)))
    # North, October: Ann outstanding + good, Bob requires improvement; one awaiting moderation.
    _audit(a, OCT, Grade.OUTSTANDING)
    _audit(a, OCT, Grade.GOOD, provider="EP Service")
    _audit(b, OCT, Grade.REQUIRES_IMPROVEMENT, provider="EP Service")
    _audit(b, OCT, Grade.GOOD, status=AuditStatus.AWAITING_MODERATION)
    # North, November: Bob inadequate. South, October: good.
    _audit(b, NOV, Grade.INADEQUATE, provider="Health Trust")
    _audit(s, OCT, Grade.GOOD)
    db.session.add(ComplianceTarget(measure="audits_good_or_better", month_on=OCT, target_percent=Decimal("60")))
    db.session.commit()
    return north, south, ann, bob


def test_good_or_better_by_month_against_the_target(app):
    north, south, *_ = _world()
    figures = quality_figures(Scope(frozenset({north.id})), [SEP, OCT, NOV], with_names=True)
    assert [(m.figure.audited, m.figure.good) for m in figures.months] == [(0, 0), (3, 2), (1, 0)]
    oct_ = figures.months[1]
    assert oct_.figure.percent == 66.7 and oct_.target_percent == Decimal("60") and oct_.meets_target is True
    assert figures.months[0].figure.percent is None and figures.months[2].target_percent is None
    both = quality_figures(Scope(frozenset({north.id, south.id})), [OCT], with_names=True)
    assert [(r.label, r.figure.audited, r.figure.good) for r in both.by_team] == [("North", 3, 2), ("South", 1, 1)]


def test_breakdowns_by_coordinator_and_provider_and_the_lists_behind_them(app):
    north, south, ann, bob = _world()
    scope = Scope(frozenset({north.id}))
    figures = quality_figures(scope, [OCT, NOV], with_names=True)
    assert [(r.label, r.figure.audited, r.figure.good) for r in figures.by_coordinator] == [
        ("Ann Ash", 2, 2),
        ("Bob Birch", 2, 0),
    ]
    assert [(r.label, r.figure.audited, r.figure.good) for r in figures.by_provider] == [
        ("EP Service", 2, 1),
        ("Health Trust", 1, 0),
    ]
    listed = audit_rows(scope, OCT, NOV, good=True, with_names=True)
    assert len(listed) == figures.months[0].figure.good
    assert {r.coordinator for r in listed} == {"Ann Ash"}
    assert len(audit_rows(scope, OCT, date(2025, 12, 1), provider="EP Service", with_names=True)) == 2
    # A viewer's figures name nobody.
    hidden = quality_figures(scope, [OCT, NOV], with_names=False)
    assert [r.label for r in hidden.by_coordinator] == ["Coordinator 1", "Coordinator 2"]
    assert all(r.child_name is None and r.coordinator is None for r in audit_rows(scope, OCT, NOV, with_names=False))
