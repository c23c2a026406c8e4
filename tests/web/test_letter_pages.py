"""The case page's letters (made from the case, stored as documents, sent by post or by email)
and the administrator's letter templates (versions, uploads and their refusals, reverting)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import docx
import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.letters.context import date_in_words
from ehc_tracker.letters.render import PdfUnavailable, soffice_path
from ehc_tracker.letters.templates_store import default_template, template_for
from ehc_tracker.models import AuditEvent, Document, DocumentKind, LetterTemplate
from ehc_tracker.models.alerts import OutboxMessage
from ehc_tracker.models.case import Channel, Communication, EventType
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import Conflict
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services import letters as letter_service
from ehc_tracker.services.clock import today
from ehc_tracker.services.storage import document_store
from tests.documents_support import PDF_BYTES
from tests.factories_cases import TODAY, create_assessment
from tests.factories_children import create_child, create_contact
from tests.helpers import create_team, create_user, csrf_token

COUNCIL = "Exampleshire County Council"
FAMILY_PASSWORD = "a long family password 2026"


@pytest.fixture
def app_config():
    return {"COUNCIL_NAME": COUNCIL}


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch, request):
    """LibreOffice takes seconds a letter: only the tests marked `pdf` run it."""
    if "with_pdf" in request.fixturenames:
        return

    def unavailable(_docx):
        raise PdfUnavailable("PDF needs LibreOffice; the Word letter is available")

    monkeypatch.setattr(letter_service, "to_pdf", unavailable)


@pytest.fixture
def with_pdf():
    if soffice_path() is None:
        pytest.skip("LibreOffice is not installed")


def _draft_plan_case(**kw):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team], name="Jo Coordinator", email="jo.c@example.org")
    child = create_child(team=team, first_name="Robin", last_name="Ashby", date_of_birth=date(2015, 5, 1))
    create_contact(child=child, name="Pat Ashby", address="1 High Street\nExampletown\nEX1 1AA")
    case = create_assessment(coordinator=coordinator, team=team, child=child)
    record = case_service.record_event
    actor = coordinator
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=actor, today=TODAY)
    record(
        case, EventType.ADVICE_REQUESTED, date(2025, 2, 11), actor=actor, today=TODAY, advice_type="ep", provider="EP"
    )
    record(
        case,
        EventType.ADVICE_RECEIVED,
        date(2025, 3, 20),
        actor=actor,
        today=TODAY,
        advice_request_id=case.advice_requests[0].id,
    )
    record(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=actor, today=TODAY)
    record(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=actor, today=TODAY)
    db.session.commit()
    return case


def _family(case, email="parent@example.org"):
    invited = family_service.invite(
        case,
        name="Pat Ashby",
        email=email,
        relationship=FamilyRelationship.PARENT,
        actor=case.coordinator,
        now=datetime.now(UTC),
        today=today(),
    )
    user = family_service.accept(invited.token, password=FAMILY_PASSWORD, now=datetime.now(UTC))
    db.session.commit()
    return user


def _audits(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _letters():
    return db.session.scalars(select(Document).where(Document.kind == DocumentKind.LETTER).order_by(Document.id)).all()


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def _stored(document) -> bytes:
    return b"".join(document_store().chunks(document.storage_key))


def _no_markup_as_text(html: str) -> None:
    for banner in re.findall(r'<div class="govuk-notification-banner.*?</div>\s*</div>', html, re.S):
        assert "&lt;" not in banner and "&gt;" not in banner, banner


# --- Making a letter ------------------------------------------------------------------------------


def test_the_case_page_offers_the_letters_its_steps_call_for(app, client, auth):
    case = _draft_plan_case()
    auth.login(case.coordinator)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="letters"' in html
    offered = re.findall(r'data-letter-kind="([a-z_]+)"', html)
    assert offered == ["decision_to_assess", "draft_plan"]
    assert f'action="/cases/{case.id}/letters/draft_plan"' in html
    assert "No letters made yet." in html


def test_create_letter_stores_the_word_letter_as_a_document_of_the_case(app, client, auth):
    case = _draft_plan_case()
    auth.login(case.coordinator)
    response = client.post(f"/cases/{case.id}/letters/draft_plan")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}")  # the top, where the banner is
    (letter,) = _letters()
    assert (letter.case_id, letter.child_id, letter.title) == (case.id, case.child_id, "Draft EHC plan letter")
    assert letter.filename == "draft-plan-letter-2025-04-07.docx"
    assert letter.dated_on == date(2025, 4, 7) and letter.supplied_by == COUNCIL and not letter.is_shared
    text = _text(_stored(letter))
    representations = next(m.due_on for m in case.milestones if m.key == "representations_close")
    for expected in ("Robin Ashby", "Pat Ashby", "Jo Coordinator", COUNCIL, date_in_words(representations)):
        assert expected in text
    (made,) = _audits("letter_created")
    assert made.details["kind"] == "draft_plan" and made.details["template_version"] is None
    assert made.details["document_ids"] == [letter.id] and made.details["pdf"] is False
    assert len(_audits("document_added")) == 1
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "The ‘Draft EHC plan’ letter was made as a Word document and added to the documents." in page
    assert "There is no PDF of this letter: PDF needs LibreOffice; the Word letter is available." in page
    _no_markup_as_text(page)
    # Listed with the letters (with its send buttons) and in the documents.
    assert f'data-letter-id="{letter.id}"' in page and f'data-document-id="{letter.id}"' in page
    assert "Word, dated 7 Apr 2025" in page
    assert f'action="/cases/{case.id}/letters/{letter.id}/send"' in page


def test_create_letter_makes_the_pdf_too_when_libreoffice_is_there(app, client, auth, with_pdf):
    case = _draft_plan_case()
    auth.login(case.coordinator)
    assert client.post(f"/cases/{case.id}/letters/draft_plan").status_code == 302
    word, pdf = _letters()
    assert (word.content_type, pdf.content_type) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
    )
    assert pdf.filename == "draft-plan-letter-2025-04-07.pdf" and _stored(pdf).startswith(b"%PDF-")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "made as a Word document and a PDF" in page and "There is no PDF" not in page


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda app, case: app.config.update(COUNCIL_NAME=""), "The council&#39;s name is not set (COUNCIL_NAME)"),
        (lambda app, case: setattr(case, "coordinator_id", None), "Assign a coordinator to the case"),
    ],
)
def test_a_letter_that_cannot_be_made_is_a_clear_error_not_a_failure(app, client, auth, setup, message):
    case = _draft_plan_case()
    manager = create_user(role="manager", teams=[case.team])
    setup(app, case)
    db.session.commit()
    auth.login(manager)
    response = client.post(f"/cases/{case.id}/letters/draft_plan", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert _letters() == [] and _audits("letter_created") == []


def test_a_letter_before_its_step_is_refused_with_the_step_to_record(app, client, auth):
    case = _draft_plan_case()
    auth.login(case.coordinator)
    html = client.post(f"/cases/{case.id}/letters/final_plan", follow_redirects=True).get_data(as_text=True)
    assert "There is a problem" in html and "before writing the ‘Final EHC plan’ letter" in html
    assert _letters() == []
    assert client.post(f"/cases/{case.id}/letters/no_such_letter").status_code == 404


def test_letters_follow_the_case_permissions(app, client, auth):
    case = _draft_plan_case()
    url = f"/cases/{case.id}/letters/draft_plan"
    assert client.post(url).status_code == 302 and "/sign-in" in client.post(url).headers["Location"]
    colleague = create_user(role="coordinator", teams=[case.team])
    stranger = create_user(role="coordinator", teams=[create_team()])
    admin = create_user(role="admin")
    for user, status in ((colleague, 403), (stranger, 404), (admin, 403)):
        auth.login(user)
        assert client.post(url).status_code == status, user.role
        auth.logout()
    assert _letters() == []


def test_the_letter_forms_need_the_csrf_token(app, client, auth):
    case = _draft_plan_case()
    auth.login(case.coordinator)
    letter_service.create_letter(case, "draft_plan", actor=case.coordinator, now=datetime.now(UTC), today=today())
    db.session.commit()
    (letter,) = _letters()
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/cases/{case.id}/letters/draft_plan").status_code == 400
    send = f"/cases/{case.id}/letters/{letter.id}/send"
    assert client.post(send, data={"channel": "letter"}).status_code == 400
    token = csrf_token(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert client.post(send, data={"channel": "letter", "csrf_token": token}).status_code == 302
    assert len(_letters()) == 1


# --- Sending ---------------------------------------------------------------------------------------


def _made(case):
    letter_service.create_letter(case, "draft_plan", actor=case.coordinator, now=datetime.now(UTC), today=today())
    db.session.commit()
    return _letters()[-1]


def test_send_by_post_records_an_outgoing_communication_with_no_response_due(app, client, auth):
    case = _draft_plan_case()
    letter = _made(case)
    auth.login(case.coordinator)
    response = client.post(f"/cases/{case.id}/letters/{letter.id}/send", data={"channel": "letter"})
    assert response.status_code == 302
    comm = db.session.scalars(select(Communication)).one()
    assert comm.outgoing and comm.channel is Channel.LETTER and comm.received_on == today()
    assert comm.from_name == "Jo Coordinator"
    assert comm.summary == "Sent the letter ‘Draft EHC plan letter’ (Word) by post"
    db.session.refresh(letter)
    assert letter.communication_id == comm.id and not letter.is_shared
    assert not [m for m in case.milestones if m.ref == f"communication:{comm.id}"]
    assert db.session.scalars(select(OutboxMessage)).all() == []
    (sent,) = _audits("letter_sent")
    assert sent.details == {
        "document_id": letter.id,
        "communication_id": comm.id,
        "channel": "letter",
        "recipients": [],
    }
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "is recorded as sent by post in the communications log." in page
    assert "Sent by the council" in page and "No response due" in page
    _no_markup_as_text(page)
    with pytest.raises(Conflict):
        case_service.record_response(comm, responded_on=today(), summary="", actor=case.coordinator, today=today())


def test_send_by_email_shares_the_letter_and_queues_a_link_not_the_letter(app, client, auth):
    case = _draft_plan_case()
    parent = _family(case)
    letter = _made(case)
    auth.login(case.coordinator)
    response = client.post(f"/cases/{case.id}/letters/{letter.id}/send", data={"channel": "email"})
    assert response.status_code == 302
    comm = db.session.scalars(select(Communication)).one()
    assert comm.outgoing and comm.channel is Channel.EMAIL
    db.session.refresh(letter)
    assert letter.is_shared and letter.communication_id == comm.id
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == parent.email)).one()
    assert message.subject == "A letter about your EHC assessment or review" and "Ashby" not in message.subject
    assert f"/family/cases/{case.id}#documents" in message.body_text
    assert "Draft EHC plan letter" in message.body_text and letter.storage_key not in message.body_text
    assert "/documents/" not in message.body_text
    assert _audits("letter_sent")[0].details["recipients"] == [parent.email]
    assert len(_audits("document_shared")) == 1
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "is shared with the family, and 1 email with a link to their page will be sent." in page
    _no_markup_as_text(page)
    # The parent sees it on their page and downloads it.
    auth.logout()
    client.post("/sign-in", data={"email": parent.email, "password": FAMILY_PASSWORD})
    progress = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    assert f"/family/documents/{letter.id}/download" in progress
    download = client.get(f"/family/documents/{letter.id}/download")
    assert download.status_code == 200 and download.data == _stored(letter)


def test_send_by_email_without_a_family_account_is_refused(app, client, auth):
    case = _draft_plan_case()
    letter = _made(case)
    auth.login(case.coordinator)
    html = client.post(
        f"/cases/{case.id}/letters/{letter.id}/send", data={"channel": "email"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "There is a problem" in html and "Nobody in the family has an account" in html
    assert db.session.scalars(select(Communication)).all() == [] and _audits("letter_sent") == []
    db.session.refresh(letter)
    assert not letter.is_shared


def test_send_checks_the_letter_the_channel_and_the_case(app, client, auth):
    case = _draft_plan_case()
    letter = _made(case)
    other = create_assessment(coordinator=case.coordinator, team=case.team)
    auth.login(case.coordinator)
    assert client.post(f"/cases/{case.id}/letters/{letter.id}/send", data={"channel": "fax"}).status_code == 400
    assert client.post(f"/cases/{other.id}/letters/{letter.id}/send", data={"channel": "letter"}).status_code == 404
    client.post(
        f"/cases/{case.id}/documents/new",
        data={
            "title": "EP advice",
            "kind": "advice",
            "dated_on": ["20", "3", "2025"],
            "supplied_by": "EP",
            "upload": (io.BytesIO(PDF_BYTES), "advice.pdf"),
        },
        content_type="multipart/form-data",
    )
    advice = db.session.scalars(select(Document).where(Document.kind == DocumentKind.ADVICE)).one()
    assert client.post(f"/cases/{case.id}/letters/{advice.id}/send", data={"channel": "letter"}).status_code == 404
    colleague = create_user(role="coordinator", teams=[case.team])
    auth.logout()
    auth.login(colleague)
    assert client.post(f"/cases/{case.id}/letters/{letter.id}/send", data={"channel": "letter"}).status_code == 403
    assert db.session.scalars(select(Communication)).all() == []


# --- Templates -------------------------------------------------------------------------------------


def _docx_with(paragraph: str, kind: str = "draft_plan") -> bytes:
    document = docx.Document(io.BytesIO(default_template(kind)))
    document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(client, content: bytes, *, name="draft_plan.docx", note="New address", kind="draft_plan"):
    return client.post(
        f"/admin/letter-templates/{kind}",
        data={"upload": (io.BytesIO(content), name), "note": note},
        content_type="multipart/form-data",
    )


def test_the_templates_pages_are_for_administrators_only(app, client, auth):
    urls = [
        "/admin/letter-templates",
        "/admin/letter-templates/draft_plan",
        "/admin/letter-templates/draft_plan/default.docx",
    ]
    for url in urls:
        assert "/sign-in" in client.get(url).headers["Location"]
    auth.login(role="coordinator")
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post("/admin/letter-templates/draft_plan/current", data={"version": "default"}).status_code == 403
    auth.logout()
    auth.login(role="admin")
    listing = client.get("/admin/letter-templates").get_data(as_text=True)
    assert listing.count("data-kind=") == 9 and "The default" in listing
    # Reached from the administrator's home page (one more header link would wrap the navigation).
    assert 'href="/admin/letter-templates"' in client.get("/").get_data(as_text=True)
    page = client.get("/admin/letter-templates/draft_plan").get_data(as_text=True)
    for name in ("representations_close_on", "child_name", "coordinator_name", "address_lines"):
        assert f"<code>{name}</code>" in page
    assert "For example: 15 March 2027" in page
    assert client.get("/admin/letter-templates/no_such_letter").status_code == 404


def test_an_administrator_downloads_the_default_and_the_download_is_audited(app, client, auth):
    auth.login(role="admin")
    response = client.get("/admin/letter-templates/draft_plan/default.docx")
    assert response.status_code == 200 and response.data == default_template("draft_plan")
    assert response.headers["Content-Disposition"] == "attachment; filename=draft_plan-default.docx"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert _audits("letter_template_downloaded")[0].details == {"kind": "draft_plan", "version": None}
    assert client.get("/admin/letter-templates/draft_plan/versions/1.docx").status_code == 404


def test_an_uploaded_version_becomes_current_and_letters_are_made_from_it(app, client, auth):
    admin = auth.login(role="admin")
    content = _docx_with("Our new wording for {{ child_first_name }}.")
    response = _upload(client, content)
    assert response.status_code == 302
    version = db.session.scalars(select(LetterTemplate)).one()
    assert (version.kind, version.version, version.is_current, version.note) == ("draft_plan", 1, True, "New address")
    assert version.content == content and version.uploaded_by_id == admin.id and len(version.sha256) == 64
    assert template_for("draft_plan") == content
    (uploaded,) = _audits("letter_template_uploaded")
    assert uploaded.details["version"] == 1 and uploaded.details["previous_version"] is None
    page = client.get("/admin/letter-templates/draft_plan").get_data(as_text=True)
    assert "Version 1 of the ‘Draft EHC plan’ template is now current." in page
    _no_markup_as_text(page)
    download = client.get("/admin/letter-templates/draft_plan/versions/1.docx")
    assert download.data == content
    # A letter made now uses it, and says which version.
    case = _draft_plan_case()
    made = letter_service.create_letter(case, "draft_plan", actor=case.coordinator, now=datetime.now(UTC), today=TODAY)
    db.session.commit()
    assert "Our new wording for Robin." in _text(_stored(made.documents[0]))
    assert _audits("letter_created")[0].details["template_version"] == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PDF_BYTES, "draft_plan.pdf", "must be a Word document (.docx)"),
        (b"", "draft_plan.docx", "The selected file is empty"),
        (None, "unknown", "does not have: {{ nonsense }}"),
        (None, "broken", "placeholder that is not written correctly"),
    ],
)
def test_a_refused_template_says_why_and_keeps_the_kind_and_the_note(app, client, auth, content, name, message):
    auth.login(role="admin")
    if name == "unknown":
        content, name = _docx_with("Hello {{ nonsense }}"), "draft_plan.docx"
    elif name == "broken":
        content, name = _docx_with("Hello {{ child_name "), "draft_plan.docx"
    response = _upload(client, content, name=name, note="Kept note")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "There is a problem" in html and message in html
    assert '<h1 class="govuk-heading-l">Draft EHC plan</h1>' in html and "Kept note" in html
    assert db.session.scalars(select(LetterTemplate)).all() == [] and _audits("letter_template_uploaded") == []
    assert template_for("draft_plan") == default_template("draft_plan")


def test_an_upload_without_a_file_asks_for_one(app, client, auth):
    auth.login(role="admin")
    response = client.post("/admin/letter-templates/draft_plan", data={"note": "x"}, content_type="multipart/form-data")
    assert "Select the Word (.docx) template to upload" in response.get_data(as_text=True)


def test_an_earlier_version_or_the_default_is_made_current_again(app, client, auth):
    auth.login(role="admin")
    first, second = _docx_with("First wording."), _docx_with("Second wording.")
    _upload(client, first)
    _upload(client, second, note="Second")
    assert template_for("draft_plan") == second
    page = client.get("/admin/letter-templates/draft_plan").get_data(as_text=True)
    assert re.findall(r'data-version="(\w+)"', page) == ["2", "1", "default"]
    current_url = "/admin/letter-templates/draft_plan/current"
    assert client.post(current_url, data={"version": "1"}).status_code == 302
    assert template_for("draft_plan") == first
    assert [v.version for v in db.session.scalars(select(LetterTemplate).where(LetterTemplate.is_current))] == [1]
    html = client.get("/admin/letter-templates/draft_plan").get_data(as_text=True)
    assert "Version 1 of the ‘Draft EHC plan’ letter is now current." in html
    client.post(current_url, data={"version": "default"})
    assert template_for("draft_plan") == default_template("draft_plan")
    assert db.session.scalars(select(LetterTemplate).where(LetterTemplate.is_current)).all() == []
    html = client.get("/admin/letter-templates/draft_plan").get_data(as_text=True)
    assert "The default template of the ‘Draft EHC plan’ letter is now current." in html
    client.post(current_url, data={"version": "default"})
    assert "Nothing was changed: the default template was already current." in client.get(
        "/admin/letter-templates/draft_plan"
    ).get_data(as_text=True)
    made = [(e.details["version"], e.details["previous_version"]) for e in _audits("letter_template_made_current")]
    assert made == [(1, 2), (None, 1)]
    assert client.post(current_url, data={"version": "7"}).status_code == 404
    assert client.post(current_url, data={"version": "x"}).status_code == 400
    # Uploading after the default came back numbers on.
    _upload(client, first)
    assert db.session.scalar(select(LetterTemplate.version).where(LetterTemplate.is_current)) == 3


def test_the_template_forms_need_the_csrf_token(app, client, auth):
    auth.login(role="admin")
    app.config["WTF_CSRF_ENABLED"] = True
    assert _upload(client, _docx_with("Wording.")).status_code == 400
    assert client.post("/admin/letter-templates/draft_plan/current", data={"version": "default"}).status_code == 400
    assert db.session.scalars(select(LetterTemplate)).all() == []
