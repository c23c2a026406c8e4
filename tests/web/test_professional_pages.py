"""Professionals returning advice through the real pages: invitation, isolation, the return, a
provider manager's list, the emailed code."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Role, User
from ehc_tracker.models.alerts import OutboxMessage
from ehc_tracker.models.case import AdviceRequest, CaseEvent, EventType, Milestone
from ehc_tracker.models.contribution import AdviceReturn, ProfessionalInvitation
from ehc_tracker.models.document import Document, DocumentKind
from ehc_tracker.services import ServiceError, api_tokens
from ehc_tracker.services import documents as document_service
from ehc_tracker.services import professionals as professional_service
from ehc_tracker.services.clock import today
from tests.documents_support import PDF_BYTES
from tests.factories_contributions import (
    PROFESSIONAL_PASSWORD,
    advice_case,
    professional,
    provider,
    sign_in,
)
from tests.helpers import create_user


def _d(value) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _document(case, title: str = "Family views", *, share: bool = False) -> Document:
    upload = document_service.check_upload(io.BytesIO(PDF_BYTES), "views.pdf")
    try:
        document = document_service.add_document(
            case.child,
            upload,
            document_service.DocumentDetails(
                kind=DocumentKind.CORRESPONDENCE, title=title, dated_on=today(), supplied_by="Parent", share=share
            ),
            case=case,
            actor=case.coordinator,
            now=datetime.now(UTC),
            today=today(),
        )
    finally:
        upload.close()
    db.session.commit()
    return document


def _link(mail: OutboxMessage) -> str:
    found = re.search(r"https?://[^\s]+(/provider/invitation/[^\s]+)", mail.body_text)
    assert found, mail.body_text
    return found.group(1)


# --- Inviting -----------------------------------------------------------------------------------


def test_the_coordinator_asks_a_professional_from_the_advice_request_and_the_link_works_once(client, auth):
    entry = provider()
    case, advice = advice_case(entry, first_name="Ottoline")
    views = _document(case, "Family views")
    _document(case, "Internal letter")
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/advice/{advice.id}/professional" in page and "Ask a professional" in page

    missing = client.post(f"/cases/{case.id}/advice/{advice.id}/professional", data={"name": "Sam"})
    assert missing.status_code == 200 and "Enter the question you are asking" in missing.get_data(as_text=True)
    sent = client.post(
        f"/cases/{case.id}/advice/{advice.id}/professional",
        data={
            "name": "Sam Therapist",
            "email": "Sam.Therapist@nhs.example",
            "question": "What help does she need with her speech?",
            "documents": [str(views.id)],
        },
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:3000]
    auth.logout()
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "sam.therapist@nhs.example"))
    assert mail is not None and "Ottoline" not in mail.body_text + mail.subject
    link = _link(mail)

    form = client.get(link)
    assert form.status_code == 200 and entry.name in form.get_data(as_text=True)
    weak = client.post(link, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 200
    made = client.post(link, data={"password": PROFESSIONAL_PASSWORD, "confirm": PROFESSIONAL_PASSWORD})
    assert made.status_code == 302 and made.headers["Location"].endswith("/provider/")
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "sam.therapist@nhs.example"))
    assert user.role is Role.PROFESSIONAL and db.session.get(AdviceRequest, advice.id).professional_id == user.id
    home = client.get("/provider/").get_data(as_text=True)
    assert "Ottoline" in home

    page = client.get(f"/provider/requests/{advice.id}").get_data(as_text=True)
    assert "What help does she need with her speech?" in page and "Family views" in page
    assert "Internal letter" not in page
    assert client.get(f"/provider/requests/{advice.id}/documents/{views.id}").status_code == 200

    client.post("/sign-out")
    reused = client.get(link)
    assert reused.status_code == 410 and "expired or has already been used" in reused.get_data(as_text=True)
    assert (
        client.post(link, data={"password": PROFESSIONAL_PASSWORD, "confirm": PROFESSIONAL_PASSWORD}).status_code == 410
    )


def test_an_expired_link_is_refused(client):
    entry = provider()
    _, advice = advice_case(entry)
    new = professional_service.invite(
        advice,
        name="Sam",
        email="sam@nhs.example",
        question="Q",
        actor=advice.case.coordinator,
        now=datetime.now(UTC) - timedelta(days=30),
    )
    db.session.commit()
    response = client.get(f"/provider/invitation/{new.token}")
    db.session.expire_all()
    assert response.status_code == 410
    with pytest.raises(ServiceError):
        professional_service.accept(new.token, password=PROFESSIONAL_PASSWORD, now=datetime.now(UTC))
    assert db.session.scalar(select(User).where(User.email == "sam@nhs.example")) is None


def test_only_a_provider_in_the_directory_and_its_own_addresses_can_be_asked(client):
    entry = provider()
    other = provider("Southtown Therapy")
    _, advice = advice_case(entry)
    colleague = professional(advice, email="a@nhs.example")
    _, elsewhere = advice_case(other)
    with pytest.raises(ServiceError, match="another account"):
        professional_service.invite(
            elsewhere,
            name="A",
            email=colleague.email,
            question="Q",
            actor=elsewhere.case.coordinator,
            now=datetime.now(UTC),
        )
    coordinator = create_user(role="coordinator", email="coord@example.org")
    with pytest.raises(ServiceError, match="another account"):
        professional_service.invite(
            elsewhere,
            name="A",
            email=coordinator.email,
            question="Q",
            actor=elsewhere.case.coordinator,
            now=datetime.now(UTC),
        )


# --- Isolation ----------------------------------------------------------------------------------


def _fill(rule, values: dict[str, object]) -> str:
    return re.sub(
        r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
        lambda m: str(values.get(m.group(2), "x" if m.group(1) != "int" else 1)),
        rule.rule,
    )


def test_a_professional_reaches_no_other_request_child_or_case_by_any_url(app, client):
    entry = provider()
    case, advice = advice_case(entry, first_name="Mine")
    user = professional(advice)
    # Another child's request of the same provider, not addressed to them.
    theirs_case, theirs = advice_case(entry, first_name="Zebulon")
    theirs_case.child.last_name = "Quintavalle"
    hidden = _document(case, "Not for the therapist")
    db.session.commit()
    assert sign_in(client, user.email, PROFESSIONAL_PASSWORD).status_code == 302
    assert client.get(f"/provider/requests/{advice.id}").status_code == 200

    reached = []
    value_sets = [
        {"advice_id": theirs.id, "case_id": theirs_case.id, "child_id": theirs_case.child_id, "document_id": hidden.id},
        # Their own case's and child's ids in every staff address: still nothing.
        {"case_id": case.id, "child_id": case.child_id, "advice_id": theirs.id, "document_id": hidden.id},
    ]
    skip = {
        "static",
        "assets.govuk",
        "auth.sign_in",
        "auth.sign_in_code",
        "health.healthz",
        "family.accept",
        "providers.accept",
        # Public: the survey link's token is its credential; a wrong one is 410 Gone for anyone
        # (tests/web/test_voice_pages.py).
        "feedback.answer_by_link",
    }
    own_pages = {"providers.home", "main.index", "auth.sign_out", "auth.change_password", "auth.keep_alive"}
    for values in value_sets:
        for rule in app.url_map.iter_rules():
            if rule.endpoint in skip:
                continue
            url = _fill(rule, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method)
                body = response.get_data(as_text=True)
                if response.status_code == 200 and ("Zebulon" in body or "Quintavalle" in body):
                    reached.append(f"{method} {url}")
                if url.startswith("/api/"):
                    assert response.status_code in (401, 403, 404, 405), f"{method} {url}: {response.status_code}"
                elif rule.endpoint not in own_pages:
                    assert response.status_code in (400, 403, 404, 405), f"{method} {url}: {response.status_code}"
                if rule.endpoint == "auth.sign_out":
                    sign_in(client, user.email, PROFESSIONAL_PASSWORD)
    assert not reached, reached
    assert client.get(f"/provider/requests/{advice.id}/documents/{hidden.id}").status_code == 404
    assert "Zebulon" not in client.get("/provider/").get_data(as_text=True)
    assert db.session.get(AdviceRequest, theirs.id).received_on is None


def test_a_professional_cannot_use_the_api(client):
    entry = provider()
    case, advice = advice_case(entry)
    user = professional(advice)
    with pytest.raises(ServiceError):
        api_tokens.create_token(user, name="mine", actor=user)
    sign_in(client, user.email, PROFESSIONAL_PASSWORD)
    assert client.post("/account/tokens", data={"name": "mine"}).status_code in (403, 404, 405)
    assert client.get(f"/api/v1/cases/{case.id}").status_code in (401, 403)
    assert client.get(f"/api/v1/children/{case.child_id}").status_code in (401, 403)


# --- Returning the advice -----------------------------------------------------------------------


def _return(client, advice, **overrides):
    data = {
        "upload": (io.BytesIO(PDF_BYTES), "report.pdf"),
        "needs": "Expressive language delay.",
        "outcomes": "Speaks in short sentences by the end of year 3.",
        "provision": "Weekly therapy, 30 minutes, from a speech and language therapist.",
        "given_by": "Sam Therapist",
        "provider_name": "Northtown Speech and Language Therapy",
        "dated_on": _d(today()),
    }
    data.update(overrides)
    return client.post(f"/provider/requests/{advice.id}/return", data=data, content_type="multipart/form-data")


def test_returned_advice_marks_the_milestone_met_on_that_date_stores_the_report_and_tells_the_coordinator(client, auth):
    entry = provider()
    case, advice = advice_case(entry)
    user = professional(advice)
    sign_in(client, user.email, PROFESSIONAL_PASSWORD)
    form = client.get(f"/provider/requests/{advice.id}/return")
    assert form.status_code == 200 and "Submit the advice" in form.get_data(as_text=True)
    refused = _return(client, advice, needs="")
    assert refused.status_code == 200 and "Summarise the needs" in refused.get_data(as_text=True)
    sent = _return(client, advice)
    assert sent.status_code == 302, sent.get_data(as_text=True)[:3000]

    db.session.expire_all()
    advice = db.session.get(AdviceRequest, advice.id)
    assert advice.received_on == today()
    milestone = db.session.scalar(select(Milestone).where(Milestone.ref == f"advice:{advice.id}"))
    assert milestone.met_on == today()
    event = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.event_type == EventType.ADVICE_RECEIVED)
    )
    assert event.details["advice_request_id"] == advice.id and event.recorded_by_id == user.id
    back = db.session.scalar(select(AdviceReturn).where(AdviceReturn.advice_request_id == advice.id))
    assert back.provision.startswith("Weekly therapy") and back.document.advice_request_id == advice.id
    assert back.document.case_id == case.id and back.document.kind is DocumentKind.ADVICE
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"advice-returned:{advice.id}"))
    assert mail is not None and mail.to_address == case.coordinator.email
    assert "advice_returned" in {e.action for e in db.session.scalars(select(AuditEvent))}

    # Sent once: the form is closed, and a second post records nothing.
    again = _return(client, advice)
    assert again.status_code == 302
    assert db.session.scalar(select(db.func.count(AdviceReturn.id))) == 1
    client.post("/sign-out")
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Asked of Sam Therapist" in page and "Returned through the service" in page
    assert "Weekly therapy, 30 minutes" in page and "Expressive language delay." in page


def test_the_advice_dashboard_counts_a_return_through_the_service(client):
    from ehc_tracker.services.reports.measures import advice_breakdowns
    from ehc_tracker.services.reports.scope import Scope

    entry = provider()
    case, advice = advice_case(entry)
    user = professional(advice)
    sign_in(client, user.email, PROFESSIONAL_PASSWORD)
    assert _return(client, advice).status_code == 302
    start = today().replace(day=1)
    rows = advice_breakdowns(Scope(team_ids=frozenset({case.team_id})), start, start + timedelta(days=40), today())
    provider_rows = {r.value: r.figure for r in rows["provider"]}
    assert entry.name in provider_rows and provider_rows[entry.name].counted == 1


# --- A provider manager -------------------------------------------------------------------------


def test_a_provider_manager_sees_the_service_requests_and_moves_one(client):
    entry = provider()
    _, first = advice_case(entry, first_name="Aurelia")
    holder = professional(first, email="holder@nhs.example")
    _, second = advice_case(entry, first_name="Bartholomew")
    other = professional(second, email="other@nhs.example")
    manager = create_user(role="professional", email="manager@nhs.example", commit=False)
    professional_service.add_to_provider(manager, entry, manager=True, actor=None)
    db.session.commit()

    sign_in(client, holder.email, PROFESSIONAL_PASSWORD)
    assert "Bartholomew" not in client.get("/provider/").get_data(as_text=True)
    assert client.post(f"/provider/requests/{second.id}/reassign", data={"professional": holder.id}).status_code == 404
    client.post("/sign-out")

    sign_in(client, manager.email, "correct horse battery staple")
    home = client.get("/provider/").get_data(as_text=True)
    assert "Aurelia" in home and "Bartholomew" in home
    assert client.get(f"/provider/requests/{second.id}").status_code == 200
    moved = client.post(f"/provider/requests/{second.id}/reassign", data={"professional": holder.id})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(AdviceRequest, second.id).professional_id == holder.id
    # A manager may read the request but does not return someone else's advice.
    assert client.get(f"/provider/requests/{second.id}/return").status_code == 404
    assert other.id != holder.id


# --- The emailed code ---------------------------------------------------------------------------


class TestSignInCode:
    @pytest.fixture
    def app_config(self):
        return {"PROFESSIONAL_SIGN_IN_CODE": True}

    def test_a_professional_types_the_emailed_code_after_the_password(self, app, client):
        entry = provider()
        _, advice = advice_case(entry)
        user = professional(advice)
        response = sign_in(client, user.email, PROFESSIONAL_PASSWORD)
        assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code")
        assert client.get("/provider/").status_code == 302
        mail = app.extensions["ehc_memory_mail"].sent[-1]
        code = re.search(r"\b(\d{6})\b", mail.text).group(1)
        assert client.post("/sign-in/code", data={"code": code}).status_code == 302
        assert client.get("/provider/").status_code == 200


def test_invitations_record_who_was_asked(client):
    entry = provider()
    _, advice = advice_case(entry)
    professional(advice)
    invitation = db.session.scalar(select(ProfessionalInvitation))
    assert invitation.used_at is not None and invitation.directory_entry_id == entry.id


def test_asking_again_starts_from_whoever_is_asked_now_and_addresses_the_request_without_a_new_link(client, auth):
    entry = provider()
    case, advice = advice_case(entry)
    first = professional(advice, email="first@nhs.example")
    _, other_advice = advice_case(entry, coordinator=case.coordinator)
    second = professional(other_advice, email="second@nhs.example")
    auth.login(case.coordinator)
    form = client.get(f"/cases/{case.id}/advice/{advice.id}/professional").get_data(as_text=True)
    assert re.search(rf'value="user:{first.id}"\s+checked', form)
    moved = client.post(
        f"/cases/{case.id}/advice/{advice.id}/professional",
        data={"professional": f"user:{second.id}", "question": "Please advise."},
    )
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(AdviceRequest, advice.id).professional_id == second.id
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == f"professional-addressed:{advice.id}:{second.id}")
    )
    assert mail is not None and "/provider/invitation/" not in mail.body_text
