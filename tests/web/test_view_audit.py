"""Every view of child or family data is audited, refused access too, and anonymous requests
cannot write audit entries without bound."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import family as family_service
from ehc_tracker.services.audit import ANONYMOUS_LIMITED
from ehc_tracker.services.clock import today
from tests.factories_cases import create_assessment
from tests.factories_children import create_child, create_contact
from tests.helpers import create_team

FAMILY_PASSWORD = "three random words here"


def _entries(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _anonymous_count() -> int:
    """Entries with no actor written while answering requests (the factories write some without a request)."""
    query = select(func.count(AuditEvent.id)).where(AuditEvent.actor_id.is_(None), AuditEvent.ip_address.is_not(None))
    return db.session.scalar(query) or 0


# --- Views of parents' and carers' details -----------------------------------------------------


def test_the_contact_pages_are_audited_like_the_child_record(client, auth):
    team = create_team()
    child = create_child(team=team)
    contact = create_contact(child=child, name="Morgan Mother", phone="07700 900123")
    user = auth.login(role="coordinator", teams=[team])

    edit = client.get(f"/children/{child.id}/contacts/{contact.id}/edit")
    assert edit.status_code == 200 and "07700 900123" in edit.get_data(as_text=True)
    remove = client.get(f"/children/{child.id}/contacts/{contact.id}/remove")
    assert remove.status_code == 200 and "Morgan Mother" in remove.get_data(as_text=True)
    viewed = _entries("contact_viewed")
    assert [(e.actor_id, e.object_type, e.object_id, e.details) for e in viewed] == [
        (user.id, "child", str(child.id), {"page": "edit", "contact_id": contact.id}),
        (user.id, "child", str(child.id), {"page": "remove", "contact_id": contact.id}),
    ]

    assert client.get(f"/children/{child.id}/contacts/new").status_code == 200
    [new] = [e for e in _entries("child_viewed") if e.details == {"page": "new_contact"}]
    assert new.actor_id == user.id and new.object_id == str(child.id)


def test_the_family_invitation_list_is_audited(client, auth):
    case = create_assessment()
    now = datetime.now(UTC)
    new = family_service.invite(
        case,
        name="Pat Parent",
        email="pat@example.org",
        relationship=FamilyRelationship.PARENT,
        actor=case.coordinator,
        now=now,
        today=today(),
    )
    account = family_service.accept(new.token, password=FAMILY_PASSWORD, now=now)
    db.session.commit()
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}/family")
    assert page.status_code == 200 and "pat@example.org" in page.get_data(as_text=True)
    [entry] = _entries("family_access_viewed")
    assert entry.actor_id == case.coordinator.id and entry.object_type == "case" and entry.object_id == str(case.id)
    assert entry.details == {"invitations": [new.invitation.id], "accounts": [account.id]}


# --- Refused access ----------------------------------------------------------------------------


def test_refused_access_to_child_case_and_family_pages_is_audited(app, client, auth):
    case = create_assessment()
    elsewhere = create_team()
    outsider = auth.login(role="coordinator", teams=[elsewhere])
    assert client.get(f"/children/{case.child_id}").status_code == 404
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.get(f"/cases/{case.id}/family").status_code == 404
    contact = {"name": "X", "relationship_to_child": "Aunt"}
    assert client.post(f"/children/{case.child_id}/contacts/new", data=contact).status_code == 404
    refused = _entries("access_refused")
    assert [(e.actor_id, e.object_type, e.object_id, e.details["status"], e.details["method"]) for e in refused] == [
        (outsider.id, "child", str(case.child_id), 404, "GET"),
        (outsider.id, "case", str(case.id), 404, "GET"),
        (outsider.id, "case", str(case.id), 404, "GET"),
        (outsider.id, "child", str(case.child_id), 404, "POST"),
    ]
    assert refused[0].details["endpoint"] == "children.view"
    assert refused[0].details["path"] == f"/children/{case.child_id}"
    assert not _entries("child_viewed") and not _entries("case_viewed")
    auth.logout()

    viewer = auth.login(role="viewer", teams=[case.team])
    assert client.get(f"/children/{case.child_id}").status_code == 403
    last = _entries("access_refused")[-1]
    assert (last.actor_id, last.object_type, last.object_id) == (viewer.id, "child", str(case.child_id))
    assert last.details["status"] == 403
    auth.logout()

    # A family account: the staff pages answer 403, another child's case 404; both are recorded.
    mine, theirs = create_assessment(), case
    now = datetime.now(UTC)
    new = family_service.invite(
        mine,
        name="Pat",
        email="pat@example.org",
        relationship=FamilyRelationship.PARENT,
        actor=mine.coordinator,
        now=now,
        today=today(),
    )
    parent = family_service.accept(new.token, password=FAMILY_PASSWORD, now=now)
    db.session.commit()
    assert client.post("/sign-in", data={"email": parent.email, "password": FAMILY_PASSWORD}).status_code == 302
    assert client.get(f"/cases/{mine.id}").status_code == 403
    assert client.get(f"/family/cases/{theirs.id}").status_code == 404
    family_refusals = [e for e in _entries("access_refused") if e.actor_id == parent.id]
    assert [(e.object_type, e.object_id, e.details["status"]) for e in family_refusals] == [
        ("case", str(mine.id), 403),
        ("case", str(theirs.id), 404),
    ]


def test_allowed_pages_and_anonymous_refusals_write_no_refusal(client, auth):
    case = create_assessment()
    assert client.get(f"/children/{case.child_id}").status_code == 302  # not signed in: sent to sign in
    assert client.get(f"/cases/{case.id}").status_code == 302
    assert _anonymous_count() == 0
    auth.login(case.coordinator)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get("/no-such-page").status_code == 404  # not a page about anyone
    assert not _entries("access_refused")


# --- Anonymous requests are bounded ------------------------------------------------------------


class TestAnonymousEntriesAreBounded:
    @pytest.fixture
    def app_config(self):
        return {
            "AUDIT_ANONYMOUS_MAX_PER_ADDRESS": 5,
            "AUDIT_ANONYMOUS_MAX_TOTAL": 8,
            "AUDIT_ANONYMOUS_WINDOW_MINUTES": 15,
        }

    def test_one_address_cannot_fill_the_log(self, client):
        for n in range(30):
            assert client.get(f"/family/invitation/made-up-{n}").status_code == 410
            assert client.get("/api/v1/overdue").status_code == 401
        # Five entries, then one saying the limit was reached; the other 54 requests wrote nothing.
        anonymous = select(AuditEvent).where(AuditEvent.actor_id.is_(None), AuditEvent.ip_address.is_not(None))
        rows = list(db.session.scalars(anonymous.order_by(AuditEvent.id)))
        assert len(rows) == 6
        link, api = "family_invitation_refused", "api_auth_failed"
        assert [r.action for r in rows[:5]] == [link, api, link, api, link]
        marker = rows[5]
        assert marker.action == ANONYMOUS_LIMITED
        assert marker.object_id == "127.0.0.1" and marker.ip_address == "127.0.0.1"
        assert marker.details == {"left_out_action": "api_auth_failed", "window_minutes": 15}
        assert "left out" in marker.summary

    def test_other_addresses_still_write_until_the_overall_limit(self, client):
        for n in range(10):
            client.get(f"/family/invitation/made-up-{n}")
        for n in range(10):
            client.get(f"/family/invitation/other-{n}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        for n in range(10):
            client.get(f"/family/invitation/third-{n}", environ_base={"REMOTE_ADDR": "198.51.100.9"})
        by_address = dict(
            db.session.execute(
                select(AuditEvent.ip_address, func.count(AuditEvent.id))
                .where(AuditEvent.actor_id.is_(None), AuditEvent.ip_address.is_not(None))
                .group_by(AuditEvent.ip_address)
            ).all()
        )
        # 127.0.0.1: 5 + its limit entry = 6; the second address: 2 more reach the overall 8, then the
        # overall limit entry; the third address writes nothing.
        assert by_address == {"127.0.0.1": 6, "192.0.2.7": 3}
        overall = [e for e in _entries(ANONYMOUS_LIMITED) if e.ip_address == "192.0.2.7"]
        assert len(overall) == 1 and "further ones are left out" in overall[0].summary

    def test_signed_in_work_is_always_audited(self, client, auth):
        case = create_assessment()
        for n in range(20):
            client.get(f"/family/invitation/made-up-{n}")
        assert _anonymous_count() == 6
        auth.login(case.coordinator)
        assert client.get(f"/cases/{case.id}").status_code == 200
        assert client.get("/family/invitation/made-up-after-sign-in").status_code == 410
        assert len(_entries("case_viewed")) == 1 and len(_entries("signed_in")) >= 1
        refused_link = _entries("family_invitation_refused")[-1]
        assert refused_link.actor_id == case.coordinator.id  # a signed-in person is named, and not limited
