"""Sign in, sign out and change password."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..alerts.delivery import DeliveryError
from ..extensions import db
from ..models import Role
from ..services import ServiceError, audit, sign_in_codes
from ..services.users import authenticate
from ..services.users import change_password as change_user_password
from ..services.users import sign_out as end_sessions_and_sign_out
from ..web.security import role_required
from ..web.session_timeout import idle_timeout_seconds, safe_next, warning_seconds
from ..web.views import current_staff, saving
from .forms import ChangePasswordForm, SignInCodeForm, SignInForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only follow `next` to a path on this site (see session_timeout.safe_next)."""
    return safe_next(target)


@bp.app_context_processor
def _session_timeout_settings() -> dict[str, Any]:
    """The figures the page's timeout warning counts down (templates/components/macros.html)."""
    config = current_app.config
    return {"session_timeout": {"seconds": idle_timeout_seconds(config), "warning_seconds": warning_seconds(config)}}


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    form = SignInForm()
    locked = False
    retry_after = 0
    if form.validate_on_submit():
        now = datetime.now(UTC)
        # request.remote_addr is the client's own address (see TRUSTED_PROXY_COUNT), not the proxy's.
        result = authenticate(form.email.data or "", form.password.data or "", address=request.remote_addr, now=now)
        db.session.commit()
        if result.user is not None and sign_in_codes.required_for(result.user):
            session.clear()
            try:
                sign_in_codes.send_code(
                    result.user, session, now=datetime.now(UTC), next_url=_safe_next(request.args.get("next"))
                )
            except DeliveryError:
                db.session.rollback()
                form.password.errors = ["We could not send your sign-in code by email. Try again in a few minutes."]
                form.password.data = ""
                return render_template("auth/sign_in.html", form=form, locked=False), 503
            db.session.commit()
            return redirect(url_for("auth.sign_in_code"))
        if result.user is not None:
            session.clear()
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
        locked = result.throttled
        retry_after = result.retry_after_seconds(now)
        form.password.errors = [result.message(now)]
        form.password.data = ""
    headers = {"Retry-After": str(retry_after)} if locked else {}
    return (
        render_template("auth/sign_in.html", form=form, locked=locked, returning=_safe_next(request.args.get("next"))),
        (429 if locked else 200),
        headers,
    )


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code() -> Any:
    """The second step for family accounts: the code emailed after the password was accepted."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    state = sign_in_codes.pending(session)
    if state is None:
        flash("Sign in with your email address and password first.", "important")
        return redirect(url_for("auth.sign_in"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        result = sign_in_codes.check_code(session, form.code.data or "", now=datetime.now(UTC))
        if result.user is not None:
            result.user.last_sign_in_at = datetime.now(UTC)
            audit.record(result.user, "signed_in", "user", result.user.id, "Signed in with an emailed code")
            db.session.commit()
            session.clear()
            login_user(result.user)
            return redirect(_safe_next(state.get("next")) or url_for("main.index"))
        db.session.commit()
        if result.start_again:
            flash(result.message or "Sign in again.", "important")
            return redirect(url_for("auth.sign_in"))
        form.code.errors = [result.message or ""]
        form.code.data = ""
    return render_template("auth/sign_in_code.html", form=form, minutes=current_app.config["SIGN_IN_CODE_MINUTES"])


@bp.route("/session/keep-alive", methods=["POST"])
@role_required(*Role)  # everyone signed in, family accounts too
def keep_alive() -> Any:
    """ "Stay signed in" on the timeout warning: a signed-in request (with the CSRF token, as every
    POST) restarts the idle clock (web/security.py); the answer says how long the session now has."""
    return jsonify(signed_in=True, seconds_left=idle_timeout_seconds(current_app.config))


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Any:
    # Ends the account's sessions on the server: a copy of this (or any) session cookie stops working.
    end_sessions_and_sign_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


def _show_password_error(form: Any, error: ServiceError) -> None:
    getattr(form, error.field or "password").errors = [error.message]


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with saving(form, show=_show_password_error) as saved:
            change_user_password(current_staff(), form.current_password.data or "", form.password.data or "")
        if saved.ok:
            login_user(current_user._get_current_object())  # the session token changed; keep this session
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
