"""`flask sen2 export` and the managers' SEN2 page."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from tests.helpers import create_user
from tests.integration.test_sen2 import population  # noqa: F401  (the fixture)


@pytest.fixture
def app_config():
    # The environment's settings are the fallback when the settings page has not been used.
    return {"SEN2_LA_CODE": "201", "SEN2_DMO": "Y", "SEN2_DCO": "Y", "SEN2_DSCO": "N"}


def test_export_command_writes_the_file_and_lists_failures(runner, population, tmp_path):
    out = tmp_path / "sen2.xml"
    report = tmp_path / "failures.csv"
    result = runner.invoke(
        args=["sen2", "export", "--census-date", "2026-01-15", "--out", str(out), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    assert root.findtext("Header/Source/LEA") == "201" and len(root.find("Persons")) == 8
    assert "8 children, 8 requests, 4 active plans, 1 ended plans" in result.output
    kids = population["kids"]
    # A short summary: counts per rule; the detail goes to the CSV.
    assert (
        "Schema errors: 6." in result.output
        and "  upn_missing: 1 - " in result.output
        and "  schema: 6 - " in result.output
    )
    assert "  entry_date_assumed: 3 (warning)" in result.output and "Ben" not in result.output
    rows = list(csv.DictReader(report.open()))
    assert len(rows) == 16 and {r["child_name"] for r in rows if r["rule"] == "upn_missing"} == {"Ben Birch"}
    assert {(int(r["child_id"]), r["rule"]) for r in rows} >= {
        (kids["B"].id, "upn_missing"),
        (kids["I"].id, "plan_start_unknown"),
    }
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sen2_exported")).one()
    assert entry.actor_label == "flask sen2 export" and entry.details["teams"] == "all"


def test_export_command_options_and_refusals(runner, population, tmp_path):
    out = tmp_path / "sen2.xml"
    result = runner.invoke(
        args=[
            "sen2",
            "export",
            "--census-date",
            "2026-01-15",
            "--out",
            str(out),
            "--la-code",
            "999",
            "--dco",
            "R",
            "--team",
            str(population["team"].id),
        ]
    )
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
    assert (
        "Failures by rule" in html
        and 'data-rule="upn_missing"' in html
        and 'data-rule="schema"' in html
        and kids["B"].full_name in html
    )
    assert (
        f"/children/{kids['B'].id}" in html
        and "/sen2/download?census_date=2026-01-15" in html
        and "/sen2/report.csv?census_date=2026-01-15" in html
    )
    assert "1 January 2025 to 31 December 2025" in html
    assert "&lt;" not in html and "&amp;lt;" not in html
    download = client.get("/sen2/download?census_date=2026-01-15")
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("application/xml")
    assert download.headers["Content-Disposition"] == 'attachment; filename="SEN2_201_2026.xml"'
    assert len(ET.fromstring(download.data).find("Persons")) == 8
    report = client.get("/sen2/report.csv?census_date=2026-01-15")
    assert report.status_code == 200 and report.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(report.get_data(as_text=True).splitlines()))
    ben = next(r for r in rows if r["rule"] == "upn_missing")
    assert ben["record"] == f"http://localhost/children/{kids['B'].id}" and ben["severity"] == "error"
    actions = [
        e.action
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("sen2_%")).order_by(AuditEvent.id))
    ]
    assert actions == ["sen2_checked", "sen2_exported", "sen2_exported"]


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


def test_administrators_keep_the_header_settings_and_they_win_over_the_environment(
    client, auth, population, runner, tmp_path
):
    from ehc_tracker.models.sen2 import Sen2Settings

    admin = create_user(role="admin")
    auth.login(admin)
    assert client.get("/sen2/settings").status_code == 200
    refused = client.post("/sen2/settings", data={"la_code": "38", "dmo": "Y", "dco": "Q", "dsco": ""})
    html = refused.get_data(as_text=True)
    assert (
        refused.status_code == 400
        and "Enter the LA code as 3 digits" in html
        and 'value="38"' in html
        and "Select Y, N or R for the DSCO item" in html
    )
    saved = client.post(
        "/sen2/settings",
        data={"la_code": "383", "dmo": "N", "dco": "Y", "dsco": "R", "software_code": "Leeds EHC", "serial_no": "002"},
    )
    assert saved.status_code == 302
    settings = db.session.get(Sen2Settings, 1)
    assert (
        settings.la_code,
        settings.dmo,
        settings.dco,
        settings.dsco,
        settings.serial_no,
        settings.updated_by_id,
    ) == ("383", "N", "Y", "R", "002", admin.id)
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sen2_settings_changed")).one()
    assert entry.actor_id == admin.id and entry.details["changed"]["la_code"] == {"from": None, "to": "383"}
    out = tmp_path / "sen2.xml"
    assert runner.invoke(args=["sen2", "export", "--census-date", "2026-01-15", "--out", str(out)]).exit_code == 0
    source = {e.tag: e.text for e in ET.parse(out).getroot().find("Header/Source")}
    assert (
        source["LEA"],
        source["SoftwareCode"],
        source["SerialNo"],
        source["DMO"],
        source["DCO"],
        source["DSCO"],
    ) == ("383", "Leeds EHC", "002", "N", "Y", "R")
    auth.logout()
    auth.login(population["manager"])
    assert client.get("/sen2/settings").status_code == 403


def test_managers_make_the_whole_authority_s_return_with_progress(client, auth, population):
    from ehc_tracker.models.sen2 import Sen2Export, Sen2ExportStatus
    from tests.helpers import create_team

    outsider = create_user(role="manager", teams=[create_team(name="Far away")])
    auth.login(outsider)
    page = client.get("/sen2/").get_data(as_text=True)
    assert page.count('id="census_date"') == 1 and 'id="whole-census_date"' in page
    refused = client.post("/sen2/exports", data={"whole-census_date": ["15", "6", "2025"]})
    assert refused.status_code == 400 and "The SEN2 census date is in January" in refused.get_data(as_text=True)
    started = client.post("/sen2/exports", data={"whole-census_date": ["15", "1", "2026"]})
    assert started.status_code == 302
    export = db.session.scalars(select(Sen2Export)).one()
    assert started.headers["Location"].endswith(f"/sen2/exports/{export.id}")
    # Run inline under tests: it is done, with progress recorded, and covers every team.
    assert export.status is Sen2ExportStatus.DONE and (export.done, export.total) == (8, 8)
    page = client.get(f"/sen2/exports/{export.id}").get_data(as_text=True)
    assert "The return is ready" in page and 'http-equiv="refresh"' not in page and 'data-rule="schema"' in page
    xml = client.get(f"/sen2/exports/{export.id}/file")
    assert xml.status_code == 200 and len(ET.fromstring(xml.data).find("Persons")) == 8
    report = client.get(f"/sen2/exports/{export.id}/report.csv").get_data(as_text=True)
    assert "upn_missing" in report and f"/children/{population['kids']['B'].id}" in report
    # A run still going refreshes itself and shows how far it has got.
    export.status, export.done, export.total = Sen2ExportStatus.RUNNING, 3, 8
    db.session.commit()
    page = client.get(f"/sen2/exports/{export.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "3 of 8 children written" in page
    assert client.get(f"/sen2/exports/{export.id}/file").status_code == 404
    auth.logout()
    auth.login(population["coordinator"])
    assert client.get(f"/sen2/exports/{export.id}").status_code == 403


def test_the_background_run_records_its_result(app, population):
    import threading

    from ehc_tracker.models.sen2 import Sen2Export, Sen2ExportStatus
    from ehc_tracker.sen2.jobs import _run_in_thread

    export = Sen2Export(census_date=__import__("datetime").date(2026, 1, 15), requested_by_id=population["manager"].id)
    db.session.add(export)
    db.session.commit()
    worker = threading.Thread(target=_run_in_thread, args=(app, export.id, "https://ehc.example"))
    worker.start()
    worker.join(timeout=120)
    db.session.expire_all()
    done = db.session.get(Sen2Export, export.id)
    assert done.status is Sen2ExportStatus.DONE and done.summary["persons"] == 8 and done.summary["schema_errors"] == 6
    assert f"https://ehc.example/children/{population['kids']['B'].id}" in done.report_csv
