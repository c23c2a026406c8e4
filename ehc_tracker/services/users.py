"""Staff accounts: creation, deactivation, passwords, teams, sign-in with throttling."""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from ..extensions import db
from ..models import ApiToken, AuditEvent, Role, Team, User, normalise_email
from . import ServiceError, audit
from .clock import local_zone
from .email_addresses import valid_email_address
from .passwords import MAX_LENGTH, hash_password, needs_rehash, password_problems, verify_password

SIGN_IN_FAILED = "sign_in_failed"


def _check_password(password: str, email: str, name: str = "") -> None:
    config = current_app.config
    problems = password_problems(
        password,
        min_length=config["PASSWORD_MIN_LENGTH"],
        max_length=config.get("PASSWORD_MAX_LENGTH", MAX_LENGTH),
        email=email,
        name=name,
    )
    if problems:
        raise ServiceError(problems[0], field="password")


def end_sessions(user: User) -> None:
    """End every session the account has open, on every device.

    The user loader accepts a session only while the cookie carries the account's current
    session token, so a new token turns every earlier cookie (a copy included) into nothing.
    A sign-in code waiting to be typed goes too.
    """
    user.session_token = secrets.token_hex(16)
    user.sign_in_code_digest = None


def _revoke_api_tokens(user: User, *, actor: User, why: str, now: datetime) -> int:
    active = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    tokens = list(db.session.scalars(active))
    for token in tokens:
        token.revoked_at = now
        audit.record(
            actor,
            "api_token_revoked",
            "api_token",
            token.id,
            f"Revoked API token {token.prefix}… ‘{token.name}’ of {user.email} ({why})",
            {"prefix": token.prefix, "name": token.name, "user_id": user.id, "reason": why},
        )
    return len(tokens)


def _mailbox(email: str) -> str:
    """The mailbox an address delivers to, ignoring case and a +tag (jo+x@c.gov.uk is jo@c.gov.uk)."""
    local, _, domain = normalise_email(email).partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _same_name(first: str, second: str) -> bool:
    def simple(name: str) -> str:
        return " ".join("".join(c if c.isalnum() else " " for c in name.casefold()).split())

    return bool(simple(first)) and simple(first) == simple(second)


def _looks_like(actor: User, *, email: str, name: str) -> str | None:
    """The form field through which an account seems to be the actor's own, or None."""
    if _mailbox(email) == _mailbox(actor.email):
        return "email"
    if _same_name(name, actor.name):
        return "name"
    return None


def _refuse(
    actor: User | None, user: User | None, email: str, message: str, *, field: str, details: dict[str, Any]
) -> ServiceError:
    """Audit an account change refused because it would give the actor access of their own."""
    audit.record(
        actor,
        "user_change_refused",
        "user",
        user.id if user is not None else email,
        f"Refused a change to {'account ' + email if user is not None else 'a new account ' + email}: {message}",
        details,
    )
    return ServiceError(message, field=field)


def phone_problem(value: str) -> str | None:
    """Why `value` is not a UK phone number (loosely: digits, spaces and a leading +, with 10 to 13
    digits), or None when it is one or is empty."""
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\+?[0-9 ]+", value) or not 10 <= sum(ch.isdigit() for ch in value) <= 13:
        return "Enter a phone number like 01632 960 001 or +44 1632 960 001, using digits and spaces only"
    return None


