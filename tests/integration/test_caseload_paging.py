"""The caseload's pages: counted on the cases alone and read a page at a time, in next-due order
with the cases that have nothing due last."""

from __future__ import annotations

from datetime import date, timedelta

from ehc_tracker.extensions import db
from ehc_tracker.models.case import CaseStatus
from ehc_tracker.services.caseload import CaseloadFilters, caseload_page
from tests.factories_reports import make_case
from tests.helpers import create_team, create_user


def test_pages_follow_the_next_due_date_with_nothing_due_last_and_count_every_case(app):
    team = create_team()
    manager = create_user(role="manager", teams=[team])
    cases = []
    for n in range(30):
        case = make_case(team=team)
        case.next_due_on = None if n % 7 == 0 else date(2026, 1, 1) + timedelta(days=(n * 11) % 17)
        cases.append(case)
    closed = make_case(team=team, status=CaseStatus.CLOSED, closed_on=date(2025, 6, 1))
    other_team = make_case(team=create_team())
    db.session.commit()
    expected = [c.id for c in sorted(cases, key=lambda c: (c.next_due_on is None, c.next_due_on or date.min, c.id))]
    filters = CaseloadFilters(coordinator="", status="open")
    first, rows = caseload_page(manager, filters, date(2026, 1, 1), page=1, per_page=25)
    second, more = caseload_page(manager, filters, date(2026, 1, 1), page=2, per_page=25)
    assert first.total == second.total == 30
    assert [r.case.id for r in rows + more] == expected
    assert closed.id not in expected and other_team.id not in expected
    ended, ended_rows = caseload_page(manager, CaseloadFilters(coordinator="", status="closed"), date(2026, 1, 1))
    assert ended.total == 1 and [r.case.id for r in ended_rows] == [closed.id]
