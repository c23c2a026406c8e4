"""Complaints: recorded on the child's record (about one of its cases, or its service as a
whole), responded to on the complaint's page, and listed for managers with filters and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from .. import access
from ..extensions import db
from ..models import User
from ..models.case import Case
from ..models.child import Child
from ..models.voice import Complaint, ComplaintCategory, ComplaintOutcome, ComplaintStage
from ..services import audit, exports
from ..services import complaints as complaint_service
from ..services.clock import today
from ..services.paging import page_of
from ..services.reports.scope import month_start, parse_month
from ..web.security import role_required
from ..web.views import current_staff, saving
from .forms import NOT_ONE_CASE, ComplaintFilterForm, ComplaintForm, ResponseForm

bp = Blueprint("complaints", __name__)

PER_PAGE = 25
MONTHS_OFFERED = 24
SORT_DEFAULT_DIRECTION = {"received": "desc", "due": "asc", "child": "asc"}


def _child_or_404(child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    if child is None or not access.can_view_child(current_staff(), child):
        abort(404)
    return child


def _complaint_or_404(complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or not complaint_service.can_view(current_staff(), complaint):
        abort(404)
    return complaint


@bp.route("/children/<int:child_id>/complaints/new", methods=["GET", "POST"])
@role_required(*access.CASEWORK)
def new(child_id: int) -> Any:
    child = _child_or_404(child_id)
    me = current_staff()
    cases = list(db.session.scalars(db.select(Case).where(Case.child_id == child.id).order_by(Case.anchor_on.desc())))
    form = ComplaintForm()
    form.case_id.choices = [(NOT_ONE_CASE, "Not about one case: the child's service as a whole")] + [
        (str(c.id), f"{c.case_type.label} from {c.anchor_on:%-d %B %Y} (case {c.id})") for c in cases
    ]
    if request.method == "GET":
        asked = request.args.get("case_id", "")
        form.case_id.data = asked if any(str(c.id) == asked for c in cases) else NOT_ONE_CASE
    if form.validate_on_submit():
        picked = next((c for c in cases if str(c.id) == form.case_id.data), None)
        with saving(form) as saved:
            complaint = complaint_service.record_complaint(
                child,
                case=picked,
                stage=ComplaintStage(form.stage.data),
                category=ComplaintCategory(form.category.data),
                received_on=form.received_on.data,  # type: ignore[arg-type]
                summary=form.summary.data or "",
                actor=me,
                today=today(),
            )
        if saved.ok:
            flash(
                f"Complaint recorded. The response is due by {complaint.response_due_on:%A %-d %B %Y}.",
                "success",
            )
            return redirect(url_for("complaints.view", complaint_id=complaint.id))
    elif request.method == "GET":
        audit.record(
            me, "child_viewed", "child", child.id, f"Viewed child record {child.id}", {"page": "new_complaint"}
        )
        db.session.commit()
    days = {s: complaint_service.response_working_days(s) for s in ComplaintStage}
    return render_template("complaints/new.html", form=form, child=child, days=days)


@bp.route("/complaints/<int:complaint_id>", methods=["GET", "POST"])
@role_required(*access.CASEWORK)
def view(complaint_id: int) -> Any:
    complaint = _complaint_or_404(complaint_id)
    me = current_staff()
    can_respond = complaint_service.can_record(me, complaint.child)
    form = ResponseForm()
    if request.method == "GET" and complaint.responded_on is not None:
        form.responded_on.data = complaint.responded_on
        form.outcome.data = complaint.outcome.value if complaint.outcome else None
        form.lessons.data = complaint.lessons
    if request.method == "POST":
        if not can_respond:
            abort(403)
        if form.validate_on_submit():
            with saving(form) as saved:
                changed = complaint_service.record_response(
                    complaint,
                    responded_on=form.responded_on.data,  # type: ignore[arg-type]
                    outcome=ComplaintOutcome(form.outcome.data),
                    lessons=form.lessons.data,
                    actor=me,
                    today=today(),
                )
            if saved.ok:
                flash("Response saved." if changed else "Nothing was changed.", "success" if changed else "info")
                return redirect(url_for("complaints.view", complaint_id=complaint.id))
    else:
        complaint_service.record_viewed(complaint, me)
        db.session.commit()
    return render_template(
        "complaints/view.html",
        complaint=complaint,
        form=form,
        can_respond=can_respond,
        today=today(),
        days=complaint_service.response_working_days(complaint.stage),
    )


# --- The managers' list ------------------------------------------------------------------------


@dataclass
class ListRequest:
    form: ComplaintFilterForm
    team_ids: frozenset[int]
    filters: complaint_service.ComplaintFilters
    summary: dict[str, Any]


def _month_choices(now_on: date) -> list[tuple[str, str]]:
    current = month_start(now_on)
    months = [current - relativedelta(months=n) for n in range(MONTHS_OFFERED)]
    return [("", "Any month")] + [(m.strftime("%Y-%m"), f"{m:%B %Y}") for m in months]


def _list_request(me: User) -> ListRequest:
    form = ComplaintFilterForm(request.args)
    form.team_id.choices = [("", "All my teams")] + [(str(t.id), t.name) for t in me.teams]
    now_on = today()
    form.month.choices = _month_choices(now_on)
    month_arg = request.args.get("month", "")
    if month_arg and month_arg not in dict(form.month.choices):
        form.month.choices.append((month_arg, month_arg))  # an older month from a dashboard link
    form.validate()
    team_ids = frozenset(me.team_ids)
    team_arg = form.team_id.data or ""
    if team_arg:
        team_ids = team_ids & {int(team_arg)} if team_arg.isdigit() else frozenset()
    sort = request.args.get("sort", "received")
    if sort not in SORT_DEFAULT_DIRECTION:
        sort = "received"
    direction = request.args.get("dir", SORT_DEFAULT_DIRECTION[sort])
    if direction not in ("asc", "desc"):
        direction = SORT_DEFAULT_DIRECTION[sort]
    status = form.status.data if form.status.data in ("open", "overdue", "responded") else None
    filters = complaint_service.ComplaintFilters(
        today=now_on,
        category=ComplaintCategory(form.category.data) if form.category.data and not form.category.errors else None,
        stage=ComplaintStage(form.stage.data) if form.stage.data and not form.stage.errors else None,
        status=status,  # type: ignore[arg-type]
        month_on=parse_month(month_arg),
        sort=sort,  # type: ignore[arg-type]
        descending=direction == "desc",
    )
    summary = {
        "category": form.category.data or None,
        "stage": form.stage.data or None,
        "status": status,
        "team_id": team_arg or None,
        "month": month_arg or None,
        "sort": sort,
        "dir": direction,
    }
    return ListRequest(form, team_ids, filters, summary)


@bp.route("/complaints")
@role_required(*access.MANAGERS)
def index() -> Any:
    me = current_staff()
    r = _list_request(me)
    number = max(request.args.get("page", type=int) or 1, 1)
    page = page_of(complaint_service.complaint_list(r.team_ids, r.filters), page=number, per_page=PER_PAGE)
    if page.items:
        audit.record(
            me,
            "complaints_listed",
            "report",
            "complaints",
            f"Listed {len(page.items)} complaints",
            {"complaints": [c.id for c in page.items], "filters": r.summary},
        )
        db.session.commit()
    applied = any(v for k, v in r.summary.items() if k not in ("sort", "dir"))
    return render_template(
        "complaints/index.html",
        form=r.form,
        page=page,
        today=r.filters.today,
        sort=r.filters.sort,
        direction="desc" if r.filters.descending else "asc",
        applied=applied,
    )


@bp.route("/complaints/export")
@role_required(*access.MANAGERS)
def export() -> Any:
    """Every complaint that matches the filters (not just a page), as CSV."""
    me = current_staff()
    r = _list_request(me)
    audit.record(
        me,
        "export_downloaded",
        "report",
        "complaints",
        "Downloaded the complaints list as CSV",
        {"report": "complaints", "format": "csv", "filters": r.summary},
    )
    db.session.commit()
    found = db.session.scalars(complaint_service.complaint_list(r.team_ids, r.filters))
    table = exports.complaints_table(found, today=r.filters.today)
    body = "".join(exports.csv_stream(table))
    response = Response(body, content_type=exports.CSV_CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="complaints-{r.filters.today.isoformat()}.csv"'
    return response
