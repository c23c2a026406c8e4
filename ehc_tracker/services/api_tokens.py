"""Personal API tokens: created and revoked by their owner, shown once, stored only as a hash.

A token is `ehc_` followed by 43 random URL-safe characters (256 bits). The database keeps the
SHA-256 of the whole token (a fast hash is enough for a long random secret: there is nothing
to guess by brute force) and its first 12 characters, the *prefix*, so that a person can tell
their tokens apart and the audit log can say which token made a call without holding it.

A token acts as its owner, with the owner's role and teams as they are at the time of each
call: deactivating the account, or revoking the token, stops it at once.

Rate limiting counts the calls each token made in the last minute from the audit log (one
`api_call` entry per call), so the limit holds across every web worker and process without
a shared cache. The count and the new entry are not one atomic step: two workers answering
the same token in the same instant can let a call or two over the limit, which is
acceptable for a limit that protects the service rather than a quota.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import ApiToken, AuditEvent, Role, User
from . import Forbidden, NotFound, ServiceError, audit

TOKEN_START = "ehc_"
PREFIX_LENGTH = 12
NAME_MAX_LENGTH = 100
# A person rarely needs more than a few; the cap keeps forgotten tokens from piling up.
MAX_ACTIVE_TOKENS = 10
# Staff may hold tokens; family accounts use their own pages only.
TOKEN_ROLES = Role.staff()
API_CALL = "api_call"
RATE_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just created: `secret` is shown to its owner this once and never stored."""

    token: ApiToken
    secret: str


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    value = " ".join((name or "").split())
    if not value:
        raise ServiceError("Enter a name for the token, for example ‘Caseload spreadsheet’", field="name")
    if len(value) > NAME_MAX_LENGTH:
        raise ServiceError(f"The name must be {NAME_MAX_LENGTH} characters or fewer", field="name")
    return value


def active_tokens(user: User) -> list[ApiToken]:
    return [t for t in tokens_for(user) if t.is_active]


def tokens_for(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones too: they show when they were revoked)."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(user: User, *, name: str, actor: User | None) -> NewToken:
    """Create a token for `user`. `actor` is the user themselves (the account page) or None
    (the `flask create-token` command run by someone with access to the server)."""
    if actor is not None and actor.id != user.id:
        raise Forbidden("You can only create API tokens for yourself")
    if not user.active:
        raise ServiceError(f"The account {user.email} is deactivated", field="email")
    if user.role not in TOKEN_ROLES:
        raise ServiceError("API tokens are for staff accounts", field="email")
    clean_name = _check_name(name)
    if len(active_tokens(user)) >= MAX_ACTIVE_TOKENS:
        raise ServiceError(
            f"You already have {MAX_ACTIVE_TOKENS} tokens; revoke one you no longer use first", field="name"
        )
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=clean_name, token_hash=hash_token(secret), prefix=secret[:PREFIX_LENGTH])
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor,
        "api_token_created",
        "api_token",
        token.id,
        f"Created API token {token.prefix}… ‘{clean_name}’ for {user.email}",
        {"prefix": token.prefix, "name": clean_name, "user_id": user.id},
        label=None if actor is not None else "flask create-token",
    )
    return NewToken(token, secret)


def token_of(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens (NotFound for anyone else's: it does not reveal they exist)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token")
    return token


def revoke_token(token: ApiToken, *, actor: User, now: datetime) -> None:
    if token.user_id != actor.id:
        raise Forbidden("You can only revoke your own API tokens")
    if token.revoked_at is not None:
        raise ServiceError("This token was already revoked", field="token")
    token.revoked_at = now
    audit.record(
        actor,
        "api_token_revoked",
        "api_token",
        token.id,
        f"Revoked API token {token.prefix}… ‘{token.name}’",
        {"prefix": token.prefix, "name": token.name},
    )


def authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret, of an active staff account; None otherwise."""
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or not token.is_active:
        return None
    user = token.user
    if user is None or not user.active or user.role not in TOKEN_ROLES:
        return None
    return token


def caller_label(user: User, token: ApiToken | None) -> str:
    """How the audit log names an API caller: the person, and the token (by prefix) they used."""
    how = f"API token {token.prefix}" if token is not None else "web session"
    return f"{user.email} ({how})"


def retry_after(label: str, *, limit: int, now: datetime) -> int | None:
    """Seconds until the caller may call again, or None when they are under `limit` calls in
    the last minute. Counted from the `api_call` entries of the audit log."""
    since = now - RATE_WINDOW
    count, oldest = db.session.execute(
        select(func.count(AuditEvent.id), func.min(AuditEvent.occurred_at)).where(
            AuditEvent.action == API_CALL, AuditEvent.occurred_at > since, AuditEvent.actor_label == label
        )
    ).one()
    if int(count or 0) < limit:
        return None
    if not isinstance(oldest, datetime):
        return int(RATE_WINDOW.total_seconds())
    if oldest.tzinfo is None:  # SQLite's MIN() returns the stored text, read back without a zone
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return max(1, math.ceil((oldest + RATE_WINDOW - now).total_seconds()))
