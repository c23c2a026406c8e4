"""`flask sen2 export` and the managers' SEN2 page."""
from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from ehc_tracker.models import AuditEvent
from ehc_tracker.extensions import db
from tests.helpers import create_user
from tests.integration.test_sen2 import population  # noqa: F401  (the fixture)


@pytest.fixture
def app_config():
    return {"SEN2_LA_CODE": "201", "SEN2_DMO": "Y", "SEN2_DCO": "Y"}


def test_export_command_writes_the_file_and_lists_failures(runner, population, tmp_path):
    out = tmp_path / "sen2.xml"
    report = tmp_path / "failures.csv"
    result = runner.invoke(args=["sen2", "export", "--census-date", "2026-01-15", "--out", str(out), "--report", str(report)])
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    assert root.findtext("Header/Source/LEA") == "201" and len(root.find("Persons")) == 8
    assert "8 children, 8 requests, 4 active plans, 1 ended plans" in result.output
    kids = population["kids"]
    assert f"child {kids['B'].id}: upn_missing" in result.output and "7 failures" in result.output
    rows = list(csv.DictReader(report.open()))
    assert {(int(r["child_id"]), r["rule"]) for r in rows} >= {(kids["B"].id, "upn_missing"), (kids["I"].id, "plan_start_unknown")}
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sen2_exported")).one()
    assert entry.actor_label == "flask sen2 export" and entry.details["teams"] == "all"


def test_export_command_options_and_refusals(runner, population, tmp_path):
    out = tmp_path / "sen2.xml"
    result = runner.invoke(args=["sen2", "export", "--census-date", "2026-01-15", "--out", str(out), "--la-code", "999", "--dco", "R", "--team", str(population["team"].id)])
    assert result.exit_code == 0, result.output
    source = ET.parse(out).getroot().find("Header/Source")
    assert source.findtext("LEA") == "999" and source.findtext("DCO") == "R" and source.findtext("DMO") == "Y"
    bad = runner.invoke(args=["sen2", "export", "--census-date", "15/01/2026", "--out", str(out)])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    june = runner.invoke(args=["sen2", "export", "--census-date", "2025-06-15", "--out", str(out)])
    assert june.exit_code == 1 and "January" in june.output


def test_managers_check_and_download_their_teams_return(client, auth, population):
    auth.login(population["manager"])
    page = client.get("/sen2/")
    assert page.status_code == 200 and "SEN2 return" in page.get_data(as_text=True)
    checked = client.get("/sen2/?census_date=15&census_date=1&census_date=2026")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200, html
    kids = population["kids"]
    assert "Validation failures" in html and "upn_missing" in html and kids["B"].full_name in html
    assert f'/children/{kids["B"].id}' in html and "/sen2/download?census_date=2026-01-15" in html
    download = client.get("/sen2/download?census_date=2026-01-15")
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("application/xml")
    assert download.headers["Content-Disposition"] == 'attachment; filename="SEN2_201_2026.xml"'
    assert len(ET.fromstring(download.data).find("Persons")) == 8
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("sen2_%")).order_by(AuditEvent.id))]
    assert actions == ["sen2_checked", "sen2_exported"]


def test_the_page_refuses_bad_dates_and_other_roles(client, auth, population):
    auth.login(population["manager"])
    html = client.get("/sen2/?census_date=15&census_date=6&census_date=2025").get_data(as_text=True)
    assert "The SEN2 census date is in January" in html
    assert client.get("/sen2/download?census_date=nonsense").status_code == 400
    assert client.get("/sen2/download?census_date=2025-06-15").status_code == 400
    auth.logout()
    auth.login(population["coordinator"])
    assert client.get("/sen2/").status_code == 403
    assert client.get("/sen2/download?census_date=2026-01-15").status_code == 403


def test_a_manager_of_another_team_sees_none_of_these_children(client, auth, population):
    from tests.helpers import create_team

    outsider = create_user(role="manager", teams=[create_team(name="Far away")])
    auth.login(outsider)
    download = client.get("/sen2/download?census_date=2026-01-15")
    assert download.status_code == 200 and len(ET.fromstring(download.data).find("Persons")) == 0
