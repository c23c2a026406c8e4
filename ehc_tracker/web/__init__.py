"""Wiring of the web interface: blueprints, request hooks, error pages, template helpers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, g, has_request_context, send_from_directory
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers

from .. import access
from ..extensions import login_manager
from ..models import Role
from ..services.clock import local_zone
from .fingerprint import init_fingerprints
from .input import init_input_checks
from .security import init_security


def _load_user(user_id: str) -> Any:
    from ..extensions import db
    from ..models import User

    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def _navigation() -> list[dict[str, Any]]:
    from flask import request, url_for

    # Emails are rendered outside requests too (the scheduler, commands): no navigation there.
    if not has_request_context() or not current_user.is_authenticated:
        return []
    nav = []
    for text, endpoint in access.navigation_for(current_user):
        nav.append(
            {
                "text": text,
                "href": url_for(endpoint),
                "active": request.endpoint == endpoint
                or (request.blueprint in ("cases", "children") and request.blueprint == endpoint.split(".")[0]),
            }
        )
    return nav


def _format_date(value: date | datetime | str | None, fmt: str = "%-d %B %Y") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)  # a date kept as ISO text (event details)
    if isinstance(value, datetime):
        value = value.astimezone(local_zone())
    return value.strftime(fmt)


def _format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(local_zone()).strftime("%-d %B %Y at %H:%M")


def init_web(app: Flask) -> None:
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    WTFormsHelpers(app)
    init_security(app)
    init_input_checks(app)
    init_fingerprints(app)

    assets = Blueprint("assets", __name__)

    @assets.route("/assets/<path:filename>")
    def govuk(filename: str) -> Any:
        return send_from_directory(app.config["GOVUK_ASSETS_DIR"], filename, max_age=86400)

    app.register_blueprint(assets)

    from ..admin.imports import bp as imports_bp
    from ..admin.routes import bp as admin_bp
    from ..auth.routes import bp as auth_bp
    from ..cases.routes import bp as cases_bp
    from ..children.routes import bp as children_bp
    from ..main.routes import bp as main_bp
    from ..reports.routes import bp as reports_bp
    from .errors import init_errors
    from .health import bp as health_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(children_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(health_bp)
    from ..panels.routes import bp as panels_bp
    from ..quality.routes import bp as quality_bp

    app.register_blueprint(quality_bp)
    app.register_blueprint(panels_bp)
    from ..notifications.jobs import bp as alert_runs_bp
    from ..notifications.routes import bp as notifications_bp

    app.register_blueprint(notifications_bp)
    app.register_blueprint(alert_runs_bp)
    from ..api import init_api
    from ..sen2.routes import bp as sen2_bp

    init_api(app)
    app.register_blueprint(sen2_bp)
    from ..family.routes import bp as family_bp

    app.register_blueprint(family_bp)
    from ..documents.routes import bp as documents_bp

    app.register_blueprint(documents_bp)
    from ..complaints.routes import bp as complaints_bp
    from ..feedback.routes import bp as feedback_bp

    app.register_blueprint(complaints_bp)
    app.register_blueprint(feedback_bp)
    from ..providers.routes import bp as providers_bp

    app.register_blueprint(providers_bp)
    init_errors(app)
    from .refusals import init_refusal_audit

    init_refusal_audit(app)

    app.add_template_filter(_format_date, "date")
    app.add_template_filter(_format_datetime, "datetime")

    @app.context_processor
    def _globals() -> dict[str, Any]:
        # Every template rendered in a request runs this, and the GOV.UK form widgets render
        # one template per field: work it out once per request.
        cached = g.get("_template_globals")
        if cached is None:
            cached = {
                "service_name": app.config["SERVICE_NAME"],
                "navigation": _navigation(),
                "csp_nonce": getattr(g, "csp_nonce", ""),
                "Role": Role,
                "access": access,
            }
            if has_request_context():
                g._template_globals = cached
        return cached
