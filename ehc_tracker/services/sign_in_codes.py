"""The second step of a family or professional sign-in: a 6-digit code sent by email.

After the password is accepted, a random code is emailed straight away (not through the
outbox, which would keep it in the database and send it minutes later). Only a keyed hash of
the code is kept, bound to the account's session token and the expiry time: on the account
(`users.sign_in_code_digest`) and in the signed session cookie, which must match. So the
cookie alone gives nothing away and a code works only for the person it was sent to, once,
within SIGN_IN_CODE_MINUTES, and only the latest code sent works.

Tries are counted on the server, on the account (`users.sign_in_code_tries`), claimed with one
conditional UPDATE so that concurrent requests cannot share a try: after MAX_TRIES wrong codes
the code is locked, whatever cookie is replayed, until the person signs in again for a new
one. Wrong codes also count as failed sign-ins, so the ordinary per-account throttle then
holds the password step for a while.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from sqlalchemy import update

from ..alerts.delivery import OutgoingEmail, current_backend
from ..extensions import db
from ..models import User
from . import audit
from .users import SIGN_IN_FAILED, account_locked_until, sign_in_code_required, wait_phrase

SESSION_KEY = "pending_sign_in_code"
MAX_TRIES = 5


@dataclass(frozen=True)
class CodeCheck:
    user: User | None
    message: str | None = None
    start_again: bool = False


def required_for(user: User) -> bool:
    return sign_in_code_required(user)


def _digest(user: User, code: str, expires: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"{user.id}:{user.session_token}:{expires}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def send_code(user: User, session: MutableMapping[str, Any], *, now: datetime, next_url: str | None = None) -> None:
    """Email a new code to the user and remember its hash in the session.

    Raises DeliveryError when the mail could not be sent; nothing is remembered then.
    """
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = int(current_app.config.get("SIGN_IN_CODE_MINUTES", 10))
    expires = int((now + timedelta(minutes=minutes)).timestamp())
    context = {"user": user, "code": code, "minutes": minutes}
    current_backend().send(
        OutgoingEmail(
            to=user.email,
            subject="Your EHC Tracker sign-in code",
            text=render_template("email/family/sign_in_code.txt", **context),
            html=render_template("email/family/sign_in_code.html", **context),
            reference=f"sign-in-code:{user.id}:{expires}",
        )
    )
    digest = _digest(user, code, expires)
    user.sign_in_code_digest = digest  # replaces any earlier code
    user.sign_in_code_tries = 0
    session[SESSION_KEY] = {"user_id": user.id, "expires": expires, "digest": digest, "next": next_url}
    audit.record(user, "sign_in_code_sent", "user", user.id, "Password accepted; a sign-in code was emailed")


def pending(session: MutableMapping[str, Any]) -> dict[str, Any] | None:
    value = session.get(SESSION_KEY)
    return value if isinstance(value, dict) else None


def _claim_try(user: User, digest: str) -> bool:
    """Count one try at the code with this digest; False when it is locked (or no longer the latest).

    One conditional UPDATE, so two requests at the same instant cannot both take the last try.
    """
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.sign_in_code_digest == digest, User.sign_in_code_tries < MAX_TRIES)
        .values(sign_in_code_tries=User.sign_in_code_tries + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["sign_in_code_tries", "sign_in_code_digest"])
    return bool(getattr(result, "rowcount", 0))


def _spend(user: User, digest: str) -> bool:
    """Use the code up; False when another request used it first."""
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.sign_in_code_digest == digest)
        .values(sign_in_code_digest=None, sign_in_code_tries=0)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["sign_in_code_tries", "sign_in_code_digest"])
    return bool(getattr(result, "rowcount", 0))


def _locked_message(user: User, now: datetime) -> str:
    until = account_locked_until(user.email, now)
    first = f"You entered a wrong code {MAX_TRIES} times, so it no longer works."
    if until is not None and until > now:
        return f"{first} {wait_phrase(until, now)}, then sign in again to get a new code."
    return f"{first} Sign in again to get a new code."


def check_code(session: MutableMapping[str, Any], code: str, *, now: datetime) -> CodeCheck:
    """Check the code typed in; on success the code is spent."""
    state = pending(session)
    if state is None:
        return CodeCheck(None, "Sign in with your email address and password first", start_again=True)
    user = db.session.get(User, state["user_id"])
    if user is None or not user.active:
        session.pop(SESSION_KEY, None)
        return CodeCheck(None, "Sign in with your email address and password first", start_again=True)
    digest = str(state.get("digest") or "")
    if user.sign_in_code_digest is None or not hmac.compare_digest(user.sign_in_code_digest, digest):
        # Used already, replaced by a newer code, or ended with the account's sessions.
        session.pop(SESSION_KEY, None)
        return CodeCheck(None, "This code can no longer be used. Sign in again to get a new one.", start_again=True)
    if now.timestamp() > state["expires"]:
        session.pop(SESSION_KEY, None)
        audit.record(user, "sign_in_code_expired", "user", user.id, "A sign-in code was used after it expired")
        return CodeCheck(None, "The code has expired. Sign in again to get a new one.", start_again=True)
    if not _claim_try(user, digest):
        session.pop(SESSION_KEY, None)
        audit.record(user, "sign_in_code_locked", "user", user.id, "A locked sign-in code was tried again")
        return CodeCheck(None, _locked_message(user, now), start_again=True)
    typed = "".join(code.split())
    if typed.isdigit() and len(typed) == 6 and hmac.compare_digest(_digest(user, typed, state["expires"]), digest):
        session.pop(SESSION_KEY, None)
        if not _spend(user, digest):
            return CodeCheck(None, "This code can no longer be used. Sign in again to get a new one.", start_again=True)
        return CodeCheck(user)
    audit.record(user, SIGN_IN_FAILED, "account", user.email, f"Wrong sign-in code for {user.email}", label=user.email)
    tries = user.sign_in_code_tries
    if tries >= MAX_TRIES:
        session.pop(SESSION_KEY, None)
        audit.record(user, "sign_in_code_locked", "user", user.id, f"Sign-in code locked after {MAX_TRIES} wrong tries")
        return CodeCheck(None, _locked_message(user, now), start_again=True)
    left = MAX_TRIES - tries
    tries_left = f"{left} more {'try' if left == 1 else 'tries'}"
    return CodeCheck(None, f"Enter the 6-digit code from the email we sent you. You have {tries_left}.")
