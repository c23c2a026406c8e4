"""The demo data, loaded today, keeps the law: no step already overdue on the day it came into
being, settings that fit each child's year group, and every case built through the services.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models.case import Case, EventType, Milestone, Plan, RequestSource
from ehc_tracker.models.child import Child
from ehc_tracker.services.clock import today
from ehc_tracker.statutory.years import compulsory_school_age_ends, national_curriculum_year, school_year_start_year

# Steps that come into being with a later event than their anchor: the day that event was recorded.
_CREATED_BY = {
    "invitations_by": EventType.REVIEW_MEETING_SCHEDULED,
    "advice_circulated_by": EventType.REVIEW_MEETING_SCHEDULED,
}


def _created_on(case: Case, milestone: Milestone):
    """The day a milestone came into being: the event that made it a step of the case."""
    cause = _CREATED_BY.get(milestone.key)
    if cause is not None:
        event = case.event(cause)
        assert event is not None
        return event.occurred_on
    if milestone.key == "phase_transfer_due":
        return case.anchor_on  # looked for when the plan was made or last reviewed
    return milestone.anchor_on


def test_the_demo_data_keeps_the_law(runner):
    """Loading the demo takes a while: it is loaded once and each check below reads it."""
    result = runner.invoke(args=["seed-demo", "--children", "150"])
    assert result.exit_code == 0, result.output
    no_demo_step_is_overdue_on_the_day_it_came_into_being()
    demo_settings_fit_the_childs_year_group_and_requests_fit_the_childs_age()


def no_demo_step_is_overdue_on_the_day_it_came_into_being():
    born_overdue = []
    checked = 0
    for case in db.session.scalars(select(Case)):
        for m in case.milestones:
            checked += 1
            if m.due_on < _created_on(case, m):
                born_overdue.append((case.id, m.key, m.anchor_on, m.due_on))
            # Nor overdue on the day its case opened.
            if m.due_on < case.anchor_on:
                born_overdue.append((case.id, m.key, "case opened", case.anchor_on, m.due_on))
    assert checked > 500
    assert born_overdue == []


def demo_settings_fit_the_childs_year_group_and_requests_fit_the_childs_age():
    year_start = school_year_start_year(today())
    misplaced = []
    for child in db.session.scalars(select(Child)):
        group = national_curriculum_year(child.date_of_birth, year_start)
        name = child.setting_name or ""
        if "Infant" in name and not 0 <= group <= 2:
            misplaced.append((child.id, group, name))
        if "Junior" in name and not 3 <= group <= 6:
            misplaced.append((child.id, group, name))
        if ("Primary" in name) and not 0 <= group <= 6:
            misplaced.append((child.id, group, name))
        if ("Secondary" in name or name == "Riverside Academy") and not 7 <= group <= 11:
            misplaced.append((child.id, group, name))
        if ("College" in name or "Sixth Form" in name) and group < 12:
            misplaced.append((child.id, group, name))
        if ("Nursery" in name or "Pre-school" in name) and group >= 0:
            misplaced.append((child.id, group, name))
        assert child.attends_infant_school == ("Infant" in name)
    assert misplaced == []
    for case in db.session.scalars(select(Case).where(Case.request_source == RequestSource.YOUNG_PERSON)):
        assert case.anchor_on > compulsory_school_age_ends(case.child.date_of_birth)
    for plan in db.session.scalars(select(Plan).where(Plan.ceased_on.is_not(None))):
        assert plan.cease_appeal_ends_on is None or plan.ceased_on > plan.cease_appeal_ends_on


def test_deadlines_command_on_a_database_that_was_never_migrated(tmp_path):
    """One line on stderr that says what to do, and the dates from bank holidays alone."""
    from ehc_tracker import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["deadlines", "communication", "--from", "2025-12-19", "--json"])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "flask db upgrade" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(result.stdout)["milestones"][0]["due"] == "2025-12-30"
