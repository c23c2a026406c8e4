"""Writing to the append-only audit log.

An entry with no actor written while answering a web request (a sign-in with an unknown
address, an API call without a valid token, an invitation link that does not work) comes from
someone nobody knows, so it is bounded: at most AUDIT_ANONYMOUS_MAX_PER_ADDRESS such entries per
client address, and AUDIT_ANONYMOUS_MAX_TOTAL in all, within AUDIT_ANONYMOUS_WINDOW_MINUTES.
Reaching a limit writes one `anonymous_audit_limited` entry saying so; further anonymous entries
in that window are left out (and logged), so nobody can fill the table from outside. Entries
naming an account are always written (their number is bounded by the account's own limits).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flask import current_app, has_request_context, request
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEvent, User

ANONYMOUS_LIMITED = "anonymous_audit_limited"
DEFAULT_ANONYMOUS_MAX_PER_ADDRESS = 100
DEFAULT_ANONYMOUS_MAX_TOTAL = 2000
DEFAULT_ANONYMOUS_WINDOW_MINUTES = 15

log = logging.getLogger(__name__)


class AuditLogIsAppendOnly(RuntimeError):
    pass


def actor_label(actor: User | None) -> str:
    return actor.email if actor is not None else "anonymous"


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object | None,
    summary: str,
    details: dict[str, Any] | None = None,
    *,
    label: str | None = None,
) -> AuditEvent | None:
    """Add an audit entry to the session (the caller commits with the change it describes).

    Returns None when an anonymous entry is left out because its limit is reached (see above).
    """
    address = request.remote_addr if has_request_context() else None
    if actor is None and has_request_context():
        verdict, why = _anonymous_limit(address)
        if verdict == "leave_out":
            log.warning("Anonymous audit entry left out (limit reached): %s from %s", action, address)
            return None
        if verdict == "note_limit":
            action, object_type, object_id, summary, details, label = (
                ANONYMOUS_LIMITED,
                "address",
                address,
                why,
                {"left_out_action": action, "window_minutes": _setting("AUDIT_ANONYMOUS_WINDOW_MINUTES")},
                "anonymous",
            )
    entry = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=label or actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary,
        details=details,
        ip_address=address,
    )
    db.session.add(entry)
    return entry


def _setting(name: str) -> int:
    defaults = {
        "AUDIT_ANONYMOUS_MAX_PER_ADDRESS": DEFAULT_ANONYMOUS_MAX_PER_ADDRESS,
        "AUDIT_ANONYMOUS_MAX_TOTAL": DEFAULT_ANONYMOUS_MAX_TOTAL,
        "AUDIT_ANONYMOUS_WINDOW_MINUTES": DEFAULT_ANONYMOUS_WINDOW_MINUTES,
    }
    return int(current_app.config.get(name, defaults[name]))


def _anonymous_limit(address: str | None) -> tuple[Literal["write", "note_limit", "leave_out"], str]:
    """Whether an anonymous entry from `address` may be written now; at a limit, the one entry
    that says so is written instead ("note_limit", with its summary); past it, nothing is."""
    minutes = _setting("AUDIT_ANONYMOUS_WINDOW_MINUTES")
    since = datetime.now(UTC) - timedelta(minutes=minutes)
    anonymous = select(func.count(AuditEvent.id)).where(AuditEvent.actor_id.is_(None), AuditEvent.occurred_at >= since)
    per_address, total = _setting("AUDIT_ANONYMOUS_MAX_PER_ADDRESS"), _setting("AUDIT_ANONYMOUS_MAX_TOTAL")
    same_address = AuditEvent.ip_address == address if address else AuditEvent.ip_address.is_(None)
    from_address = db.session.scalar(anonymous.where(same_address)) or 0
    if from_address > per_address:
        return "leave_out", ""
    if from_address == per_address:
        return "note_limit", (
            f"{per_address} anonymous audit entries from {address or 'an unknown address'} in {minutes} minutes: "
            "further ones from this address are left out until the count falls"
        )
    overall = db.session.scalar(anonymous.where(AuditEvent.ip_address.is_not(None))) or 0  # written in requests
    if overall > total:
        return "leave_out", ""
    if overall == total:
        return "note_limit", (
            f"{total} anonymous audit entries in {minutes} minutes: further ones are left out until the count falls"
        )
    return "write", ""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: object, instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("Audit entries cannot be changed or deleted.")
