"""Sign in, sign out and change password."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..services import ServiceError, audit
from ..services.users import authenticate, change_password as change_user_password
from .forms import ChangePasswordForm, SignInForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only follow `next` to a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    locked = False
    if form.validate_on_submit():
        result = authenticate(form.email.data or "", form.password.data or "", address=request.remote_addr)
        db.session.commit()
        if result.user is not None:
            session.clear()
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
        locked = result.locked
        message = (
            "Too many failed attempts to sign in. Wait 15 minutes, then try again."
            if locked
            else "Enter a correct email address and password"
        )
        form.password.errors = [message]
        form.password.data = ""
    return render_template("auth/sign_in.html", form=form, locked=locked), (429 if locked else 200)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Any:
    audit.record(current_user._get_current_object(), "signed_out", "user", current_user.id, "Signed out")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_user_password(current_user._get_current_object(), form.current_password.data or "", form.password.data or "")
        except ServiceError as error:
            getattr(form, error.field or "password").errors = [error.message]
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the session token changed; keep this session
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
