"""The JSON API under /api/v1, and the account page where people manage their API tokens.

Each endpoint parses the request (schemas.py), calls a service, and returns JSON; `api_view`
(auth.py) authenticates, rate-limits, authorises, audits and commits. The same role and team
rules as the web pages apply: coordinators and managers work with the children and cases of
their own teams (another team's record is a 404, exactly like a record that does not exist),
coordinators change only the cases they hold, viewers see the overdue list (without
children's names) and the compliance figures, administrators no case data.

Status codes: 200/201 success; 400 a body that is not JSON or not a JSON object; 401 no valid
token; 403 the role (or, for a case, not its coordinator or a manager) may not; 404 no such
record in the caller's teams; 409 the request conflicts with the record's state (a step out of
sequence or already recorded, the case closed, an open case or a possible duplicate child
already there); 422 a value is invalid (`fields` names each one); 429 too many calls.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .. import access
from ..extensions import db
from ..models import Team
from ..models.case import AppealType, Case, CaseType, Channel, Communication, Plan, RequestSource
from ..models.child import Child, Ethnicity, SenNeed, Sex
from ..services import Conflict, Forbidden, NotFound, ServiceError, api_tokens, audit, opening
from ..services import cases as case_service
from ..services import children as child_service
from ..services import reports as oversight
from ..services import timeline as timeline_service
from ..services.clock import now as clock_now
from ..services.clock import today
from ..statutory.rules import RULES
from ..web.security import role_required
from ..web.views import current_staff, saving
from . import schemas
from .auth import api_view, me, note, rate_limit
from .openapi import openapi_document
from .schemas import ApiError, invalid

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CASE_ROLES = access.CASEWORK
OVERDUE_ROLES = access.OVERDUE_READERS
COMPLIANCE_ROLES = access.REPORT_READERS
DOCUMENT_ROLES = access.STAFF
ID = "int(max=2147483647)"
MAX_BODY_BYTES = 100_000


# --- Representations -------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _code(value: Any) -> Any:
    return value.value if value is not None else None


def child_json(child: Child, on: date) -> dict[str, Any]:
    return {
        "id": child.id,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth.isoformat(),
        "upn": child.upn,
        "uln": child.uln,
        "sex": _code(child.sex),
        "ethnicity": _code(child.ethnicity),
        "postcode": child.postcode,
        "primary_need": _code(child.primary_need),
        "secondary_need": _code(child.secondary_need),
        "setting_name": child.setting_name,
        "setting_urn": child.setting_urn,
        "setting_ukprn": child.setting_ukprn,
        "year_group_override": child.year_group_in(on),
        "attends_infant_school": child.attends_infant_school,
        "looked_after": child.looked_after,
        "young_person_own_requests": child.young_person_own_requests,
        "team_id": child.team_id,
        "cases": [
            {"id": c.id, "type": c.case_type.value, "status": c.status.value, "anchor_on": c.anchor_on.isoformat()}
            for c in sorted(child.cases, key=lambda c: c.id)
        ],
    }


def case_json(case: Case, on: date) -> dict[str, Any]:
    return {
        "id": case.id,
        "child_id": case.child_id,
        "type": case.case_type.value,
        "status": case.status.value,
        "team_id": case.team_id,
        "coordinator_id": case.coordinator_id,
        "anchor_on": case.anchor_on.isoformat(),
        "request_source": _code(case.request_source),
        "appeal_type": _code(case.appeal_type),
        "disputed_case_id": case.disputed_case_id,
        "plan_id": case.plan_id,
        "review_meeting_on": _iso(case.review_meeting_on),
        "review_decision": _code(case.review_decision),
        "transferred_on": _iso(case.transferred_on),
        "closed_on": _iso(case.closed_on),
        "close_reason": case.close_reason,
        "next_due_on": _iso(case.next_due_on),
        "events": [
            {
                "id": e.id,
                "type": e.event_type.value,
                "on": e.occurred_on.isoformat(),
                "details": e.details or {},
                "recorded_at": e.recorded_at.isoformat() if e.recorded_at else None,
            }
            for e in case.events
        ],
        "milestones": [
            {
                "key": row.milestone.key,
                "ref": row.milestone.ref,
                "label": row.milestone.label,
                "source": row.milestone.source,
                "due_on": row.milestone.due_on.isoformat(),
                "met_on": _iso(row.milestone.met_on),
                "status": row.status,
                "is_period": row.milestone.is_period,
                "exception_applies": row.milestone.exception_applies,
            }
            for row in timeline_service.timeline(case, on)
        ],
        "advice_requests": [
            {
                "id": a.id,
                "advice_type": a.advice_type.value,
                "provider": a.provider,
                "requested_on": a.requested_on.isoformat(),
                "received_on": _iso(a.received_on),
            }
            for a in case.advice_requests
        ],
        "consultations": [
            {
                "id": c.id,
                "setting_name": c.setting_name,
                "sent_on": c.sent_on.isoformat(),
                "responded_on": _iso(c.responded_on),
                "outcome": c.outcome,
            }
            for c in case.consultations
        ],
        "communications": [communication_json(c) for c in case.communications],
    }


def communication_json(comm: Communication) -> dict[str, Any]:
    return {
        "id": comm.id,
        "received_on": comm.received_on.isoformat(),
        "received_at": comm.received_at.strftime("%H:%M") if comm.received_at else None,
        "channel": comm.channel.value,
        "contact_id": comm.contact_id,
        "from_name": comm.from_name,
        "from_relationship": comm.contact.relationship_to_child if comm.contact is not None else None,
        "summary": comm.summary,
        "family_message": comm.family_user_id is not None,
        "outgoing": comm.outgoing,
        "responded_on": _iso(comm.responded_on),
        "reply_channel": _code(comm.reply_channel),
        "response_summary": comm.response_summary,
    }


# --- Helpers ---------------------------------------------------------------------------------


def read_json() -> Any:
    """The request body as JSON, or 400."""
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(400, "bad_request", f"The request body must be {MAX_BODY_BYTES} bytes or fewer")
    if not raw.strip():
        raise ApiError(400, "bad_request", "Send a JSON object in the request body")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "bad_request", "The request body is not valid JSON") from None


def refusal(error: ServiceError, *, renames: dict[str, str] | None = None, conflicts: tuple[str, ...] = ()) -> ApiError:
    """A service's refusal as an API error: 403 when the caller may not, 409 when the refusal
    is about the record's state (its `field` is one of `conflicts`), otherwise 422."""
    if isinstance(error, Forbidden):
        return ApiError(403, "forbidden", error.message)
    if isinstance(error, NotFound):
        return ApiError(404, "not_found", error.message)
    field = (renames or {}).get(error.field or "", error.field)
    if error.field in conflicts or isinstance(error, Conflict):
        return ApiError(409, "conflict", error.message, {field: error.message} if field else {})
    return invalid({field: error.message} if field else {}, error.message)


