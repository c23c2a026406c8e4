"""Quality audit pages: the framework (administrators), the monthly samples and who audits
(managers), grading, moderation and resolving a disagreement (auditors and managers), the
coordinator's actions, and the lists behind the dashboard's audit figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import access
from ..extensions import db
from ..models import AuditSample, AuditSubject, Grade, QualityAudit, Team, User
from ..models.case import AdviceRequest, Case
from ..models.quality import AuditStatus
from ..services import ServiceError
from ..services import audit as audit_log
from ..services import quality as quality_service
from ..services.clock import today
from ..services.quality import Answer
from ..services.reports import scope_for
from ..services.reports.quality import MEASURE_KEY, TITLE, audit_rows
from ..services.reports.scope import month_start, next_month, parse_month
from ..services.reports.targets import MonthTarget, save_year_targets, year_targets
from ..web.security import role_required
from ..web.views import current_staff, saving

bp = Blueprint("quality", __name__, url_prefix="/quality")
GRADES = list(Grade)


def _audit_or_404(audit_id: int) -> QualityAudit:
    found = db.session.get(QualityAudit, audit_id)
    if found is None or not access.can_view_case(current_staff(), found.case):
        abort(404)
    return found


def _sample_or_404(sample_id: int) -> AuditSample:
    found = db.session.get(AuditSample, sample_id)
    if found is None or found.team_id not in current_staff().team_ids:
        abort(404)
    return found


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _grade(value: str | None) -> Grade | None:
    try:
        return Grade(value) if value else None
    except ValueError:
        return None


# --- The framework ----------------------------------------------------------------------------------


@bp.route("/frameworks", methods=["GET", "POST"])
@role_required(*access.AUDIT_FRAMEWORK_EDITORS)
def frameworks() -> Any:
    subject = AuditSubject.ADVICE if request.values.get("subject") == "advice" else AuditSubject.PLAN
    current = quality_service.current_framework(subject)
    values = {"name": current.name if current else "", "questions": quality_service.framework_text(current)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {"name": request.form.get("name", ""), "questions": request.form.get("questions", "")}
        with saving() as saved:
            published = quality_service.publish_framework(
                subject, values["name"], values["questions"], actor=current_staff()
            )
        if saved.ok:
            flash(
                f"Version {published.version} of the {subject.label.lower()} audit framework is published.", "success"
            )
            return redirect(url_for("quality.frameworks", subject=subject.value))
        if saved.error is not None:
            errors[saved.error.field or "questions"] = saved.error.message
    return render_template(
        "quality/frameworks.html",
        subject=subject,
        subjects=list(AuditSubject),
        current=current,
        all_versions=[f for f in quality_service.frameworks() if f.subject is subject],
        values=values,
        errors=errors,
        grades=GRADES,
    ), (400 if errors else 200)


# --- Samples, auditors and the to-do list ---------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@role_required(*access.CASEWORK)
def index() -> Any:
    me = current_staff()
    now = today()
    last_month = month_start(month_start(now) - timedelta(days=1))
    errors: dict[str, str] = {}
    values = {
        "team_id": str(me.teams[0].id) if me.teams else "",
        "month": f"{last_month:%Y-%m}",
        "percent": "",
        "count": "",
        "seed": "",
    }
    if request.method == "POST" and access.can_manage(me):
        values = {k: request.form.get(k, "").strip() for k in values}
        team = db.session.get(Team, _int(values["team_id"]) or 0)
        month_on = parse_month(values["month"])
        if team is None or team.id not in me.team_ids:
            errors["team_id"] = "Select one of your teams"
        if month_on is None:
            errors["month"] = "Enter the month as YYYY-MM, for example 2026-10"
        for name in ("percent", "count", "seed"):
            if values[name] and _int(values[name]) is None:
                errors[name] = "Enter a whole number"
        if not errors:
            assert team is not None and month_on is not None
            with saving() as saved:
                sample = quality_service.draw_sample(
                    team,
                    month_on,
                    percent=_int(values["percent"]),
                    count=_int(values["count"]),
                    seed=_int(values["seed"]),
                    actor=me,
                    today=now,
                )
            if saved.ok:
                flash(f"Drew {len(sample.audits)} of {sample.population} plans for the sample.", "success")
                return redirect(url_for("quality.sample", sample_id=sample.id))
            if saved.error is not None:
                errors[saved.error.field or "month"] = saved.error.message
    coordinators = sorted(
        {u.id: u for t in me.teams for u in t.members if u.role.value == "coordinator"}.values(), key=lambda u: u.name
    )
    year = _int(request.args.get("year")) or now.year
    return render_template(
        "quality/index.html",
        me=me,
        year=year,
        trajectory=year_targets(MEASURE_KEY, year) if access.can_manage(me) else {},
        to_do=quality_service.to_do_for(me),
        actions=quality_service.actions_for(me),
        samples=quality_service.samples_for(me),
        coordinators=coordinators if access.can_manage(me) else [],
        values=values,
        errors=errors,
        has_framework=quality_service.current_framework(AuditSubject.PLAN) is not None,
    ), (400 if errors else 200)


@bp.route("/targets", methods=["POST"])
@role_required(*access.MANAGERS)
def targets() -> Any:
    """The target trajectory for the share of audits rated good or better: a year's months, saved
    as the compliance targets are (audited, a blank month cleared)."""
    year = _int(request.form.get("year")) or today().year
    rows = []
    for month in range(1, 13):
        typed = request.form.get(f"target_{month:02d}", "").strip().rstrip("%")
        try:
            value = Decimal(typed) if typed else None
        except InvalidOperation:
            flash(f"Enter the target for {date(year, month, 1):%B} as a number", "error")
            return redirect(url_for("quality.index", year=year, _anchor="trajectory"))
        rows.append(MonthTarget(date(year, month, 1), value, None))
    with saving() as saved:
        changed, removed = save_year_targets(measure=MEASURE_KEY, year=year, months=rows, actor=current_staff())
    if saved.ok:
        flash(f"Audit targets for {year} saved: {changed} set or changed, {removed} cleared.", "success")
    return redirect(url_for("quality.index", year=year, _anchor="trajectory"))


@bp.route("/auditors/<int:user_id>", methods=["POST"])
@role_required(*access.MANAGERS)
def auditor(user_id: int) -> Any:
    person = db.session.get(User, user_id)
    if person is None or not (person.team_ids & current_staff().team_ids):
        abort(404)
    with saving() as saved:
        quality_service.set_auditor(person, auditor=request.form.get("auditor") == "yes", actor=current_staff())
    if saved.ok:
        flash(f"{person.name} {'is' if person.auditor else 'is no longer'} an auditor.", "success")
    return redirect(url_for("quality.index", _anchor="auditors"))


@bp.route("/samples/<int:sample_id>", methods=["GET", "POST"])
@role_required(*access.CASEWORK)
def sample(sample_id: int) -> Any:
    found = _sample_or_404(sample_id)
    me = current_staff()
    if request.method == "POST":
        if not access.can_manage(me):
            abort(403)
        action = request.form.get("action")
        with saving() as saved:
            if action == "add_plan":
                case = db.session.get(Case, _int(request.form.get("case_id")) or 0)
                if case is None or not access.can_view_case(me, case):
                    raise ServiceError("Enter the number of a case of the team", field="case_id")
                quality_service.add_plan(found, case, actor=me)
            elif action == "add_advice":
                advice = db.session.get(AdviceRequest, _int(request.form.get("advice_request_id")) or 0)
                if advice is None or not access.can_view_case(me, advice.case):
                    raise ServiceError("Enter the number of an advice request of the team", field="advice_request_id")
                quality_service.add_advice(found, advice, actor=me)
            elif action == "assign":
                target = db.session.get(QualityAudit, _int(request.form.get("audit_id")) or 0)
                if target is None or target.sample_id != found.id:
                    abort(404)
                people = {u.id: u for u in quality_service.auditors_in(found.team_id)}
                quality_service.assign(
                    target,
                    auditor=people.get(_int(request.form.get("auditor_id")) or 0),
                    moderator=people.get(_int(request.form.get("moderator_id")) or 0),
                    actor=me,
                )
            else:
                abort(400)
        if saved.ok:
            flash("Sample updated.", "success")
        return redirect(url_for("quality.sample", sample_id=found.id))
    return render_template(
        "quality/sample.html",
        sample=found,
        auditors=quality_service.auditors_in(found.team_id),
        can_manage=access.can_manage(me),
    )


# --- One audit ---------------------------------------------------------------------------------------


def _answers(audit_: QualityAudit) -> dict[int, Answer]:
    return {
        q.id: Answer(_grade(request.form.get(f"q{q.id}")), request.form.get(f"c{q.id}", ""))
        for q in audit_.framework.questions
    }


@bp.route("/audits/<int:audit_id>", methods=["GET", "POST"])
@role_required(*access.CASEWORK)
def audit(audit_id: int) -> Any:
    found = _audit_or_404(audit_id)
    me = current_staff()
    now = today()
    error: ServiceError | None = None
    if request.method == "POST":
        action = request.form.get("action")
        with saving() as saved:
            if action == "grade":
                quality_service.grade(
                    found,
                    answers=_answers(found),
                    overall=_grade(request.form.get("overall")),
                    comments=request.form.get("comments", ""),
                    actions=request.form.get("actions", ""),
                    actor=me,
                    today=now,
                )
            elif action == "moderate":
                quality_service.moderate(
                    found,
                    answers=_answers(found),
                    overall=_grade(request.form.get("overall")),
                    comments=request.form.get("comments", ""),
                    actor=me,
                    today=now,
                )
            elif action == "resolve":
                quality_service.resolve(
                    found,
                    final=_grade(request.form.get("final")),
                    note=request.form.get("note", ""),
                    actor=me,
                    today=now,
                )
            elif action == "actions_done":
                quality_service.actions_done(found, actor=me, today=now)
            else:
                abort(400)
        if saved.ok:
            flash("Audit saved.", "success")
            return redirect(url_for("quality.audit", audit_id=found.id))
        error = saved.error
        found = _audit_or_404(audit_id)
    if request.method == "GET":
        audit_log.record(
            me, "quality_audit_viewed", "quality_audit", found.id, f"Viewed audit {found.id} of case {found.case_id}"
        )
        db.session.commit()
    may_grade = (
        found.status is AuditStatus.TO_DO
        and access.can_audit_in(me, found.case.team_id)
        and found.auditor_id in (None, me.id)
        and found.moderator_id != me.id
    )
    may_moderate = found.status is AuditStatus.AWAITING_MODERATION and found.moderator_id == me.id
    return render_template(
        "quality/audit.html",
        audit=found,
        grades=GRADES,
        may_grade=may_grade,
        may_moderate=may_moderate,
        may_resolve=found.status is AuditStatus.DISAGREED and access.can_manage_case(me, found.case),
        may_mark_done=found.status is AuditStatus.COMPLETE
        and bool(found.actions)
        and found.actions_done_on is None
        and access.can_edit_case(me, found.case),
        error=error,
        form_values=request.form if error else {},
    ), (400 if error else 200)


# --- The lists behind the dashboard's figures ------------------------------------------------------


@bp.route("/figures")
@role_required(*access.REPORT_READERS)
def figures() -> Any:
    """The completed audits behind one of the dashboard's quality figures: ?month= (or from_month
    and to_month), and optionally team_id, good=1 or 0, provider."""
    me = current_staff()
    first = parse_month(request.args.get("month") or request.args.get("from_month"))
    last = parse_month(request.args.get("month") or request.args.get("to_month")) or first
    if first is None or last is None or last < first:
        abort(404)
    team_id = _int(request.args.get("team_id"))
    coordinator_id = _int(request.args.get("coordinator_id"))
    with_names = access.can_see_child_names(me)
    scope = scope_for(me, team_id=team_id, coordinator_id=coordinator_id if with_names else None)
    good_arg = request.args.get("good")
    good = None if good_arg not in ("0", "1") else good_arg == "1"
    provider = request.args.get("provider") or None
    rows = audit_rows(scope, first, next_month(last), good=good, provider=provider, with_names=with_names)
    period = f"{first:%B %Y}" if first == last else f"{first:%B %Y} to {last:%B %Y}"
    what = {None: "Audits completed", True: "Audits rated good or better", False: "Audits rated below good"}[good]
    heading = f"{what}, {period}" + (f", {provider}" if provider else "")
    if with_names and rows:
        audit_log.record(
            me,
            "report_viewed",
            "report",
            "audits",
            f"Viewed the list behind a report figure: {heading}",
            dict(request.args),
        )
        db.session.commit()
    return render_template(
        "quality/figures.html",
        rows=rows,
        heading=heading,
        title=TITLE,
        with_names=with_names,
    )
