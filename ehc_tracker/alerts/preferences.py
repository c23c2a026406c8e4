"""Alert preferences and in-app notifications: the operations people perform on them.

Like the services, each takes an explicit actor (and `now` where a time is recorded), flushes,
and leaves the commit to the caller. Changes to preferences are audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Alert, AlertPreference, DigestFrequency, Role, User, normalise_email
from ..services import NotFound, ServiceError, audit


def preference_for(user: User) -> AlertPreference:
    """The user's preferences; an unsaved row with the defaults when they have never chosen."""
    found = db.session.get(AlertPreference, user.id)
    if found is None:
        found = AlertPreference(user_id=user.id, digest=DigestFrequency.DAILY, receives_escalations=False)
    return found


def _saved(user: User) -> AlertPreference:
    preference = db.session.get(AlertPreference, user.id)
    if preference is None:
        preference = AlertPreference(user_id=user.id, digest=DigestFrequency.DAILY, receives_escalations=False)
        db.session.add(preference)
    return preference


def set_digest(user: User, digest: DigestFrequency, *, actor: User | None) -> AlertPreference:
    preference = _saved(user)
    before = preference.digest or DigestFrequency.DAILY
    if before is digest:
        return preference
    preference.digest = digest
    db.session.flush()
    audit.record(
        actor,
        "alert_preferences_changed",
        "user",
        user.id,
        f"Email digest for {user.email} changed from {before.value} to {digest.value}",
        {"digest": [before.value, digest.value]},
    )
    return preference


def set_receives_escalations(
    user: User, receives: bool, *, actor: User | None, label: str | None = None
) -> AlertPreference:
    preference = _saved(user)
    if bool(preference.receives_escalations) is receives:
        return preference
    if receives and user.role not in Role.staff():
        raise ServiceError(f"{user.email} is not a member of staff; escalations go to staff only")
    if receives and not user.active:
        raise ServiceError(f"{user.email} is deactivated; escalations would not reach them")
    preference.receives_escalations = receives
    db.session.flush()
    audit.record(
        actor,
        "escalations_changed",
        "user",
        user.id,
        f"{user.email} {'now receives' if receives else 'no longer receives'} escalations",
        {"receives_escalations": receives},
        label=label,
    )
    return preference


def user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"No account for {normalise_email(email)}")
    return user


def flagged_for_escalations() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(AlertPreference, AlertPreference.user_id == User.id)
            .where(AlertPreference.receives_escalations.is_(True))
            .order_by(User.name)
        )
    )


def unread_count(user: User) -> int:
    return (
        db.session.scalar(select(func.count(Alert.id)).where(Alert.recipient_id == user.id, Alert.read_at.is_(None)))
        or 0
    )


def mark_read(user: User, alert_id: int, *, now: datetime) -> Alert:
    """Mark one of the user's own alerts read; someone else's is "not found"."""
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.recipient_id != user.id:
        raise NotFound("No such notification")
    if alert.read_at is None:
        alert.read_at = now
        db.session.flush()
    return alert


def mark_all_read(user: User, *, now: datetime) -> int:
    result = db.session.execute(
        update(Alert)
        .where(Alert.recipient_id == user.id, Alert.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]
