"""Staff accounts: creation, deactivation, passwords, teams, sign-in with throttling."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import AuditEvent, Role, Team, User, normalise_email
from . import ServiceError
from . import audit
from .passwords import hash_password, needs_rehash, password_problems, verify_password

SIGN_IN_FAILED = "sign_in_failed"


def _check_password(password: str, email: str) -> None:
    problems = password_problems(password, min_length=current_app.config["PASSWORD_MIN_LENGTH"], email=email)
    if problems:
        raise ServiceError(problems[0], field="password")


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    teams: Iterable[Team] = (),
    actor: User | None,
    must_change_password: bool = False,
) -> User:
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ServiceError("An account with this email address already exists", field="email")
    _check_password(password, email)
    user = User(
        email=email,
        name=name.strip(),
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
        {"role": role.value, "teams": [t.name for t in user.teams]},
    )
    return user


def update_user(user: User, *, name: str, role: Role, teams: Iterable[Team], actor: User) -> None:
    before = {"name": user.name, "role": user.role.value, "teams": sorted(t.name for t in user.teams)}
    if user.id == actor.id and role is not Role.ADMIN and user.role is Role.ADMIN:
        raise ServiceError("You cannot remove your own administrator role", field="role")
    user.name = name.strip()
    user.role = role
    user.teams = list(teams)
    after = {"name": user.name, "role": user.role.value, "teams": sorted(t.name for t in user.teams)}
    changed = {k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]}
    if changed:
        db.session.flush()
        audit.record(actor, "user_updated", "user", user.id, f"Updated account {user.email}", changed)


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise ServiceError("You cannot deactivate your own account")
    if user.active == active:
        return
    user.active = active
    user.session_token = secrets.token_hex(16)  # ends any session the account has open
    audit.record(
        actor,
        "user_reactivated" if active else "user_deactivated",
        "user",
        user.id,
        f"{'Reactivated' if active else 'Deactivated'} account {user.email}",
    )


def reset_password(user: User, new_password: str, *, actor: User) -> None:
    """An administrator sets a temporary password; the user must change it at next sign-in."""
    _check_password(new_password, user.email)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.session_token = secrets.token_hex(16)
    audit.record(actor, "password_reset", "user", user.id, f"Reset the password of {user.email}")


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ServiceError("Your current password is not correct", field="current_password")
    if current_password == new_password:
        raise ServiceError("Your new password must be different from your current password", field="password")
    _check_password(new_password, user.email)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.session_token = secrets.token_hex(16)
    audit.record(user, "password_changed", "user", user.id, "Changed own password")


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    locked: bool = False


def _recent_failures(now: datetime, *, email: str | None = None, address: str | None = None) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == SIGN_IN_FAILED, AuditEvent.occurred_at >= now - window
    )
    if email is not None:
        query = query.where(AuditEvent.object_id == email)
    if address is not None:
        query = query.where(AuditEvent.ip_address == address)
    return db.session.scalar(query) or 0


def authenticate(email: str, password: str, *, address: str | None, now: datetime | None = None) -> SignInResult:
    """Check a sign-in attempt and audit it, refusing while the account or address is throttled.

    Failures are counted from the audit log, so the limit holds across every web worker.
    """
    now = now or datetime.now(timezone.utc)
    email = normalise_email(email)
    config = current_app.config
    if (
        _recent_failures(now, email=email) >= config["LOGIN_MAX_FAILURES"]
        or (address and _recent_failures(now, address=address) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    ):
        audit.record(None, "sign_in_throttled", "account", email, f"Sign-in refused while throttled: {email}", label=email)
        return SignInResult(None, locked=True)

    user = db.session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        reason = "inactive account" if (ok and user is not None) else "wrong email or password"
        audit.record(
            user, SIGN_IN_FAILED, "account", email, f"Failed sign-in for {email} ({reason})", label=email
        )
        return SignInResult(None)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.role is Role.FAMILY and current_app.config.get("FAMILY_SIGN_IN_CODE"):
        # Not signed in yet: the emailed code (services.sign_in_codes) is the second step.
        audit.record(user, "sign_in_password_accepted", "user", user.id, "Password accepted; waiting for the emailed code")
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
