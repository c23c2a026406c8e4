"""Who is calling the API, may they, and the audit entry every call leaves.

`api_view(*roles)` wraps each endpoint:

1. **Authenticate.** `Authorization: Bearer <token>` with a personal API token (see
   services/api_tokens.py). A person signed in to the web service may also *read* (GET) the
   API from the same browser session; anything that changes a record needs a token, so the
   API needs no CSRF protection (a token is never sent by a browser on its own). Missing,
   malformed, unknown or revoked tokens, and tokens of deactivated accounts, get 401 with a
   `WWW-Authenticate: Bearer` header; the refusal is audited (`api_auth_failed`).
2. **Rate limit.** At most `API_RATE_LIMIT_PER_MINUTE` calls (default 60) per token (or per
   browser session) in any 60 seconds, counted from the audit log so that the limit holds
   across workers; over it, 429 with `Retry-After` (audited as `api_rate_limited`).
3. **Authorise.** The caller's role must be one of `roles` (403 otherwise); the endpoint then
   applies the same team rules as the web pages (another team's record is a 404).
4. **Answer and audit.** The endpoint's changes and one `api_call` audit entry (the object,
   a summary, the method, path, status and the token's prefix, never the token) are committed
   together; when the answer is an error, the changes are rolled back first and only the
   audit entry is committed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, current_app, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..models import ApiToken, Role, User
from ..services import ServiceError, api_tokens, audit
from ..services.clock import now as clock_now
from .schemas import ApiError

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_RATE_LIMIT = 60
_BEARER = re.compile(r"^Bearer +([^ ]+) *$", re.IGNORECASE)
READ_METHODS = frozenset({"GET", "HEAD"})
REALM = 'Bearer realm="EHC Tracker API"'


@dataclass(frozen=True)
class Caller:
    user: User
    token: ApiToken | None

    @property
    def label(self) -> str:
        return api_tokens.caller_label(self.user, self.token)


def caller() -> Caller:
    """The caller of the request being answered (inside an `api_view`)."""
    return cast(Caller, g.api_caller)


def me() -> User:
    return caller().user


def note(object_type: str, object_id: object | None, summary: str) -> None:
    """What the call was about, for its audit entry ("child", 12, "Read child record 12")."""
    g.api_audit = (object_type, object_id, summary)


def rate_limit() -> int:
    return int(current_app.config.get("API_RATE_LIMIT_PER_MINUTE") or DEFAULT_RATE_LIMIT)


def configure(app: Any) -> None:
    """Settings the API reads, from the environment where set."""
    app.config.setdefault(
        "API_RATE_LIMIT_PER_MINUTE", int(os.environ.get("API_RATE_LIMIT_PER_MINUTE") or DEFAULT_RATE_LIMIT)
    )


def error_response(error: ApiError) -> Any:
    response = jsonify(error.body())
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    if error.status == 401:
        response.headers.setdefault("WWW-Authenticate", REALM)
    return response


def _authenticate() -> Caller:
    header = request.headers.get("Authorization")
    if header is not None:
        match = _BEARER.match(header)
        if match is None:
            raise ApiError(401, "unauthorized", "Send your API token in the header ‘Authorization: Bearer <token>’")
        token = api_tokens.authenticate(match.group(1))
        if token is None:
            raise ApiError(
                401,
                "unauthorized",
                "The API token is not valid: it may have been revoked, or its account deactivated",
                headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
            )
        return Caller(token.user, token)
    if current_user.is_authenticated:
        if request.method in READ_METHODS:
            return Caller(current_user._get_current_object(), None)
        raise ApiError(
            401, "unauthorized", "Changes through the API need an API token (‘Authorization: Bearer <token>’)"
        )
    raise ApiError(401, "unauthorized", "Sign in, or send an API token in the header ‘Authorization: Bearer <token>’")


def _audit_call(who: Caller, status: int) -> None:
    object_type, object_id, summary = getattr(g, "api_audit", None) or ("api", request.path, request.path)
    audit.record(
        who.user,
        api_tokens.API_CALL,
        object_type,
        object_id,
        f"API {request.method} {request.path} → {status}: {summary}",
        {
            "method": request.method,
            "path": request.path,
            "endpoint": request.endpoint,
            "status": status,
            "via": "token" if who.token is not None else "session",
            "token_prefix": who.token.prefix if who.token is not None else None,
        },
        label=who.label,
    )
    if who.token is not None:
        who.token.last_used_at = clock_now()


def _as_response(result: Any) -> Any:
    if isinstance(result, Response):  # a view that sets its own headers (an ETag, say)
        return result
    if isinstance(result, tuple):
        body, status, *rest = result
        response = jsonify(body)
        response.status_code = status
        for name, value in (rest[0] if rest else {}).items():
            response.headers[name] = value
        return response
    return jsonify(result)


def api_view(*roles: Role) -> Callable[[F], F]:
    """Authenticate, rate-limit, authorise and audit an API endpoint (see the module docstring).
    The view returns a JSON-able body, or (body, status[, headers]), or raises ApiError."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                who = _authenticate()
            except ApiError as error:
                db.session.rollback()
                audit.record(
                    None,
                    "api_auth_failed",
                    "api",
                    request.path,
                    f"API {request.method} {request.path} refused: {error.message}",
                    {
                        "method": request.method,
                        "path": request.path,
                        "authorization_header": "Authorization" in request.headers,
                    },
                    label="anonymous",
                )
                db.session.commit()
                return error_response(error)
            limit = rate_limit()
            wait = api_tokens.retry_after(who.label, limit=limit, now=clock_now())
            if wait is not None:
                audit.record(
                    who.user,
                    "api_rate_limited",
                    "api",
                    request.path,
                    f"API {request.method} {request.path} refused: more than {limit} calls a minute",
                    {
                        "method": request.method,
                        "path": request.path,
                        "token_prefix": who.token.prefix if who.token else None,
                    },
                    label=who.label,
                )
                db.session.commit()
                return error_response(
                    ApiError(
                        429,
                        "too_many_requests",
                        f"Too many requests: at most {limit} a minute. Try again in {wait} seconds.",
                        headers={"Retry-After": str(wait)},
                    )
                )
            g.api_caller = who
            g.api_audit = None
            try:
                if not who.user.has_role(*roles):
                    raise ApiError(403, "forbidden", f"{who.user.role.label} accounts cannot use this part of the API")
                response = _as_response(view(*args, **kwargs))
            except ApiError as error:
                response = error_response(error)
            except ServiceError as error:  # a refusal the view did not translate: a plain 422
                response = error_response(
                    ApiError(
                        422, "validation_failed", error.message, {error.field: error.message} if error.field else {}
                    )
                )
            except HTTPException as error:
                code = error.code or 500
                response = error_response(
                    ApiError(code, error.name.lower().replace(" ", "_"), error.description or error.name)
                )
            except Exception:
                db.session.rollback()
                _audit_call(who, 500)
                db.session.commit()
                raise
            if response.status_code >= 400:
                db.session.rollback()
            _audit_call(who, response.status_code)
            db.session.commit()
            return response

        wrapped.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        wrapped.api_authenticated = True  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorator
