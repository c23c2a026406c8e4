"""The previous SEN2 return: each Person becomes a child, an active plan its plan and an open
annual review due 12 months from the last review, an ended plan a ceased plan, and a request of the
year an assessment with its decisions (the milestones counted by the engine); bad codes and check
characters are reported; a second run changes nothing; and the command says what it did."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from ehc_tracker.extensions import db
from ehc_tracker.models import Import
from ehc_tracker.models.case import Case, CaseStatus, CaseType, Milestone, Plan, PlanStatus
from ehc_tracker.models.child import Child, SenNeed
from ehc_tracker.services import importing
from tests import import_files as files
from tests.helpers import create_team


@pytest.fixture
def team_id(app):
    team = create_team(name=files.TEAM)
    db.session.commit()
    return team.id


def _run(team_id: int, *, dry_run: bool) -> tuple[Import, dict]:
    imp = importing.start(
        content=files.SEN2_RETURN.encode(),
        file_name="SEN2_2026.xml",
        kind=None,
        dry_run=dry_run,
        default_team_id=team_id,
        actor=None,
    )
    db.session.commit()
    ident = imp.id
    counts = importing.run(imp, actor=None, today=files.TODAY, commit=db.session.commit)
    db.session.commit()
    return db.session.get(Import, ident), counts


def test_the_dry_run_reports_bad_codes_and_check_letters(team_id):
    imp, counts = _run(team_id, dry_run=True)
    report = list(csv.DictReader(io.StringIO(imp.report_csv)))
    rules = {(r["row"], r["rule"]) for r in report}
    for rule in ("date_invalid", "code_unknown", "upn_invalid"):
        assert ("Person 4", rule) in rules
    fields = {r["field"] for r in report if r["row"] == "Person 4"}
    assert {"ActivePlans/TransferLA", "ActivePlans/SENSetting", "ActivePlans/SENtype", "Sex"} <= fields
    assert counts["children_new"] == 3 and counts["children_refused"] == 1
    assert db.session.scalar(select(func.count(Child.id))) == 0


def test_the_return_becomes_children_plans_and_open_reviews(team_id):
    _, counts = _run(team_id, dry_run=False)
    assert counts["children_new"] == 3
    isla = db.session.scalar(select(Child).where(Child.source_key == "M201000001003"))
    assert isla.primary_need is SenNeed.SLCN and isla.secondary_need is SenNeed.ASD
    assert isla.setting_urn == "100000" and isla.setting_started_on == date(2023, 9, 1) and isla.setting_sen_unit
    (plan,) = db.session.scalars(select(Plan).where(Plan.child_id == isla.id))
    assert plan.issued_on == date(2018, 4, 10) and plan.status is PlanStatus.ACTIVE
    (review,) = db.session.scalars(select(Case).where(Case.child_id == isla.id))
    assert review.case_type is CaseType.ANNUAL_REVIEW and review.is_open and review.anchor_on == date(2025, 3, 20)
    due = next(m for m in review.milestones if m.key == "review_due")
    assert due.due_on == date(2026, 3, 19) and due.met_on is None  # overdue on 30 November 2026

    zara = db.session.scalar(select(Child).where(Child.source_key == "Khan|Zara|2016-09-09"))
    assert zara.upn_unknown_reason == "UN2" and zara.sen_setting == "EHE"
    cases = {c.case_type: c for c in db.session.scalars(select(Case).where(Case.child_id == zara.id))}
    assessment = cases[CaseType.ASSESSMENT]
    assert assessment.status is CaseStatus.COMPLETED and assessment.plan is not None
    assert assessment.plan.issued_on == date(2025, 7, 30) and assessment.plan.issued_by_case_id == assessment.id
    final = next(m for m in assessment.milestones if m.key == "final_plan")
    assert final.met_on == date(2025, 7, 30) and final.met_on > final.due_on  # 20 weeks from 3 Feb: late
    decision = next(m for m in assessment.milestones if m.key == "decision_to_assess")
    assert decision.met_on == date(2025, 3, 10)
    assert cases[CaseType.ANNUAL_REVIEW].anchor_on == date(2025, 7, 30)

    kai = db.session.scalar(select(Child).where(Child.source_key == "B801200005001"))
    (ended,) = db.session.scalars(select(Plan).where(Plan.child_id == kai.id))
    assert ended.status is PlanStatus.CEASED and ended.ceased_on == date(2025, 8, 31) and ended.cease_reason == "2"
    assert db.session.scalar(select(func.count(Case.id)).where(Case.child_id == kai.id)) == 0

    before = db.session.scalar(select(func.count(Milestone.id)))
    _, again = _run(team_id, dry_run=False)
    assert again["children_unchanged"] == 3 and again.get("children_new", 0) == 0
    assert db.session.scalar(select(func.count(Milestone.id))) == before


def test_the_command_checks_then_imports(app, runner, team_id, tmp_path):
    path = tmp_path / "SEN2.xml"
    path.write_text(files.SEN2_RETURN, encoding="utf-8")
    report = tmp_path / "report.csv"
    checked = runner.invoke(args=["import", "sen2", str(path), "--team", files.TEAM, "--report", str(report)])
    assert checked.exit_code == 0, checked.output
    assert "Checked (dry run, nothing written)" in checked.output and "children new: 3" in checked.output
    assert "upn_invalid" in report.read_text()
    assert db.session.scalar(select(func.count(Child.id))) == 0
    done = runner.invoke(args=["import", "sen2", str(path), "--team", files.TEAM, "--confirm"])
    assert done.exit_code == 0, done.output
    assert "Imported SEN2.xml" in done.output
    assert db.session.scalar(select(func.count(Child.id))) == 3


def test_the_command_writes_the_template_and_reads_it_back(app, runner, tmp_path):
    out = tmp_path / "template.xlsx"
    result = runner.invoke(args=["import", "template", str(out)])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    book = load_workbook(out)
    assert book.sheetnames == ["Children", "Field notes"]
    header = [c.value for c in book["Children"][1]]
    assert header[:4] == ["child_ref", "first_name", "last_name", "date_of_birth"]
    checked = runner.invoke(args=["import", "spreadsheet", str(out)])
    assert checked.exit_code == 0 and "example_row: 1" in checked.output
    csv_out = tmp_path / "template.csv"
    assert runner.invoke(args=["import", "template", str(csv_out)]).exit_code == 0
    assert (tmp_path / "template-field-notes.csv").exists()
