"""Refused access is audited: a signed-in person answered 403 or 404 by a page.

A 404 from a page that takes a record's id is how the service says "not yours" (another team's
child or case looks exactly like one that does not exist), so each one is recorded with the
record asked for, like a view. The JSON API audits every call itself, with its status, and
requests nobody is signed in to are redirected to sign in before any page answers.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..services import audit

REFUSED = (403, 404)
ACTION = "access_refused"
_NOT_PAGES = ("static", "assets.govuk")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

log = logging.getLogger(__name__)


def _clean(value: object, limit: int = 200) -> object:
    """What the request asked for, fit to store: no control characters (a NUL is refused by
    PostgreSQL), and not too long (a hostile URL can be kilobytes)."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("?", value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _object(view_args: dict[str, Any], endpoint: str) -> tuple[str, object]:
    """The record the page is about (the case before the child), else the page's endpoint."""
    for arg in ("case_id", "child_id"):
        if isinstance(view_args.get(arg), int):
            return arg.removesuffix("_id"), view_args[arg]
    return "page", endpoint


def _audit_refusal(response: Any) -> Any:
    if response.status_code not in REFUSED:
        return response
    endpoint = request.endpoint
    if endpoint is None or endpoint in _NOT_PAGES or endpoint.startswith("api."):
        return response
    if not current_user.is_authenticated:
        return response
    view_args = {k: _clean(v) for k, v in (request.view_args or {}).items() if isinstance(v, (int, str))}
    object_type, object_id = _object(view_args, endpoint)
    what = "forbidden" if response.status_code == 403 else "not found"
    path = _clean(request.path)
    try:
        # Nothing the refused request left unsaved is kept: only the audit entry.
        db.session.rollback()
        audit.record(
            current_user._get_current_object(),
            ACTION,
            object_type,
            object_id,
            f"Refused {request.method} {path} ({response.status_code}, {what})",
            {
                "status": response.status_code,
                "method": request.method,
                "path": path,
                "endpoint": endpoint,
                "view_args": view_args,
            },
        )
        db.session.commit()
    except SQLAlchemyError:  # the refusal stands even if it could not be recorded
        db.session.rollback()
        log.exception("Could not record refused access to %s", request.path)
    return response


def init_refusal_audit(app: Flask) -> None:
    app.after_request(_audit_refusal)
