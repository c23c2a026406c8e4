"""The large-profile generator: bulk rows that the services would have written themselves."""

from datetime import date

from sqlalchemy import func, select, text

from ehc_tracker.demo.large import generate
from ehc_tracker.extensions import db
from ehc_tracker.models import Case, Child, Milestone, Role, Team, User
from ehc_tracker.models.case import CaseStatus, CaseType, RequestSource
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import open_steps
from ehc_tracker.services.milestones import recompute
from ehc_tracker.statutory.calendar import WorkingDayCalendar
from ehc_tracker.statutory.rules import StatutorySettings

TODAY = date(2026, 11, 23)


def _snapshot(case):
    return sorted((m.key, m.ref, m.due_on, m.met_on, m.is_period, m.exception_applies) for m in case.milestones)


def test_generates_a_realistic_authority(app):
    counts = generate(children=60, today=TODAY, batch_size=25)
    assert counts["children"] == 60
    assert db.session.scalar(select(func.count(Team.id))) == 6
    assert db.session.scalar(select(func.count(User.id)).where(User.role == Role.COORDINATOR)) == 40
    cases = list(db.session.scalars(select(Case)))
    assert {CaseType.ASSESSMENT, CaseType.ANNUAL_REVIEW} <= {c.case_type for c in cases}
    assert {CaseStatus.OPEN, CaseStatus.COMPLETED} <= {c.status for c in cases}
    reviews = sum(c.case_type is CaseType.ANNUAL_REVIEW for c in cases)
    assert reviews > 2 * 60  # several reviews a child over five years
    late = db.session.scalar(select(func.count(Milestone.id)).where(Milestone.met_on > Milestone.due_on))
    on_time = db.session.scalar(select(func.count(Milestone.id)).where(Milestone.met_on <= Milestone.due_on))
    overdue = db.session.scalar(
        select(func.count(Milestone.id)).where(
            Milestone.met_on.is_(None), Milestone.due_on < TODAY, Milestone.is_period.is_(False)
        )
    )
    assert late and on_time and overdue
    # The bulk rows carry their case's team, coordinator and status as the listeners would set them.
    assert open_steps.mismatches() == 0
    assert db.session.scalar(select(func.count(Milestone.id)).where(Milestone.case_open.is_(False)))


def test_generated_milestones_are_what_the_services_compute(app):
    generate(children=30, today=TODAY, batch_size=30)
    db.session.expire_all()
    calendar, settings = WorkingDayCalendar(), StatutorySettings()
    for case in db.session.scalars(select(Case).order_by(Case.id)):
        before = (_snapshot(case), case.next_due_on)
        recompute(case, calendar=calendar, settings=settings, on=TODAY)
        assert (_snapshot(case), case.next_due_on) == before, case.id
    db.session.rollback()


def test_new_records_after_generation_get_fresh_keys(app):
    generate(children=10, today=TODAY, batch_size=10)
    manager_team = db.session.scalars(select(Team).order_by(Team.id)).first()
    coordinator = next(u for u in manager_team.members if u.role is Role.COORDINATOR)
    child = db.session.scalars(select(Child).where(Child.team_id == manager_team.id)).first()
    for case in child.cases:
        case.status = CaseStatus.CLOSED
    db.session.flush()
    case = case_service.open_assessment(
        child=child,
        received_on=date(2026, 11, 2),
        source=RequestSource.PARENT,
        team=manager_team,
        coordinator=coordinator,
        actor=coordinator,
        today=TODAY,
        reassessment=case_service.current_plan(child) is not None,  # a child with a plan is reassessed
    )
    db.session.commit()
    assert case.id > max(c.id for c in child.cases if c.id != case.id)


def test_seed_demo_large_profile_command(runner):
    result = runner.invoke(args=["seed-demo", "--profile", "large", "--children", "12"])
    assert result.exit_code == 0, result.output
    assert "Rows: children 12" in result.output


def test_the_planner_has_fresh_statistics_as_soon_as_the_rows_are_in(app):
    """ANALYZE runs when the generator finishes: no page waits for autovacuum to notice the rows."""
    generate(children=20, today=TODAY, batch_size=20)
    milestones = db.session.scalar(select(func.count(Milestone.id)))
    if db.engine.dialect.name == "postgresql":
        estimate = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'milestones'"))
        assert estimate == milestones  # a table this small is read whole by ANALYZE
    else:
        # An index over every row (a partial index's statistics count only its own rows).
        stat = db.session.scalar(
            text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'milestones' AND idx = 'ix_milestones_due_on'")
        )
        assert stat is not None and int(stat.split()[0]) == milestones
