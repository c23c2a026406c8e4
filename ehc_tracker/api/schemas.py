"""Request validation for the JSON API, and the field definitions the OpenAPI document is built from.

Each request body and each set of query parameters is a list of `Field`s. The same list checks
a request (`read_body`, `read_query`) and describes it in the OpenAPI document
(`Field.json_schema`), so the document cannot drift from what the API accepts.

Checks here are about shape (types, formats, lengths, known codes). What a value means for a
record (a date in the future, an event out of sequence, a UPN's check letter) is the services'
business; their refusals come back as ServiceError and become 409/422 responses in routes.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Literal

from ..models.case import AdviceType, AppealType, Channel, EventType, RequestSource
from ..models.child import Ethnicity, SenNeed, Sex
from ..services import disputes, workflow
from ..services.cases import CEASE_REASONS, TIME_OF_DAY_MESSAGE, parse_time_of_day
from ..services.email_addresses import email_address_problem, valid_email_address

INT32_MAX = 2_147_483_647
# Dates outside this range are refused: nothing in the service happens before 1900, and the
# deadline arithmetic must never run off the end of the calendar.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
MAX_PAGE = 100_000
MAX_PER_PAGE = 200

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
TIME_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
_TIME = re.compile(TIME_PATTERN)
_DIGITS = re.compile(r"^[0-9]{1,10}$")

Kind = Literal["string", "email", "date", "month", "time", "integer", "boolean", "enum"]


class ApiError(Exception):
    """A refusal answered as `{"error": {"code", "message", "fields"}}` with `status`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


def invalid(fields: Mapping[str, str], message: str = "Some of the values are not valid") -> ApiError:
    return ApiError(422, "validation_failed", message, fields)


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    description: str
    label: str = ""
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None

    @property
    def words(self) -> str:
        return self.label or self.name.replace("_", " ")

    def json_schema(self, *, in_query: bool = False) -> dict[str, Any]:
        schema: dict[str, Any]
        if self.kind == "string":
            schema = {"type": "string"}
            if self.max_length is not None:
                schema["maxLength"] = self.max_length
        elif self.kind == "email":
            # One plain address, checked as the web forms check it (services.email_addresses).
            schema = {"type": "string", "format": "email", "maxLength": 254, "example": "name@example.com"}
        elif self.kind == "date":
            schema = {"type": "string", "format": "date"}
        elif self.kind == "month":
            schema = {"type": "string", "pattern": _MONTH.pattern, "example": "2025-04"}
        elif self.kind == "time":
            schema = {"type": "string", "pattern": _TIME.pattern, "example": "14:05"}
        elif self.kind == "integer":
            schema = {"type": "integer"}
            if self.minimum is not None:
                schema["minimum"] = self.minimum
            if self.maximum is not None:
                schema["maximum"] = self.maximum
        elif self.kind == "boolean":
            schema = {"type": "boolean"}
        else:
            choices: list[Any] = list(self.choices)
            if not self.required and not in_query:
                choices.append(None)  # OpenAPI 3.0.3: a nullable enum lists null among its values
            schema = {"type": "string", "enum": choices}
        if self.default is not None:
            schema["default"] = self.default
        if not self.required and not in_query:
            schema["nullable"] = True
        schema["description"] = self.description
        return schema


