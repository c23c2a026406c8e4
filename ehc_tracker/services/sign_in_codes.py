"""The second step of a family sign-in: a 6-digit code sent by email.

After the password is accepted, a random code is emailed straight away (not through the
outbox, which would keep it in the database and send it minutes later). Only a keyed hash of
the code travels in the signed session cookie, bound to the account's session token and the
expiry time, so the cookie alone gives nothing away and a code works only for the person it
was sent to, once, within SIGN_IN_CODE_MINUTES. Wrong codes count as failed sign-ins, so the
ordinary sign-in throttle stops guessing.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, MutableMapping

from flask import current_app, render_template

from ..alerts.delivery import OutgoingEmail, current_backend
from ..extensions import db
from ..models import User
from . import audit
from .users import SIGN_IN_FAILED

SESSION_KEY = "pending_sign_in_code"
MAX_TRIES = 5


@dataclass(frozen=True)
class CodeCheck:
    user: User | None
    message: str | None = None
    start_again: bool = False


def required_for(user: User) -> bool:
    from ..models import Role

    return user.role is Role.FAMILY and bool(current_app.config.get("FAMILY_SIGN_IN_CODE"))


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
    session[SESSION_KEY] = {"user_id": user.id, "expires": expires, "digest": _digest(user, code, expires), "tries": 0, "next": next_url}
    audit.record(user, "sign_in_code_sent", "user", user.id, "Password accepted; a sign-in code was emailed")


def pending(session: MutableMapping[str, Any]) -> dict[str, Any] | None:
    value = session.get(SESSION_KEY)
    return value if isinstance(value, dict) else None


def check_code(session: MutableMapping[str, Any], code: str, *, now: datetime) -> CodeCheck:
    """Check the code typed in; on success the pending state is spent."""
    state = pending(session)
    if state is None:
        return CodeCheck(None, "Sign in with your email address and password first", start_again=True)
    user = db.session.get(User, state["user_id"])
    if user is None or not user.active:
        session.pop(SESSION_KEY, None)
        return CodeCheck(None, "Sign in with your email address and password first", start_again=True)
    if now.timestamp() > state["expires"]:
        session.pop(SESSION_KEY, None)
        audit.record(user, "sign_in_code_expired", "user", user.id, "A sign-in code was used after it expired")
        return CodeCheck(None, "The code has expired. Sign in again to get a new one.", start_again=True)
    typed = "".join(code.split())
    if typed.isdigit() and len(typed) == 6 and hmac.compare_digest(_digest(user, typed, state["expires"]), state["digest"]):
        session.pop(SESSION_KEY, None)
        return CodeCheck(user)
    tries = int(state.get("tries", 0)) + 1
    audit.record(user, SIGN_IN_FAILED, "account", user.email, f"Wrong sign-in code for {user.email}", label=user.email)
    if tries >= MAX_TRIES:
        session.pop(SESSION_KEY, None)
        return CodeCheck(None, "The code was wrong too many times. Sign in again to get a new one.", start_again=True)
    session[SESSION_KEY] = {**state, "tries": tries}
    return CodeCheck(None, "Enter the 6-digit code from the email we sent you")
