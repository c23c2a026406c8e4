"""Families give their views and send representations on the draft plan, through the real pages."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import Communication, Milestone
from ehc_tracker.models.contribution import ContributionKind, FamilyContribution
from ehc_tracker.models.document import DocumentKind
from ehc_tracker.services import worklist
from ehc_tracker.services.clock import today
from ehc_tracker.services.storage import document_store
from tests.documents_support import PDF_BYTES
from tests.factories_contributions import FAMILY_PASSWORD, advice_case, draft_served, family, provider, sign_in


def _case(name: str = "Northtown Speech and Language Therapy", **kw):
    case, _ = advice_case(provider(name), **kw)
    return case


def test_a_parent_gives_views_that_land_in_the_case_with_a_reply_clock_a_document_and_an_audit_entry(client, auth):
    case = _case()
    user = family(case)
    sign_in(client, user.email, FAMILY_PASSWORD)
    page = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    assert f"/family/cases/{case.id}/views" in page and "Tell us about your child" in page
    assert "Tell us what you think of the draft plan" not in page  # no draft plan yet

    empty = client.post(f"/family/cases/{case.id}/views", data={"text": " "})
    assert empty.status_code == 200 and "Write what you want to tell us" in empty.get_data(as_text=True)
    sent = client.post(f"/family/cases/{case.id}/views", data={"text": "She loves drawing and hates loud rooms."})
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]

    contribution = db.session.scalar(select(FamilyContribution))
    assert contribution.kind is ContributionKind.VIEWS and contribution.user_id == user.id
    comm = db.session.get(Communication, contribution.communication_id)
    assert comm.family_user_id == user.id and "She loves drawing" in comm.summary and "all about me" in comm.summary
    clock = db.session.scalar(select(Milestone).where(Milestone.ref == f"communication:{comm.id}"))
    assert clock is not None and clock.key == "response_due" and clock.due_on > today()
    document = contribution.document
    assert document.kind is DocumentKind.FAMILY_VIEWS and document.case_id == case.id and not document.is_shared
    stored = b"".join(document_store().chunks(document.storage_key))
    assert b"She loves drawing" in stored
    assert "family_views_sent" in {e.action for e in db.session.scalars(select(AuditEvent))}

    # The coordinator sees it as a new message on their worklist (and so in the digest) and on the case.
    rows = worklist.new_family_messages(case.coordinator, today(), since=today())
    assert [r.communication_id for r in rows] == [comm.id]
    client.post("/sign-out")
    auth.login(case.coordinator)
    assert "She loves drawing" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_views_can_be_an_upload(client):
    case = _case()
    user = family(case)
    sign_in(client, user.email, FAMILY_PASSWORD)
    sent = client.post(
        f"/family/cases/{case.id}/views",
        data={"text": "", "upload": (io.BytesIO(PDF_BYTES), "all-about-me.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    contribution = db.session.scalar(select(FamilyContribution))
    assert contribution.document.content_type == "application/pdf" and contribution.text is None


def test_representations_before_the_deadline_name_the_preferred_school(client):
    case = _case(asked_days_ago=30)
    draft_served(case, today() - timedelta(days=3))
    closes = db.session.scalar(
        select(Milestone.due_on).where(Milestone.case_id == case.id, Milestone.key == "representations_close")
    )
    user = family(case)
    sign_in(client, user.email, FAMILY_PASSWORD)
    page = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    assert f"until {closes:%A %-d %B %Y}" in page and f"/family/cases/{case.id}/representations" in page
    form = client.get(f"/family/cases/{case.id}/representations").get_data(as_text=True)
    assert f"{closes:%A %-d %B %Y}" in form and 'name="preferred_setting"' in form
    sent = client.post(
        f"/family/cases/{case.id}/representations",
        data={"text": "Section F needs a speech therapist.", "preferred_setting": "Hill Primary School"},
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    contribution = db.session.scalar(select(FamilyContribution))
    assert contribution.kind is ContributionKind.REPRESENTATIONS
    assert contribution.preferred_setting == "Hill Primary School"
    assert contribution.document.kind is DocumentKind.REPRESENTATIONS
    comm = db.session.get(Communication, contribution.communication_id)
    assert "Hill Primary School" in comm.summary and "Representations on the draft plan" in comm.summary


def test_after_the_deadline_the_form_is_closed_with_a_plain_message(client):
    case = _case(asked_days_ago=60)
    draft_served(case, today() - timedelta(days=30))
    user = family(case)
    sign_in(client, user.email, FAMILY_PASSWORD)
    page = client.get(f"/family/cases/{case.id}/representations")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "closed on" in html and 'name="text"' not in html
    refused = client.post(f"/family/cases/{case.id}/representations", data={"text": "Too late?"})
    assert "closed on" in refused.get_data(as_text=True)
    assert db.session.scalar(select(FamilyContribution)) is None
    # Views are still welcome while the case is open.
    assert client.post(f"/family/cases/{case.id}/views", data={"text": "Still here"}).status_code == 302


def test_a_young_person_of_16_speaks_for_themselves(client):
    case = _case(asked_days_ago=30)
    case.child.date_of_birth = date(today().year - 17, 1, 1)
    db.session.commit()
    draft_served(case, today() - timedelta(days=2))
    parent = family(case)
    young = family(case, email="yp@example.org", young_person=True)

    sign_in(client, parent.email, FAMILY_PASSWORD)
    page = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    assert "tell us what they think of the draft plan themselves" in page
    refused = client.post(f"/family/cases/{case.id}/representations", data={"text": "From the parent"})
    assert "themselves" in refused.get_data(as_text=True)
    assert db.session.scalar(select(FamilyContribution)) is None
    client.post("/sign-out")

    sign_in(client, young.email, FAMILY_PASSWORD)
    page = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    assert "Tell us about you" in page
    assert client.post(f"/family/cases/{case.id}/representations", data={"text": "My plan"}).status_code == 302


def test_a_family_cannot_contribute_to_another_case(client):
    mine, theirs = _case(), _case("Southtown Therapy")
    user = family(mine)
    sign_in(client, user.email, FAMILY_PASSWORD)
    assert client.post(f"/family/cases/{theirs.id}/views", data={"text": "x"}).status_code == 404
    assert client.get(f"/family/cases/{theirs.id}/representations").status_code == 404
    assert db.session.scalar(select(FamilyContribution)) is None


def test_views_are_closed_once_the_case_is_finished(client):
    from ehc_tracker.models.case import EventType
    from ehc_tracker.services import cases as case_service

    case = _case()
    user = family(case)
    case_service.record_event(
        case, EventType.WITHDRAWN, today(), actor=case.coordinator, today=today(), reason="Moved away"
    )
    db.session.commit()
    sign_in(client, user.email, FAMILY_PASSWORD)
    page = client.get(f"/family/cases/{case.id}/views").get_data(as_text=True)
    assert "This is finished" in page and 'name="text"' not in page
    refused = client.post(f"/family/cases/{case.id}/views", data={"text": "Hello"})
    assert "This is finished" in refused.get_data(as_text=True)
    assert db.session.scalar(select(FamilyContribution)) is None