def _my_team(team_id: int, field: str) -> Team:
    try:
        return opening.team_of(me(), team_id, field=field)
    except ServiceError as error:
        raise invalid({field: error.message}) from None


def _child_or_404(child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    # 404, not 403: a child of another team does not reveal that they exist.
    if child is None or not access.can_view_child(me(), child):
        raise ApiError(404, "not_found", "There is no child with this id in your teams")
    return child


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(me(), case):
        raise ApiError(404, "not_found", "There is no case with this id in your teams")
    return case


# --- The OpenAPI document --------------------------------------------------------------------


@bp.get("/openapi.json")
@api_view(*DOCUMENT_ROLES)
def openapi() -> Any:
    note("api", "openapi.json", "Read the OpenAPI document")
    return openapi_document()


# --- Children --------------------------------------------------------------------------------


class PossibleDuplicateChild(ApiError):
    """409 with the possible matches the caller may see (and a count of the others), as the
    web form's "Is this the same child?" page shows them."""

    def __init__(self, found: list[child_service.PossibleDuplicate]) -> None:
        self.visible = [d for d in found if access.can_view_child(me(), d.child)]
        self.elsewhere = len(found) - len(self.visible)
        seen = (
            f" Possible matches in your teams: {', '.join(f'child {d.child.id}' for d in self.visible)}."
            if self.visible
            else ""
        )
        others = (
            f" {self.elsewhere} possible match{'es' if self.elsewhere != 1 else ''} in other teams."
            if self.elsewhere
            else ""
        )
        message = (
            "This child may already have a record: the same UPN, or the same date of birth and a similar name."
            + seen
            + others
            + ' If this is a different child, send the request again with "confirm_not_duplicate": true.'
        )
        super().__init__(409, "conflict", message, {"confirm_not_duplicate": message})

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["error"]["matches"] = [
            {
                "id": d.child.id,
                "first_name": d.child.first_name,
                "last_name": d.child.last_name,
                "date_of_birth": _iso(d.child.date_of_birth),
                "upn": d.child.upn,
                "team": d.child.team.name,
                "reason": d.reason,
            }
            for d in self.visible
        ]
        body["error"]["matches_in_other_teams"] = self.elsewhere
        return body


@bp.post("/children")
@api_view(*CASE_ROLES)
def create_child() -> Any:
    values = schemas.read_body(schemas.NEW_CHILD, read_json())
    team = _my_team(values["team_id"], "team_id")
    data = child_service.ChildData(
        first_name=values["first_name"],
        last_name=values["last_name"],
        date_of_birth=values["date_of_birth"],
        upn=values["upn"],
        uln=values["uln"],
        sex=Sex(values["sex"]) if values["sex"] else None,
        ethnicity=Ethnicity(values["ethnicity"]) if values["ethnicity"] else None,
        postcode=values["postcode"],
        primary_need=SenNeed(values["primary_need"]) if values["primary_need"] else None,
        secondary_need=SenNeed(values["secondary_need"]) if values["secondary_need"] else None,
        setting_name=values["setting_name"],
        setting_urn=values["setting_urn"],
        setting_ukprn=values["setting_ukprn"],
        year_group_override=values["year_group_override"],
        attends_infant_school=values["attends_infant_school"],
        looked_after=values["looked_after"],
        young_person_own_requests=values["young_person_own_requests"],
    )
    confirmed = bool(values["confirm_not_duplicate"] or values["allow_duplicate"])
    try:
        child = child_service.create_child(data=data, team=team, actor=me(), today=today(), allow_duplicate=confirmed)
    except child_service.PossibleDuplicates as duplicates:
        raise PossibleDuplicateChild(duplicates.found) from None
    except ServiceError as error:
        raise refusal(error, renames={"team": "team_id"}) from None
    note("child", child.id, f"Added child record {child.id} to team {team.name}")
    return child_json(child, today()), 201, {"Location": url_for("api.get_child", child_id=child.id)}


@bp.get(f"/children/<{ID}:child_id>")
@api_view(*CASE_ROLES)
def get_child(child_id: int) -> Any:
    child = _child_or_404(child_id)
    child_service.record_child_viewed(child, me(), page="api")
    note("child", child.id, f"Read child record {child.id}")
    return child_json(child, today())


# --- Cases -----------------------------------------------------------------------------------


@bp.post("/cases")
@api_view(*CASE_ROLES)
def create_case() -> Any:
    values = schemas.read_body(schemas.NEW_CASE, read_json())
    child = db.session.get(Child, values["child_id"])
    if child is None or not access.can_view_child(me(), child):
        raise invalid({"child_id": "There is no child with this id in your teams"})
    now = today()
    # The body's fields for the kind of case asked for (the rules themselves are the service's).
    dispute_only = ("decision_sent_on", "appeal_type", "disputed_case_id")
    if values["type"] == CaseType.DISPUTE:
        wrong = {
            name: "Not used for a dispute"
            for name in ("request_received_on", "request_source", "plan_made_on")
            if values[name]
        }
        if values["decision_sent_on"] is None:
            wrong["decision_sent_on"] = "Enter the date the decision letter was sent"
        if values["appeal_type"] is None:
            wrong["appeal_type"] = "Choose what is disputed"
        if (values["disputed_case_id"] is None) == (values["plan_id"] is None):
            wrong["disputed_case_id"] = "Give the disputed case or the plan, not both"
        renames = {}
    elif values["type"] == CaseType.ASSESSMENT:
        wrong = {"plan_made_on": "Not used for an assessment"} if values["plan_made_on"] else {}
        if values["request_received_on"] is None:
            wrong["request_received_on"] = "Enter the date the request was received"
        renames = {"received_on": "request_received_on", "case_type": "type", "source": "request_source"}
    else:
        wrong = {
            name: "Not used for an annual review" for name in ("request_received_on", "request_source") if values[name]
        }
        if values["plan_made_on"] is None:
            wrong["plan_made_on"] = "Enter the date the plan was made or last reviewed"
        renames = {"last_reviewed_on": "plan_made_on"}
    if values["type"] != CaseType.DISPUTE:
        for name in (*dispute_only, "plan_id"):
            if values[name] is not None:
                wrong[name] = "Used only for a dispute"
    try:
        team = opening.team_of(me(), values["team_id"])
        coordinator = opening.coordinator_of(me(), values["coordinator_id"], team)
    except ServiceError as error:
        raise invalid({error.field or "team_id": error.message}) from None
    if wrong:
        raise invalid(wrong)
    disputed = plan = None
    if values["type"] == CaseType.DISPUTE:
        if values["disputed_case_id"] is not None:
            disputed = db.session.get(Case, values["disputed_case_id"])
            if disputed is None or disputed.child_id != child.id or not access.can_view_case(me(), disputed):
                raise invalid({"disputed_case_id": "There is no case of this child with this id in your teams"})
        else:
            plan = db.session.get(Plan, values["plan_id"])
            if plan is None or plan.child_id != child.id:
                raise invalid({"plan_id": "There is no plan of this child with this id"})
    try:
        if values["type"] == CaseType.DISPUTE:
            case = opening.open_dispute(
                disputed=disputed,
                plan=plan,
                decision_sent_on=values["decision_sent_on"],
                appeal_type=AppealType(values["appeal_type"]),
                team=team,
                coordinator=coordinator,
                actor=me(),
                today=now,
            )
        elif values["type"] == CaseType.ASSESSMENT:
            case = opening.open_assessment(
                child=child,
                received_on=values["request_received_on"],
                source=RequestSource(values["request_source"] or "other"),
                team=team,
                coordinator=coordinator,
                actor=me(),
                today=now,
            )
        else:
            case = opening.open_review(
                child=child,
                last_reviewed_on=values["plan_made_on"],
                team=team,
                coordinator=coordinator,
                actor=me(),
                today=now,
            )
    except opening.CaseAlreadyOpen as error:
        raise ApiError(409, "conflict", error.message, {"child_id": error.message}) from None
    except ServiceError as error:
        raise refusal(error, renames=renames) from None
    note("case", case.id, f"Opened {case.case_type.label.lower()} for child {child.id}")
    return case_json(case, now), 201, {"Location": url_for("api.get_case", case_id=case.id)}


@bp.get(f"/cases/<{ID}:case_id>")
@api_view(*CASE_ROLES)
def get_case(case_id: int) -> Any:
    case = _case_or_404(case_id)
    audit.record(me(), "case_viewed", "case", case.id, f"Viewed case {case.id} of child {case.child_id} (API)")
    note("case", case.id, f"Read case {case.id}")
    return case_json(case, today())


@bp.post(f"/cases/<{ID}:case_id>/events")
@api_view(*CASE_ROLES)
def record_event(case_id: int) -> Any:
    case = _case_or_404(case_id)
    if not access.can_edit_case(me(), case):
        raise ApiError(403, "forbidden", "Only the case's coordinator or a manager of its team can change this case")
    step = schemas.read_event(read_json())
    try:
        case_service.record_event(case, step.event_type, step.on, actor=me(), today=today(), **step.details)
    except ServiceError as error:
        raise refusal(error, renames={"event_type": "type"}, conflicts=("event_type",)) from None
    note("case", case.id, f"Recorded {step.event_type.value} on {step.on.isoformat()}")
    return case_json(case, today()), 201


@bp.post(f"/cases/<{ID}:case_id>/communications")
@api_view(*CASE_ROLES)
def log_communication(case_id: int) -> Any:
    """As the case page's form: from one of the child's recorded contacts, or someone named."""
    case = _case_or_404(case_id)
    values = schemas.read_body(schemas.NEW_COMMUNICATION, read_json())
    contact = None
    if values["contact_id"] is not None:
        contact = next((c for c in case.child.contacts if c.id == values["contact_id"]), None)
        if contact is None:
            raise invalid({"contact_id": "Select one of this child's contacts, or leave it out and give from_name"})
        if values["from_name"] is not None:
            raise invalid({"from_name": "Not used with contact_id: the contact's name is recorded"})
    elif not (values["from_name"] or "").strip():
        raise invalid({"from_name": "Enter who it was from, or give contact_id"})
    try:
        comm = case_service.log_communication(
            case,
            received_on=values["received_on"],
            received_at=values["received_at"],
            channel=Channel(values["channel"]),
            contact=contact,
            from_name=values["from_name"] or "",
            summary=values["summary"],
            actor=me(),
            today=today(),
        )
    except ServiceError as error:
        raise refusal(error, renames={"contact": "contact_id"}) from None
    note("case", case.id, f"Logged communication {comm.id}")
    return case_json(case, today()), 201


@bp.post(f"/cases/<{ID}:case_id>/communications/<{ID}:communication_id>/response")
@api_view(*CASE_ROLES)
def record_response(case_id: int, communication_id: int) -> Any:
    case = _case_or_404(case_id)
    comm = db.session.get(Communication, communication_id)
    if comm is None or comm.case_id != case.id:
        raise ApiError(404, "not_found", "There is no communication with this id on this case")
    values = schemas.read_body(schemas.NEW_RESPONSE, read_json())
    try:
        case_service.record_response(
            comm,
            responded_on=values["responded_on"],
            reply_channel=Channel(values["reply_channel"]),
            summary=values["summary"] or "",
            actor=me(),
            today=today(),
        )
    except ServiceError as error:
        raise refusal(error) from None
    note("case", case.id, f"Recorded the response to communication {comm.id}")
    return case_json(case, today())


# --- Oversight -------------------------------------------------------------------------------


@bp.get("/overdue")
@api_view(*OVERDUE_ROLES)
def overdue() -> Any:
    query = schemas.read_query(schemas.OVERDUE_QUERY, request.args)
    user = me()
    wrong = {}
    if query["team"] is not None and query["team"] not in user.team_ids:
        wrong["team"] = "Select one of your teams"
    if query["milestone"] is not None and query["milestone"] not in RULES:
        wrong["milestone"] = "Select a milestone key, like final_plan or review_due"
    scope = oversight.scope_for(user, team_id=query["team"], coordinator_id=query["coordinator"])
    # As the web drill-down: nobody outside the caller's teams can be asked for by id.
    coordinator_id = query["coordinator"]
    if coordinator_id is not None and "team" not in wrong and not oversight.coordinator_in_scope(scope, coordinator_id):
        wrong["coordinator"] = "Select a coordinator in your teams"
    if wrong:
        raise invalid(wrong)
    as_of = query["as_of"] or today()
    filters = oversight.OverdueFilters(as_at=as_of, show="overdue", milestone_key=query["milestone"])
    page = oversight.page_of_ids(oversight.overdue_ids(scope, filters), page=query["page"], per_page=query["per_page"])
    with_names = access.can_see_child_names(user)
    rows = oversight.milestone_rows(list(page.items), as_at=as_of, with_names=with_names)
    note(
        "report",
        "overdue",
        f"Listed overdue milestones as of {as_of.isoformat()} (page {query['page']}, {page.total} in all)",
    )
    return {
        "as_of": as_of.isoformat(),
        "page": query["page"],
        "per_page": query["per_page"],
        "total": page.total or 0,
        "items": [
            {
                "milestone_id": row.milestone_id,
                "milestone_key": row.key,
                "label": row.label,
                "due_on": row.due_on.isoformat(),
                "days_overdue": row.days_late,
                "exception_applies": row.exception_applies,
                "case_id": row.case_id,
                "case_type": row.case_type.value,
                "team": row.team_name,
                "coordinator": row.coordinator_name,
                "child_name": row.child_name,
            }
            for row in rows
        ],
    }


def _figure(figure: oversight.Figure) -> dict[str, Any]:
    return {"counted": figure.counted, "on_time": figure.on_time, "late": figure.late, "percent": figure.percent}


@bp.get("/compliance")
@api_view(*COMPLIANCE_ROLES)
def compliance() -> Any:
    query = schemas.read_query(schemas.COMPLIANCE_QUERY, request.args)
    user = me()
    as_at = today()
    last = query["to"] or oversight.month_start(as_at)
    first = query["from"] or last - relativedelta(months=schemas.MAX_MONTHS // 3 - 1)
    wrong = {}
    if query["team"] is not None and query["team"] not in user.team_ids:
        wrong["team"] = "Select one of your teams"
    if first > last:
        wrong["from"] = "The first month cannot be after the last month"
    elif (last.year - first.year) * 12 + last.month - first.month >= schemas.MAX_MONTHS:
        wrong["from"] = f"Ask for {schemas.MAX_MONTHS} months or fewer at a time"
    if wrong:
        raise invalid(wrong)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = oversight.next_month(month)
    series = oversight.monthly_figures(oversight.scope_for(user, team_id=query["team"]), months, as_at)
    note("report", "compliance", f"Read compliance figures {first:%Y-%m} to {last:%Y-%m}")
    body = {
        "from": f"{first:%Y-%m}",
        "to": f"{last:%Y-%m}",
        "as_at": as_at.isoformat(),
        "team_id": query["team"],
        "measures": [
            {
                "key": s.measure.key,
                "title": s.measure.title,
                "milestone_key": s.measure.milestone_key,
                "milestone_keys": list(s.measure.keys),
                "source": s.measure.source,
                "definition": s.measure.definition,
                "months": [
                    {
                        "month": f"{m.month_on:%Y-%m}",
                        **_figure(m.including),
                        "excluding_exceptions": _figure(m.excluding) if m.excluding is not None else None,
                        "target_percent": float(m.target_percent) if m.target_percent is not None else None,
                        "partial": m.partial,
                    }
                    for m in s.months
                ],
            }
            for s in series
        ],
    }
    return figures_response(body)


def figures_response(body: dict[str, Any]) -> Response:
    """Figures (counts, never a child's details) with an ETag: a client that asks again with
    If-None-Match gets 304 Not Modified while nothing has changed. It may keep them privately
    but must check first (no-cache), where pages about children are never kept (no-store)."""
    response = jsonify(body)
    response.add_etag()
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


# --- The account page: API tokens ------------------------------------------------------------

account_bp = Blueprint("account", __name__, url_prefix="/account")
TOKEN_PAGE_ROLES = access.STAFF


class NewTokenForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="So that you can tell your tokens apart, for example ‘Caseload spreadsheet’",
        validators=[
            DataRequired(message="Enter a name for the token"),
            Length(max=100, message="The name must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    """No fields: the CSRF token of the revoke button."""


def _on_name(form: Any, error: ServiceError) -> None:
    form.name.errors = list(form.name.errors) + [error.message]


def _account_page(form: NewTokenForm, *, new_secret: str | None = None, status: int = 200) -> Any:
    user = current_staff()
    return render_template(
        "account/index.html",
        user=user,
        tokens=api_tokens.tokens_for(user),
        form=form,
        revoke_form=RevokeTokenForm(),
        new_secret=new_secret,
        rate_limit=rate_limit(),
    ), status


@account_bp.route("/")
@role_required(*TOKEN_PAGE_ROLES)
def index() -> Any:
    return _account_page(NewTokenForm(formdata=None))


@account_bp.route("/api-tokens", methods=["POST"])
@role_required(*TOKEN_PAGE_ROLES)
def create_token() -> Any:
    form = NewTokenForm()
    if form.validate_on_submit():
        with saving(form, show=_on_name) as saved:
            created = api_tokens.create_token(current_staff(), name=form.name.data or "", actor=current_staff())
        if saved.ok:
            # Shown on this response only (never flashed: the session cookie is not a place for secrets).
            return _account_page(NewTokenForm(formdata=None), new_secret=created.secret)
    return _account_page(form)


@account_bp.route(f"/api-tokens/<{ID}:token_id>/revoke", methods=["POST"])
@role_required(*TOKEN_PAGE_ROLES)
def revoke_token(token_id: int) -> Any:
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    user = current_staff()
    try:
        token = api_tokens.token_of(user, token_id)
    except NotFound:
        abort(404)
    with saving() as saved:
        api_tokens.revoke_token(token, actor=user, now=clock_now())
    if saved.ok:
        flash(
            f"Revoked the token ‘{token.name}’ ({token.prefix}…). Anything still using it will be refused.", "success"
        )
    return redirect(url_for("account.index"))
