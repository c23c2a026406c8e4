"""The workflow announces a recorded step or reply (services/events.py) and the family's emails
follow from it, in the same transaction: the case service no longer knows about family mail."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from sqlalchemy import select

import ehc_tracker.services.cases as cases_module
from ehc_tracker.extensions import db
from ehc_tracker.models import Role, User
from ehc_tracker.models.alerts import OutboxMessage
from ehc_tracker.models.case import EventType
from ehc_tracker.models.family import FamilyLink, FamilyRelationship
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import family_mail
from ehc_tracker.services.cases import AdviceWanted
from ehc_tracker.services.events import reply_recorded, step_recorded
from tests.factories_cases import create_assessment

TODAY = date(2025, 12, 1)


def _imports(module: object) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text())  # type: ignore[attr-defined]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
            found.update(alias.name for alias in node.names)
    return found


def test_the_case_service_does_not_import_the_family_modules():
    imported = _imports(cases_module)
    assert not {"family_mail", "family"} & imported


def test_the_app_subscribes_the_family_mail_once(app):
    assert family_mail._on_step_recorded in list(step_recorded.receivers_for(object()))
    assert family_mail._on_reply_recorded in list(reply_recorded.receivers_for(object()))
    before = len(step_recorded.receivers), len(reply_recorded.receivers)
    family_mail.subscribe()
    assert (len(step_recorded.receivers), len(reply_recorded.receivers)) == before


def _family_account(case) -> User:
    user = User(email="parent@example.org", name="A Parent", role=Role.FAMILY, password_hash="x", session_token="t")
    db.session.add(user)
    db.session.flush()
    db.session.add(FamilyLink(user_id=user.id, child_id=case.child_id, relationship_to_child=FamilyRelationship.PARENT))
    db.session.commit()
    return user


def _mails(user: User) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)))


def test_a_recorded_step_queues_the_familys_email_in_the_same_transaction(app):
    case = create_assessment()
    user = _family_account(case)
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=case.coordinator, today=TODAY)
    queued = _mails(user)
    assert [m.dedupe_key.split(":")[0] for m in queued] == ["family-step"]
    db.session.rollback()  # the step is not kept, and neither is its email
    assert _mails(user) == []


def test_a_days_advice_requests_send_one_email(app):
    case = create_assessment()
    user = _family_account(case)
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=case.coordinator, today=TODAY)
    db.session.commit()
    rows = [AdviceWanted("ep", "Educational Psychology Service"), AdviceWanted("health", "Northtown Paediatrics")]
    case_service.request_advice(case, date(2025, 2, 11), rows, actor=case.coordinator, today=TODAY)
    db.session.commit()
    assert len(_mails(user)) == 2  # the decision, then one for both requests
