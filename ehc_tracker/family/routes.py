"""Family pages (progress and messages) and the staff side of inviting a family."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from .. import access
from ..extensions import db
from ..models import User
from ..models.case import Case, Communication
from ..models.family import FamilyRelationship
from ..services import ServiceError, audit
from ..services import contributions as contribution_service
from ..services import documents as document_service
from ..services import family as family_service
from ..services import feedback as feedback_service
from ..services.clock import now, today
from ..services.family_mail import send_invitation
from ..web.security import role_required
from ..web.views import current_staff, saving
from .forms import SOMEONE_ELSE, AcceptForm, InviteForm, MessageForm, ShareForm

bp = Blueprint("family", __name__)


def _on_field(name: str) -> Any:
    """Show a refusal on one field of the form, whatever field the service named."""

    def show(form: Any, error: ServiceError) -> None:
        field = getattr(form, name)
        field.errors = list(field.errors) + [error.message]

    return show


# --- Staff: invite the family ----------------------------------------------------------------


@bp.route("/cases/<int:case_id>/family", methods=["GET", "POST"])
@role_required(*access.CASEWORK)
def invite(case_id: int) -> Any:
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(current_staff(), case):
        abort(404)
    if not access.can_edit_case(current_staff(), case):
        abort(403)
    form = InviteForm()
    # The child's recorded contacts with an email address can be picked instead of typing theirs.
    contacts = family_service.invitable_contacts(case)
    if contacts:
        form.contact.choices = [(f"contact:{c.id}", c.name) for c in contacts] + [(SOMEONE_ELSE, "Someone else")]
    if form.validate_on_submit():
        picked = next((c for c in contacts if c.id == form.picked_contact_id()), None)
        name = picked.name if picked is not None else form.name.data or ""
        email = (picked.email or "") if picked is not None else form.email.data or ""

        def show(form: Any, error: ServiceError) -> None:
            # A refusal of a picked contact's details belongs to the choice, not to the boxes left empty.
            field = (
                form.contact
                if picked is not None and error.field in ("name", "email")
                else getattr(form, error.field or "", None)
            )
            if field is not None:
                field.errors = list(field.errors) + [error.message]
            else:
                form.form_errors.append(error.message)

        with saving(form, show=show) as saved:
            new = family_service.invite(
                case,
                name=name,
                email=email,
                relationship=FamilyRelationship(form.relationship.data),
                actor=current_staff(),
                now=now(),
                today=today(),
            )
            send_invitation(new.invitation, new.token)
        if saved.ok:
            flash(
                f"Invitation sent to {new.invitation.email}. The link works once and expires on {new.invitation.expires_at:%-d %B %Y}.",
                "success",
            )
            return redirect(url_for("family.invite", case_id=case.id))
    invitations = family_service.invitations_for_case(case)
    accounts = family_service.family_accounts_for_child(case.child_id)
    # The page lists the family's names and email addresses: each showing of it is audited.
    audit.record(
        current_staff(),
        "family_access_viewed",
        "case",
        case.id,
        f"Viewed the family accounts and invitations of case {case.id}",
        {"invitations": [i.id for i in invitations], "accounts": [a.id for a in accounts]},
    )
    db.session.commit()
    return render_template(
        "family/invite.html",
        form=form,
        case=case,
        invitations=invitations,
        accounts=accounts,
        now=now(),
        contacts=contacts,
    )


@bp.route("/cases/<int:case_id>/communications/<int:communication_id>/family-sharing", methods=["POST"])
@role_required(*access.CASEWORK)
def share_message(case_id: int, communication_id: int) -> Any:
    """Share a family message (and its reply) with the child's other family accounts, or stop."""
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(current_staff(), case):
        abort(404)
    if not access.can_edit_case(current_staff(), case):  # who may share a family message
        abort(403)
    comm = db.session.get(Communication, communication_id)
    if comm is None or comm.case_id != case.id or comm.family_user_id is None:
        abort(404)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    share = form.share.data == "1"
    changed = family_service.share_message(comm, share=share, actor=current_staff(), now=now())
    db.session.commit()
    if not changed:
        already = "shared." if share else "seen only by the account that sent it."
        flash(f"Nothing was changed: the message was already {already}", "info")
    elif share:
        flash(
            f"The message from {comm.from_name} and its reply are now shared with the child’s other family accounts.",
            "success",
        )
    else:
        flash(f"The message from {comm.from_name} is now seen only by the account that sent it.", "success")
    return redirect(url_for("cases.view", case_id=case.id, _anchor="communications"))


# --- Public: accept an invitation ------------------------------------------------------------


@bp.route("/family/invitation/<token>", methods=["GET", "POST"])
def accept(token: str) -> Any:
    try:
        invitation = family_service.invitation_for(token, now=now())
    except ServiceError as error:
        # Anonymous entries are bounded per address (services.audit): a flood of made-up links cannot fill the log.
        who = current_staff() if current_user.is_authenticated else None
        opened = "An expired, used or unknown invitation link was opened"
        audit.record(who, "family_invitation_refused", "invitation", None, opened)
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
        with saving(form, show=_on_field("password")) as saved:
            user = family_service.accept(token, password=form.password.data or "", now=now())
        if saved.ok:
            session.clear()
            login_user(user)
            flash("Your account is ready. This page shows where things are up to.", "success")
            return redirect(url_for("family.home"))
    return render_template("family/accept.html", form=form, invitation=invitation, existing=existing is not None)


# --- Family: progress and messages -----------------------------------------------------------


@bp.route("/family/")
@role_required(*access.FAMILIES)
def home() -> Any:
    cases = family_service.visible_cases(current_staff())
    if len(cases) == 1:
        return redirect(url_for("family.progress", case_id=cases[0].id))
    headlines = {
        c.id: family_service.progress(c, today=today(), viewer=current_staff()).headline for c in cases if c.is_open
    }
    # The list says where each child's case stands: each showing of it is audited, like the case page.
    audit.record(
        current_staff(),
        "family_cases_listed",
        "user",
        current_staff().id,
        f"Family account listed its {len(cases)} cases",
        {"cases": [c.id for c in cases]},
    )
    db.session.commit()
    return render_template("family/home.html", cases=cases, titles=family_service.PLAIN_CASE_TYPES, headlines=headlines)


def _family_case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not family_service.can_view_case(current_staff(), case):
        abort(404)
    return case


@bp.route("/family/cases/<int:case_id>", methods=["GET", "POST"])
@role_required(*access.FAMILIES)
def progress(case_id: int) -> Any:
    case = _family_case_or_404(case_id)
    form = MessageForm()
    if request.method == "POST" and form.validate_on_submit():
        with saving(form, show=_on_field("text")) as saved:
            family_service.send_message(case, user=current_staff(), text=form.text.data or "", today=today(), now=now())
        if saved.ok:
            flash("Your message has been sent. Your coordinator will reply within 5 working days.", "success")
            return redirect(url_for("family.progress", case_id=case.id, _anchor="messages"))
    audit.record(current_staff(), "family_case_viewed", "case", case.id, f"Family account viewed case {case.id}")
    db.session.commit()
    return render_template(
        "family/progress.html",
        case=case,
        progress=family_service.progress(case, today=today(), viewer=current_staff()),
        messages=family_service.thread(case, viewer=current_staff()),
        documents=document_service.shared_with_family(case),
        contribute=contribution_service.window(case, user=current_staff(), today=today()),
        form=form,
        today=today(),
        surveys=feedback_service.open_surveys(current_staff(), case, now=now()),
    )
