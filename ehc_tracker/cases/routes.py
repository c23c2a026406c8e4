"""Case pages: caseload, opening cases, the case page, and recording each step."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import access
from ..extensions import db
from ..models import DocumentKind, Team, User
from ..models.case import (
    AppealType,
    Case,
    CaseEvent,
    CaseException,
    Channel,
    Communication,
    EventType,
    Plan,
    RequestSource,
)
from ..models.child import Child
from ..services import audit, disputes, opening, timeliness
from ..services import caseload as caseload_service
from ..services import cases as case_service
from ..services import complaints as complaint_service
from ..services import documents as document_service
from ..services import feedback as feedback_service
from ..services import letters as letter_service
from ..services import panels as panel_service
from ..services import quality as quality_service
from ..services import timeline as timeline_service
from ..services.clock import today
from ..services.exception_choices import exception_choices
from ..services.users import active_users
from ..statutory.rules import rule as statutory_rule
from ..web.security import role_required
from ..web.views import current_staff, saving
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
    OpenDisputeForm,
    OpenReviewForm,
    ReassignForm,
    ReassignManyForm,
    ResponseForm,
    TransferInForm,
)

bp = Blueprint("cases", __name__)
STAFF = access.CASEWORK


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    # 404, not 403: a case of another team does not reveal that it exists.
    if case is None or not access.can_view_case(current_staff(), case):
        abort(404)
    return case


def _editable_case_or_404(case_id: int) -> Case:
    case = _case_or_404(case_id)
    if not access.can_edit_case(current_staff(), case):
        abort(403)
    return case


def _child_or_404(child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    if child is None or not access.can_view_child(current_staff(), child):
        abort(404)
    return child


def _team_and_coordinator_choices(form: Any, default_team_id: int) -> None:
    me = current_staff()
    teams = sorted(me.teams, key=lambda t: t.name)
    form.team_id.choices = [(t.id, t.name) for t in teams]
    people: dict[int, User] = {}
    for team in teams:
        for person in team.members:
            if access.can_hold_cases(person):
                people[person.id] = person
    form.coordinator_id.choices = [
        (p.id, f"{p.name} ({', '.join(t.name for t in p.teams)})")
        for p in sorted(people.values(), key=lambda p: p.name)
    ]
    if request.method == "GET":
        form.team_id.data = default_team_id if default_team_id in me.team_ids else (teams[0].id if teams else None)
        if access.works_own_caseload(me):
            form.coordinator_id.data = me.id


# --- Caseload ----------------------------------------------------------------------------------


@bp.route("/cases/")
@role_required(*STAFF)
def caseload() -> Any:
    me = current_staff()
    form = CaseloadFilterForm(request.args)
    form.coordinator_id.choices = [("mine", "My cases"), ("", "Everyone in my teams")] + [
        (str(p.id), p.name) for p in caseload_service.colleagues(me)
    ]
    if "coordinator_id" not in request.args:
        form.coordinator_id.data = caseload_service.default_coordinator_filter(me)
    now = today()
    sort = request.args.get("sort", "due")
    filters = caseload_service.CaseloadFilters(
        coordinator=form.coordinator_id.data or "",
        status=form.status.data or "open",
        case_type=form.case_type.data or "",
        due=form.due.data or "",
        sort=sort,
    )
    page, rows = caseload_service.caseload_page(me, filters, now, page=request.args.get("page", 1, type=int))
    return render_template(
        "cases/caseload.html",
        form=form,
        page=page,
        rows=rows,
        today=now,
        sort=sort,
        event_labels=case_service.EVENT_LABELS,
    )


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
        with saving(form) as saved:
            case = opening.open_assessment(
                child=child,
                received_on=form.received_on.data,
                source=RequestSource(form.source.data),
                team=team,
                coordinator=coordinator,
                actor=current_staff(),
                today=today(),
                reassessment=form.case_type.data == "reassessment",
            )
        if saved.ok:
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
        with saving(form) as saved:
            case = opening.open_review(
                child=child,
                last_reviewed_on=form.last_reviewed_on.data,
                team=team,
                coordinator=db.session.get(User, form.coordinator_id.data),
                actor=current_staff(),
                today=today(),
            )
        status = saved.status
        if saved.ok:
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
        with saving(form) as saved:
            case = opening.open_transfer_in(
                child=child,
                transferred_on=form.transferred_on.data,
                plan_issued_on=form.plan_issued_on.data,
                last_reviewed_on=form.last_reviewed_on.data,
                previous_authority=form.previous_authority.data or "",
                named_settings=form.named_settings.data or "",
                team=team,
                coordinator=db.session.get(User, form.coordinator_id.data),
                actor=current_staff(),
                today=today(),
            )
        if saved.ok:
            notice = next(m for m in case.milestones if m.key == "transfer_in_notice_due")
            flash(
                f"Transferred plan recorded. Tell the family how it will be reviewed by {notice.due_on:%-d %B %Y}.",
                "success",
            )
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/open_transfer_in.html", form=form, child=child)


@bp.route("/cases/<int:case_id>/disputes/new", methods=["GET", "POST"])
@role_required(*STAFF)
def open_dispute(case_id: int) -> Any:
    """A dispute (mediation or an appeal) about a decision of this case."""
    disputed = _case_or_404(case_id)
    if disputed.case_type not in disputes.DISPUTABLE_CASE_TYPES:
        abort(404)
    return _open_dispute(disputed.child, disputed, None, url_for("cases.view", case_id=disputed.id))


@bp.route("/children/<int:child_id>/plans/<int:plan_id>/disputes/new", methods=["GET", "POST"])
@role_required(*STAFF)
def open_plan_dispute(child_id: int, plan_id: int) -> Any:
    """A dispute about a plan itself: its contents, or a decision to cease it between reviews."""
    child = _child_or_404(child_id)
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.child_id != child.id or not access.can_edit_child(current_staff(), child):
        abort(404)
    return _open_dispute(child, None, plan, url_for("children.view", child_id=child.id, _anchor="plans"))


def _open_dispute(child: Child, disputed: Case | None, plan: Plan | None, back: str) -> Any:
    form = OpenDisputeForm()
    _team_and_coordinator_choices(form, disputed.team_id if disputed is not None else child.team_id)
    status = 200
    if form.validate_on_submit():
        team = db.session.get(Team, form.team_id.data)
        assert team is not None and form.decision_sent_on.data is not None
        with saving(form) as saved:
            case = opening.open_dispute(
                disputed=disputed,
                plan=plan,
                decision_sent_on=form.decision_sent_on.data,
                appeal_type=AppealType(form.appeal_type.data),
                team=team,
                coordinator=db.session.get(User, form.coordinator_id.data),
                actor=current_staff(),
                today=today(),
            )
        status = saved.status
        if saved.ok:
            appeal = next(m for m in case.milestones if m.key == "appeal_deadline")
            flash(f"Dispute opened. The last day to appeal is {appeal.due_on:%-d %B %Y}.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    about = (
        f"{disputed.case_type.label} from {disputed.anchor_on:%-d %B %Y}"
        if disputed is not None
        else f"EHC plan issued {plan.issued_on:%-d %B %Y}"  # type: ignore[union-attr]
    )
    return render_template("cases/open_dispute.html", form=form, child=child, about=about, back=back), status


# --- The case page -----------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>")
@role_required(*STAFF)
def view(case_id: int) -> Any:
    case = _case_or_404(case_id)
    audit.record(current_staff(), "case_viewed", "case", case.id, f"Viewed case {case.id} of child {case.child_id}")
    db.session.commit()
    now = today()
    recordable = case_service.recordable_now(case)
    action = timeline_service.next_action(case, now, recordable=recordable)
    documents = document_service.documents_of_case(case)
    can_edit = access.can_edit_case(current_staff(), case)
    return render_template(
        "cases/view.html",
        panel_outlook=panel_service.outlook(case, now),
        panel_items=panel_service.items_of_case(case),
        panel_decision_labels=panel_service.DECISION_LABELS,
        quality_audits=quality_service.audits_of_case(case),
        documents=documents,
        letter_kinds=letter_service.available_kinds(case) if can_edit else [],
        letters=[d for d in documents if d.kind is DocumentKind.LETTER],
        changeable={d.id for d in documents if document_service.can_change(current_staff(), d)},
        case=case,
        rows=timeline_service.timeline(case, now),
        action=action,
        event_labels=case_service.EVENT_LABELS,
        can_edit=can_edit,
        is_manager=access.can_manage(current_staff()),
        note_form=NoteForm(),
        today=now,
        allowed_events=recordable,
        cease_reasons=case_service.CEASE_REASONS,
        disputes=case_service.disputes_of(case),
        can_dispute=case.case_type in disputes.DISPUTABLE_CASE_TYPES and access.can_edit_case(current_staff(), case),
        dispute_lines=disputes.described,
        complaints=complaint_service.complaints_of_case(case),
        feedback=feedback_service.readable_for_case(current_staff(), case),
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
        return redirect(
            url_for("cases.request_advice", case_id=case.id)
        )  # several kinds of advice in one form (cases/advice.py)
    form = EventForm()
    form.advice_request_id.choices = timeline_service.open_advice_choices(case)
    form.consultation_id.choices = [
        (str(c.id), f"{c.setting_name} (consulted {c.sent_on:%-d %B %Y})")
        for c in case.consultations
        if c.responded_on is None
    ]
    form.cease_reason.choices = [("", "Select a reason")] + list(case_service.CEASE_REASONS.items())
    fields = EVENT_FIELDS.get(kind.value, [])
    if request.method == "GET":
        # A worklist row for one advice request or consultation opens the form with it chosen.
        for choice in (form.advice_request_id, form.consultation_id):
            wanted = request.args.get(choice.name, "")
            if choice.name in fields and any(wanted == value for value, _ in choice.choices):
                choice.data = wanted
    if request.method == "GET" and kind is EventType.FINAL_PLAN_ISSUED and "named_settings" in fields:
        form.named_settings.data = (
            "; ".join(case_service.settings_that_agreed(case)) or None
        )  # the coordinator may change it
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
            with saving(form) as saved:
                due_on = timeliness.step_due_on(case, kind, today())  # before recording meets it
                case_service.record_event(case, kind, form.on.data, actor=current_staff(), today=today(), **details)
            status = saved.status
            if saved.ok:
                flash(
                    " ".join(
                        [timeliness.recorded_message(case_service.EVENT_LABELS[kind], form.on.data, due_on), *warnings]
                    ),
                    "success",
                )
                return redirect(url_for("cases.view", case_id=case.id))
    period = next(
        (
            m
            for m in case.milestones
            if m.is_period
            and kind in (EventType.FINAL_PLAN_ISSUED, EventType.AMENDED_PLAN_ISSUED)
            and m.key
            == ("representations_close" if kind is EventType.FINAL_PLAN_ISSUED else "amendment_representations_close")
        ),
        None,
    )
    return render_template(
        "cases/record_event.html",
        form=form,
        case=case,
        kind=kind,
        fields=fields,
        label=case_service.EVENT_LABELS[kind],
        warnings=warnings,
        period=period,
        due=timeline_service.milestone_for_step(case, kind, today()),
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
        with saving(form) as saved:
            case_service.correct_event_date(
                event, form.on.data, reason=form.reason.data or "", actor=current_staff(), today=today()
            )
        if saved.ok:
            flash(
                f"Corrected ‘{case_service.EVENT_LABELS[event.event_type]}’ from {old:%-d %B %Y} to {event.occurred_on:%-d %B %Y}. Due dates have been recalculated.",
                "success",
            )
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template(
        "cases/correct_event.html", form=form, case=case, event=event, label=case_service.EVENT_LABELS[event.event_type]
    )


# --- Exceptions ------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/exceptions/new", methods=["GET", "POST"])
@role_required(*STAFF)
def propose_exception(case_id: int) -> Any:
    case = _editable_case_or_404(case_id)
    form = ExceptionForm()
    choices = exception_choices(case)
    eligible = choices.milestones
    form.milestone_key.choices = eligible or [("", "")]
    form.limb.choices = choices.limbs
    if request.method == "POST" and form.validate_on_submit():
        assert form.starts_on.data is not None
        with saving(form) as saved:
            case_service.propose_exception(
                case,
                milestone_key=form.milestone_key.data or "",
                limb=form.limb.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                reason=form.reason.data or "",
                evidence=form.evidence.data,
                actor=current_staff(),
                today=today(),
            )
        if saved.ok:
            flash("Exception proposed. A manager must approve it before it counts.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/propose_exception.html", form=form, case=case, eligible=eligible)


@bp.route("/cases/<int:case_id>/exceptions/<int:exception_id>/decide", methods=["GET", "POST"])
@role_required(*access.MANAGERS)
def decide_exception(case_id: int, exception_id: int) -> Any:
    case = _case_or_404(case_id)
    exception = db.session.get(CaseException, exception_id)
    if exception is None or exception.case_id != case.id:
        abort(404)
    form = DecideExceptionForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            case_service.decide_exception(
                exception, approve=form.decision.data == "approve", note=form.note.data or "", actor=current_staff()
            )
        if saved.ok:
            flash(
                f"Exception {exception.status.label.lower()}. ‘{exception.milestone_label}’: {exception.limb_text}.",
                "success",
            )
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template(
        "cases/decide_exception.html",
        form=form,
        case=case,
        exception=exception,
        rule=statutory_rule(exception.milestone_key),
    )


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
        with saving(form) as saved:
            comm = case_service.log_communication(
                case,
                received_on=form.received_on.data,
                received_at=form.received_time,
                channel=Channel(form.channel.data),
                contact=contact,
                from_name="" if contact else (form.from_name.data or ""),
                summary=form.summary.data or "",
                actor=current_staff(),
                today=today(),
            )
        if saved.ok:
            due = next(m.due_on for m in case.milestones if m.ref == f"communication:{comm.id}")
            flash(
                f"Communication from {comm.from_text} logged. A response is due by {due:%-d %B %Y} (5 working days).",
                "success",
            )
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
        with saving(form) as saved:
            case_service.record_response(
                comm,
                responded_on=form.responded_on.data,
                reply_channel=Channel(form.reply_channel.data),
                summary=form.summary.data or "",
                actor=current_staff(),
                today=today(),
            )
        if saved.ok:
            flash(f"Response to {comm.from_text} recorded.", "success")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="communications"))
    return render_template("cases/respond.html", form=form, case=case, comm=comm)


@bp.route("/cases/<int:case_id>/notes", methods=["POST"])
@role_required(*STAFF)
def add_note(case_id: int) -> Any:
    case = _case_or_404(case_id)
    form = NoteForm()
    if form.validate_on_submit():
        with saving() as saved:
            case_service.add_note(case, form.text.data or "", actor=current_staff())
        if saved.ok:
            flash("Note added.", "success")
        return redirect(url_for("cases.view", case_id=case.id, _anchor="notes"))
    flash("Enter the note before adding it.", "error")
    return redirect(url_for("cases.view", case_id=case.id, _anchor="notes"))


@bp.route("/cases/<int:case_id>/reassign", methods=["GET", "POST"])
@role_required(*access.MANAGERS)
def reassign(case_id: int) -> Any:
    case = _case_or_404(case_id)
    form = ReassignForm()
    form.coordinator_id.choices = [(u.id, u.name) for u in active_users(team=case.team) if access.is_staff_editor(u)]
    if form.validate_on_submit():
        coordinator = db.session.get(User, form.coordinator_id.data)
        assert coordinator is not None
        with saving(form) as saved:
            case_service.reassign(case, coordinator, reason=form.reason.data or "", actor=current_staff())
        if saved.ok:
            flash(f"Case reassigned to {coordinator.name}.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template("cases/reassign.html", form=form, case=case)


@bp.route("/cases/reassign-many", methods=["GET", "POST"])
@role_required(*access.MANAGERS)
def reassign_many() -> Any:
    """Move all, or a selection, of one person's open cases to another in one step."""
    me = current_staff()
    holders = caseload_service.open_case_holders(me)
    source_id = request.args.get("from", type=int)
    source = next((u for u, _ in holders if u.id == source_id), None)
    if source is None and source_id is not None:
        # Someone in my teams who now holds nothing (for example after their cases moved).
        person = db.session.get(User, source_id)
        source = person if person is not None and set(person.team_ids) & set(me.team_ids) else None
    cases = case_service.open_cases_held_by(source, viewer=me) if source is not None else []
    form = ReassignManyForm()
    form.case_ids.choices = [(c.id, c.child.full_name) for c in cases]
    receivers = {
        p.id: p
        for t in me.teams
        for p in t.members
        if access.can_hold_cases(p) and (source is None or p.id != source.id)
    }
    form.coordinator_id.choices = [(0, "Select a person")] + [
        (p.id, f"{p.name} ({', '.join(sorted(t.name for t in p.teams))})")
        for p in sorted(receivers.values(), key=lambda p: p.name)
    ]
    if source is not None and request.method == "POST" and form.validate_on_submit():
        coordinator = db.session.get(User, form.coordinator_id.data) if form.coordinator_id.data else None
        if coordinator is None or not set(coordinator.team_ids) & set(me.team_ids):
            form.coordinator_id.errors = list(form.coordinator_id.errors) + ["Select who will take the cases"]
        else:
            with saving(form) as saved:
                moved = case_service.reassign_many(
                    None if form.which.data == "all" else list(form.case_ids.data or []),
                    coordinator,
                    from_coordinator=source,
                    reason=form.reason.data or "",
                    actor=me,
                )
            if saved.ok:
                flash(
                    f"Moved {len(moved)} case{'' if len(moved) == 1 else 's'} from {source.name} to {coordinator.name}.",
                    "success",
                )
                return redirect(url_for("cases.reassign_many", **{"from": source.id}))
    now = today()
    rows = [(c, timeline_service.next_milestone(c, now)) for c in cases]
    return render_template("cases/reassign_many.html", form=form, holders=holders, source=source, rows=rows, today=now)
