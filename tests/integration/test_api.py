"""The JSON API: every endpoint, authentication, roles and teams, bad payloads, rate limit, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import ApiToken, AuditEvent, Case, Child
from ehc_tracker.models.case import CaseStatus, EventType
from ehc_tracker.services import api_tokens
from ehc_tracker.services import cases as case_service
from ehc_tracker.services.clock import today
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team, create_user


def token_for(user, name: str = "test") -> str:
    created = api_tokens.create_token(user, name=name, actor=user)
    db.session.commit()
    return created.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def api_calls():
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_call").order_by(AuditEvent.id)))


@pytest.fixture
def team():
    return create_team(name="North")


@pytest.fixture
def other_team():
    return create_team(name="South")


@pytest.fixture
def coordinator(team):
    return create_user(role="coordinator", teams=[team])


@pytest.fixture
def headers(coordinator):
    return bearer(token_for(coordinator))


def _error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


# --- Authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/overdue", "/api/v1/children/1", "/api/v1/openapi.json"])
def test_no_token_is_401_json_with_www_authenticate(client, url):
    error = _error(client.get(url), 401, "unauthorized")
    assert "token" in error["message"].lower()
    response = client.get(url)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_invalid_malformed_and_revoked_tokens_are_401(app, client, coordinator, headers):
    assert client.get("/api/v1/overdue", headers=headers).status_code == 200
    assert _error(client.get("/api/v1/overdue", headers=bearer("ehc_not-a-real-token")), 401)
    assert (
        'error="invalid_token"' in client.get("/api/v1/overdue", headers=bearer("ehc_nope")).headers["WWW-Authenticate"]
    )
    assert _error(client.get("/api/v1/overdue", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    assert _error(client.get("/api/v1/overdue", headers={"Authorization": "Bearer"}), 401)
    token = db.session.scalars(select(ApiToken)).one()
    api_tokens.revoke_token(token, actor=coordinator, now=token.created_at + timedelta(minutes=1))
    db.session.commit()
    error = _error(client.get("/api/v1/overdue", headers=headers), 401)
    assert "revoked" in error["message"]
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_auth_failed")).all()
    assert len(failed) == 5 and all(e.actor_id is None for e in failed)


def test_a_deactivated_account_s_token_stops_working(client, coordinator, headers):
    coordinator.active = False
    db.session.commit()
    _error(client.get("/api/v1/overdue", headers=headers), 401)


def test_tokens_are_stored_hashed_and_never_audited(client, coordinator):
    secret = token_for(coordinator)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == api_tokens.hash_token(secret) and secret not in token.token_hash
    assert token.prefix == secret[:12] and secret.startswith("ehc_") and len(secret) > 40
    client.get("/api/v1/overdue", headers=bearer(secret))
    client.post("/api/v1/children", headers=bearer(secret), json={"first_name": "A"})
    for entry in db.session.scalars(select(AuditEvent)):
        assert secret not in f"{entry.summary} {entry.details} {entry.actor_label}"
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_signed_in_users_may_read_but_not_change_through_their_session(client, auth, team):
    user = auth.login(role="manager", teams=[team])
    assert client.get("/api/v1/overdue").status_code == 200
    call = api_calls()[-1]
    assert call.details["via"] == "session" and call.details["token_prefix"] is None and call.actor_id == user.id
    _error(client.post("/api/v1/children", json={}), 401)


# --- Roles and teams ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,url,status",
    [
        ("viewer", "/api/v1/children/1", 403),
        ("viewer", "/api/v1/cases/1", 403),
        ("viewer", "/api/v1/overdue", 200),
        ("viewer", "/api/v1/compliance", 200),
        ("admin", "/api/v1/overdue", 403),
        ("admin", "/api/v1/compliance", 403),
        ("admin", "/api/v1/children/1", 403),
        ("admin", "/api/v1/openapi.json", 200),
        ("coordinator", "/api/v1/compliance", 403),
        ("manager", "/api/v1/compliance", 200),
    ],
)
def test_roles(client, team, role, url, status):
    user = create_user(role=role, teams=[team])
    response = client.get(url, headers=bearer(token_for(user)))
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 403:
        _error(response, 403, "forbidden")


def test_viewers_and_admins_cannot_write(client, team):
    for role in ("viewer", "admin"):
        user = create_user(role=role, teams=[team])
        _error(client.post("/api/v1/children", headers=bearer(token_for(user)), json={}), 403)


def test_family_accounts_cannot_hold_tokens(app):
    family = create_user(role="family")
    with pytest.raises(api_tokens.ServiceError):
        api_tokens.create_token(family, name="x", actor=family)


# --- Children ------------------------------------------------------------------------------------------


CHILD = {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "2015-03-14"}


def test_create_and_read_a_child(client, team, coordinator, headers):
    body = dict(
        CHILD, team_id=team.id, sex="F", ethnicity="WBRI", postcode="sw1a1aa", primary_need="ASD", setting_urn="100000"
    )
    response = client.post("/api/v1/children", headers=headers, json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    child = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/children/{child['id']}")
    assert child["first_name"] == "Ada" and child["postcode"] == "SW1A 1AA" and child["team_id"] == team.id
    assert child["primary_need"] == "ASD" and child["sex"] == "F" and child["cases"] == []
    record = db.session.get(Child, child["id"])
    assert record.last_name == "Lovelace"

    read = client.get(f"/api/v1/children/{child['id']}", headers=headers)
    assert read.status_code == 200 and read.get_json() == child
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-4:] == ["child_created", "api_call", "child_viewed", "api_call"]
    created_call, read_call = api_calls()[-2:]
    assert (created_call.object_type, created_call.object_id) == ("child", str(child["id"]))
    assert created_call.details["status"] == 201 and created_call.details["method"] == "POST"
    assert read_call.details["token_prefix"] == db.session.scalars(select(ApiToken)).one().prefix
    assert "API token" in read_call.actor_label and coordinator.email in read_call.actor_label


def test_another_team_s_child_is_404_like_a_missing_one(client, other_team, headers):
    theirs = create_child(team=other_team)
    first = _error(client.get(f"/api/v1/children/{theirs.id}", headers=headers), 404, "not_found")
    second = _error(client.get("/api/v1/children/999999", headers=headers), 404, "not_found")
    assert first == second
    _error(client.get("/api/v1/children/99999999999", headers=headers), 404)


@pytest.mark.parametrize(
    "data,status,fields",
    [
        ("{not json", 400, set()),
        ("[1, 2]", 400, set()),
        ("", 400, set()),
        ('"text"', 400, set()),
        ("{}", 422, {"first_name", "last_name", "date_of_birth", "team_id"}),
        (
            '{"first_name": 1, "last_name": "B", "date_of_birth": "14/03/2015", "team_id": "1"}',
            422,
            {"first_name", "date_of_birth", "team_id"},
        ),
        ('{"first_name": "A", "last_name": "B", "date_of_birth": "2015-02-30", "team_id": 1}', 422, {"date_of_birth"}),
        ('{"first_name": "A", "last_name": "B", "date_of_birth": "9999-01-01", "team_id": 1}', 422, {"date_of_birth"}),
        ('{"first_name": "A", "last_name": "B", "date_of_birth": "2015-01-01", "team_id": true}', 422, {"team_id"}),
        (
            '{"first_name": "A\\u0000", "last_name": "B", "date_of_birth": "2015-01-01", "team_id": 1}',
            422,
            {"first_name"},
        ),
        (
            '{"first_name": "A", "last_name": "B", "date_of_birth": "2015-01-01", "team_id": 1, "nickname": "x"}',
            422,
            {"nickname"},
        ),
        (
            '{"first_name": "A", "last_name": "B", "date_of_birth": "2015-01-01", "team_id": 1, "sex": "X"}',
            422,
            {"sex"},
        ),
        (
            '{"first_name": "' + "A" * 101 + '", "last_name": "B", "date_of_birth": "2015-01-01", "team_id": 1}',
            422,
            {"first_name"},
        ),
    ],
)
def test_bad_child_payloads(client, headers, data, status, fields):
    error = _error(
        client.post("/api/v1/children", headers=dict(headers, **{"Content-Type": "application/json"}), data=data),
        status,
    )
    assert set(error["fields"]) == fields


def test_child_refusals_from_the_service_name_their_field(client, team, other_team, headers):
    error = _error(
        client.post("/api/v1/children", headers=headers, json=dict(CHILD, team_id=team.id, upn="A12345")),
        422,
        "validation_failed",
    )
    assert set(error["fields"]) == {"upn"} and "UPN" in error["fields"]["upn"]
    error = _error(
        client.post(
            "/api/v1/children",
            headers=headers,
            json=dict(CHILD, team_id=team.id, date_of_birth=(today() + timedelta(days=1)).isoformat()),
        ),
        422,
    )
    assert set(error["fields"]) == {"date_of_birth"}
    error = _error(client.post("/api/v1/children", headers=headers, json=dict(CHILD, team_id=other_team.id)), 422)
    assert error["fields"] == {"team_id": "Select one of your teams"}
    assert db.session.scalars(select(Child)).all() == []


def test_possible_duplicate_is_409_until_confirmed(client, team, headers):
    assert client.post("/api/v1/children", headers=headers, json=dict(CHILD, team_id=team.id)).status_code == 201
    response = client.post("/api/v1/children", headers=headers, json=dict(CHILD, team_id=team.id))
    assert response.status_code == 409
    error = response.get_json()[
        "error"
    ]  # the usual error, with the matches (tests/integration/test_near_duplicates.py)
    assert error["code"] == "conflict" and [m["id"] for m in error["matches"]] == [1]
    assert "confirm_not_duplicate" in error["fields"] and "child 1" in error["message"]
    again = client.post(
        "/api/v1/children", headers=headers, json=dict(CHILD, team_id=team.id, confirm_not_duplicate=True)
    )
    assert again.status_code == 201


# --- Cases -----------------------------------------------------------------------------------------


def test_open_an_assessment_with_its_milestones(client, team, coordinator, headers):
    child = create_child(team=team)
    response = client.post(
        "/api/v1/cases",
        headers=headers,
        json={
            "child_id": child.id,
            "type": "assessment",
            "team_id": team.id,
            "request_received_on": "2025-01-06",
            "request_source": "school",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    case = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case['id']}")
    assert case["coordinator_id"] == coordinator.id and case["status"] == "open" and case["request_source"] == "school"
    milestones = {m["key"]: m for m in case["milestones"]}
    assert milestones["decision_to_assess"]["due_on"] == "2025-02-17"
    assert milestones["final_plan"]["due_on"] == "2025-05-26"
    assert milestones["final_plan"]["status"] == "overdue" and milestones["final_plan"]["met_on"] is None
    assert [e["type"] for e in case["events"]] == ["request_received"]
    assert db.session.get(Case, case["id"]).anchor_on == date(2025, 1, 6)


def test_open_an_annual_review(client, team, coordinator, headers):
    child = create_child(team=team, date_of_birth=date(2012, 5, 1))
    made = today() - timedelta(days=100)
    response = client.post(
        "/api/v1/cases",
        headers=headers,
        json={"child_id": child.id, "type": "annual_review", "team_id": team.id, "plan_made_on": made.isoformat()},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    case = response.get_json()
    assert case["type"] == "annual_review" and case["anchor_on"] == made.isoformat()
    review = next(m for m in case["milestones"] if m["key"] == "review_due")
    assert review["status"] in ("not_due", "due_soon")
    error = _error(
        client.post(
            "/api/v1/cases",
            headers=headers,
            json={"child_id": child.id, "type": "annual_review", "team_id": team.id, "plan_made_on": made.isoformat()},
        ),
        409,
    )
    assert "already has an open annual review" in error["message"]


@pytest.mark.parametrize(
    "change,fields",
    [
        ({"request_received_on": None}, {"request_received_on"}),
        ({"plan_made_on": "2025-01-01"}, {"plan_made_on"}),
        ({"type": "reassessment"}, {"type"}),
        ({"request_received_on": "2999-01-01"}, {"request_received_on"}),
        ({"coordinator_id": 999999}, {"coordinator_id"}),
        ({"child_id": 999999}, {"child_id"}),
    ],
)
def test_bad_case_payloads(client, team, headers, change, fields):
    child = create_child(team=team)
    body = {"child_id": child.id, "type": "assessment", "team_id": team.id, "request_received_on": "2025-01-06"}
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    error = _error(client.post("/api/v1/cases", headers=headers, json=body), 422)
    assert set(error["fields"]) == fields


def test_future_request_date_and_another_team_s_child(client, team, other_team, headers):
    mine = create_child(team=team)
    error = _error(
        client.post(
            "/api/v1/cases",
            headers=headers,
            json={
                "child_id": mine.id,
                "type": "assessment",
                "team_id": team.id,
                "request_received_on": (today() + timedelta(days=2)).isoformat(),
            },
        ),
        422,
    )
    assert set(error["fields"]) == {"request_received_on"} and "future" in error["message"]
    theirs = create_child(team=other_team)
    error = _error(
        client.post(
            "/api/v1/cases",
            headers=headers,
            json={"child_id": theirs.id, "type": "assessment", "team_id": team.id, "request_received_on": "2025-01-06"},
        ),
        422,
    )
    assert set(error["fields"]) == {"child_id"}


def test_a_second_open_assessment_is_a_conflict(client, team, coordinator, headers):
    case = create_assessment(coordinator=coordinator, team=team)
    error = _error(
        client.post(
            "/api/v1/cases",
            headers=headers,
            json={
                "child_id": case.child_id,
                "type": "assessment",
                "team_id": team.id,
                "request_received_on": "2025-02-01",
            },
        ),
        409,
    )
    assert "open assessment" in error["message"]


def test_read_a_case(client, team, other_team, coordinator, headers):
    case = create_assessment(coordinator=coordinator, team=team)
    response = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == case.id and body["child_id"] == case.child_id
    assert {m["key"] for m in body["milestones"]} == {"decision_to_assess", "decision_not_to_issue", "final_plan"}
    assert all({"key", "due_on", "status", "met_on"} <= set(m) for m in body["milestones"])
    assert "case_viewed" in [e.action for e in db.session.scalars(select(AuditEvent))]
    theirs = create_assessment(team=other_team)
    _error(client.get(f"/api/v1/cases/{theirs.id}", headers=headers), 404)


def test_record_events_through_the_workflow(client, team, coordinator, headers):
    case = create_assessment(coordinator=coordinator, team=team, received_on=date(2025, 1, 6))
    url = f"/api/v1/cases/{case.id}/events"
    response = client.post(url, headers=headers, json={"type": "decided_to_assess", "on": "2025-02-10"})
    assert response.status_code == 201, response.get_data(as_text=True)
    decision = next(m for m in response.get_json()["milestones"] if m["key"] == "decision_to_assess")
    assert decision["met_on"] == "2025-02-10" and decision["status"] == "met_on_time"
    body = client.post(
        url,
        headers=headers,
        json={"type": "advice_requested", "on": "2025-02-11", "advice_type": "ep", "provider": "EP Service"},
    ).get_json()
    advice_id = body["advice_requests"][0]["id"]
    body = client.post(
        url, headers=headers, json={"type": "advice_received", "on": "2025-03-20", "advice_request_id": advice_id}
    ).get_json()
    assert body["advice_requests"][0]["received_on"] == "2025-03-20"
    advice = next(m for m in body["milestones"] if m["key"] == "advice_due")
    assert advice["status"] == "met_on_time"
    assert [e["type"] for e in body["events"]] == [
        "request_received",
        "decided_to_assess",
        "advice_requested",
        "advice_received",
    ]
    recorded = [e for e in api_calls() if e.details["status"] == 201]
    assert len(recorded) == 3 and all(e.object_type == "case" and e.object_id == str(case.id) for e in recorded)


def test_event_refusals(client, team, coordinator, headers):
    case = create_assessment(coordinator=coordinator, team=team, received_on=date(2025, 1, 6))
    url = f"/api/v1/cases/{case.id}/events"
    # Out of sequence: 409 naming the type.
    error = _error(
        client.post(
            url, headers=headers, json={"type": "final_plan_issued", "on": "2025-03-01", "named_settings": "Hill"}
        ),
        409,
        "conflict",
    )
    assert set(error["fields"]) == {"type"} and "before" in error["message"]
    # A step of the other kind of case: 409 too.
    _error(client.post(url, headers=headers, json={"type": "review_meeting_held", "on": "2025-03-01"}), 409)
    # Invalid values: 422 with the field.
    error = _error(
        client.post(
            url, headers=headers, json={"type": "decided_to_assess", "on": (today() + timedelta(days=3)).isoformat()}
        ),
        422,
    )
    assert set(error["fields"]) == {"on"}
    error = _error(client.post(url, headers=headers, json={"type": "decided_to_assess", "on": "2024-12-01"}), 422)
    assert set(error["fields"]) == {"on"}
    client.post(url, headers=headers, json={"type": "decided_to_assess", "on": "2025-02-10"})
    error = _error(
        client.post(url, headers=headers, json={"type": "advice_requested", "on": "2025-02-11", "advice_type": "ep"}),
        422,
    )
    assert set(error["fields"]) == {"provider"}
    error = _error(
        client.post(
            url,
            headers=headers,
            json={
                "type": "advice_requested",
                "on": "2025-02-11",
                "advice_type": "ep",
                "provider": "EP",
                "decision": "amend",
            },
        ),
        422,
    )
    assert error["fields"] == {"decision": "Not used for ‘advice_requested’"}
    error = _error(client.post(url, headers=headers, json={"type": "request_received", "on": "2025-02-11"}), 422)
    assert set(error["fields"]) == {"type"}
    error = _error(
        client.post(
            url, headers=headers, json={"type": "advice_received", "on": "2025-03-01", "advice_request_id": 424242}
        ),
        422,
    )
    assert set(error["fields"]) == {"advice_request_id"}
    # Nothing of the refused calls was kept.
    assert [e.event_type for e in db.session.get(Case, case.id).events] == [
        EventType.REQUEST_RECEIVED,
        EventType.DECIDED_TO_ASSESS,
    ]
    statuses = [e.details["status"] for e in api_calls()]
    assert statuses.count(201) == 1 and statuses.count(409) == 2 and statuses.count(422) == 6


def test_only_the_coordinator_or_a_manager_changes_a_case(client, team, coordinator):
    case = create_assessment(coordinator=coordinator, team=team)
    colleague = create_user(role="coordinator", teams=[team])
    manager = create_user(role="manager", teams=[team])
    event = {"type": "decided_to_assess", "on": "2025-02-10"}
    _error(
        client.post(f"/api/v1/cases/{case.id}/events", headers=bearer(token_for(colleague)), json=event),
        403,
        "forbidden",
    )
    assert client.get(f"/api/v1/cases/{case.id}", headers=bearer(token_for(colleague))).status_code == 200
    assert (
        client.post(f"/api/v1/cases/{case.id}/events", headers=bearer(token_for(manager)), json=event).status_code
        == 201
    )
    outsider = create_user(role="manager", teams=[create_team()])
    _error(client.post(f"/api/v1/cases/{case.id}/events", headers=bearer(token_for(outsider)), json=event), 404)


def test_a_closed_case_takes_no_more_steps(client, team, coordinator, headers):
    case = create_assessment(coordinator=coordinator, team=team, received_on=date(2025, 1, 6))
    case_service.record_event(case, EventType.DECIDED_NOT_TO_ASSESS, date(2025, 2, 1), actor=coordinator, today=today())
    db.session.commit()
    assert case.status is CaseStatus.CLOSED
    error = _error(
        client.post(
            f"/api/v1/cases/{case.id}/events",
            headers=headers,
            json={"type": "withdrawn", "on": "2025-02-02", "reason": "x"},
        ),
        409,
    )
    assert "closed" in error["message"]


# --- Overdue and compliance -----------------------------------------------------------------------------


def test_overdue_list_paginated_and_without_names_for_viewers(client, team, other_team, coordinator, headers):
    for n in range(3):
        create_assessment(coordinator=coordinator, team=team, received_on=date(2025, 1, 6) + timedelta(days=n))
    create_assessment(team=other_team)
    body = client.get("/api/v1/overdue?per_page=2&as_of=2025-06-30", headers=headers).get_json()
    # Each case: decision to assess, decision not to issue and final plan, all overdue by 30 June 2025.
    assert body["total"] == 9 and body["page"] == 1 and body["per_page"] == 2 and len(body["items"]) == 2
    first = body["items"][0]
    assert (
        first["milestone_key"] == "decision_to_assess"
        and first["due_on"] == "2025-02-17"
        and first["days_overdue"] == 133
    )
    assert first["child_name"].startswith("Alex") and first["team"] == "North"
    last = client.get("/api/v1/overdue?per_page=2&page=5&as_of=2025-06-30", headers=headers).get_json()
    assert len(last["items"]) == 1 and last["total"] == 9
    only = client.get("/api/v1/overdue?milestone=final_plan&as_of=2025-06-30", headers=headers).get_json()
    assert only["total"] == 3 and {i["milestone_key"] for i in only["items"]} == {"final_plan"}
    assert client.get("/api/v1/overdue?as_of=2025-02-17", headers=headers).get_json()["total"] == 0
    assert (
        client.get(f"/api/v1/overdue?coordinator={coordinator.id}&as_of=2025-06-30", headers=headers).get_json()[
            "total"
        ]
        == 9
    )

    viewer = create_user(role="viewer", teams=[team])
    seen = client.get("/api/v1/overdue?as_of=2025-06-30", headers=bearer(token_for(viewer))).get_json()
    assert seen["total"] == 9 and all(i["child_name"] is None for i in seen["items"])


@pytest.mark.parametrize(
    "query,fields",
    [
        ("per_page=201", {"per_page"}),
        ("per_page=0", {"per_page"}),
        ("page=abc", {"page"}),
        ("page=-1", {"page"}),
        ("as_of=2025-13-01", {"as_of"}),
        ("milestone=nonsense", {"milestone"}),
        ("team=999", {"team"}),
        ("coordinator=x", {"coordinator"}),
    ],
)
def test_bad_overdue_queries(client, headers, query, fields):
    error = _error(client.get(f"/api/v1/overdue?{query}", headers=headers), 422, "validation_failed")
    assert set(error["fields"]) == fields


def test_compliance_figures_by_month(client, team, coordinator):
    case = create_assessment(coordinator=coordinator, team=team, received_on=date(2025, 1, 6))
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=coordinator, today=today())
    db.session.commit()
    manager = create_user(role="manager", teams=[team])
    response = client.get("/api/v1/compliance?from=2025-01&to=2025-03", headers=bearer(token_for(manager)))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["from"] == "2025-01" and body["to"] == "2025-03" and body["team_id"] is None
    measures = {m["key"]: m for m in body["measures"]}
    assert set(measures) == {
        "final_plan_20_weeks",
        "decision_6_weeks",
        "advice_6_weeks",
        "review_decision_4_weeks",
        "amended_plan_12_weeks",
        "response_5_days",
        "dispute_duties_on_time",
    }
    assert measures["dispute_duties_on_time"]["milestone_keys"][:2] == ["order_cease_plan", "order_assessment_notice"]
    assert measures["decision_6_weeks"]["milestone_keys"] == ["decision_to_assess"]
    decisions = {m["month"]: m for m in measures["decision_6_weeks"]["months"]}
    assert list(decisions) == ["2025-01", "2025-02", "2025-03"]
    assert (
        decisions["2025-02"]["counted"] == 1
        and decisions["2025-02"]["on_time"] == 1
        and decisions["2025-02"]["percent"] == 100.0
    )
    assert decisions["2025-01"]["counted"] == 0 and decisions["2025-01"]["percent"] is None
    plans = measures["final_plan_20_weeks"]["months"][0]
    assert plans["excluding_exceptions"] == {"counted": 0, "on_time": 0, "late": 0, "percent": None}
    assert decisions["2025-02"]["excluding_exceptions"] is None
    default = client.get("/api/v1/compliance", headers=bearer(token_for(manager, "second"))).get_json()
    assert len(default["measures"][0]["months"]) == 12 and default["to"] == f"{today():%Y-%m}"


def test_compliance_figures_carry_an_etag_and_answer_not_modified_until_a_step_changes_them(client, team, coordinator):
    case = create_assessment(coordinator=coordinator, team=team, received_on=date(2025, 1, 6))
    manager = create_user(role="manager", teams=[team])
    headers = bearer(token_for(manager))
    url = "/api/v1/compliance?from=2025-01&to=2025-03"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag and first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=coordinator, today=today())
    db.session.commit()
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["measures"][1]["months"][1]["counted"] == 1


@pytest.mark.parametrize(
    "query,field",
    [
        ("from=2025-05&to=2025-01", "from"),
        ("from=2020-01&to=2025-01", "from"),
        ("to=2025-1", "to"),
        ("from=2025-00", "from"),
        ("team=77", "team"),
    ],
)
def test_bad_compliance_queries(client, team, query, field):
    manager = create_user(role="manager", teams=[team])
    error = _error(client.get(f"/api/v1/compliance?{query}", headers=bearer(token_for(manager))), 422)
    assert set(error["fields"]) == {field}


# --- Rate limit -----------------------------------------------------------------------------------------


def test_rate_limit_per_token_with_retry_after(app, client, coordinator, headers):
    app.config["API_RATE_LIMIT_PER_MINUTE"] = 3
    for _ in range(3):
        assert client.get("/api/v1/overdue", headers=headers).status_code == 200
    response = client.get("/api/v1/overdue", headers=headers)
    error = _error(response, 429, "too_many_requests")
    assert 1 <= int(response.headers["Retry-After"]) <= 60 and "3 a minute" in error["message"]
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_rate_limited")).one().actor_id
        == coordinator.id
    )
    # Another token (even of the same person) has its own allowance.
    assert client.get("/api/v1/overdue", headers=bearer(token_for(coordinator, "other"))).status_code == 200
    # Calls older than a minute no longer count.
    app.config["API_RATE_LIMIT_PER_MINUTE"] = 100
    assert client.get("/api/v1/overdue", headers=headers).status_code == 200


def test_rate_limit_counts_from_the_audit_log(app, coordinator):
    from ehc_tracker.services.clock import now

    token = api_tokens.create_token(coordinator, name="x", actor=coordinator).token
    label = api_tokens.caller_label(coordinator, token)
    moment = now()
    assert api_tokens.retry_after(label, limit=2, now=moment) is None
    for seconds_ago in (90, 50, 10):
        db.session.add(
            AuditEvent(
                actor_id=coordinator.id,
                actor_label=label,
                action="api_call",
                object_type="api",
                object_id="x",
                summary="x",
                occurred_at=moment - timedelta(seconds=seconds_ago),
            )
        )
    db.session.commit()
    # Two calls in the last minute: the older of them, 50 seconds ago, drops out in 10 seconds.
    assert api_tokens.retry_after(label, limit=2, now=moment) == 10
    assert api_tokens.retry_after(label, limit=3, now=moment) is None


# --- The document and the command ------------------------------------------------------------------------


def test_openapi_document_lists_every_endpoint(client, headers):
    response = client.get("/api/v1/openapi.json", headers=headers)
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.") and document["servers"] == [{"url": "/api/v1"}]
    assert set(document["paths"]) == {
        "/openapi.json",
        "/children",
        "/children/{child_id}",
        "/cases",
        "/cases/{case_id}",
        "/cases/{case_id}/events",
        "/cases/{case_id}/communications",
        "/cases/{case_id}/communications/{communication_id}/response",
        "/overdue",
        "/compliance",
    }
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "429" in document["paths"]["/overdue"]["get"]["responses"]


def test_openapi_routes_match_the_application(app):
    from ehc_tracker.api.openapi import openapi_document

    document = openapi_document(rate_limit=60)
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.removeprefix("/api/v1")
            path = path.replace("<int(max=2147483647):", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((path, method.lower()))
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert served == documented


def test_event_fields_match_the_case_pages():
    from ehc_tracker.api.schemas import EVENT_FIELDS
    from ehc_tracker.cases.forms import EVENT_FIELDS as PAGE_FIELDS

    assert {k: list(v) for k, v in EVENT_FIELDS.items()} == PAGE_FIELDS


def test_create_token_command(runner, client, team):
    user = create_user(role="manager", teams=[team], email="m@example.org")
    result = runner.invoke(args=["create-token", "--email", "M@Example.org", "--name", "Nightly report"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("ehc_") and "will not be shown again" in result.output
    token = db.session.scalars(select(ApiToken)).one()
    assert token.name == "Nightly report" and token.user_id == user.id and secret not in token.token_hash
    assert client.get("/api/v1/compliance", headers=bearer(secret)).status_code == 200
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token_created")).one()
    assert created.actor_label == "flask create-token" and secret not in str(created.details)
    missing = runner.invoke(args=["create-token", "--email", "nobody@example.org"])
    assert missing.exit_code == 1 and "no account" in missing.output


def test_the_api_keeps_the_same_guard_rails_and_a_closed_case_owes_nothing(client, coordinator, team, headers):
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    url = f"/api/v1/cases/{case.id}/events"
    for body in (
        {"type": "decided_to_assess", "on": "2025-02-10"},
        {"type": "decided_to_issue", "on": "2025-03-31"},
        {"type": "draft_plan_issued", "on": "2025-04-07"},
    ):
        assert client.post(url, headers=headers, json=body).status_code == 201
    early = {"type": "final_plan_issued", "on": "2025-04-14", "named_settings": "Hill Primary"}
    error = _error(client.post(url, headers=headers, json=early), 422)
    assert "21 April 2025" in error["message"] and "family_confirmed_on" in error["fields"]
    confirmed = client.post(url, headers=headers, json={**early, "family_confirmed_on": "2025-04-11"})
    assert confirmed.status_code == 201
    # A withdrawn case: its unmet milestones show "ended", never "overdue".
    other = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    assert (
        client.post(
            f"/api/v1/cases/{other.id}/events",
            headers=headers,
            json={"type": "withdrawn", "on": "2025-01-20", "reason": "Moved away"},
        ).status_code
        == 201
    )
    statuses = {
        m["key"]: m["status"] for m in client.get(f"/api/v1/cases/{other.id}", headers=headers).get_json()["milestones"]
    }
    assert statuses and set(statuses.values()) == {"ended"}


def test_a_plan_made_before_the_child_was_born_is_refused_as_on_the_page(client, team, headers):
    child = create_child(team=team, date_of_birth=date(2015, 4, 1))
    error = _error(
        client.post(
            "/api/v1/cases",
            headers=headers,
            json={"child_id": child.id, "type": "annual_review", "team_id": team.id, "plan_made_on": "2014-06-02"},
        ),
        422,
    )
    assert error["fields"] == {"plan_made_on": "The plan cannot be made before the child's date of birth"}


def test_open_a_dispute_about_a_refusal_through_the_api(client, team, coordinator, headers):
    assessment = create_assessment(received_on=date(2025, 1, 6), coordinator=coordinator, team=team)
    case_service.record_event(
        assessment, EventType.DECIDED_NOT_TO_ASSESS, date(2025, 2, 10), actor=coordinator, today=today()
    )
    db.session.commit()
    body = {
        "child_id": assessment.child_id,
        "type": "dispute",
        "team_id": team.id,
        "decision_sent_on": "2025-02-10",
        "appeal_type": "refusal_to_assess",
        "disputed_case_id": assessment.id,
    }
    response = client.post("/api/v1/cases", headers=headers, json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    case = response.get_json()
    assert case["type"] == "dispute" and case["anchor_on"] == "2025-02-10" and case["coordinator_id"] == coordinator.id
    assert case["appeal_type"] == "refusal_to_assess" and case["disputed_case_id"] == assessment.id
    # HESC r.20(1): two months from the decision letter.
    assert {m["key"]: m["due_on"] for m in case["milestones"]}["appeal_deadline"] == "2025-04-10"

    # The same matter is already in dispute; and a dispute needs its letter date, what is disputed,
    # and either the case or the plan.
    again = _error(client.post("/api/v1/cases", headers=headers, json=body), 422)
    assert "already an open dispute" in again["fields"]["appeal_type"]
    error = _error(
        client.post(
            "/api/v1/cases",
            headers=headers,
            json={
                "child_id": assessment.child_id,
                "type": "dispute",
                "team_id": team.id,
                "plan_id": 1,
                "disputed_case_id": assessment.id,
            },
        ),
        422,
    )
    assert set(error["fields"]) == {"decision_sent_on", "appeal_type", "disputed_case_id"}
    # A dispute's fields on another kind of case are refused, not ignored.
    error = _error(
        client.post(
            "/api/v1/cases",
            headers=headers,
            json={
                "child_id": assessment.child_id,
                "type": "annual_review",
                "team_id": team.id,
                "plan_made_on": "2025-01-06",
                "appeal_type": "cease",
            },
        ),
        422,
    )
    assert error["fields"] == {"appeal_type": "Used only for a dispute"}
