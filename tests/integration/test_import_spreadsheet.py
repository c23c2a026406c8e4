"""The moving-in spreadsheet: a dry run reports each bad row with its rule and fix and writes
nothing; the import makes exactly the good rows' records, with milestones the engine counted from
the imported dates; a second run changes nothing; a corrected file updates only its rows."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Import
from ehc_tracker.models.case import AdviceRequest, Case, CaseEvent, CaseStatus, CaseType, EventType, Milestone, Plan
from ehc_tracker.models.child import Child, ChildContact
from ehc_tracker.services import importing
from ehc_tracker.services.children import upn_check_letter
from tests import import_files as files
from tests.helpers import create_team, create_user


@pytest.fixture
def staff(app):
    north, south = create_team(name=files.TEAM), create_team(name=files.OTHER_TEAM)
    create_user(role="coordinator", email=files.COORDINATOR, teams=[north])
    create_user(role="coordinator", email=files.OUTSIDER, teams=[south])
    db.session.add(
        Child(
            first_name="Hand",
            last_name="Made",
            date_of_birth=date(2014, 1, 1),
            upn=files.EXISTING_UPN,
            team_id=north.id,
        )
    )
    db.session.commit()
    return north.id


def _run(content: bytes, *, dry_run: bool, name: str = "moving-in.csv") -> tuple[Import, dict]:
    imp = importing.start(content=content, file_name=name, kind=None, dry_run=dry_run, default_team_id=None, actor=None)
    db.session.commit()
    ident = imp.id
    counts = importing.run(imp, actor=None, today=files.TODAY, commit=db.session.commit, batch_size=2)
    db.session.commit()
    return db.session.get(Import, ident), counts


def _table_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Child, ChildContact, Plan, Case, CaseEvent, AdviceRequest, Milestone)
    }


def _report(imp: Import) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(imp.report_csv or "")))


def test_the_dry_run_reports_every_bad_row_with_its_fix_and_writes_nothing(staff):
    before = _table_counts()
    imp, counts = _run(files.good_and_bad(), dry_run=True)
    assert _table_counts() == before
    report = _report(imp)
    for row, rule in files.BAD_ROWS:
        found = [r for r in report if r["child_key"] == row["child_ref"] and r["rule"] == rule]
        assert found, f"{row['child_ref']}: no {rule} in {[(r['child_key'], r['rule']) for r in report]}"
        assert found[0]["fix"] == importing.RULES[rule][1]
    assert any(r["rule"] == "example_row" for r in report)
    assert counts["rows"] == len(files.BAD_ROWS) + 3
    assert counts["children_new"] == 2
    assert counts["children_refused"] == len(files.BAD_ROWS)
    assert imp.status.value == "done" and imp.dry_run and imp.content is not None


def test_the_import_makes_exactly_the_good_rows_with_the_engines_milestones(staff):
    imp, counts = _run(files.good_and_bad(), dry_run=False)
    assert counts["children_new"] == 2
    children = {c.source_key: c for c in db.session.scalars(select(Child).where(Child.source_key.is_not(None)))}
    assert set(children) == {"OLD-1", "OLD-2"}
    amara = children["OLD-1"]
    assert amara.postcode == "SW1A 1AA" and amara.team_id == staff and amara.import_id == imp.id
    assert [c.name for c in amara.contacts] == ["Grace Okafor"]
    (plan,) = db.session.scalars(select(Plan).where(Plan.child_id == amara.id))
    assert plan.issued_on == date(2019, 6, 20) and plan.source_key == "OLD-1/plan/2019-06-20"
    (review,) = db.session.scalars(select(Case).where(Case.child_id == amara.id))
    assert review.case_type is CaseType.ANNUAL_REVIEW and review.status is CaseStatus.OPEN
    assert review.anchor_on == date(2025, 5, 10) and review.plan_id == plan.id
    due = {m.key: m for m in review.milestones}
    assert due["review_due"].due_on == date(2026, 5, 9) and due["review_due"].met_on is None

    (assessment,) = db.session.scalars(select(Case).where(Case.child_id == children["OLD-2"].id))
    assert assessment.status is CaseStatus.OPEN and assessment.coordinator.email == files.COORDINATOR
    kinds = [e.event_type.value for e in assessment.events]
    assert kinds.count("advice_requested") == 2 and kinds.count("advice_received") == 1
    assert all(e.recorded_by_id is None for e in assessment.events)
    milestones = {(m.key, m.met_on) for m in assessment.milestones}
    decision = next(m for m in assessment.milestones if m.key == "decision_to_assess")
    assert decision.met_on == date(2026, 6, 20) and decision.met_on > decision.due_on  # late, as imported
    advice = sorted((m for m in assessment.milestones if m.key == "advice_due"), key=lambda m: m.met_on or date.max)
    assert advice[0].met_on == date(2026, 8, 30) and advice[0].met_on > advice[0].due_on
    assert advice[1].met_on is None and advice[1].due_on < files.TODAY  # overdue now
    assert ("final_plan", None) in milestones
    assert counts["late_milestones"] >= 3

    audited = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "child_imported")))
    assert len(audited) == 2
    assert {a.details["checksum"] for a in audited} == {imp.checksum}
    assert {a.details["file"] for a in audited} == {"moving-in.csv"}
    assert imp.content is None  # the file's personal data goes once imported


def test_running_the_same_file_again_changes_nothing(staff):
    _run(files.good_and_bad(), dry_run=False)
    before = _table_counts()
    milestones = sorted((m.id, m.due_on, m.met_on) for m in db.session.scalars(select(Milestone)))
    _, counts = _run(files.good_and_bad(), dry_run=False)
    assert counts["children_unchanged"] == 2 and counts.get("children_new", 0) == 0
    assert counts.get("children_updated", 0) == 0
    assert _table_counts() == before
    assert sorted((m.id, m.due_on, m.met_on) for m in db.session.scalars(select(Milestone))) == milestones


def test_a_corrected_file_updates_only_its_rows(staff):
    first, _ = _run(files.good_and_bad(), dry_run=False)
    first_id = first.id
    amara = db.session.scalar(select(Child).where(Child.source_key == "OLD-1"))
    amara_id, amara_updated_at = amara.id, amara.updated_at
    corrected = dict(files.GOOD_ASSESSMENT, decided_to_assess_on="2026-06-05", last_name="Hughes-Smith")
    dry, dry_counts = _run(files.spreadsheet([files.GOOD_REVIEW, corrected]), dry_run=True)
    assert dry_counts["children_updated"] == 1 and dry_counts["children_unchanged"] == 1
    second, counts = _run(files.spreadsheet([files.GOOD_REVIEW, corrected]), dry_run=False)
    second_id, second_checksum = second.id, second.checksum
    assert counts["children_updated"] == 1 and counts["children_unchanged"] == 1 and counts["cases_updated"] == 1
    ben = db.session.scalar(select(Child).where(Child.source_key == "OLD-2"))
    assert ben.last_name == "Hughes-Smith" and ben.import_id == second_id
    case = db.session.scalar(select(Case).where(Case.child_id == ben.id))
    decision = next(m for m in case.milestones if m.key == "decision_to_assess")
    assert decision.met_on == date(2026, 6, 5) and decision.met_on <= decision.due_on  # now on time
    assert len([e for e in case.events if e.event_type.value == "decided_to_assess"]) == 1
    amara = db.session.get(Child, amara_id)
    assert amara.updated_at == amara_updated_at and amara.import_id == first_id
    (entry,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "child_import_updated"))
    assert entry.details["changes"]["last_name"] == {"old": "Hughes", "new": "Hughes-Smith"}
    assert entry.details["checksum"] == second_checksum


def test_a_case_worked_on_here_is_not_rebuilt_from_a_corrected_file(staff):
    from ehc_tracker.models import User
    from ehc_tracker.services import cases as case_service

    _run(files.good_and_bad(), dry_run=False)
    ben = db.session.scalar(select(Child).where(Child.source_key == "OLD-2"))
    case = db.session.scalar(select(Case).where(Case.child_id == ben.id))
    coordinator = db.session.scalar(select(User).where(User.email == files.COORDINATOR))
    case_service.record_event(case, EventType.DECIDED_TO_ISSUE, date(2026, 10, 1), actor=coordinator, today=files.TODAY)
    db.session.commit()
    case_id = case.id
    corrected = dict(files.GOOD_ASSESSMENT, decided_to_assess_on="2026-06-05")
    second, counts = _run(files.spreadsheet([corrected]), dry_run=False)
    assert any(r["rule"] == "changed_here" for r in _report(second))
    decision = next(m for m in db.session.get(Case, case_id).milestones if m.key == "decision_to_assess")
    assert decision.met_on == date(2026, 6, 20)


def test_an_excel_file_reads_like_the_csv(staff, tmp_path):
    from openpyxl import Workbook

    from ehc_tracker.services.importing.sheet import NAMES

    book = Workbook()
    sheet = book.active
    sheet.append(list(NAMES))
    for row in (files.GOOD_REVIEW, files.GOOD_ASSESSMENT):
        sheet.append([row.get(name, "") or None for name in NAMES])
    path = tmp_path / "moving-in.xlsx"
    book.save(path)
    _, counts = _run(path.read_bytes(), dry_run=False, name="moving-in.xlsx")
    assert counts["children_new"] == 2 and counts["errors"] == 0


def test_an_unreadable_file_is_reported_not_imported(staff):
    imp, counts = _run(b"\x00\x01 not a workbook", dry_run=True, name="broken.xlsx")
    assert counts.get("unreadable") == 1 and _report(imp)[0]["rule"] == "unreadable"


def test_children_sharing_a_birthday_and_a_name_are_two_children_when_their_upns_differ(staff):
    """In an authority of 30,000 about three children share each birthday: a similar name on the
    same day is a possible duplicate only where a UPN cannot tell them apart."""
    body = "801200005002"
    twin = dict(files.GOOD_REVIEW, child_ref="OLD-7", first_name="Amara", upn=upn_check_letter(body) + body)
    twin.pop("plan_issued_on"), twin.pop("plan_named_settings"), twin.pop("plan_last_reviewed_on")
    no_upn = dict(twin, child_ref="OLD-8", upn="")
    _run(files.spreadsheet([files.GOOD_REVIEW]), dry_run=False)
    imp, counts = _run(files.spreadsheet([twin, no_upn]), dry_run=False)
    refused = [r for r in _report(imp) if r["rule"] == "duplicate_existing"]
    assert [r["child_key"] for r in refused] == ["OLD-8"], refused
    assert counts.get("children_new") == 1 and counts.get("children_refused") == 1, (counts, _report(imp))
    assert db.session.scalar(select(func.count(Child.id)).where(Child.first_name == "Amara")) == 2
