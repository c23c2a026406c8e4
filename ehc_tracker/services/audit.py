"""Writing to the append-only audit log."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEvent, User


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
) -> AuditEvent:
    """Add an audit entry to the session (the caller commits with the change it describes)."""
    entry = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=label or actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary,
        details=details,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: object, instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("Audit entries cannot be changed or deleted.")
