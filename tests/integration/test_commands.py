"""The flask commands: create-admin, seed-demo, deadlines (through the app)."""

import json

from sqlalchemy import func, select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Case, Child, Milestone, Role, User
from ehc_tracker.models.case import CaseStatus, CaseType


def test_create_admin_with_password_from_stdin(runner):
    result = runner.invoke(
        args=["create-admin", "--email", "Head@Council.gov.uk", "--name", "Head of SEND", "--password-stdin"],
        input="a long admin password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert user.email == "head@council.gov.uk" and user.role is Role.ADMIN and user.name == "Head of SEND"
    assert user.password_hash.startswith("$argon2id$")
    assert db.session.scalars(select(AuditEvent.action)).all() == ["user_created"]


def test_create_admin_prompts(runner):
    result = runner.invoke(args=["create-admin"], input="a@example.org\na long admin password\na long admin password\n")
    assert result.exit_code == 0, result.output
    assert "Created administrator a@example.org." in result.output


def test_create_admin_refuses_weak_password_and_duplicates(runner):
    result = runner.invoke(args=["create-admin", "--email", "a@example.org", "--password-stdin"], input="short\n")
    assert result.exit_code == 1 and "12 characters" in result.output
    runner.invoke(
        args=["create-admin", "--email", "a@example.org", "--password-stdin"], input="a long admin password\n"
    )
    result = runner.invoke(
        args=["create-admin", "--email", "a@example.org", "--password-stdin"], input="a long admin password\n"
    )
    assert result.exit_code == 1 and "already exists" in result.output


def test_seed_demo_creates_accounts_and_a_realistic_mix_once(runner):
    result = runner.invoke(args=["seed-demo", "--children", "60"])
    assert result.exit_code == 0, result.output
    assert "demo-password-2026" in result.output
    assert {u.role for u in db.session.scalars(select(User))} >= set(Role.staff())
    assert db.session.scalar(select(func.count(Child.id))) == 60
    cases = list(db.session.scalars(select(Case)))
    types = {c.case_type for c in cases}
    assert {CaseType.ASSESSMENT, CaseType.ANNUAL_REVIEW} <= types
    statuses = {c.status for c in cases}
    assert CaseStatus.OPEN in statuses and CaseStatus.COMPLETED in statuses
    assert db.session.scalar(select(func.count(Milestone.id)).where(Milestone.met_on.is_(None))) > 0
    assert (
        db.session.scalar(select(func.count(Milestone.id)).where(Milestone.met_on > Milestone.due_on)) > 0
    )  # some late
    # A parent account follows one of coordinator@example.org's open assessments, and only that child.
    from ehc_tracker.services import family

    parent = db.session.scalar(select(User).where(User.email == "parent@example.org"))
    assert parent is not None and parent.role is Role.FAMILY and "parent@example.org" in result.output
    followed = family.visible_cases(parent)
    assert followed and {c.child_id for c in followed} == {followed[0].child_id}
    assert any(c.coordinator.email == "coordinator@example.org" and c.is_open for c in followed)
    # Complaints, answered feedback surveys and disputes give the dashboard's sections something to show.
    from ehc_tracker.models.voice import Complaint, FamilySurvey

    assert db.session.scalar(select(func.count(Complaint.id))) == 18
    assert db.session.scalar(select(func.count(FamilySurvey.id)).where(FamilySurvey.answered_at.is_not(None))) > 0
    assert CaseType.DISPUTE in types
    again = runner.invoke(args=["seed-demo", "--children", "60"])
    assert "already there" in again.output and "no demo children added" in again.output
    assert db.session.scalar(select(func.count(Child.id))) == 60


def test_seed_demo_refused_in_production(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "Refusing" in result.output


def test_deadlines_command_uses_the_councils_non_working_days(runner):
    from datetime import date

    from ehc_tracker.services.calendar import add_non_working_day

    admin = User(email="x@example.org", name="X", role=Role.ADMIN, password_hash="x", session_token="t")
    db.session.add(admin)
    db.session.flush()
    add_non_working_day(date(2025, 12, 22), "Closure", actor=admin)
    db.session.commit()
    result = runner.invoke(args=["deadlines", "communication", "--from", "2025-12-19", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["milestones"][0]["key"] == "response_due" and data["milestones"][0]["due"] == "2025-12-31"