def _clean_phone(value: str | None) -> str | None:
    """The phone number as it will be stored (spaces tidied), None when empty; refused if not a phone number."""
    value = " ".join((value or "").split())
    problem = phone_problem(value)
    if problem is not None:
        raise ServiceError(problem, field="phone")
    return value or None


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    teams: Iterable[Team] = (),
    actor: User | None,
    must_change_password: bool = False,
    phone: str | None = None,
) -> User:
    email = valid_email_address(email, field="email", example="name@council.gov.uk")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ServiceError("An account with this email address already exists", field="email")
    if actor is not None and (field := _looks_like(actor, email=email, name=name)) is not None:
        # An administrator must not give themselves a second account, with access to children's records.
        raise _refuse(
            actor,
            None,
            email,
            f"You cannot create an account with your own {'email address' if field == 'email' else 'name'}. "
            "Ask another administrator to create it",
            field=field,
            details={"role": role.value, "matched": field},
        )
    _check_password(password, email, name)
    user = User(
        email=email,
        name=name.strip(),
        phone=_clean_phone(phone),
        role=role,
        password_hash=hash_password(password),
        session_token=secrets.token_hex(16),
        must_change_password=must_change_password,
    )
    user.teams = list(teams)
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user_created",
        "user",
        user.id,
        f"Created {role.label} account {email}",
        {"role": role.value, "teams": [t.name for t in user.teams], "phone": user.phone},
    )
    return user


def update_user(
    user: User, *, name: str, role: Role, teams: Iterable[Team], actor: User, phone: str | None = None
) -> None:
    """Change an account's name, role, teams and (when `phone` is given; "" clears it) phone number.

    Nobody changes the role of their own account, nor the role or teams of an account with their
    own name or email address: that is how an administrator would give themselves access to
    children's records. Another administrator has to. Refusals are audited.
    """
    teams = list(teams)
    new_phone = user.phone if phone is None else _clean_phone(phone)
    before = {
        "name": user.name,
        "role": user.role.value,
        "teams": sorted(t.name for t in user.teams),
        "phone": user.phone,
    }
    wanted = {"role": role.value, "teams": sorted(t.name for t in teams)}
    access_changes = {k: {"old": before[k], "new": wanted[k]} for k in wanted if before[k] != wanted[k]}
    if user.id == actor.id and "role" in access_changes:
        raise _refuse(
            actor,
            user,
            user.email,
            "You cannot change the role of your own account. Ask another administrator to change it",
            field="role",
            details=access_changes,
        )
    matched = _looks_like(actor, email=user.email, name=user.name) or _looks_like(actor, email=user.email, name=name)
    if user.id != actor.id and access_changes and (field := matched):
        raise _refuse(
            actor,
            user,
            user.email,
            f"This account has your {'email address' if field == 'email' else 'name'}, so you cannot change its "
            "role or teams. Ask another administrator to change them",
            field="role",
            details={**access_changes, "matched": field},
        )
    user.name = name.strip()
    user.role = role
    user.teams = list(teams)
    user.phone = new_phone
    after = {
        "name": user.name,
        "role": user.role.value,
        "teams": sorted(t.name for t in user.teams),
        "phone": user.phone,
    }
    changed = {k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]}
    if changed:
        db.session.flush()
        summary = f"Updated account {user.email}"
        if "role" in changed:
            summary += f": role changed from {Role(before['role']).label} to {user.role.label}"
        audit.record(actor, "user_updated", "user", user.id, summary, changed)


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise ServiceError("You cannot deactivate your own account")
    if user.active == active:
        return
    user.active = active
    end_sessions(user)
    if not active:
        # Revoked, not merely refused while inactive: reactivating the account does not bring them back.
        _revoke_api_tokens(user, actor=actor, why="account deactivated", now=datetime.now(UTC))
    audit.record(
        actor,
        "user_reactivated" if active else "user_deactivated",
        "user",
        user.id,
        f"{'Reactivated' if active else 'Deactivated'} account {user.email}",
    )


