"""Decision-making panel pages: the team's panel dates, each panel's agenda with papers and
members, recording the decisions (each through the case's workflow, refusals shown per item),
and the agenda and minutes to print."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from .. import access
from ..extensions import db
from ..models import Panel, PanelItem, PanelQuestion, Team
from ..models.case import Case
from ..services import ServiceError
from ..services import panels as panel_service
from ..services.clock import today
from ..web.security import role_required
from ..web.views import current_staff, saving

bp = Blueprint("panels", __name__, url_prefix="/panels")

# The agenda and minutes on A4 (app.css already leaves out the header, footer and app-no-print).
PRINT_CSS = """@media print {
  @page { size: A4 portrait; margin: 15mm; }
  .govuk-main-wrapper { padding-top: 0; }
  .app-panel-print .govuk-table { font-size: 10pt !important; }
  .app-panel-print .govuk-table__row { break-inside: avoid; }
}
"""


def _panel_or_404(panel_id: int) -> Panel:
    panel = db.session.get(Panel, panel_id)
    if panel is None or panel.team_id not in current_staff().team_ids:
        abort(404)
    return panel


def _item_or_404(panel: Panel, item_id: int) -> PanelItem:
    item = db.session.get(PanelItem, item_id)
    if item is None or item.panel_id != panel.id:
        abort(404)
    return item


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


@bp.route("/", methods=["GET", "POST"])
@role_required(*access.MANAGERS)
def index() -> Any:
    me = current_staff()
    errors: dict[str, str] = {}
    values = {k: request.form.get(k, "").strip() for k in ("team_id", "meets_on", "location", "chair")}
    if request.method == "POST":
        team = db.session.get(Team, _int(values["team_id"]) or 0)
        try:
            meets_on = date.fromisoformat(values["meets_on"])
        except ValueError:
            meets_on = None
            errors["meets_on"] = "Enter the panel's date as YYYY-MM-DD"
        if team is None or team.id not in me.team_ids:
            errors["team_id"] = "Select one of your teams"
        if not errors:
            assert team is not None and meets_on is not None
            with saving() as saved:
                panel = panel_service.create_panel(
                    team, meets_on, location=values["location"], chair=values["chair"], actor=me
                )
            if saved.ok:
                flash(f"Panel set for {meets_on:%-d %B %Y}.", "success")
                return redirect(url_for("panels.view", panel_id=panel.id))
            if saved.error is not None:
                errors[saved.error.field or "meets_on"] = saved.error.message
    now = today()
    found = panel_service.panels_for(me)
    return render_template(
        "panels/index.html",
        me=me,
        upcoming=sorted((p for p in found if p.meets_on >= now), key=lambda p: p.meets_on),
        past=[p for p in found if p.meets_on < now],
        values=values,
        errors=errors,
    ), (400 if errors else 200)


@bp.route("/<int:panel_id>", methods=["GET", "POST"])
@role_required(*access.MANAGERS)
def view(panel_id: int) -> Any:
    panel = _panel_or_404(panel_id)
    me = current_staff()
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action")
        with saving() as saved:
            if action == "add_item":
                case = db.session.get(Case, _int(request.form.get("case_id")) or 0)
                if case is None or not access.can_view_case(me, case):
                    raise ServiceError("Enter the number of a case of the team", field="case_id")
                try:
                    question = PanelQuestion(request.form.get("question", ""))
                except ValueError:
                    raise ServiceError("Select what the panel is asked", field="question") from None
                panel_service.add_item(panel, case, question, actor=me)
            elif action == "remove_item":
                panel_service.remove_item(_item_or_404(panel, _int(request.form.get("item_id")) or 0), actor=me)
            elif action == "papers":
                item = _item_or_404(panel, _int(request.form.get("item_id")) or 0)
                ids = [int(v) for v in request.form.getlist("document_id") if v.isdigit()]
                panel_service.set_papers(item, ids, actor=me)
            elif action == "add_member":
                panel_service.add_member(panel, request.form.get("name", ""), request.form.get("agency", ""), actor=me)
            elif action == "attendance":
                ids = [int(v) for v in request.form.getlist("attended") if v.isdigit()]
                panel_service.record_attendance(panel, ids, actor=me, today=today())
            else:
                abort(400)
        if saved.ok:
            flash("Panel updated.", "success")
            return redirect(url_for("panels.view", panel_id=panel.id, _anchor=request.form.get("anchor", "")))
        if saved.error is not None:
            errors[saved.error.field or "agenda"] = saved.error.message
        panel = _panel_or_404(panel_id)
    return render_template(
        "panels/view.html",
        panel=panel,
        questions=list(PanelQuestion),
        papers={item.id: panel_service.papers_available(item) for item in panel.items},
        labels=panel_service.DECISION_LABELS,
        has_met=panel.meets_on <= today(),
        errors=errors,
        values=request.form,
    ), (400 if errors else 200)


@bp.route("/<int:panel_id>/decisions", methods=["GET", "POST"])
@role_required(*access.MANAGERS)
def decisions(panel_id: int) -> Any:
    """One form for the whole agenda: each item chosen is recorded on its own (through the case's
    workflow), so one refusal does not lose the others; the refusals are shown beside their items."""
    panel = _panel_or_404(panel_id)
    me = current_staff()
    refusals: dict[int, str] = {}
    recorded = 0
    if request.method == "POST":
        now = today()
        for item in panel.items:
            choice = request.form.get(f"decision_{item.id}", "")
            if item.decision is not None or not choice:
                continue
            try:
                panel_service.decide(item, choice, note=request.form.get(f"note_{item.id}", ""), actor=me, today=now)
                db.session.commit()
                recorded += 1
            except ServiceError as error:
                db.session.rollback()
                refusals[item.id] = error.message
        panel = _panel_or_404(panel_id)
        if recorded:
            flash(f"{recorded} decision{'' if recorded == 1 else 's'} recorded.", "success")
        if not refusals:
            return redirect(url_for("panels.view", panel_id=panel.id, _anchor="agenda"))
    return render_template(
        "panels/decisions.html",
        panel=panel,
        choices={item.id: panel_service.DECISIONS[item.question] for item in panel.items},
        labels=panel_service.DECISION_LABELS,
        refusals=refusals,
        values=request.form,
        has_met=panel.meets_on <= today(),
    ), (400 if refusals else 200)


@bp.route("/<int:panel_id>/agenda")
@role_required(*access.MANAGERS)
def agenda(panel_id: int) -> Any:
    return render_template(
        "panels/print.html", panel=_panel_or_404(panel_id), minutes=False, labels=panel_service.DECISION_LABELS
    )


@bp.route("/<int:panel_id>/minutes")
@role_required(*access.MANAGERS)
def minutes(panel_id: int) -> Any:
    return render_template(
        "panels/print.html", panel=_panel_or_404(panel_id), minutes=True, labels=panel_service.DECISION_LABELS
    )


@bp.route("/print.css")
@role_required(*access.MANAGERS)
def print_css() -> Any:
    return Response(PRINT_CSS, content_type="text/css; charset=utf-8")
