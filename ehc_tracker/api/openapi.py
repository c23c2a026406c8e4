"""The OpenAPI 3.0 document of the JSON API, built in code and served at /api/v1/openapi.json.

Request bodies and query parameters come from the `Field` lists that validate them
(schemas.py); responses are described here next to nothing else, and the schema-driven test
(tests/integration/test_api_schema.py) calls every operation and checks each answer against
this document, so it has to say what the API really does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models.case import AdviceType, AppealType, CaseStatus, CaseType, Channel, EventType, RequestSource
from ..models.child import Ethnicity, SenNeed, Sex
from ..services.reports.measures import MEASURES
from ..statutory.status import DEFAULT_DUE_SOON_DAYS, MilestoneStatus
from . import schemas
from .schemas import Field

VERSION = "1.0.0"
JSON = "application/json"


def _values(enum_cls: Any) -> list[str]:
    return [member.value for member in enum_cls]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    found = dict(schema, nullable=True)
    if "enum" in found:
        found["enum"] = [*found["enum"], None]
    return found


def _object(
    properties: dict[str, Any], *, required: Sequence[str] | None = None, description: str | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
MONTH: dict[str, Any] = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}


def _figure(*, nullable: bool = False, description: str | None = None) -> dict[str, Any]:
    schema = _object(
        {
            "counted": dict(INTEGER, description="How many were counted."),
            "on_time": dict(INTEGER, description="How many of them were on time (met on or before the due date)."),
            "late": INTEGER,
            "percent": _nullable(
                {
                    "type": "number",
                    "description": "on_time as a percentage of counted, to 1 decimal place; null when nothing was counted.",
                }
            ),
        },
        description=description,
    )
    return _nullable(schema) if nullable else schema


def _component_schemas() -> dict[str, Any]:
    return {
        "Error": _object(
            {
                "error": _object(
                    {
                        "code": dict(
                            STRING,
                            description="bad_request, unauthorized, forbidden, not_found, method_not_allowed, conflict, "
                            "validation_failed or too_many_requests.",
                        ),
                        "message": dict(STRING, description="What went wrong, in words a person can act on."),
                        "fields": {
                            "type": "object",
                            "additionalProperties": STRING,
                            "description": "A message for each field of the request at fault (empty when none is).",
                        },
                    }
                )
            }
        ),
        "PossibleDuplicateError": _object(
            {
                "error": _object(
                    {
                        "code": dict(STRING, description="conflict."),
                        "message": dict(STRING, description="What went wrong, in words a person can act on."),
                        "fields": {
                            "type": "object",
                            "additionalProperties": STRING,
                            "description": "The message again, under confirm_not_duplicate.",
                        },
                        "matches": {
                            "type": "array",
                            "description": "The children in the caller's teams who may be this child, closest first.",
                            "items": _object(
                                {
                                    "id": INTEGER,
                                    "first_name": STRING,
                                    "last_name": STRING,
                                    "date_of_birth": DATE,
                                    "upn": _nullable(STRING),
                                    "team": STRING,
                                    "reason": dict(
                                        STRING,
                                        description='Why they may be the same child, e.g. "The same date of birth; Toby and Tobias are forms of the same name".',
                                    ),
                                }
                            ),
                        },
                        "matches_in_other_teams": dict(
                            INTEGER, description="How many more possible matches are in teams the caller cannot see."
                        ),
                    }
                )
            }
        ),
        "CaseSummary": _object(
            {
                "id": INTEGER,
                "type": {"type": "string", "enum": _values(CaseType)},
                "status": {"type": "string", "enum": _values(CaseStatus)},
                "anchor_on": DATE,
            }
        ),
        "Child": _object(
            {
                "id": INTEGER,
                "first_name": STRING,
                "last_name": STRING,
                "date_of_birth": DATE,
                "upn": _nullable(STRING),
                "uln": _nullable(STRING),
                "sex": _nullable({"type": "string", "enum": _values(Sex)}),
                "ethnicity": _nullable({"type": "string", "enum": _values(Ethnicity)}),
                "postcode": _nullable(STRING),
                "primary_need": _nullable({"type": "string", "enum": _values(SenNeed)}),
                "secondary_need": _nullable({"type": "string", "enum": _values(SenNeed)}),
                "setting_name": _nullable(STRING),
                "setting_urn": _nullable(STRING),
                "setting_ukprn": _nullable(STRING),
                "year_group_override": _nullable(
                    dict(INTEGER, description="Year group this school year when educated out of year group.")
                ),
                "attends_infant_school": BOOLEAN,
                "looked_after": BOOLEAN,
                "young_person_own_requests": BOOLEAN,
                "team_id": INTEGER,
                "cases": {"type": "array", "items": _ref("CaseSummary")},
            }
        ),
        "Event": _object(
            {
                "id": INTEGER,
                "type": {"type": "string", "enum": _values(EventType)},
                "on": DATE,
                "details": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "What was recorded with the step.",
                },
                "recorded_at": _nullable({"type": "string", "format": "date-time"}),
            }
        ),
        "Milestone": _object(
            {
                "key": dict(STRING, description="The statutory milestone key, e.g. final_plan."),
                "ref": dict(
                    STRING, description="For repeated milestones, which advice request, consultation or communication."
                ),
                "label": STRING,
                "source": dict(STRING, description="The regulation or guidance it comes from."),
                "due_on": DATE,
                "met_on": _nullable(DATE),
                "status": {
                    "type": "string",
                    "enum": [*_values(MilestoneStatus), "period"],
                    "description": f"Where it stands today: not_due, due_soon (within {DEFAULT_DUE_SOON_DAYS} days), overdue, met_on_time, met_late; "
                    "'period' for a period that closes (such as representations on a draft plan) rather than a step to take.",
                },
                "is_period": BOOLEAN,
                "exception_applies": dict(
                    BOOLEAN, description="An approved statutory exception applies (the due date does not move)."
                ),
            }
        ),
        "AdviceRequest": _object(
            {
                "id": INTEGER,
                "advice_type": {"type": "string", "enum": _values(AdviceType)},
                "provider": STRING,
                "requested_on": DATE,
                "received_on": _nullable(DATE),
            }
        ),
        "Consultation": _object(
            {
                "id": INTEGER,
                "setting_name": STRING,
                "sent_on": DATE,
                "responded_on": _nullable(DATE),
                "outcome": _nullable(STRING),
            }
        ),
        "Case": _object(
            {
                "id": INTEGER,
                "child_id": INTEGER,
                "type": {"type": "string", "enum": _values(CaseType)},
                "status": {"type": "string", "enum": _values(CaseStatus)},
                "team_id": INTEGER,
                "coordinator_id": _nullable(INTEGER),
                "anchor_on": dict(
                    DATE,
                    description="The statutory anchor: the day the request was received (assessments), the plan was made or last reviewed (annual reviews), or the decision letter was sent (disputes).",
                ),
                "request_source": _nullable({"type": "string", "enum": _values(RequestSource)}),
                "appeal_type": _nullable(
                    dict({"type": "string", "enum": _values(AppealType)}, description="Disputes: what is disputed.")
                ),
                "disputed_case_id": _nullable(
                    dict(INTEGER, description="Disputes: the case whose decision is disputed (null for a plan's own).")
                ),
                "plan_id": _nullable(INTEGER),
                "review_meeting_on": _nullable(DATE),
                "review_decision": _nullable({"type": "string", "enum": ["maintain", "amend", "cease"]}),
                "transferred_on": _nullable(DATE),
                "closed_on": _nullable(DATE),
                "close_reason": _nullable(STRING),
                "next_due_on": _nullable(DATE),
                "events": {"type": "array", "items": _ref("Event")},
                "milestones": {"type": "array", "items": _ref("Milestone")},
                "advice_requests": {"type": "array", "items": _ref("AdviceRequest")},
                "consultations": {"type": "array", "items": _ref("Consultation")},
                "communications": {
                    "type": "array",
                    "items": _ref("Communication"),
                    "description": "Emails, calls, letters and family messages, newest first.",
                },
            }
        ),
        "Communication": _object(
            {
                "id": INTEGER,
                "received_on": DATE,
                "received_at": _nullable(
                    dict(
                        STRING,
                        pattern=schemas.TIME_PATTERN,
                        description="The time of day it was received, HH:MM (24-hour clock).",
                    )
                ),
                "channel": {
                    "type": "string",
                    "enum": _values(Channel),
                    "description": "How it came in; meeting is in person, portal through the service.",
                },
                "contact_id": _nullable(
                    dict(
                        INTEGER,
                        description="The child's recorded contact it came from; null for someone else (or a contact since removed).",
                    )
                ),
                "from_name": dict(STRING, description="Who it came from: the contact's name when it came from one."),
                "from_relationship": _nullable(dict(STRING, description="The contact's relationship to the child.")),
                "summary": STRING,
                "family_message": dict(BOOLEAN, description="Sent by a family account through the service."),
                "outgoing": dict(
                    BOOLEAN,
                    description="Sent by the council (a letter made from the case): received_on is the day it was "
                    "sent, from_name who sent it, and no response is due.",
                ),
                "responded_on": _nullable(DATE),
                "reply_channel": _nullable(
                    {"type": "string", "enum": _values(Channel), "description": "How the reply was sent."}
                ),
                "response_summary": _nullable(STRING),
            }
        ),
        "OverdueItem": _object(
            {
                "milestone_id": INTEGER,
                "milestone_key": STRING,
                "label": STRING,
                "due_on": DATE,
                "days_overdue": _nullable(INTEGER),
                "exception_applies": BOOLEAN,
                "case_id": INTEGER,
                "case_type": {"type": "string", "enum": _values(CaseType)},
                "team": STRING,
                "coordinator": _nullable(STRING),
                "child_name": _nullable(
                    dict(STRING, description="The child's name; null for viewers, who never see children's details.")
                ),
            }
        ),
        "OverduePage": _object(
            {
                "as_of": DATE,
                "page": INTEGER,
                "per_page": INTEGER,
                "total": dict(INTEGER, description="How many overdue milestones match, on every page."),
                "items": {"type": "array", "items": _ref("OverdueItem")},
            }
        ),
        "ComplianceMonth": _object(
            {
                "month": MONTH,
                "counted": INTEGER,
                "on_time": INTEGER,
                "late": INTEGER,
                "percent": _nullable({"type": "number"}),
                "excluding_exceptions": _figure(
                    nullable=True,
                    description="The same figure leaving out milestones where a statutory exception applies (20-week measure only; the headline figure).",
                ),
                "target_percent": _nullable({"type": "number"}),
                "partial": dict(BOOLEAN, description="The month of today: only part of it has happened."),
            }
        ),
        "ComplianceMeasure": _object(
            {
                "key": {"type": "string", "enum": [m.key for m in MEASURES]},
                "title": STRING,
                "milestone_key": STRING,
                "milestone_keys": {"type": "array", "items": STRING},
                "source": STRING,
                "definition": STRING,
                "months": {"type": "array", "items": _ref("ComplianceMonth")},
            }
        ),
        "Compliance": _object(
            {
                "from": MONTH,
                "to": MONTH,
                "as_at": DATE,
                "team_id": _nullable(INTEGER),
                "measures": {"type": "array", "items": _ref("ComplianceMeasure")},
            }
        ),
        "NewChild": _body(schemas.NEW_CHILD),
        "NewCommunication": _body(
            schemas.NEW_COMMUNICATION,
            description="An email, call, letter or meeting from a parent or professional; a response is due within 5 working days. "
            "Give contact_id (one of the child's recorded contacts) or from_name (someone else), not both.",
        ),
        "NewResponse": _body(schemas.NEW_RESPONSE, description="The response to a communication, and how it was sent."),
        "NewCase": _body(schemas.NEW_CASE),
        "NewEvent": _body(
            schemas.NEW_EVENT,
            description="A step of the workflow. Besides `type` and `on`, give the details that step takes: "
            + "; ".join(f"{name}: {', '.join(fields)}" for name, fields in schemas.EVENT_FIELDS.items())
            + ". Details of other steps are refused.",
        ),
    }


def _body(fields: Sequence[Field], description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: f.json_schema() for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


def _responses() -> dict[str, Any]:
    return {
        "BadRequest": _error("The body is not JSON, or not a JSON object."),
        "Unauthorized": dict(
            _error("No API token, or one that is not valid (revoked, or its account deactivated)."),
            headers={"WWW-Authenticate": {"schema": STRING}},
        ),
        "Forbidden": _error(
            "The caller's role may not do this (or, for a case, they are not its coordinator or a manager of its team)."
        ),
        "NotFound": _error("No such record in the caller's teams (another team's record is answered the same way)."),
        "Conflict": _error(
            "The request conflicts with the record's state: a step out of sequence or already recorded, the case closed, an open case or a possible duplicate child."
        ),
        "Invalid": _error("A value is not valid; `fields` has a message for each."),
        "PossibleDuplicate": {
            "description": "This child may already have a record: the same UPN, or the same date of birth and a similar name "
            "(a short form such as Toby for Tobias, one typo, first and last names swapped, part of a double surname). "
            "Check the matches; if this is a different child, send the request again with confirm_not_duplicate: true.",
            "content": {JSON: {"schema": _ref("PossibleDuplicateError")}},
        },
        "TooManyRequests": dict(
            _error("Too many calls in the last minute from this token."),
            headers={"Retry-After": {"description": "Seconds to wait before calling again.", "schema": INTEGER}},
        ),
    }


def _standard(*codes: str) -> dict[str, Any]:
    names = {
        "400": "BadRequest",
        "401": "Unauthorized",
        "403": "Forbidden",
        "404": "NotFound",
        "409": "Conflict",
        "422": "Invalid",
        "429": "TooManyRequests",
    }
    return {code: {"$ref": f"#/components/responses/{names[code]}"} for code in codes}


def _ok(schema_name: str, description: str, status: str = "200", *, location: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {JSON: {"schema": _ref(schema_name)}}}
    if location:
        response["headers"] = {"Location": {"description": "The URL of the new record.", "schema": STRING}}
    return {status: response}


def _query(fields: Sequence[Field]) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "in": "query",
            "required": False,
            "description": f.description,
            "schema": f.json_schema(in_query=True),
        }
        for f in fields
    ]


def _path_id(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1, "maximum": schemas.INT32_MAX},
    }


def _json_body(schema_name: str) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": _ref(schema_name)}}}


def _roles(*names: str) -> str:
    return f" Roles: {', '.join(names)}."


def openapi_document(*, rate_limit: int | None = None) -> dict[str, Any]:
    if rate_limit is None:
        from .auth import rate_limit as configured

        rate_limit = configured()
    case_roles = _roles("coordinator", "manager")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "EHC Tracker API",
            "version": VERSION,
            "description": (
                "Children, EHC needs assessments and annual reviews, the overdue list and the compliance figures of an "
                "English local authority's SEND service.\n\n"
                "**Authentication**: a personal API token, created on your account page (or with `flask create-token`), "
                "sent as `Authorization: Bearer <token>`. A token acts as you, with your role and teams. People signed in "
                "to the web service may also read (GET) the API in their browser; changes always need a token.\n\n"
                "**Access**: coordinators and managers see the children and cases of their own teams (another team's record "
                "is a 404); coordinators change only the cases they hold; viewers may use only /overdue (without children's "
                "names) and /compliance; administrators see no case data.\n\n"
                f"**Rate limit**: {rate_limit} calls a minute per token; over it, 429 with a Retry-After header.\n\n"
                "**Audit**: every call is written to the audit log with the token's prefix (never the token).\n\n"
                '**Errors**: `{"error": {"code", "message", "fields"}}`. 400: the body is not a JSON object; 401: no valid '
                "token; 403: your role may not; 404: no such record in your teams; 409: the record's state refuses it (a step "
                "out of sequence or already recorded, a closed case, an open case already there, a possible duplicate child); "
                "422: a value is not valid (see `fields`); 429: too many calls. Dates are YYYY-MM-DD between 1900 and 2100."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document." + _roles("coordinator", "manager", "admin", "viewer"),
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {JSON: {"schema": {"type": "object"}}},
                        },
                        **_standard("401", "403", "429"),
                    },
                }
            },
            "/children": {
                "post": {
                    "operationId": "createChild",
                    "summary": "Add a child to one of your teams." + case_roles,
                    "requestBody": _json_body("NewChild"),
                    "responses": {
                        **_ok("Child", "The child's new record.", "201", location=True),
                        **_standard("400", "401", "403", "422", "429"),
                        "409": {"$ref": "#/components/responses/PossibleDuplicate"},
                    },
                }
            },
            "/children/{child_id}": {
                "get": {
                    "operationId": "getChild",
                    "summary": "A child's record (the view is audited)." + case_roles,
                    "parameters": [_path_id("child_id", "child")],
                    "responses": {**_ok("Child", "The child's record."), **_standard("401", "403", "404", "429")},
                }
            },
            "/cases": {
                "post": {
                    "operationId": "createCase",
                    "summary": "Open an EHC needs assessment, or the annual reviews of an existing plan, with its statutory milestones."
                    + case_roles,
                    "requestBody": _json_body("NewCase"),
                    "responses": {
                        **_ok("Case", "The new case and its milestones.", "201", location=True),
                        **_standard("400", "401", "403", "409", "422", "429"),
                    },
                }
            },
            "/cases/{case_id}": {
                "get": {
                    "operationId": "getCase",
                    "summary": "A case: its events and its milestones with their status today." + case_roles,
                    "parameters": [_path_id("case_id", "case")],
                    "responses": {**_ok("Case", "The case."), **_standard("401", "403", "404", "429")},
                }
            },
            "/cases/{case_id}/events": {
                "post": {
                    "operationId": "recordEvent",
                    "summary": "Record a step of the workflow; the milestones are recalculated."
                    + case_roles
                    + " Coordinators only on the cases they hold.",
                    "parameters": [_path_id("case_id", "case")],
                    "requestBody": _json_body("NewEvent"),
                    "responses": {
                        **_ok("Case", "The case as it now stands.", "201"),
                        **_standard("400", "401", "403", "404", "409", "422", "429"),
                    },
                }
            },
            "/cases/{case_id}/communications": {
                "post": {
                    "operationId": "logCommunication",
                    "summary": "Log an email, call, letter or meeting about the case; its 5-working-day response time limit is added."
                    + case_roles,
                    "parameters": [_path_id("case_id", "case")],
                    "requestBody": _json_body("NewCommunication"),
                    "responses": {
                        **_ok("Case", "The case as it now stands.", "201"),
                        **_standard("400", "401", "403", "404", "409", "422", "429"),
                    },
                }
            },
            "/cases/{case_id}/communications/{communication_id}/response": {
                "post": {
                    "operationId": "recordResponse",
                    "summary": "Record the response to a communication, and how it was sent (once; a second is a 409)."
                    + case_roles,
                    "parameters": [_path_id("case_id", "case"), _path_id("communication_id", "communication")],
                    "requestBody": _json_body("NewResponse"),
                    "responses": {
                        **_ok("Case", "The case as it now stands."),
                        **_standard("400", "401", "403", "404", "409", "422", "429"),
                    },
                }
            },
            "/overdue": {
                "get": {
                    "operationId": "listOverdue",
                    "summary": "Milestones not met by their due date, of the open cases of your teams, earliest due first."
                    + _roles("coordinator", "manager", "viewer"),
                    "parameters": _query(schemas.OVERDUE_QUERY),
                    "responses": {
                        **_ok("OverduePage", "One page of overdue milestones."),
                        **_standard("401", "403", "422", "429"),
                    },
                }
            },
            "/compliance": {
                "get": {
                    "operationId": "getCompliance",
                    "summary": "Monthly compliance with the statutory time limits (20-week plans including and excluding exceptions, "
                    "6-week decisions, 6-week advice, 4-week review decisions, 12-week amended plans, 5-day responses), "
                    f"at most {schemas.MAX_MONTHS} months at a time." + _roles("manager", "viewer"),
                    "parameters": _query(schemas.COMPLIANCE_QUERY),
                    "responses": {
                        **_ok("Compliance", "The figures, month by month."),
                        **_standard("401", "403", "422", "429"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal API token (starts ehc_)."}
            },
            "schemas": _component_schemas(),
            "responses": _responses(),
        },
    }
