"""Case pages: caseload, opening cases, the case page, and recording each step."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..extensions import db
from ..models import Role, Team, User
from ..models.case import (
    Case,
    CaseEvent,
    CaseException,
    CaseStatus,
    CaseType,
    Channel,
    Communication,
    EventType,
    Milestone,
    RequestSource,
)
from ..models.child import Child
from ..services import Conflict, Forbidden, ServiceError, audit
from ..services import cases as case_service
from ..services import timeline as timeline_service
from ..services import timeliness
from ..services.clock import today
from ..services.milestones import still_possible
from ..services.paging import page_of
from ..services.users import active_users
from ..statutory.rules import ExceptionLimb
from ..statutory.rules import rule as statutory_rule
from ..web.security import role_required
from .forms import (
    EVENT_FIELDS,
    SOMEONE_ELSE,
    CaseloadFilterForm,
    CommunicationForm,
    CorrectionForm,
    DecideExceptionForm,
    EventForm,
    ExceptionForm,
    NoteForm,
    OpenAssessmentForm,
    OpenReviewForm,
    ReassignForm,
    ReassignManyForm,
    ResponseForm,
    TransferInForm,
)

bp = Blueprint("cases", __name__)
STAFF = (Role.COORDINATOR, Role.MANAGER)


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _show_error(form: Any, error: ServiceError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    # 404, not 403: a case of another team does not reveal that it exists.
    if case is None or not case_service.can_view(_me(), case):
        abort(404)
    return case


def _editable_case_or_404(case_id: int) -> Case:
    case = _case_or_404(case_id)
    if not case_service.can_edit(_me(), case):
        abort(403)
    return case


def _child_or_404(child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    if child is None or child.team_id not in _me().team_ids:
        abort(404)
    return child


def _team_and_coordinator_choices(form: Any, default_team_id: int) -> None:
    me = _me()
    teams = sorted(me.teams, key=lambda t: t.name)
    form.team_id.choices = [(t.id, t.name) for t in teams]
    people: dict[int, User] = {}
    for team in teams:
        for person in team.members:
            if person.active and person.role in STAFF:
                people[person.id] = person
    form.coordinator_id.choices = [(p.id, f"{p.name} ({', '.join(t.name for t in p.teams)})") for p in sorted(people.values(), key=lambda p: p.name)]
    if request.method == "GET":
        form.team_id.data = default_team_id if default_team_id in me.team_ids else (teams[0].id if teams else None)
        if me.role is Role.COORDINATOR:
            form.coordinator_id.data = me.id


# --- Caseload ----------------------------------------------------------------------------------


SORTS = {
    "due": (Case.next_due_on.is_(None), Case.next_due_on, Case.id),
    "child": (Child.last_name, Child.first_name, Case.id),
    "opened": (Case.anchor_on.desc(), Case.id),
}


@bp.route("/cases/")
@role_required(*STAFF)
def caseload() -> Any:
    me = _me()
    form = CaseloadFilterForm(request.args)
    colleagues = {p.id: p for t in me.teams for p in t.members if p.role in STAFF}
    form.coordinator_id.choices = [("mine", "My cases"), ("", "Everyone in my teams")] + [
        (str(p.id), p.name) for p in sorted(colleagues.values(), key=lambda p: p.name)
    ]
    if "coordinator_id" not in request.args:
        form.coordinator_id.data = "mine" if me.role is Role.COORDINATOR else ""
    now = today()
    query = (
        select(Case)
        .join(Case.child)
        .where(Case.team_id.in_(me.team_ids or {-1}))
        # One query for the page (children, coordinators and the total), one for the open
        # milestones the "next step" column chooses from.
        .options(
            contains_eager(Case.child), joinedload(Case.coordinator),
            selectinload(Case.milestones.and_(Milestone.met_on.is_(None), Milestone.is_period.is_(False))),
            # What the "Record" link of each row needs to know which step comes next.
            selectinload(Case.events), selectinload(Case.advice_requests), selectinload(Case.consultations),
        )
    )
    who = form.coordinator_id.data
    if who == "mine":
        query = query.where(Case.coordinator_id == me.id)
    elif who and who.isdigit():
        query = query.where(Case.coordinator_id == int(who))
    status = form.status.data or "open"
    if status == "open":
        query = query.where(Case.status == CaseStatus.OPEN)
    elif status == "closed":
        query = query.where(Case.status != CaseStatus.OPEN)
    if form.case_type.data:
        query = query.where(Case.case_type == CaseType(form.case_type.data))
    if form.due.data in ("overdue", "soon"):
        # Steps still to take (a lapsed step is missed, not overdue), not the cached next date.
        horizon = now if form.due.data == "overdue" else now + timedelta(days=10) + timedelta(days=1)
        steps = select(Milestone.case_id).where(
            Milestone.met_on.is_(None), Milestone.is_period.is_(False), still_possible(now), Milestone.due_on < horizon
        )
        query = query.where(Case.id.in_(steps))
    sort = request.args.get("sort", "due")
    query = query.order_by(*SORTS.get(sort, SORTS["due"]))
    page = page_of(query, page=request.args.get("page", 1, type=int), per_page=25)
    rows = []
    for case in page.items:
        milestone = timeline_service.next_milestone(case, now)
        step = timeline_service.step_to_offer(case, case_service.recordable_now(case)) if case_service.can_edit(me, case) else None
        # The link opens the step's form with the advice or consultation of the row's time limit chosen.
        chosen = timeline_service.chosen_for(step, milestone.ref) if step and milestone else {}
        rows.append((case, milestone, step, chosen))
    return render_template("cases/caseload.html", form=form, page=page, rows=rows, today=now, sort=sort, event_labels=case_service.EVENT_LABELS)


# --- Opening cases -----------------------------------------------------------------------------


@bp.route("/children/<int:child_id>/assessments/new", methods=["GET", "POST"])
@role_required(*STAFF)
def open_assessment(child_id: int) -> Any:
    child = _child_or_404(child_id)
    form = OpenAssessmentForm()
    _team_and_coordinator_choices(form, child.team_id)
    if request.method == "GET" and case_service.has_plan(child):
        form.case_type.data = "reassessment"  # a child with a plan is reassessed (CFA s44(2))
    if form.validate_on_submit():
        team = db.session.get(Team, form.team_id.data)
        coordinator = db.session.get(User, form.coordinator_id.data)
        assert team is not None and form.received_on.data is not None
        try:
            case = case_service.open_assessment(
                child=child, received_on=form.received_on.data, source=RequestSource(form.source.data), team=team,
                coordinator=coordinator, actor=_me(), today=today(), reassessment=form.case_type.data == "reassessment",
            )
        except ServiceError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            first = timeline_service.next_milestone(case)
            final = next((m for m in case.milestones if m.key == "final_plan"), None)
            parts = ["Case opened."]
            if final is not None:
                parts.append(f"The final plan is due by {final.due_on:%-d %B %Y}.")
            if first is not None:
                parts.append(f"{first.label} by {first.due_on:%-d %B %Y}.")
            flash(" ".join(parts), "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/open_assessment.html", form=form, child=child)


@bp.route("/children/<int:child_id>/reviews/new", methods=["GET", "POST"])
@role_required(*STAFF)
def open_review(child_id: int) -> Any:
    """For a plan made before the service was used: start tracking its annual reviews."""
    child = _child_or_404(child_id)
    form = OpenReviewForm()
    _team_and_coordinator_choices(form, child.team_id)
    status = 200
    if form.validate_on_submit():
        assert form.last_reviewed_on.data is not None
        team = db.session.get(Team, form.team_id.data)
        assert team is not None
        try:
            case = case_service.open_review_of_existing_plan(
                child=child, last_reviewed_on=form.last_reviewed_on.data, team=team,
                coordinator=db.session.get(User, form.coordinator_id.data), actor=_me(), today=today(),
            )
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
            status = 409 if isinstance(error, Conflict) else 200
        else:
            db.session.commit()
            review = next((m for m in case.milestones if m.key == "review_due"), case.milestones[0])
            flash(f"Annual review opened. The review is due by {review.due_on:%-d %B %Y}.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/open_review.html", form=form, child=child), status


@bp.route("/children/<int:child_id>/transfers/new", methods=["GET", "POST"])
@role_required(*STAFF)
def open_transfer_in(child_id: int) -> Any:
    """A plan transferred in from another authority (reg 15)."""
    child = _child_or_404(child_id)
    form = TransferInForm()
    _team_and_coordinator_choices(form, child.team_id)
    if form.validate_on_submit():
        team = db.session.get(Team, form.team_id.data)
        assert team is not None and form.transferred_on.data and form.plan_issued_on.data and form.last_reviewed_on.data
        try:
            case = case_service.open_transfer_in(
                child=child, transferred_on=form.transferred_on.data, plan_issued_on=form.plan_issued_on.data,
                last_reviewed_on=form.last_reviewed_on.data, previous_authority=form.previous_authority.data or "",
                named_settings=form.named_settings.data or "", team=team, coordinator=db.session.get(User, form.coordinator_id.data),
                actor=_me(), today=today(),
            )
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            notice = next(m for m in case.milestones if m.key == "transfer_in_notice_due")
            flash(f"Transferred plan recorded. Tell the family how it will be reviewed by {notice.due_on:%-d %B %Y}.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/open_transfer_in.html", form=form, child=child)


# --- The case page -----------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>")
@role_required(*STAFF)
def view(case_id: int) -> Any:
    case = _case_or_404(case_id)
    audit.record(_me(), "case_viewed", "case", case.id, f"Viewed case {case.id} of child {case.child_id}")
    db.session.commit()
    now = today()
    recordable = case_service.recordable_now(case)
    action = timeline_service.next_action(case, now, recordable=recordable)
    return render_template(
        "cases/view.html",
        case=case,
        rows=timeline_service.timeline(case, now),
        action=action,
        event_labels=case_service.EVENT_LABELS,
        can_edit=case_service.can_edit(_me(), case),
        is_manager=_me().role is Role.MANAGER,
        note_form=NoteForm(),
        today=now,
        allowed_events=recordable,
        cease_reasons=case_service.CEASE_REASONS,
    )


@bp.route("/cases/<int:case_id>/events/<event_type>", methods=["GET", "POST"])
@role_required(*STAFF)
def record_event(case_id: int, event_type: str) -> Any:
    case = _editable_case_or_404(case_id)
    try:
        kind = EventType(event_type)
    except ValueError:
        abort(404)
    if kind is EventType.ADVICE_REQUESTED and request.method == "GET":
        return redirect(url_for("cases.request_advice", case_id=case.id))  # several kinds of advice in one form (cases/advice.py)
    form = EventForm()
    form.advice_request_id.choices = timeline_service.open_advice_choices(case)
    form.consultation_id.choices = [(str(c.id), f"{c.setting_name} (consulted {c.sent_on:%-d %B %Y})") for c in case.consultations if c.responded_on is None]
    form.cease_reason.choices = [("", "Select a reason")] + list(case_service.CEASE_REASONS.items())
    fields = EVENT_FIELDS.get(kind.value, [])
    if request.method == "GET":
        # A worklist row for one advice request or consultation opens the form with it chosen.
        for choice in (form.advice_request_id, form.consultation_id):
            wanted = request.args.get(choice.name, "")
            if choice.name in fields and any(wanted == value for value, _ in choice.choices):
                choice.data = wanted
    if request.method == "GET" and kind is EventType.FINAL_PLAN_ISSUED and "named_settings" in fields:
        form.named_settings.data = "; ".join(case_service.settings_that_agreed(case)) or None  # the coordinator may change it
    warnings: list[str] = []
    status = 200
    if form.validate_on_submit():
        assert form.on.data is not None
        details = {name: getattr(form, name).data for name in fields}
        if kind is EventType.REVIEW_MEETING_SCHEDULED and form.meeting_on.data is not None:
            warnings = case_service.meeting_warnings(case, form.meeting_on.data)
        if warnings and not form.confirm_warnings.data:
            pass  # shown on the form; the coordinator may confirm and go on
        else:
            try:
                due_on = timeliness.step_due_on(case, kind, today())  # before recording meets it
                case_service.record_event(case, kind, form.on.data, actor=_me(), today=today(), **details)
            except ServiceError as error:
                db.session.rollback()
                _show_error(form, error)
                status = 409 if isinstance(error, Conflict) else 200
            else:
                db.session.commit()
                flash(" ".join([timeliness.recorded_message(case_service.EVENT_LABELS[kind], form.on.data, due_on), *warnings]), "success")
                return redirect(url_for("cases.view", case_id=case.id))
    period = next(
        (m for m in case.milestones if m.is_period and kind in (EventType.FINAL_PLAN_ISSUED, EventType.AMENDED_PLAN_ISSUED)
         and m.key == ("representations_close" if kind is EventType.FINAL_PLAN_ISSUED else "amendment_representations_close")),
        None,
    )
    return render_template(
        "cases/record_event.html", form=form, case=case, kind=kind, fields=fields, label=case_service.EVENT_LABELS[kind],
        warnings=warnings, period=period, due=timeline_service.milestone_for_step(case, kind, today()),
    ), status


@bp.route("/cases/<int:case_id>/history/<int:event_id>/correct", methods=["GET", "POST"])
@role_required(*STAFF)
def correct_event(case_id: int, event_id: int) -> Any:
    case = _editable_case_or_404(case_id)
    event = db.session.get(CaseEvent, event_id)
    if event is None or event.case_id != case.id:
        abort(404)
    form = CorrectionForm()
    if request.method == "GET":
        form.on.data = event.occurred_on
    if form.validate_on_submit():
        assert form.on.data is not None
        old = event.occurred_on
        try:
            case_service.correct_event_date(event, form.on.data, reason=form.reason.data or "", actor=_me(), today=today())
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"Corrected ‘{case_service.EVENT_LABELS[event.event_type]}’ from {old:%-d %B %Y} to {event.occurred_on:%-d %B %Y}. Due dates have been recalculated.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/correct_event.html", form=form, case=case, event=event, label=case_service.EVENT_LABELS[event.event_type])


# --- Exceptions ------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/exceptions/new", methods=["GET", "POST"])
@role_required(*STAFF)
def propose_exception(case_id: int) -> Any:
    case = _editable_case_or_404(case_id)
    form = ExceptionForm()
    eligible: list[tuple[str, str]] = []
    for m in case.milestones:
        r = statutory_rule(m.key)
        if r.exception_limbs and m.key not in [k for k, _ in eligible]:
            eligible.append((m.key, f"{m.label} (due {m.due_on:%-d %B %Y}) – {r.source}"))
    form.milestone_key.choices = eligible or [("", "")]
    limbs: dict[str, str] = {}
    for key, _ in eligible:
        for limb in statutory_rule(key).exception_limbs:
            limbs.setdefault(limb.value, limb.description)
    # In the law's order, by its plain-English description (the paragraph letter differs by limit).
    form.limb.choices = [(limb.value, limbs[limb.value]) for limb in ExceptionLimb if limb.value in limbs]
    if request.method == "POST" and form.validate_on_submit():
        assert form.starts_on.data is not None
        try:
            case_service.propose_exception(
                case, milestone_key=form.milestone_key.data or "", limb=form.limb.data or "", starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, reason=form.reason.data or "", evidence=form.evidence.data, actor=_me(), today=today(),
            )
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash("Exception proposed. A manager must approve it before it counts.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/propose_exception.html", form=form, case=case, eligible=eligible)


@bp.route("/cases/<int:case_id>/exceptions/<int:exception_id>/decide", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def decide_exception(case_id: int, exception_id: int) -> Any:
    case = _case_or_404(case_id)
    exception = db.session.get(CaseException, exception_id)
    if exception is None or exception.case_id != case.id:
        abort(404)
    form = DecideExceptionForm()
    if form.validate_on_submit():
        try:
            case_service.decide_exception(exception, approve=form.decision.data == "approve", note=form.note.data or "", actor=_me())
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"Exception {exception.status.label.lower()}. ‘{exception.milestone_label}’: {exception.limb_text}.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/decide_exception.html", form=form, case=case, exception=exception, rule=statutory_rule(exception.milestone_key))


# --- Communications, notes, reassignment ---------------------------------------------------------


@bp.route("/cases/<int:case_id>/communications/new", methods=["GET", "POST"])
@role_required(*STAFF)
def log_communication(case_id: int) -> Any:
    case = _case_or_404(case_id)
    form = CommunicationForm()
    contacts = list(case.child.contacts)
    if contacts:
        form.contact.choices = [(str(c.id), c.name) for c in contacts] + [(SOMEONE_ELSE, "Someone else")]
    else:
        del form.contact
    if form.validate_on_submit():
        assert form.received_on.data is not None
        chosen = form.contact.data if contacts else SOMEONE_ELSE
        contact = next((c for c in contacts if str(c.id) == chosen), None)
        try:
            comm = case_service.log_communication(
                case, received_on=form.received_on.data, received_at=form.received_time, channel=Channel(form.channel.data),
                contact=contact, from_name="" if contact else (form.from_name.data or ""), summary=form.summary.data or "",
                actor=_me(), today=today(),
            )
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            due = next(m.due_on for m in case.milestones if m.ref == f"communication:{comm.id}")
            flash(f"Communication from {comm.from_text} logged. A response is due by {due:%-d %B %Y} (5 working days).", "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="communications"))
    return render_template("cases/communication.html", form=form, case=case, contacts=contacts)


@bp.route("/cases/<int:case_id>/communications/<int:communication_id>/respond", methods=["GET", "POST"])
@role_required(*STAFF)
def respond(case_id: int, communication_id: int) -> Any:
    case = _case_or_404(case_id)
    comm = db.session.get(Communication, communication_id)
    if comm is None or comm.case_id != case.id:
        abort(404)
    form = ResponseForm()
    if form.validate_on_submit():
        assert form.responded_on.data is not None
        try:
            case_service.record_response(
                comm, responded_on=form.responded_on.data, reply_channel=Channel(form.reply_channel.data),
                summary=form.summary.data or "", actor=_me(), today=today(),
            )
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"Response to {comm.from_text} recorded.", "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="communications"))
    return render_template("cases/respond.html", form=form, case=case, comm=comm)


@bp.route("/cases/<int:case_id>/notes", methods=["POST"])
@role_required(*STAFF)
def add_note(case_id: int) -> Any:
    case = _case_or_404(case_id)
    form = NoteForm()
    if form.validate_on_submit():
        case_service.add_note(case, form.text.data or "", actor=_me())
        db.session.commit()
        flash("Note added.", "success")
        return redirect(url_for("cases.view", case_id=case.id, _anchor="notes"))
    flash("Enter the note before adding it.", "error")
    return redirect(url_for("cases.view", case_id=case.id, _anchor="notes"))


@bp.route("/cases/<int:case_id>/reassign", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def reassign(case_id: int) -> Any:
    case = _case_or_404(case_id)
    form = ReassignForm()
    form.coordinator_id.choices = [(u.id, u.name) for u in active_users(team=case.team) if u.role in STAFF]
    if form.validate_on_submit():
        coordinator = db.session.get(User, form.coordinator_id.data)
        assert coordinator is not None
        try:
            case_service.reassign(case, coordinator, reason=form.reason.data or "", actor=_me())
        except ServiceError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(f"Case reassigned to {coordinator.name}.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/reassign.html", form=form, case=case)


def _holders(me: User) -> list[tuple[User, int]]:
    """Everyone holding open cases in my teams (a leaver whose account is closed too), with how many."""
    counts = db.session.execute(
        select(Case.coordinator_id, func.count(Case.id)).where(
            Case.status == CaseStatus.OPEN, Case.team_id.in_(me.team_ids or {-1}), Case.coordinator_id.is_not(None)
        ).group_by(Case.coordinator_id)
    ).all()
    holders = [(db.session.get(User, user_id), count) for user_id, count in counts]
    return sorted(((u, n) for u, n in holders if u is not None), key=lambda pair: pair[0].name)


@bp.route("/cases/reassign-many", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def reassign_many() -> Any:
    """Move all, or a selection, of one person's open cases to another in one step."""
    me = _me()
    holders = _holders(me)
    source_id = request.args.get("from", type=int)
    source = next((u for u, _ in holders if u.id == source_id), None)
    if source is None and source_id is not None:
        # Someone in my teams who now holds nothing (for example after their cases moved).
        person = db.session.get(User, source_id)
        source = person if person is not None and set(person.team_ids) & set(me.team_ids) else None
    cases = case_service.open_cases_held_by(source, viewer=me) if source is not None else []
    form = ReassignManyForm()
    form.case_ids.choices = [(c.id, c.child.full_name) for c in cases]
    receivers = {p.id: p for t in me.teams for p in t.members if p.active and p.role in STAFF and (source is None or p.id != source.id)}
    form.coordinator_id.choices = [(0, "Select a person")] + [
        (p.id, f"{p.name} ({', '.join(sorted(t.name for t in p.teams))})") for p in sorted(receivers.values(), key=lambda p: p.name)
    ]
    if source is not None and request.method == "POST" and form.validate_on_submit():
        coordinator = db.session.get(User, form.coordinator_id.data) if form.coordinator_id.data else None
        if coordinator is None or not set(coordinator.team_ids) & set(me.team_ids):
            form.coordinator_id.errors = list(form.coordinator_id.errors) + ["Select who will take the cases"]
        else:
            try:
                moved = case_service.reassign_many(
                    None if form.which.data == "all" else list(form.case_ids.data or []), coordinator,
                    from_coordinator=source, reason=form.reason.data or "", actor=me,
                )
            except ServiceError as error:
                db.session.rollback()
                _show_error(form, error)
            else:
                db.session.commit()
                flash(f"Moved {len(moved)} case{'' if len(moved) == 1 else 's'} from {source.name} to {coordinator.name}.", "success")
                return redirect(url_for("cases.reassign_many", **{"from": source.id}))
    now = today()
    rows = [(c, timeline_service.next_milestone(c, now)) for c in cases]
    return render_template("cases/reassign_many.html", form=form, holders=holders, source=source, rows=rows, today=now)
