"""Error pages in the service's own style (JSON under /api/)."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from ..extensions import db, login_manager

_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}
# Page headings in plain words (GOV.UK pattern) where the HTTP name would mean nothing to people.
_TITLES = {
    400: "There is a problem with what was sent",
    405: "This page cannot be used that way",
    409: "Someone else changed this at the same moment",
    413: "What was sent is too large",
    429: "Too many attempts",
}


def _render(error: HTTPException) -> Any:
    code = error.code or 500
    if isinstance(error, RequestEntityTooLarge):
        error.description = "What was sent is larger than this service accepts. Go back, shorten it and try again."
    if request.path.startswith("/api/"):
        return jsonify(
            error={"code": error.name.lower().replace(" ", "_"), "message": error.description, "fields": {}}
        ), code
    template = _TEMPLATES.get(code, "errors/generic.html")
    return render_template(template, error=error, title=_TITLES.get(code, error.name)), code


def init_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        return _render(error)

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError) -> Any:
        db.session.rollback()
        return _render(error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error: Exception) -> Any:
        """The database is down or unreachable: the GOV.UK "service unavailable" page (503),
        rendered without touching the database again (the visitor is treated as signed out
        for this one page, so the header asks nothing of it)."""
        app.logger.error("database unavailable: %s", type(error).__name__)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone too
            pass
        g._login_user = login_manager.anonymous_user()
        g.pop("_template_globals", None)
        g._unread_notifications = 0
        if request.path.startswith("/api/"):
            message = "The service is unavailable. Try again later."
            return jsonify(error={"code": "service_unavailable", "message": message, "fields": {}}), 503
        return render_template("errors/503.html"), 503
