"""Drill-downs by a coordinator's id: nobody outside the reader's teams, by name or otherwise.

The dashboard's caseload figures link to `/reports/drilldown?measure=caseload&coordinator_id=N`;
asking for any other N must be "not found" (and audited), never "Open cases held by <their name>".
The JSON API's overdue list refuses the same ids.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from tests.factories_reports import add_milestone, make_case
from tests.helpers import create_team, create_user

AS_AT = date(2025, 3, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("ehc_tracker.reports.routes.today", lambda: AS_AT)


@pytest.fixture
def world(app):
    north, south = create_team(name="North Team"), create_team(name="South Team")
    casey = create_user(role="coordinator", teams=[north], name="Casey Northcoord")
    sam = create_user(role="coordinator", teams=[south], name="Sam Southcoord")
    admin = create_user(role="admin", teams=[], name="Ada Administrator")
    # Moved to South, still holds a North case.
    mover = create_user(role="coordinator", teams=[south], name="Morgan Moved")
    make_case(team=north, coordinator=casey, first_name="Amara", last_name="Okafor", anchor_on=date(2024, 10, 1))
    make_case(team=north, coordinator=mover, first_name="Ben", last_name="Bennett", anchor_on=date(2024, 9, 2))
    south_case = make_case(
        team=south, coordinator=sam, first_name="Southey", last_name="Person", anchor_on=date(2024, 9, 1)
    )
    add_milestone(south_case, "final_plan", due_on=date(2025, 1, 19))
    db.session.commit()
    return {"north": north, "south": south, "casey": casey, "sam": sam, "admin": admin, "mover": mover}


def _caseload(client, coordinator_id, **extra):
    args = {"measure": "caseload", "coordinator_id": coordinator_id, "as_at": "2025-03-15", **extra}
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return client.get(f"/reports/drilldown?{query}")


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_a_caseload_outside_the_readers_teams_is_not_found(client, auth, world, role):
    auth.login(role=role, teams=[world["north"]])
    for person in ("sam", "admin"):
        response = _caseload(client, world[person].id)
        body = response.get_data(as_text=True)
        assert response.status_code == 404, person
        assert world[person].name not in body and "Southey" not in body
    assert _caseload(client, 999999).status_code == 404
    assert _caseload(client, "abc").status_code == 404
    assert client.get("/reports/drilldown?measure=caseload&as_at=2025-03-15").status_code == 404  # whose, then?
    # Another list narrowed to someone outside the teams, or a team that is not the reader's.
    assert client.get(f"/reports/drilldown?measure=backlog&coordinator_id={world['sam'].id}").status_code == 404
    assert _caseload(client, world["casey"].id, team_id=world["south"].id).status_code == 404

    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access_refused")).all()
    assert len(refused) == 7
    assert all(e.details["endpoint"] == "reports.drilldown" and e.details["status"] == 404 for e in refused)


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_a_caseload_in_the_readers_teams_is_shown_with_the_holders_name(client, auth, world, role):
    auth.login(role=role, teams=[world["north"]])
    own = _caseload(client, world["casey"].id)
    html = own.get_data(as_text=True)
    assert own.status_code == 200 and "Open cases held by Casey Northcoord at 15 March 2025" in html
    assert re.search(r'data-total="1"', html)
    # Someone who has moved team is still named for the cases they hold here (the dashboard links them).
    moved = _caseload(client, world["mover"].id)
    assert moved.status_code == 200 and "Open cases held by Morgan Moved" in moved.get_data(as_text=True)
    nobody = _caseload(client, "none")
    assert nobody.status_code == 200 and "Open cases held by nobody" in nobody.get_data(as_text=True)
    # Viewers never see a child's name; managers do.
    for page in (html, moved.get_data(as_text=True)):
        assert ("Amara Okafor" in page or "Ben Bennett" in page) is (role == "manager")
        assert "&lt;" not in page


def test_every_caseload_link_on_the_dashboard_still_opens(client, auth, world):
    auth.login(role="manager", teams=[world["north"]])
    page = client.get("/reports/dashboard").get_data(as_text=True)
    links = re.findall(r'href="(/reports/drilldown\?[^"]*measure=caseload[^"]*)"', page)
    assert len(links) == 2
    for href in links:
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_the_api_refuses_a_coordinator_outside_the_callers_teams(client, auth, world):
    auth.login(role="manager", teams=[world["north"]])
    refused = client.get(f"/api/v1/overdue?coordinator={world['sam'].id}&as_of=2025-03-15")
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"]["fields"] == {"coordinator": "Select a coordinator in your teams"}
    assert "Sam Southcoord" not in refused.get_data(as_text=True)
    assert client.get(f"/api/v1/overdue?coordinator={world['casey'].id}&as_of=2025-03-15").status_code == 200
