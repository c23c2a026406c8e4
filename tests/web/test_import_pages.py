"""The moving-in pages: an administrator uploads a file, reads the dry run's report (with a CSV of
every problem), confirms, and sees the result; nobody else may."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Import
from ehc_tracker.models.child import Child
from tests import import_files as files
from tests.helpers import create_team, create_user


def _setup():
    north = create_team(name=files.TEAM)
    create_team(name=files.OTHER_TEAM)
    create_user(role="coordinator", email=files.COORDINATOR, teams=[north])
    db.session.commit()


def test_an_administrator_checks_then_imports_a_file(app, client, auth):
    _setup()
    admin = create_user(role="admin")
    auth.login(admin)
    page = client.get("/admin/imports/")
    assert page.status_code == 200 and b"Check the file" in page.data
    content = files.spreadsheet([files.GOOD_REVIEW, files.GOOD_ASSESSMENT, files.BAD_ROWS[1][0]])
    response = client.post(
        "/admin/imports/",
        data={"file": (io.BytesIO(content), "moving-in.csv"), "team_id": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    checked = db.session.scalar(select(Import).order_by(Import.id.desc()))
    status = client.get(response.headers["Location"])
    assert b"Checked: nothing has been written." in status.data and b'data-rule="upn_invalid"' in status.data
    assert b"Import the 2 good rows" in status.data
    assert db.session.scalar(select(func.count(Child.id))) == 0
    report = client.get(f"/admin/imports/{checked.id}/report.csv")
    assert report.status_code == 200 and b"upn_invalid" in report.data
    done = client.post(f"/admin/imports/{checked.id}/confirm")
    assert done.status_code == 302
    result = client.get(done.headers["Location"])
    assert b"Imported" in result.data
    assert db.session.scalar(select(func.count(Child.id))) == 2
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "child_imported")) == 2


def test_a_file_of_the_wrong_kind_is_refused_on_the_form(app, client, auth):
    admin = create_user(role="admin")
    auth.login(admin)
    response = client.post(
        "/admin/imports/", data={"file": (io.BytesIO(b"x"), "notes.txt")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and b"moving-in spreadsheet" in response.data


def test_only_administrators_reach_the_pages(app, client, auth):
    manager = create_user(role="manager")
    auth.login(manager)
    assert client.get("/admin/imports/").status_code == 403
