"""A case's cached next due date (the caseload's "Due date" order) passes over a step that lapsed
unmet: the daily job moves it on, so the caseload sorts by the step the coordinator sees."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ehc_tracker.alerts.job import run_alerts
from ehc_tracker.extensions import db
from ehc_tracker.models.case import Case
from ehc_tracker.services.milestones import refresh_next_due
from tests.factories_reports import add_milestone, make_case
from tests.helpers import create_team

DAY = date(2026, 12, 1)  # a Tuesday


def _case_with(team, *steps):
    case = make_case(team=team, anchor_on=date(2025, 12, 1))
    for key, due_on, lapses_on in steps:
        add_milestone(case, key, due_on=due_on).lapses_on = lapses_on
    case.next_due_on = min(due for _, due, _ in steps)
    return case


def test_the_daily_job_moves_the_next_due_date_past_steps_that_lapsed(app):
    team = create_team()
    lapsed = _case_with(
        team,
        ("phase_transfer_due", date(2026, 2, 14), date(2026, 9, 1)),
        ("review_decision_due", date(2026, 12, 15), None),
    )
    waiting = _case_with(team, ("phase_transfer_due", date(2026, 2, 14), date(2027, 9, 1)))
    nothing_left = _case_with(team, ("phase_transfer_due", date(2026, 2, 14), date(2026, 9, 1)))
    db.session.commit()
    assert refresh_next_due(date(2026, 8, 31)) == 0
    db.session.rollback()
    report = run_alerts(DAY, now=datetime(2026, 12, 1, 7, 0, tzinfo=UTC), send=False)
    assert report.status == "succeeded", report
    db.session.expire_all()
    assert db.session.get(Case, lapsed.id).next_due_on == date(2026, 12, 15)
    assert db.session.get(Case, waiting.id).next_due_on == date(2026, 2, 14)  # overdue, still possible
    assert db.session.get(Case, nothing_left.id).next_due_on is None
    assert refresh_next_due(DAY) == 0  # nothing more to move
