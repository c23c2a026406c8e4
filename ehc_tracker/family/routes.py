"""Family pages (progress and messages) and the staff side of inviting a family."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from ..extensions import db
from ..models import Role, User
from ..models.case import Case
from ..models.family import FamilyRelationship
from ..services import ServiceError, audit
from ..services import cases as case_service
from ..services import family as family_service
from ..services.clock import now, today
from ..services.family_mail import send_invitation
from ..web.security import role_required
from .forms import AcceptForm, InviteForm, MessageForm

bp = Blueprint("family", __name__)


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


# --- Staff: invite the family ----------------------------------------------------------------


@bp.route("/cases/<int:case_id>/family", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.MANAGER)
def invite(case_id: int) -> Any:
    case = db.session.get(Case, case_id)
    if case is None or not case_service.can_view(_me(), case):
        abort(404)
    if not case_service.can_edit(_me(), case):
        abort(403)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            new = family_service.invite(
                case, name=form.name.data or "", email=form.email.data or "", relationship=FamilyRelationship(form.relationship.data),
                actor=_me(), now=now(), today=today(),
            )
            send_invitation(new.invitation, new.token)
        except ServiceError as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None)
            if field is not None:
                field.errors = list(field.errors) + [error.message]
            else:
                form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(f"Invitation sent to {new.invitation.email}. The link works once and expires on {new.invitation.expires_at:%-d %B %Y}.", "success")
            return redirect(url_for("family.invite", case_id=case.id))
    return render_template(
        "family/invite.html", form=form, case=case, invitations=family_service.invitations_for_case(case),
        accounts=family_service.family_accounts_for_child(case.child_id), now=now(),
    )


# --- Public: accept an invitation ------------------------------------------------------------


@bp.route("/family/invitation/<token>", methods=["GET", "POST"])
def accept(token: str) -> Any:
    try:
        invitation = family_service.invitation_for(token, now=now())
    except ServiceError as error:
        audit.record(None, "family_invitation_refused", "invitation", None, "An expired, used or unknown invitation link was opened")
        db.session.commit()
        return render_template("family/invitation_invalid.html", message=error.message), 410
    existing = db.session.scalar(db.select(User).where(User.email == invitation.email))
    form = AcceptForm()
    if existing is not None and request.method == "POST" and request.form.get("link_existing") == "1":
        try:
            user = family_service.accept(token, password="", now=now())
        except ServiceError as error:
            return render_template("family/invitation_invalid.html", message=error.message), 410
        db.session.commit()
        flash("Your account now shows this case too. Sign in to see it.", "success")
        return redirect(url_for("auth.sign_in"))
    if existing is None and form.validate_on_submit():
        try:
            user = family_service.accept(token, password=form.password.data or "", now=now())
        except ServiceError as error:
            db.session.rollback()
            form.password.errors = list(form.password.errors) + [error.message]
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash("Your account is ready. This page shows where things are up to.", "success")
            return redirect(url_for("family.home"))
    return render_template("family/accept.html", form=form, invitation=invitation, existing=existing is not None)


# --- Family: progress and messages -----------------------------------------------------------


@bp.route("/family/")
@role_required(Role.FAMILY)
def home() -> Any:
    cases = family_service.visible_cases(_me())
    if len(cases) == 1:
        return redirect(url_for("family.progress", case_id=cases[0].id))
    return render_template("family/home.html", cases=cases, titles=family_service.PLAIN_CASE_TYPES)


def _family_case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not family_service.can_view_case(_me(), case):
        abort(404)
    return case


@bp.route("/family/cases/<int:case_id>", methods=["GET", "POST"])
@role_required(Role.FAMILY)
def progress(case_id: int) -> Any:
    case = _family_case_or_404(case_id)
    form = MessageForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            family_service.send_message(case, user=_me(), text=form.text.data or "", today=today(), now=now())
        except ServiceError as error:
            db.session.rollback()
            form.text.errors = list(form.text.errors) + [error.message]
        else:
            db.session.commit()
            flash("Your message has been sent. Your coordinator will reply within 5 working days.", "success")
            return redirect(url_for("family.progress", case_id=case.id, _anchor="messages"))
    audit.record(_me(), "family_case_viewed", "case", case.id, f"Family account viewed case {case.id}")
    db.session.commit()
    return render_template(
        "family/progress.html", case=case, progress=family_service.progress(case, today=today(), viewer=_me()),
        messages=family_service.messages(case), form=form, today=today(),
    )
