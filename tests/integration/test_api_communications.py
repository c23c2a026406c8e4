"""Communications through the API: the same fields as the case page's form (the child's recorded
contact or someone named, the time received, how the reply was sent), validated as strictly."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import Channel, Communication
from tests.factories_cases import create_assessment
from tests.factories_children import create_child, create_contact
from tests.helpers import create_team, create_user
from tests.integration.test_api import _error, bearer, token_for


@pytest.fixture
def world():
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    pat = create_contact(child=case.child, name="Pat Brown", relationship_to_child="Father")
    return case, pat, bearer(token_for(coordinator))


def _log(client, case, headers, **body):
    data = {"received_on": "2025-12-19", "channel": "email", "summary": "Any news?", **body}
    return client.post(f"/api/v1/cases/{case.id}/communications", headers=headers, json=data)


def test_log_from_a_contact_with_its_time_and_answer_with_the_reply_method(client, world):
    case, pat, headers = world
    response = _log(client, case, headers, contact_id=pat.id, received_at="14:05", channel="phone")
    assert response.status_code == 201, response.get_data(as_text=True)
    [comm] = response.get_json()["communications"]
    assert comm["contact_id"] == pat.id and comm["from_name"] == "Pat Brown" and comm["from_relationship"] == "Father"
    assert comm["received_at"] == "14:05" and comm["channel"] == "phone" and comm["reply_channel"] is None
    assert any(
        m["ref"] == f"communication:{comm['id']}" and m["due_on"] == "2025-12-30"
        for m in response.get_json()["milestones"]
    )

    url = f"/api/v1/cases/{case.id}/communications/{comm['id']}/response"
    answered = client.post(
        url, headers=headers, json={"responded_on": "2025-12-22", "reply_channel": "portal", "summary": "Rang back"}
    )
    assert answered.status_code == 200, answered.get_data(as_text=True)
    [comm] = answered.get_json()["communications"]
    assert (
        comm["responded_on"] == "2025-12-22"
        and comm["reply_channel"] == "portal"
        and comm["response_summary"] == "Rang back"
    )
    assert db.session.scalars(select(Communication)).one().reply_channel is Channel.PORTAL
    again = client.post(url, headers=headers, json={"responded_on": "2025-12-22", "reply_channel": "email"})
    _error(again, 409, "conflict")
    actions = [a.action for a in db.session.scalars(select(AuditEvent))]
    assert "communication_logged" in actions and "communication_responded" in actions


def test_someone_else_is_named(client, world):
    case, pat, headers = world
    response = _log(client, case, headers, from_name="Hill Primary SENCo")
    assert response.status_code == 201
    [comm] = response.get_json()["communications"]
    assert comm["contact_id"] is None and comm["from_name"] == "Hill Primary SENCo" and comm["received_at"] is None


@pytest.mark.parametrize(
    "typed", ["24:00", "12:60", "9.30", "930", "9:5", "09:30:00", "noon", " 09:30", "09:30\n", "١٢:٣٠", 930]
)
def test_a_time_not_on_the_24_hour_clock_is_422(client, world, typed):
    case, pat, headers = world
    body = _error(_log(client, case, headers, contact_id=pat.id, received_at=typed), 422, "validation_failed")
    assert body["fields"] == {
        "received_at": "Enter the time on the 24-hour clock as hours and minutes, for example 09:30 or 14:05"
    }


def test_refusals_name_their_field(client, world):
    case, pat, headers = world
    stranger = create_contact(child=create_child(team=case.team), name="Not Theirs")
    cases = [
        ({"contact_id": stranger.id}, "contact_id"),
        ({"contact_id": pat.id, "from_name": "Pat"}, "from_name"),
        ({}, "from_name"),
        ({"from_name": "   "}, "from_name"),
        ({"from_name": "Mum", "channel": "fax"}, "channel"),
        ({"from_name": "Mum", "received_on": "2999-01-01"}, "received_on"),
        ({"from_name": "Mum", "summary": "  "}, "summary"),
    ]
    for extra, field in cases:
        body = _error(_log(client, case, headers, **extra), 422)
        assert field in body["fields"], (extra, body)
    assert not db.session.scalars(select(Communication)).all()
    comm_url = f"/api/v1/cases/{case.id}/communications/999999/response"
    _error(client.post(comm_url, headers=headers, json={"responded_on": "2025-12-22", "reply_channel": "email"}), 404)
    comm = _log(client, case, headers, from_name="Mum").get_json()["communications"][0]
    url = f"/api/v1/cases/{case.id}/communications/{comm['id']}/response"
    body = _error(client.post(url, headers=headers, json={"responded_on": "2025-12-22"}), 422)
    assert set(body["fields"]) == {"reply_channel"}
    body = _error(client.post(url, headers=headers, json={"responded_on": "2025-12-18", "reply_channel": "email"}), 422)
    assert "cannot be before the day it was received" in body["fields"]["responded_on"]


def test_another_team_s_case_is_404(client, world):
    case, pat, headers = world
    theirs = create_assessment(team=create_team())
    _error(_log(client, theirs, headers, from_name="Mum"), 404, "not_found")


def test_a_letter_the_council_sent_is_outgoing_with_no_response_due_and_cannot_be_answered(client, world):
    case, _, headers = world
    logged = _log(client, case, headers, from_name="Pat Brown")
    assert logged.get_json()["communications"][0]["outgoing"] is False
    sent = Communication(
        case=case, received_on=date(2025, 12, 22), channel=Channel.LETTER, from_name="Jo", summary="Sent", outgoing=True
    )
    db.session.add(sent)
    db.session.commit()
    body = client.get(f"/api/v1/cases/{case.id}", headers=headers).get_json()
    outgoing = next(c for c in body["communications"] if c["id"] == sent.id)
    assert outgoing["outgoing"] is True and outgoing["responded_on"] is None
    answered = client.post(
        f"/api/v1/cases/{case.id}/communications/{sent.id}/response",
        headers=headers,
        json={"responded_on": "2025-12-22", "reply_channel": "email"},
    )
    _error(answered, 409, "conflict")