def _string(field: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Enter the {field.words} as text")
    if "\x00" in value:
        raise ValueError(f"The {field.words} cannot contain a null character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"The {field.words} must be valid Unicode text") from None
    if field.max_length is not None and len(value) > field.max_length:
        raise ValueError(f"The {field.words} must be {field.max_length} characters or fewer")
    return value


def _email(field: Field, value: Any) -> str:
    """One address, normalised; refused with the same words as on the web forms."""
    if not isinstance(value, str):
        raise ValueError(f"Enter the {field.words} as text")
    problem = email_address_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return valid_email_address(value, field=field.name)


def _date(field: Field, value: Any) -> date:
    text = value if isinstance(value, str) else None
    if text is None or not _DATE.match(text):
        raise ValueError(f"Enter the {field.words} as a date in the format YYYY-MM-DD")
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"The {field.words} must be a real date, like 2025-03-27") from None
    if not EARLIEST <= found <= LATEST:
        raise ValueError(f"The {field.words} must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return found


def _month(field: Field, value: Any) -> date:
    text = value if isinstance(value, str) else None
    if text is None or not _MONTH.match(text):
        raise ValueError(f"Enter the {field.words} as a month in the format YYYY-MM")
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise ValueError(f"The {field.words} must be a real month, like 2025-04")
    found = date(year, month, 1)
    if not EARLIEST <= found <= LATEST:
        raise ValueError(f"The {field.words} must be between {EARLIEST:%Y-%m} and {LATEST:%Y-%m}")
    return found


def _time(field: Field, value: Any) -> time:
    """A time of day, HH:MM on the 24-hour clock: read by the same rule as the web form's field
    (services.cases.parse_time_of_day), but exactly as sent, without trimming spaces."""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise ValueError(TIME_OF_DAY_MESSAGE)
    return parse_time_of_day(value)


def _integer(field: Field, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Enter the {field.words} as a whole number")
    if field.minimum is not None and value < field.minimum:
        raise ValueError(f"The {field.words} must be {field.minimum} or more")
    if field.maximum is not None and value > field.maximum:
        raise ValueError(f"The {field.words} must be {field.maximum} or less")
    return value


def _value(field: Field, value: Any) -> Any:
    if field.kind == "string":
        return _string(field, value)
    if field.kind == "email":
        return _email(field, value)
    if field.kind == "date":
        return _date(field, value)
    if field.kind == "month":
        return _month(field, value)
    if field.kind == "time":
        return _time(field, value)
    if field.kind == "integer":
        return _integer(field, value)
    if field.kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"The {field.words} must be true or false")
        return value
    if not isinstance(value, str) or value not in field.choices:
        shown = ", ".join(field.choices[:14]) + (", ..." if len(field.choices) > 14 else "")
        raise ValueError(f"Select the {field.words}: one of {shown}")
    return value


def read_body(fields: Sequence[Field], data: Any) -> dict[str, Any]:
    """The body's values by field name (None where not given), or ApiError 422 naming every
    field at fault. Fields the API does not know are refused rather than silently ignored."""
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "The request body must be a JSON object")
    known = {f.name: f for f in fields}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in data:
        if name not in known:
            errors[str(name)[:100]] = "This field is not part of the request"
    for field in fields:
        raw = data.get(field.name)
        if raw is None:
            if field.required:
                errors[field.name] = f"Enter the {field.words}"
            values[field.name] = field.default
            continue
        try:
            values[field.name] = _value(field, raw)
        except ValueError as error:
            errors[field.name] = str(error)
    if errors:
        raise invalid(errors)
    return values


def read_query(fields: Sequence[Field], args: Mapping[str, str]) -> dict[str, Any]:
    """Query parameters by name (the default where not given), or ApiError 422. Parameters the
    API does not know are refused, so that a misspelt filter is not silently ignored."""
    known = {f.name for f in fields}
    errors: dict[str, str] = {
        str(name)[:100]: "This parameter is not part of the request" for name in args if name not in known
    }
    values: dict[str, Any] = {}
    for field in fields:
        raw = args.get(field.name)
        if raw is None:
            values[field.name] = field.default
            continue
        try:
            if raw == "":
                raise ValueError(f"The {field.words} is empty: give a value, or leave the parameter out")
            if field.kind == "integer":
                if not _DIGITS.match(raw):
                    raise ValueError(f"Enter the {field.words} as a whole number")
                values[field.name] = _integer(field, int(raw))
            else:
                values[field.name] = _value(field, raw)
        except ValueError as error:
            errors[field.name] = str(error)
    if errors:
        raise invalid(errors)
    return values


def _codes(enum_cls: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum_cls)


# --- Children ------------------------------------------------------------------------------

NEW_CHILD = [
    Field("first_name", "string", "First name.", required=True, max_length=100, label="child's first name"),
    Field("last_name", "string", "Last name.", required=True, max_length=100, label="child's last name"),
    Field(
        "date_of_birth",
        "date",
        "Date of birth (the service covers ages 0 to 25).",
        required=True,
        label="date of birth",
    ),
    Field(
        "team_id",
        "integer",
        "The team responsible for the child: one of the caller's teams.",
        required=True,
        minimum=1,
        maximum=INT32_MAX,
        label="team",
    ),
    Field("upn", "string", "Unique Pupil Number, 13 characters with a valid check letter.", max_length=20, label="UPN"),
    Field("uln", "string", "Unique Learner Number, 10 digits with a valid check digit.", max_length=20, label="ULN"),
    Field("sex", "enum", "Sex as SEN2 records it: M, F or U (not known).", choices=_codes(Sex)),
    Field("ethnicity", "enum", "DfE main ethnicity code.", choices=_codes(Ethnicity)),
    Field("postcode", "string", "Home postcode, like SW1A 1AA.", max_length=10),
    Field(
        "primary_need",
        "enum",
        "Primary type of special educational need (SEN2 code).",
        choices=_codes(SenNeed),
        label="primary need",
    ),
    Field(
        "secondary_need",
        "enum",
        "Secondary type of need; needs a primary need, and must differ from it.",
        choices=_codes(SenNeed),
        label="secondary need",
    ),
    Field("setting_name", "string", "Current school, college or other setting.", max_length=200, label="setting name"),
    Field("setting_urn", "string", "The setting's URN, 6 digits.", max_length=10, label="setting URN"),
    Field("setting_ukprn", "string", "The setting's UKPRN, 8 digits.", max_length=10, label="setting UKPRN"),
    Field(
        "year_group_override",
        "integer",
        "Year group this school year when educated out of year group (0 = Reception to 13).",
        minimum=0,
        maximum=13,
        label="year group",
    ),
    Field("attends_infant_school", "boolean", "Attends an infant school (Reception to Year 2).", default=False),
    Field("looked_after", "boolean", "A looked-after child.", default=False),
    Field(
        "young_person_own_requests",
        "boolean",
        "A young person who makes their own requests and decisions.",
        default=False,
    ),
    Field(
        "confirm_not_duplicate",
        "boolean",
        "Set to true to add the child after checking that the possible matches are different children. Without it, a "
        "request for a child who may already have a record (the same UPN; or the same date of birth and a similar name: "
        "a short form such as Toby for Tobias, one typo, first and last names swapped, part of a double surname) is "
        "refused with 409 and the matches.",
        default=False,
    ),
    Field("allow_duplicate", "boolean", "The earlier name of confirm_not_duplicate, still accepted.", default=False),
]

# --- Cases ---------------------------------------------------------------------------------

CASE_TYPES = ("assessment", "annual_review", "dispute")

NEW_CASE = [
    Field(
        "child_id",
        "integer",
        "The child: one in the caller's teams.",
        required=True,
        minimum=1,
        maximum=INT32_MAX,
        label="child",
    ),
    Field(
        "type",
        "enum",
        "assessment: an EHC needs assessment, from the day the request was received (give request_received_on). "
        "annual_review: the annual reviews of a plan made before the service was used, from the day the plan was made "
        "or last reviewed (give plan_made_on). dispute: mediation or an appeal about a decision, from the day the "
        "decision letter was sent (give decision_sent_on, appeal_type, and disputed_case_id or plan_id).",
        required=True,
        choices=CASE_TYPES,
        label="type of case",
    ),
    Field(
        "team_id",
        "integer",
        "The team that holds the case: one of the caller's teams.",
        required=True,
        minimum=1,
        maximum=INT32_MAX,
        label="team",
    ),
    Field(
        "coordinator_id",
        "integer",
        "The EHC coordinator (a coordinator or manager in the team). Left out: the caller if they are a coordinator, "
        "otherwise nobody yet.",
        minimum=1,
        maximum=INT32_MAX,
        label="coordinator",
    ),
    Field(
        "request_received_on",
        "date",
        "Assessments: the day the request was received (the 20 weeks start here).",
        label="date the request was received",
    ),
    Field(
        "plan_made_on",
        "date",
        "Annual reviews: the day the plan was made or last reviewed.",
        label="date the plan was made or last reviewed",
    ),
    Field(
        "request_source",
        "enum",
        "Assessments: who made the request ('other' when left out).",
        choices=_codes(RequestSource),
        label="source of the request",
    ),
    Field(
        "decision_sent_on",
        "date",
        "Disputes: the day the decision letter was sent (the family's time to appeal runs from here).",
        label="date the decision letter was sent",
    ),
    Field(
        "appeal_type",
        "enum",
        "Disputes: what is disputed.",
        choices=_codes(AppealType),
        label="what is disputed",
    ),
    Field(
        "disputed_case_id",
        "integer",
        "Disputes: the case whose decision is disputed (an assessment, reassessment or review of the same child).",
        minimum=1,
        maximum=INT32_MAX,
        label="disputed case",
    ),
    Field(
        "plan_id",
        "integer",
        "Disputes about a plan itself (its contents, or a decision to cease it): the child's plan.",
        minimum=1,
        maximum=INT32_MAX,
        label="plan",
    ),
]

# --- Events --------------------------------------------------------------------------------

RECORDABLE_EVENTS = workflow.recordable_values()

EVENT_DETAILS = [
    Field(
        "reason",
        "string",
        "decided_not_to_assess, decided_not_to_issue: the reason (optional). withdrawn, decided_not_to_amend: why (required).",
        max_length=2000,
    ),
    Field(
        "advice_type",
        "enum",
        "advice_requested: the type of advice (required).",
        choices=_codes(AdviceType),
        label="type of advice",
    ),
    Field(
        "provider",
        "string",
        "advice_requested: who the advice was requested from (required).",
        max_length=200,
        label="provider",
    ),
    Field(
        "advice_request_id",
        "integer",
        "advice_received: which advice request (see advice_requests on the case; required).",
        minimum=1,
        maximum=INT32_MAX,
        label="advice request",
    ),
    Field(
        "quality_note",
        "string",
        "advice_received: a note on the quality of the advice (optional).",
        max_length=2000,
        label="quality note",
    ),
    Field(
        "setting_name",
        "string",
        "school_consulted: the school or college consulted (required).",
        max_length=200,
        label="school or college",
    ),
    Field(
        "consultation_id",
        "integer",
        "school_responded: which consultation (see consultations on the case; required).",
        minimum=1,
        maximum=INT32_MAX,
        label="consultation",
    ),
    Field(
        "outcome",
        "enum",
        "school_responded: the response (required).",
        choices=("agreed", "declined", "other"),
        label="response",
    ),
    Field(
        "named_settings",
        "string",
        "final_plan_issued (required), amended_plan_issued (optional): the setting named in the plan.",
        max_length=500,
        label="setting named in the plan",
    ),
    Field(
        "meeting_on",
        "date",
        "review_meeting_scheduled: the date of the meeting (required).",
        label="date of the review meeting",
    ),
    Field(
        "advice_circulated_on",
        "date",
        "invitations_sent: when advice was circulated (optional).",
        label="date advice was circulated",
    ),
    Field(
        "decision",
        "enum",
        "review_decision_notified: maintain, amend or cease the plan (required).",
        choices=("maintain", "amend", "cease"),
        label="decision",
    ),
    Field(
        "cease_reason",
        "enum",
        "plan_ceased: the SEN2 cease reason code, 1 to 9 (required).",
        choices=tuple(CEASE_REASONS),
        label="reason the plan ended",
    ),
    Field(
        "family_confirmed_on",
        "date",
        "final_plan_issued, amended_plan_issued: the day the family confirmed they have no further representations "
        "(required only when the plan is issued before the 15-day representation period closes).",
        label="date the family confirmed",
    ),
    Field(
        "appeal_concluded_on",
        "date",
        "plan_ceased: the day an appeal against the decision to cease was concluded (required only to end the plan "
        "before the family's time to appeal has passed).",
        label="date the appeal was concluded",
    ),
    Field(
        "requested_by",
        "enum",
        "mediation_requested: who asked for mediation (required).",
        choices=tuple(disputes.REQUESTED_BY),
        label="who asked for mediation",
    ),
    Field(
        "council_told_on",
        "date",
        "mediation_requested: the day the council was told the family wants mediation (default: the step's date).",
        label="date the council was told",
    ),
    Field(
        "mediation_outcome",
        "enum",
        "mediation_held: agreement or no_agreement (required).",
        choices=tuple(disputes.MEDIATION_OUTCOMES),
        label="outcome of the mediation",
    ),
    Field(
        "limbs",
        "string",
        "mediation_agreement_recorded, appeal_not_opposed, appeal_outcome: what it requires the council to do, "
        "comma-separated: " + ", ".join(disputes.LIMB_LABELS) + ".",
        max_length=400,
        label="what it requires",
    ),
    Field(
        "tribunal_reference",
        "string",
        "appeal_registered: the tribunal's reference (required).",
        max_length=40,
        label="tribunal reference",
    ),
    Field(
        "tribunal_sent_on",
        "date",
        "appeal_registered: the day the tribunal sent the appeal to the council (default: the step's date).",
        label="date the tribunal sent the appeal",
    ),
    Field(
        "response_set_on",
        "date",
        "appeal_registered: the response date the tribunal set, if it set one.",
        label="response date set by the tribunal",
    ),
    Field(
        "appeal_outcome",
        "enum",
        "appeal_outcome: the tribunal's decision (required).",
        choices=tuple(disputes.APPEAL_OUTCOMES),
        label="tribunal's decision",
    ),
    Field(
        "under",
        "enum",
        "dispute_action_taken: order, unopposed or mediation_agreement (required).",
        choices=tuple(disputes.UNDER),
        label="what the action was taken under",
    ),
    Field(
        "limb",
        "enum",
        "dispute_action_taken: what was done (required).",
        choices=tuple(disputes.LIMB_LABELS),
        label="what was done",
    ),
]

# The details each step takes, beyond its date (the workflow table's, as on the case pages' step forms).
EVENT_FIELDS: dict[str, tuple[str, ...]] = workflow.fields_by_step()

NEW_EVENT = [
    Field(
        "type",
        "enum",
        "The step, from the case event vocabulary.",
        required=True,
        choices=RECORDABLE_EVENTS,
        label="type of step",
    ),
    Field("on", "date", "The day it happened (not in the future).", required=True, label="date"),
    *EVENT_DETAILS,
]


@dataclass(frozen=True)
class EventRequest:
    event_type: EventType
    on: date
    details: dict[str, Any]


def read_event(data: Any) -> EventRequest:
    values = read_body(NEW_EVENT, data)
    event_type = EventType(values["type"])
    used = EVENT_FIELDS.get(event_type.value, ())
    wrong = {
        f.name: f"Not used for ‘{event_type.value}’"
        for f in EVENT_DETAILS
        if values.get(f.name) is not None and f.name not in used
    }
    if wrong:
        raise invalid(wrong)
    return EventRequest(event_type, values["on"], {name: values[name] for name in used if values.get(name) is not None})


# --- Communications ------------------------------------------------------------------------

NEW_COMMUNICATION = [
    Field(
        "received_on",
        "date",
        "The day it was received (not in the future); the 5 working days to respond start here.",
        required=True,
        label="date received",
    ),
    Field(
        "received_at",
        "time",
        "The time of day it was received, HH:MM on the 24-hour clock (optional).",
        label="time received",
    ),
    Field(
        "channel",
        "enum",
        "How it came in: email, phone, letter, meeting (in person) or portal (through the service).",
        required=True,
        choices=_codes(Channel),
        label="way it came in",
    ),
    Field(
        "contact_id",
        "integer",
        "The child's recorded contact it came from (see the child's contacts). Leave out for someone else, and give from_name.",
        minimum=1,
        maximum=INT32_MAX,
        label="contact",
    ),
    Field(
        "from_name",
        "string",
        "Who it came from, when not one of the child's recorded contacts: their name and role.",
        max_length=200,
        label="sender's name",
    ),
    Field(
        "summary",
        "string",
        "A short summary of what was asked or said.",
        required=True,
        max_length=4000,
        label="summary",
    ),
]

NEW_RESPONSE = [
    Field(
        "responded_on",
        "date",
        "The day the response was sent (not before the day it was received, not in the future).",
        required=True,
        label="date responded",
    ),
    Field(
        "reply_channel",
        "enum",
        "How the reply was sent: email, phone, letter, meeting (in person) or portal (through the service).",
        required=True,
        choices=_codes(Channel),
        label="way the reply was sent",
    ),
    Field("summary", "string", "What the response said (optional).", max_length=4000, label="response"),
]


# --- Query parameters ----------------------------------------------------------------------

PAGING = [
    Field("page", "integer", "Page number, from 1.", minimum=1, maximum=MAX_PAGE, default=1),
    Field(
        "per_page",
        "integer",
        f"Items per page, at most {MAX_PER_PAGE}.",
        minimum=1,
        maximum=MAX_PER_PAGE,
        default=50,
        label="number per page",
    ),
]

OVERDUE_QUERY = [
    Field("team", "integer", "Only this team (one of the caller's teams).", minimum=1, maximum=INT32_MAX),
    Field("coordinator", "integer", "Only the cases of this coordinator (user id).", minimum=1, maximum=INT32_MAX),
    Field("milestone", "string", "Only this milestone key, e.g. final_plan.", max_length=64),
    Field("as_of", "date", "The day to judge what is overdue on (default: today).", label="as-of date"),
    *PAGING,
]

COMPLIANCE_QUERY = [
    Field("from", "month", "First month, YYYY-MM (default: 11 months before `to`).", label="first month"),
    Field("to", "month", "Last month, YYYY-MM (default: this month).", label="last month"),
    Field("team", "integer", "Only this team (one of the caller's teams).", minimum=1, maximum=INT32_MAX),
]
MAX_MONTHS = 36