def reset_password(user: User, new_password: str, *, actor: User) -> None:
    """An administrator sets a temporary password; the user must change it at next sign-in.

    Every session of the account ends and its API tokens are revoked: whoever knew the old
    password, or held a token made with it, is shut out.
    """
    _check_password(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    end_sessions(user)
    revoked = _revoke_api_tokens(user, actor=actor, why="password reset by an administrator", now=datetime.now(UTC))
    audit.record(
        actor, "password_reset", "user", user.id, f"Reset the password of {user.email}", {"api_tokens_revoked": revoked}
    )


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ServiceError("Your current password is not correct", field="current_password")
    if current_password == new_password:
        raise ServiceError("Your new password must be different from your current password", field="password")
    _check_password(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    end_sessions(user)
    audit.record(user, "password_changed", "user", user.id, "Changed own password")


def sign_out(user: User) -> None:
    """Sign out everywhere: a copy of any of the account's session cookies stops working too."""
    end_sessions(user)
    audit.record(user, "signed_out", "user", user.id, "Signed out (every session of the account ended)")


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in attempt.

    `locked`: the account has had too many failed sign-ins; even its right password is refused
    until `retry_at`. `address_waiting`: the attempt failed and the address it came from has
    failed too often, so it is asked to wait until `retry_at` (a right password from that
    address, for an account that is not locked, still signs in).
    """

    user: User | None
    locked: bool = False
    address_waiting: bool = False
    retry_at: datetime | None = None

    @property
    def throttled(self) -> bool:
        return self.locked or self.address_waiting

    def retry_after_seconds(self, now: datetime) -> int:
        if self.retry_at is None:
            return 0
        return max(1, math.ceil((self.retry_at - now).total_seconds()))

    def message(self, now: datetime) -> str:
        """What the sign-in page says (GOV.UK style: what happened and what to do)."""
        if self.locked and self.retry_at is not None:
            return f"Too many failed attempts to sign in to this account. {wait_phrase(self.retry_at, now)}, then try again."
        if self.address_waiting and self.retry_at is not None:
            return (
                "Too many failed attempts to sign in from your network. Check your email address and password. "
                f"{wait_phrase(self.retry_at, now)}, then try again."
            )
        return "Enter a correct email address and password"


def wait_phrase(retry_at: datetime, now: datetime) -> str:
    """'Wait 30 seconds' or 'Wait 3 minutes (until 14:05)', in the service's time zone."""
    seconds = max(1, math.ceil((retry_at - now).total_seconds()))
    if seconds < 60:
        return f"Wait {seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    until = (now + timedelta(minutes=minutes)).astimezone(local_zone())
    return f"Wait {minutes} minute{'s' if minutes != 1 else ''} (until {until:%H:%M})"


def _failures(now: datetime, *, email: str | None = None, address: str | None = None) -> Select[tuple[datetime]]:
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    query = select(AuditEvent.occurred_at).where(
        AuditEvent.action == SIGN_IN_FAILED, AuditEvent.occurred_at >= now - window
    )
    if email is not None:
        query = query.where(AuditEvent.object_id == email)
    if address is not None:
        query = query.where(AuditEvent.ip_address == address)
    return query


def _recent_failures(now: datetime, *, email: str | None = None, address: str | None = None) -> int:
    query = _failures(now, email=email, address=address)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def account_locked_until(email: str, now: datetime) -> datetime | None:
    """When the account may try again, while LOGIN_MAX_FAILURES failures lie in the window; else None.

    The lock lifts when the failure that made the count reach the limit leaves the window.
    """
    config = current_app.config
    limit = int(config["LOGIN_MAX_FAILURES"])
    pivot: datetime | None = db.session.scalar(
        _failures(now, email=normalise_email(email)).order_by(AuditEvent.occurred_at.desc()).offset(limit - 1).limit(1)
    )
    if pivot is None:
        return None
    return pivot + timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])


