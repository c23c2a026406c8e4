"""The dashboard's complaints and family feedback figures, counted by hand (run on SQLite and PostgreSQL)."""

from datetime import UTC, date, datetime

from ehc_tracker.extensions import db
from ehc_tracker.models.voice import (
    Complaint,
    ComplaintCategory,
    ComplaintStage,
    FamilySurvey,
    SurveyPoint,
    SurveyRating,
)
from ehc_tracker.services import reports
from ehc_tracker.services.reports import Scope
from tests.factories_reports import make_case
from tests.helpers import create_team, create_user

AS_AT = date(2025, 3, 15)
MONTHS = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]


def _complaint(case, category, received_on, due_on, responded_on=None):
    c = Complaint(
        child_id=case.child_id,
        case_id=case.id,
        team_id=case.team_id,
        stage=ComplaintStage.STAGE_1,
        category=category,
        received_on=received_on,
        response_due_on=due_on,
        responded_on=responded_on,
        summary="x",
    )
    db.session.add(c)
    return c


_n = iter(range(10_000))


def _answer(case, rating, answered_on):
    n = next(_n)
    user = create_user(role="family", commit=False)
    s = FamilySurvey(
        case_id=case.id,
        team_id=case.team_id,
        coordinator_id=case.coordinator_id,
        user_id=user.id,
        point=SurveyPoint.PLAN_ISSUED,
        token_hash=f"{n:064d}",
        offered_at=datetime(2024, 12, 1, tzinfo=UTC),
        expires_at=datetime(2026, 1, 1, tzinfo=UTC),
        answered_at=datetime.combine(answered_on, datetime.min.time(), tzinfo=UTC),
        answered_on=answered_on,
        rating=rating,
    )
    db.session.add(s)
    return s


def test_complaints_by_month_and_category_against_the_target(app):
    team, other = create_team(), create_team()
    case = make_case(team=team)
    comm, late = ComplaintCategory.COMMUNICATION, ComplaintCategory.TIMELINESS
    for day in range(1, 7):  # six about communication in January: not under the target of 6
        _complaint(case, comm, date(2025, 1, day), date(2025, 1, 20), responded_on=date(2025, 1, 20))
    _complaint(case, late, date(2025, 2, 3), date(2025, 2, 17), responded_on=date(2025, 2, 18))  # late
    _complaint(case, comm, date(2025, 3, 3), date(2025, 3, 14))  # open, overdue at 15 March
    _complaint(case, comm, date(2025, 3, 10), date(2025, 3, 24))  # open, not yet due
    _complaint(case, comm, date(2025, 3, 20), date(2025, 4, 3))  # after the as-at date: not counted
    _complaint(make_case(team=other), comm, date(2025, 1, 6), date(2025, 1, 20))  # another team
    db.session.flush()
    f = reports.complaint_figures(Scope(frozenset({team.id})), MONTHS, AS_AT)
    assert [m.total for m in f.months] == [6, 1, 2]
    assert [m.communication for m in f.months] == [6, 0, 2]
    assert [f.meets_target(m) for m in f.months] == [False, True, True]
    assert f.months_meeting_target == 2 and f.communication_target == 6
    assert f.total(late) == 1 and f.total() == 9
    # Due in the months, before 15 March: six in January (on time), one in February (late), one on 14 March (open).
    assert (f.responses_due, f.responses_on_time, f.on_time_percent) == (8, 6, 75.0)
    assert (f.open_now, f.overdue_now) == (2, 1)
    assert f.months[-1].partial and not f.months[0].partial
    nobody = reports.complaint_figures(Scope(frozenset()), MONTHS, AS_AT)
    assert nobody.empty


def test_share_satisfied_by_month_and_by_team(app):
    north, south = create_team(name="North"), create_team(name="South")
    a = make_case(team=north)
    b = make_case(team=south)
    s, p, n = SurveyRating.SATISFIED, SurveyRating.PARTLY, SurveyRating.NOT_SATISFIED
    _answer(a, s, date(2025, 1, 10))
    _answer(a, n, date(2025, 1, 31))
    _answer(b, s, date(2025, 2, 1))
    _answer(b, s, date(2025, 2, 28))
    _answer(b, p, date(2025, 2, 28))
    _answer(a, s, date(2025, 3, 16))  # after the as-at date
    _answer(a, s, date(2024, 12, 31))  # before the months shown
    db.session.flush()
    f = reports.feedback_figures(Scope(frozenset({north.id, south.id})), MONTHS, AS_AT)
    assert [m.figure.answered for m in f.months] == [2, 3, 0]
    assert [m.figure.percent for m in f.months] == [50.0, 66.7, None]
    assert (f.overall.answered, f.overall.satisfied, f.overall.partly, f.overall.not_satisfied) == (5, 3, 1, 1)
    assert f.overall.percent == 60.0 and f.target_percent == 80
    assert [(t.name, t.figure.answered, t.figure.satisfied) for t in f.by_team] == [("North", 2, 1), ("South", 3, 2)]
    only_north = reports.feedback_figures(Scope(frozenset({north.id})), MONTHS, AS_AT)
    assert only_north.overall.answered == 2 and [t.name for t in only_north.by_team] == ["North"]
