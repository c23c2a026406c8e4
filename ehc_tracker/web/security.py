"""Sign-in requirement, roles, idle timeout and security headers for every request."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from ..models import Role
from .session_timeout import idle_timeout_seconds, signed_out_response

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints anyone may reach without signing in.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.sign_in",
        "auth.sign_in_code",
        "static",
        "assets.govuk",
        "health.healthz",
        "family.accept",
        "feedback.answer_by_link",
        "providers.accept",
    }
)
# Endpoints a user who must change their password may still reach.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.sign_out", "auth.keep_alive"})


def role_required(*roles: Role) -> Callable[[F], F]:
    """Allow the view only to signed-in users holding one of `roles` (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.sign_in", next=request.full_path))
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorator


def _authenticates_itself(endpoint: str) -> bool:
    """JSON API endpoints check API tokens themselves (ehc_tracker/api/auth.py): a call with a
    token, or with no session at all, is theirs to answer (401 in JSON, audited). A signed-in
    browser session reading the API still goes through the checks below (idle timeout...)."""
    from flask import current_app

    view = current_app.view_functions.get(endpoint)
    if not endpoint.startswith("api.") or not getattr(view, "api_authenticated", False):
        return False
    return "Authorization" in request.headers or not current_user.is_authenticated


def _require_sign_in() -> Any:
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if _authenticates_itself(endpoint):
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return signed_out_response()

    from flask import current_app

    idle_limit = idle_timeout_seconds(current_app.config)
    now = time.time()
    last_seen = session.get("last_seen")
    if last_seen is not None and now - float(last_seen) > idle_limit:
        logout_user()
        session.clear()
        flash(
            "You were signed out because you had not used the service for a while. Sign in again to continue.", "info"
        )
        return signed_out_response()
    session["last_seen"] = now
    session.permanent = True

    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.change_password"))
    return None


def _csp_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def _security_headers(response: Any) -> Any:
    nonce = getattr(g, "csp_nonce", "")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint not in ("static", "assets.govuk"):
        # Pages hold children's personal data: never keep them in a shared cache or the back button.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_security(app: Flask) -> None:
    app.before_request(_csp_nonce)
    app.before_request(_require_sign_in)
    app.after_request(_security_headers)
