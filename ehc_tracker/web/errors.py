"""Error pages in the service's own style (JSON under /api/)."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db

_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}


def _render(error: HTTPException) -> Any:
    code = error.code or 500
    if request.path.startswith("/api/"):
        return jsonify(error={"code": error.name.lower().replace(" ", "_"), "message": error.description, "fields": {}}), code
    template = _TEMPLATES.get(code, "errors/generic.html")
    return render_template(template, error=error), code


def init_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        return _render(error)

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError) -> Any:
        db.session.rollback()
        return _render(error)
