import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.services import audit
from ehc_tracker.services.audit import AuditLogIsAppendOnly
from tests.helpers import create_user


def test_record_writes_who_what_when(app):
    user = create_user()
    audit.record(user, "thing_done", "thing", 42, "Did a thing", {"a": 1})
    db.session.commit()
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "thing_done")).one()
    assert entry.actor_id == user.id and entry.actor_label == user.email
    assert entry.object_type == "thing" and entry.object_id == "42"
    assert entry.details == {"a": 1}
    assert entry.occurred_at.tzinfo is not None


def test_orm_refuses_to_change_an_entry(app):
    audit.record(None, "thing_done", "thing", 1, "Did a thing")
    db.session.commit()
    entry = db.session.scalars(select(AuditEvent)).one()
    entry.summary = "Something else"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(AuditEvent)).one())
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_to_change_or_delete_an_entry(app):
    audit.record(None, "thing_done", "thing", 1, "Did a thing")
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET summary = 'changed'"))
    db.session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent.summary)).all() == ["Did a thing"]