def address_wait_until(address: str | None, now: datetime, *, failing_now: bool = False) -> datetime | None:
    """When an address that has failed too often may try again; None while it is under the limit.

    Past LOGIN_MAX_FAILURES_PER_ADDRESS failures in the window, the wait after the latest
    failure is LOGIN_ADDRESS_DELAY_SECONDS, doubling with every further failure, never longer
    than the window. Only wrong attempts are answered with it. `failing_now` counts the failure
    being recorded at `now` as well.
    """
    if not address:
        return None
    config = current_app.config
    count = _recent_failures(now, address=address) + (1 if failing_now else 0)
    over = count - int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    if over < 0:
        return None
    window = timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    delay = min(timedelta(seconds=int(config["LOGIN_ADDRESS_DELAY_SECONDS"]) * 2 ** min(over, 30)), window)
    latest = now
    if not failing_now:
        newest = _failures(now, address=address).order_by(AuditEvent.occurred_at.desc()).limit(1)
        latest = db.session.scalar(newest) or now
    until = latest + delay
    return until if until > now else None


def sign_in_code_required(user: User) -> bool:
    """Family and professional accounts type a code emailed after the password (services.sign_in_codes)."""
    if user.role is Role.PROFESSIONAL:
        return bool(current_app.config.get("PROFESSIONAL_SIGN_IN_CODE"))
    return user.role is Role.FAMILY and bool(current_app.config.get("FAMILY_SIGN_IN_CODE"))


def authenticate(email: str, password: str, *, address: str | None, now: datetime | None = None) -> SignInResult:
    """Check a sign-in attempt and audit it.

    An account with LOGIN_MAX_FAILURES failures in the window is locked: every attempt is
    refused, the right password too. An address with too many failures is slowed down, never
    locked out: its wrong attempts are told to wait (longer each time), while a right password
    for an account that is not locked signs in, so one person's mistakes, or an attacker
    sharing a network or proxy, cannot shut out everyone behind it.

    Failures are counted from the audit log, so the limits hold across every web worker.
    """
    now = now or datetime.now(UTC)
    email = normalise_email(email)
    locked_until = account_locked_until(email, now)
    if locked_until is not None:
        audit.record(
            None,
            "sign_in_throttled",
            "account",
            email,
            f"Sign-in refused while the account is locked: {email}",
            {"retry_at": locked_until.isoformat()},
            label=email,
        )
        return SignInResult(None, locked=True, retry_at=locked_until)

    user = db.session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        reason = "inactive account" if (ok and user is not None) else "wrong email or password"
        wait_until = address_wait_until(address, now, failing_now=True)
        if wait_until is not None:
            reason += f"; the address was asked to wait until {wait_until:%H:%M:%S} UTC"
        audit.record(
            user,
            SIGN_IN_FAILED,
            "account",
            email,
            f"Failed sign-in for {email} ({reason})",
            {"address_wait_until": wait_until.isoformat()} if wait_until is not None else None,
            label=email,
        )
        if wait_until is not None:
            return SignInResult(None, address_waiting=True, retry_at=wait_until)
        return SignInResult(None)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if sign_in_code_required(user):
        # Not signed in yet: the emailed code (services.sign_in_codes) is the second step.
        audit.record(
            user, "sign_in_password_accepted", "user", user.id, "Password accepted; waiting for the emailed code"
        )
        return SignInResult(user)
    user.last_sign_in_at = now
    audit.record(user, "signed_in", "user", user.id, "Signed in")
    return SignInResult(user)


def active_users(*, role: Role | None = None, team: Team | None = None) -> list[User]:
    query = select(User).where(User.active.is_(True)).order_by(User.name)
    if role is not None:
        query = query.where(User.role == role)
    if team is not None:
        query = query.where(User.teams.contains(team))
    return list(db.session.scalars(query))


def create_invited_account(*, email: str, name: str, role: Role, password: str) -> User:
    """An account made by accepting an emailed invitation (a family's or a professional's): the
    password checked as for every account, hashed, and a fresh session token. The caller links
    it to what the invitation was for and spends the invitation."""
    problems = password_problems(password, min_length=current_app.config["PASSWORD_MIN_LENGTH"], email=email)
    if problems:
        raise ServiceError(problems[0], field="password")
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    return user
