"""Schema-driven tests: Schemathesis generates requests from the served OpenAPI document and
checks every answer against it (no 500s, only documented status codes and content types, bodies
and headers that match the document). Bounded with a few examples per operation to stay fast.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from ehc_tracker.api.openapi import openapi_document
from ehc_tracker.extensions import db
from ehc_tracker.services import api_tokens
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]


class FreshAppContext:
    """Answer each request in an application context (and database session) of its own, as in
    production; the test holds one open for its own database work."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> Any:
        with self.app.app_context():
            return list(self.app(environ, start_response))


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"API_RATE_LIMIT_PER_MINUTE": 100_000}


@pytest.fixture
def api_headers(app) -> dict[str, str]:
    """A manager's token (managers may use every endpoint), and a little data to find."""
    team = create_team(name="Fuzz team")
    manager = create_user(role="manager", teams=[team])
    case = create_assessment(team=team, coordinator=manager, received_on=date(2025, 1, 6))
    create_child(team=team)
    assert case.id == 1
    secret = api_tokens.create_token(manager, name="schemathesis", actor=manager).secret
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


# The document is built in code, so it can be loaded when the tests are collected; the test
# below checks that the API serves exactly this document. (Schemathesis's lazy fixture loader
# does not run on pytest 9.)
schema = schemathesis.openapi.from_dict(openapi_document(rate_limit=100_000))
# Each call carries a real token (below), so the Authorization header is not generated; the
# hand-written tests cover calls without one, or with a bad one.
schema.config.generation.update(with_security_parameters=False)


def test_the_served_document_is_the_one_tested(client, api_headers):
    assert client.get("/api/v1/openapi.json", headers=api_headers).get_json() == openapi_document(rate_limit=100_000)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_matches_its_document(app, case, api_headers):
    response = case.call_and_validate(app=FreshAppContext(app), headers=api_headers, checks=CHECKS)
    with open("/tmp/statuses.txt", "a") as fh:
        fh.write(f"{case.method} {case.path} {response.status_code}\n")


def test_successful_answers_match_the_document(app, client, api_headers):
    """The generated requests rarely get past validation; these do, and are checked the same way."""
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", FreshAppContext(app), headers=api_headers)
    team_id = 1

    def check(method: str, path: str, response: Any, status: int) -> Any:
        assert response.status_code == status, response.get_data(as_text=True)
        document[path][method].validate_response(response)
        return response.get_json()

    child = check(
        "POST",
        "/children",
        client.post(
            "/api/v1/children",
            headers=api_headers,
            json={
                "first_name": "Sam",
                "last_name": "Jones",
                "date_of_birth": "2014-09-01",
                "team_id": team_id,
                "sex": "M",
                "ethnicity": "WBRI",
                "postcode": "LS1 1AA",
                "primary_need": "SLCN",
                "secondary_need": "ASD",
                "setting_urn": "100000",
                "setting_name": "Hill Primary",
                "year_group_override": 5,
                "looked_after": True,
            },
        ),
        201,
    )
    check("GET", "/children/{child_id}", client.get(f"/api/v1/children/{child['id']}", headers=api_headers), 200)
    case = check(
        "POST",
        "/cases",
        client.post(
            "/api/v1/cases",
            headers=api_headers,
            json={
                "child_id": child["id"],
                "type": "assessment",
                "team_id": team_id,
                "request_received_on": "2025-01-06",
                "coordinator_id": None,
            },
        ),
        201,
    )
    url = f"/api/v1/cases/{case['id']}/events"
    for event in (
        {"type": "decided_to_assess", "on": "2025-02-10"},
        {"type": "advice_requested", "on": "2025-02-11", "advice_type": "ep", "provider": "EP Service"},
        {"type": "decided_to_issue", "on": "2025-03-31"},
        {"type": "draft_plan_issued", "on": "2025-04-07"},
        {"type": "school_consulted", "on": "2025-04-08", "setting_name": "Hill Primary"},
    ):
        case = check("POST", "/cases/{case_id}/events", client.post(url, headers=api_headers, json=event), 201)
    check(
        "POST",
        "/cases/{case_id}/events",
        client.post(
            url,
            headers=api_headers,
            json={
                "type": "school_responded",
                "on": "2025-04-18",
                "consultation_id": case["consultations"][0]["id"],
                "outcome": "agreed",
            },
        ),
        201,
    )
    check(
        "POST",
        "/cases/{case_id}/events",
        client.post(
            url,
            headers=api_headers,
            json={"type": "final_plan_issued", "on": "2025-05-20", "named_settings": "Hill Primary"},
        ),
        201,
    )
    review = check(
        "GET", "/children/{child_id}", client.get(f"/api/v1/children/{child['id']}", headers=api_headers), 200
    )["cases"][-1]
    check("GET", "/cases/{case_id}", client.get(f"/api/v1/cases/{review['id']}", headers=api_headers), 200)
    check("GET", "/overdue", client.get("/api/v1/overdue?as_of=2025-12-01&per_page=200", headers=api_headers), 200)
    check("GET", "/compliance", client.get("/api/v1/compliance?from=2025-01&to=2025-12", headers=api_headers), 200)
    # Errors are documented too.
    check(
        "POST",
        "/cases/{case_id}/events",
        client.post(url, headers=api_headers, json={"type": "withdrawn", "on": "2025-06-01", "reason": "x"}),
        409,
    )
    check("POST", "/children", client.post("/api/v1/children", headers=api_headers, json={}), 422)
    check("GET", "/overdue", client.get("/api/v1/overdue"), 401)
