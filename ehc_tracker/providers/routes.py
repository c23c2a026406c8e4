"""Professionals' pages (their advice requests, returning advice, a provider manager's list) and
the staff side of asking a professional from an advice request."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from .. import access
from ..documents.routes import _send as send_download
from ..extensions import db
from ..models import User
from ..models.case import AdviceRequest
from ..services import NotFound, ServiceError, audit, professional_mail
from ..services import documents as document_service
from ..services import professionals as professional_service
from ..services.clock import now, today
from ..services.storage import StorageError
from ..services.timeline import advice_name
from ..web.security import role_required
from ..web.uploads import takes_document
from ..web.views import current_staff, saving
from .forms import SOMEONE_ELSE, AcceptForm, InviteProfessionalForm, ReassignForm, ReturnAdviceForm

bp = Blueprint("providers", __name__)


# --- Staff: ask a professional from the advice request ----------------------------------------


@bp.route("/cases/<int:case_id>/advice/<int:advice_id>/professional", methods=["GET", "POST"])
@role_required(*access.CASEWORK)
def invite(case_id: int, advice_id: int) -> Any:
    advice = db.session.get(AdviceRequest, advice_id)
    if advice is None or advice.case_id != case_id or not access.can_view_case(current_staff(), advice.case):
        abort(404)
    case = advice.case
    if not access.can_edit_case(current_staff(), case):
        abort(403)
    form = InviteProfessionalForm()
    people = professional_service.colleagues(advice.directory_entry_id) if advice.directory_entry_id else []
    if people:
        form.professional.choices = [(f"user:{u.id}", u.name) for u in people] + [(SOMEONE_ELSE, "Someone else")]
    documents = professional_service.attachable_documents(case)
    form.documents.choices = [(d.id, d.title) for d in documents]
    if request.method == "GET":
        if advice.professional_id is not None and advice.professional_id in {u.id for u in people}:
            form.professional.data = f"user:{advice.professional_id}"
        form.question.data = advice.question or ""
        form.documents.data = [d.id for d in professional_service.attachments(advice)]
    if form.validate_on_submit():
        chosen = form.professional.data or SOMEONE_ELSE
        picked = next((u for u in people if f"user:{u.id}" == chosen), None)
        with saving(form) as saved:
            due = professional_service.due_on(advice)
            if picked is not None:
                professional_service.assign(
                    advice,
                    picked,
                    question=form.question.data or "",
                    document_ids=form.documents.data or [],
                    actor=current_staff(),
                )
                professional_mail.notify_addressed(advice, picked, due=due)
                told = picked.name
            else:
                new = professional_service.invite(
                    advice,
                    name=form.name.data or "",
                    email=form.email.data or "",
                    question=form.question.data or "",
                    document_ids=form.documents.data or [],
                    actor=current_staff(),
                    now=now(),
                )
                professional_mail.send_invitation(new.invitation, new.token, due=due)
                told = new.invitation.email
        if saved.ok:
            flash(f"{advice_name(advice)}: the request was sent to {told}.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template(
        "providers/invite.html",
        form=form,
        case=case,
        advice=advice,
        people=people,
        documents=documents,
        due=professional_service.due_on(advice),
    )


# --- Public: accept an invitation --------------------------------------------------------------


@bp.route("/provider/invitation/<token>", methods=["GET", "POST"])
def accept(token: str) -> Any:
    try:
        invitation = professional_service.invitation_for(token, now=now())
    except ServiceError as error:
        # Anonymous entries are bounded per address (services.audit): made-up links cannot fill the log.
        who = current_staff() if current_user.is_authenticated else None
        audit.record(who, "professional_invitation_refused", "invitation", None, "An unusable advice link was opened")
        db.session.commit()
        return render_template("providers/invitation_invalid.html", message=error.message), 410
    existing = db.session.scalar(db.select(User).where(User.email == invitation.email))
    form = AcceptForm()
    if existing is not None and request.method == "POST" and request.form.get("link_existing") == "1":
        try:
            professional_service.accept(token, password="", now=now())
        except ServiceError as error:
            return render_template("providers/invitation_invalid.html", message=error.message), 410
        db.session.commit()
        flash("The request is now in your account. Sign in to see it.", "success")
        return redirect(url_for("auth.sign_in"))
    if existing is None and form.validate_on_submit():

        def show(form: Any, error: ServiceError) -> None:
            form.password.errors = list(form.password.errors) + [error.message]

        with saving(form, show=show) as saved:
            user = professional_service.accept(token, password=form.password.data or "", now=now())
        if saved.ok:
            session.clear()
            login_user(user)
            flash("Your account is ready. The request is below.", "success")
            return redirect(url_for("providers.home"))
    return render_template("providers/accept.html", form=form, invitation=invitation, existing=existing is not None)


# --- Professionals -----------------------------------------------------------------------------


def _request_or_404(advice_id: int) -> AdviceRequest:
    try:
        return professional_service.request_for(current_staff(), advice_id)
    except NotFound:
        abort(404)


@bp.route("/provider/")
@role_required(*access.PROFESSIONALS)
def home() -> Any:
    me = current_staff()
    mine = professional_service.my_requests(me)
    service = professional_service.service_requests(me)
    shown = [a.id for a in mine] + [a.id for a in service]
    audit.record(
        me, "advice_requests_listed", "user", me.id, f"Listed {len(set(shown))} advice requests", {"advice": shown}
    )
    db.session.commit()
    membership = professional_service.membership(me)
    return render_template(
        "providers/home.html",
        mine=mine,
        service=service,
        due={a.id: professional_service.due_on(a) for a in [*mine, *service]},
        membership=membership,
        colleagues=professional_service.colleagues(membership.directory_entry_id) if membership else [],
        reassign_form=ReassignForm(),
        today=today(),
    )


@bp.route("/provider/requests/<int:advice_id>")
@role_required(*access.PROFESSIONALS)
def view(advice_id: int) -> Any:
    advice = _request_or_404(advice_id)
    audit.record(current_staff(), "advice_request_viewed", "case", advice.case_id, f"Viewed advice request {advice.id}")
    db.session.commit()
    return render_template(
        "providers/request.html",
        advice=advice,
        child=advice.case.child,
        due=professional_service.due_on(advice),
        attachments=professional_service.attachments(advice),
        returned=professional_service.returned(advice),
        mine=advice.professional_id == current_staff().id,
        today=today(),
    )


@bp.route("/provider/requests/<int:advice_id>/documents/<int:document_id>")
@role_required(*access.PROFESSIONALS)
def download(advice_id: int, document_id: int) -> Any:
    """Only a document the coordinator attached to this request; 404 for anything else."""
    try:
        document = professional_service.attachment_for(current_staff(), advice_id, document_id)
        chunks = document_service.download(document, actor=current_staff())
    except (NotFound, StorageError):
        abort(404)
    db.session.commit()
    return send_download(document, chunks)


@bp.route("/provider/requests/<int:advice_id>/return", methods=["GET", "POST"])
@role_required(*access.PROFESSIONALS)
@takes_document
def return_advice(advice_id: int) -> Any:
    advice = _request_or_404(advice_id)
    if advice.professional_id != current_staff().id:
        abort(404)
    if advice.received_on is not None or not advice.case.is_open:
        flash("This advice is no longer waiting: nothing more can be sent for it.", "info")
        return redirect(url_for("providers.view", advice_id=advice.id))
    form = ReturnAdviceForm()
    if request.method == "GET":
        form.given_by.data = current_staff().name
        form.provider_name.data = advice.provider_name
    if form.validate_on_submit():
        upload = form.upload.data
        summary = professional_service.AdviceSummary(
            needs=form.needs.data or "",
            outcomes=form.outcomes.data or "",
            provision=form.provision.data or "",
            given_by=form.given_by.data or "",
            provider_name=form.provider_name.data or "",
            dated_on=form.dated_on.data,
        )
        with saving(form) as saved:
            checked = document_service.check_upload(upload.stream, upload.filename)
            try:
                professional_service.return_advice(
                    advice, user=current_staff(), upload=checked, summary=summary, today=today(), now=now()
                )
            finally:
                checked.close()
            professional_mail.notify_returned(advice)
        if saved.ok:
            flash("Your advice has been sent to the coordinator. Thank you.", "success")
            return redirect(url_for("providers.view", advice_id=advice.id))
    return render_template(
        "providers/return.html",
        form=form,
        advice=advice,
        child=advice.case.child,
        due=professional_service.due_on(advice),
        max_bytes=document_service.max_bytes(),
    )


@bp.route("/provider/requests/<int:advice_id>/reassign", methods=["POST"])
@role_required(*access.PROFESSIONALS)
def reassign(advice_id: int) -> Any:
    advice = _request_or_404(advice_id)
    form = ReassignForm()
    if not form.validate_on_submit():
        abort(400)
    me = current_staff()
    membership = professional_service.membership(me)
    if membership is None or not membership.is_manager:
        abort(403)
    to = next(
        (
            u
            for u in professional_service.colleagues(membership.directory_entry_id)
            if str(u.id) == form.professional.data
        ),
        None,
    )
    if to is None:
        abort(400)
    with saving() as saved:
        changed = professional_service.reassign(advice, to, actor=me)
        if changed:
            professional_mail.notify_addressed(advice, to, due=professional_service.due_on(advice))
    if saved.ok:
        flash(f"{advice_name(advice)} is now with {to.name}." if changed else "Nothing changed.", "success")
    return redirect(url_for("providers.home"))
