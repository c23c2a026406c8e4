"""Complaints: the response clock (working days, per stage, local settings), the response, audit."""

from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, LocalNonWorkingDay
from ehc_tracker.models.voice import ComplaintCategory, ComplaintOutcome, ComplaintStage
from ehc_tracker.services import Forbidden, ServiceError, complaints
from tests.factories_cases import TODAY, create_assessment
from tests.helpers import create_team, create_user


def _record(case, *, stage=ComplaintStage.STAGE_1, received_on=date(2025, 12, 19), actor=None, **kw):
    return complaints.record_complaint(
        case.child,
        case=case,
        stage=stage,
        category=kw.pop("category", ComplaintCategory.COMMUNICATION),
        received_on=received_on,
        summary=kw.pop("summary", "Nobody returned my calls"),
        actor=actor or case.coordinator,
        today=kw.pop("today", date(2026, 2, 1)),
    )


def test_stage_1_response_is_due_10_working_days_after_it_was_received(app):
    case = create_assessment()
    # Received Friday 19 December 2025: 25, 26 December and 1 January are bank holidays.
    complaint = _record(case)
    assert complaint.response_due_on == date(2026, 1, 7)
    assert complaints.response_working_days(ComplaintStage.STAGE_1) == 10


def test_each_stage_has_its_own_clock_and_the_council_can_change_it(app):
    case = create_assessment()
    assert _record(case, stage=ComplaintStage.STAGE_2, received_on=date(2025, 3, 3)).response_due_on == date(
        2025, 3, 31
    )
    app.config["COMPLAINT_RESPONSE_WORKING_DAYS_OMBUDSMAN"] = 5
    assert _record(case, stage=ComplaintStage.OMBUDSMAN, received_on=date(2025, 3, 3)).response_due_on == date(
        2025, 3, 10
    )


def test_the_councils_own_non_working_days_are_not_counted(app):
    case = create_assessment()
    db.session.add(LocalNonWorkingDay(day_on=date(2025, 12, 24), description="Closure day"))
    db.session.flush()
    assert _record(case).response_due_on == date(2026, 1, 8)


def test_a_complaint_is_overdue_only_after_its_due_date_without_a_response(app):
    case = create_assessment()
    complaint = _record(case)
    assert not complaint.is_overdue(date(2026, 1, 7))
    assert complaint.is_overdue(date(2026, 1, 8))
    complaints.record_response(
        complaint,
        responded_on=date(2026, 1, 9),
        outcome=ComplaintOutcome.PARTLY_UPHELD,
        lessons="Call back within a day",
        actor=case.coordinator,
        today=date(2026, 1, 9),
    )
    assert not complaint.is_overdue(date(2026, 2, 1)) and not complaint.is_open
    entries = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("complaint_%"))).all()
    assert [e.action for e in entries] == ["complaint_recorded", "complaint_response_recorded"]
    assert "late" in entries[1].summary


def test_refusals(app):
    case = create_assessment()
    with pytest.raises(ServiceError, match="after today"):
        _record(case, received_on=date(2026, 3, 1))
    with pytest.raises(ServiceError, match="Describe"):
        _record(case, summary="   ")
    other = create_assessment()
    with pytest.raises(ServiceError, match="this child's cases"):
        complaints.record_complaint(
            case.child,
            case=other,
            stage=ComplaintStage.STAGE_1,
            category=ComplaintCategory.OTHER,
            received_on=TODAY,
            summary="x",
            actor=case.coordinator,
            today=TODAY,
        )
    stranger = create_user(role="coordinator", teams=[create_team()])
    with pytest.raises(Forbidden):
        _record(case, actor=stranger)
    complaint = _record(case)
    with pytest.raises(ServiceError, match="before the complaint was received"):
        complaints.record_response(
            complaint,
            responded_on=date(2025, 12, 1),
            outcome=ComplaintOutcome.UPHELD,
            lessons=None,
            actor=case.coordinator,
            today=TODAY,
        )


def test_the_list_filters_open_and_overdue_within_the_readers_teams(app):
    case = create_assessment()
    late = _record(case, received_on=date(2025, 11, 3))
    recent = _record(case, received_on=date(2025, 11, 28), category=ComplaintCategory.PROVISION)
    other_team = _record(create_assessment(), received_on=date(2025, 11, 3))
    teams = {case.team_id}

    def ids(**kw):
        f = complaints.ComplaintFilters(today=TODAY, **kw)
        return [c.id for c in db.session.scalars(complaints.complaint_list(teams, f))]

    assert ids() == [recent.id, late.id]
    assert ids(status="overdue") == [late.id]
    assert ids(category=ComplaintCategory.PROVISION) == [recent.id]
    assert ids(month_on=date(2025, 11, 1), sort="due", descending=False) == [late.id, recent.id]
    assert other_team.id not in ids()
