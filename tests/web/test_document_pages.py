"""The document pages: adding (and the upload's refusals, with the typing kept), downloading
(streamed, audited, never inline), sharing, deleting, plan versions, the family's access and the
retention list."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Document, DocumentKind
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import documents as document_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import today
from ehc_tracker.services.documents import DocumentDetails, Step
from ehc_tracker.services.storage import document_store
from tests.documents_support import EXE_BYTES, PDF_BYTES, eicar, settings_for
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.helpers import create_team, create_user

FAMILY_PASSWORD = "a long family password 2026"


@pytest.fixture(params=["local", "s3"])
def app_config(request):
    return {**settings_for(request.param, request), "DOCUMENT_MAX_BYTES": 4096}


def _form(data=PDF_BYTES, name="advice.pdf", **overrides):
    form = {
        "title": "EP advice",
        "kind": "advice",
        "dated_on": ["20", "3", "2025"],
        "supplied_by": "Northtown EP Service",
        "upload": (io.BytesIO(data), name),
    }
    form.update(overrides)
    return form


def _post(client, url, **kw):
    return client.post(url, data=_form(**kw), content_type="multipart/form-data")


def _document(case, *, title="Report", share=False, kind=DocumentKind.ADVICE, data=PDF_BYTES, actor=None, plan=None):
    upload = document_service.check_upload(io.BytesIO(data), "report.pdf")
    document = document_service.add_document(
        case.child,
        upload,
        DocumentDetails(kind=kind, title=title, dated_on=date(2025, 3, 1), supplied_by="School", share=share),
        case=case,
        step=Step(plan=plan),
        actor=actor or case.coordinator,
        now=datetime.now(UTC),
        today=today(),
    )
    upload.close()
    db.session.commit()
    return document


def _family(case, email="parent@example.org"):
    invited = family_service.invite(
        case,
        name="Pat Parent",
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


def test_a_coordinator_adds_a_document_and_it_is_listed_on_the_case_and_the_child(app, client, auth):
    case = create_assessment()
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}")
    assert f"/cases/{case.id}/documents/new" in page.get_data(as_text=True)
    form = client.get(f"/cases/{case.id}/documents/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    response = _post(client, f"/cases/{case.id}/documents/new", share="y")
    assert response.status_code == 302, re.findall(r"govuk-error-message.*?</p>", response.get_data(as_text=True), re.S)
    assert response.headers["Location"].endswith(f"/cases/{case.id}#documents")
    document = db.session.scalars(select(Document)).one()
    assert (document.title, document.kind, document.supplied_by) == (
        "EP advice",
        DocumentKind.ADVICE,
        "Northtown EP Service",
    )
    assert document.dated_on == date(2025, 3, 20) and document.is_shared
    assert document_store().exists(document.storage_key)
    for url in (f"/cases/{case.id}", f"/children/{case.child_id}"):
        html = client.get(url).get_data(as_text=True)
        assert f'data-document-id="{document.id}"' in html and "EP advice" in html and "Northtown EP Service" in html


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (EXE_BYTES, "advice.pdf", "must be a PDF, a Word document"),  # a renamed program
        (b"%PDF-1.4\n" + b"x" * 5000, "big.pdf", "must be smaller than 4 KB"),
        (b"", "empty.pdf", "is empty"),
    ],
)
def test_a_refused_upload_says_why_keeps_the_typing_and_writes_nothing(app, client, auth, data, name, message):
    case = create_assessment()
    auth.login(case.coordinator)
    response = _post(client, f"/cases/{case.id}/documents/new", data=data, name=name, title="Kept title")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert 'value="Kept title"' in html and 'value="Northtown EP Service"' in html
    assert db.session.scalar(select(db.func.count(Document.id))) == 0


def test_a_body_past_the_documents_limit_is_refused_before_it_is_read(app, client, auth):
    case = create_assessment()
    auth.login(case.coordinator)
    response = _post(client, f"/cases/{case.id}/documents/new", data=b"%PDF-" + b"x" * 400_000, name="huge.pdf")
    assert response.status_code == 413
    assert db.session.scalar(select(db.func.count(Document.id))) == 0


def test_the_upload_pages_take_a_bigger_body_than_the_others(app, client, auth):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    app.config["DOCUMENT_MAX_BYTES"] = 20_000
    case = create_assessment()
    auth.login(case.coordinator)
    response = _post(client, f"/cases/{case.id}/documents/new", data=b"%PDF-" + b"x" * 10_000, name="a.pdf")
    assert response.status_code == 302
    assert client.post(f"/cases/{case.id}/notes", data={"text": "x" * 3000}).status_code == 413


def test_missing_answers_are_listed(app, client, auth):
    case = create_assessment()
    auth.login(case.coordinator)
    response = client.post(
        f"/cases/{case.id}/documents/new", data={"title": "", "kind": ""}, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    for message in ("Select a file", "Enter a title", "Select the kind of document", "Enter the date on the document"):
        assert message in html


def test_an_infected_upload_is_refused_with_a_clear_message(app, client, auth, clamd_socket):
    app.config["CLAMAV_SOCKET"] = clamd_socket
    app.config["DOCUMENT_MAX_BYTES"] = 1024 * 1024
    case = create_assessment()
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}/documents/new").get_data(as_text=True)
    assert "not checked for viruses" not in page
    response = _post(client, f"/cases/{case.id}/documents/new", data=eicar(), name="advice.txt")
    html = response.get_data(as_text=True)
    assert "contains a virus (Eicar-Test-Signature" in html and "was not saved" in html
    assert db.session.scalar(select(db.func.count(Document.id))) == 0
    assert _post(client, f"/cases/{case.id}/documents/new").status_code == 302


def test_the_page_says_when_no_scanner_is_set_up(app, client, auth):
    case = create_assessment()
    auth.login(case.coordinator)
    assert "not checked for viruses" in client.get(f"/cases/{case.id}/documents/new").get_data(as_text=True)


def test_a_download_is_streamed_as_an_attachment_and_audited(app, client, auth):
    case = create_assessment()
    document = _document(case)
    auth.login(case.coordinator)
    response = client.get(f"/documents/{document.id}/download")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == "attachment; filename=report.pdf"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Length"] == str(len(PDF_BYTES))
    assert response.get_data() == PDF_BYTES
    [entry] = _audits("document_downloaded")
    assert entry.object_id == str(document.id) and entry.actor_id == case.coordinator.id


def test_a_text_file_is_never_shown_inline(app, client, auth):
    case = create_assessment()
    upload = document_service.check_upload(io.BytesIO(b"<html><script>alert(1)</script></html>"), "page.html")
    document = document_service.add_document(
        case.child,
        upload,
        DocumentDetails(kind=DocumentKind.OTHER, title="Page", dated_on=date(2025, 3, 1), supplied_by="Someone"),
        case=case,
        actor=case.coordinator,
        now=datetime.now(UTC),
        today=today(),
    )
    db.session.commit()
    auth.login(case.coordinator)
    response = client.get(f"/documents/{document.id}/download")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Content-Disposition"] == "attachment; filename=page.html.txt"


def test_another_teams_staff_cannot_see_or_fetch_a_document(app, client, auth):
    case = create_assessment()
    document = _document(case)
    auth.login(role="manager", teams=[create_team()])
    assert client.get(f"/documents/{document.id}/download").status_code == 404
    assert client.post(f"/documents/{document.id}/sharing", data={"share": "1"}).status_code == 404
    assert client.get(f"/documents/{document.id}/delete").status_code == 404
    assert client.get(f"/cases/{case.id}/documents/new").status_code == 404


def test_a_colleague_may_read_but_not_change_anothers_case_documents(app, client, auth):
    case = create_assessment()
    document = _document(case)
    auth.login(role="coordinator", teams=[case.team])
    assert client.get(f"/documents/{document.id}/download").status_code == 200
    assert client.post(f"/documents/{document.id}/sharing", data={"share": "1"}).status_code == 403
    assert client.get(f"/documents/{document.id}/delete").status_code == 403
    assert client.get(f"/cases/{case.id}/documents/new").status_code == 403


def test_sharing_and_stopping_are_audited(app, client, auth):
    case = create_assessment()
    document = _document(case)
    auth.login(case.coordinator)
    assert client.post(f"/documents/{document.id}/sharing", data={"share": "1"}).status_code == 302
    db.session.refresh(document)
    assert document.is_shared and document.shared_by_id == case.coordinator.id
    assert client.post(f"/documents/{document.id}/sharing", data={"share": "0"}).status_code == 302
    db.session.refresh(document)
    assert not document.is_shared
    assert len(_audits("document_shared")) == 1 and len(_audits("document_unshared")) == 1


def test_delete_needs_a_reason_and_is_audited(app, client, auth):
    case = create_assessment()
    document = _document(case)
    auth.login(case.coordinator)
    refused = client.post(f"/documents/{document.id}/delete", data={"reason": ""})
    assert "Enter why the document is being deleted" in refused.get_data(as_text=True)
    assert client.post(f"/documents/{document.id}/delete", data={"reason": "Wrong child"}).status_code == 302
    db.session.refresh(document)
    assert document.is_deleted and document.deletion_reason == "Wrong child"
    assert not document_store().exists(document.storage_key)
    [entry] = _audits("document_deleted")
    assert "Wrong child" in entry.summary
    assert client.get(f"/documents/{document.id}/download").status_code == 404
    assert f'data-document-id="{document.id}"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_add_the_advice_from_its_request(app, client, auth):
    case = create_assessment()
    carry_to_final_plan(case, actor=case.coordinator)
    db.session.commit()
    advice = case.advice_requests[0]
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    url = f"/cases/{case.id}/documents/new?advice_request_id={advice.id}"
    assert url.replace("?", "?").split("?")[1] in page and "Add the advice" in page
    form = client.get(url).get_data(as_text=True)
    assert 'value="EP Service"' in form and "Add the advice" in form
    assert client.post(url, data=_form(supplied_by="EP Service"), content_type="multipart/form-data").status_code == 302
    assert db.session.scalars(select(Document)).one().advice_request_id == advice.id
    other = create_assessment(coordinator=case.coordinator)
    assert client.get(f"/cases/{other.id}/documents/new?advice_request_id={advice.id}").status_code == 404


def test_plan_versions_from_the_child_page(app, client, auth):
    case = create_assessment()
    carry_to_final_plan(case, actor=case.coordinator)
    db.session.commit()
    plan = case.plan
    auth.login(case.coordinator)
    url = f"/children/{case.child_id}/documents/new?plan_id={plan.id}"
    assert url.split("?")[0] in client.get(f"/children/{case.child_id}").get_data(as_text=True)
    for kind in ("draft_plan", "draft_plan", "final_plan"):
        response = client.post(
            url, data=_form(kind=kind, title=kind, plan_id=str(plan.id)), content_type="multipart/form-data"
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    refused = client.post(url, data=_form(kind="draft_plan", plan_id=""), content_type="multipart/form-data")
    assert "Choose the plan this is a version of" in refused.get_data(as_text=True)
    db.session.refresh(plan)
    labels = [d.version_label for d in document_service.plan_versions(plan)]
    assert labels == ["Draft 1", "Draft 2", "Final"]
    assert plan.final_document is not None and plan.final_document.kind is DocumentKind.FINAL_PLAN
    html = client.get(f"/children/{case.child_id}").get_data(as_text=True)
    assert "Draft 2" in html and "The final plan" in html


# --- Families -------------------------------------------------------------------------------------


def test_a_family_sees_and_fetches_only_shared_documents(app, client, auth):
    case = create_assessment()
    shared = _document(case, title="Shared report", share=True)
    unshared = _document(case, title="Internal note")
    deleted = _document(case, title="Withdrawn report", share=True)
    document_service.delete(deleted, reason="Wrong file", actor=case.coordinator, now=datetime.now(UTC))
    db.session.commit()
    other_case = create_assessment()
    others = _document(other_case, title="Another child's report", share=True)
    family = _family(case)
    auth.login(family, password=FAMILY_PASSWORD)

    page = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    assert "Shared report" in page and f"/family/documents/{shared.id}/download" in page
    for hidden in ("Internal note", "Withdrawn report", "Another child"):
        assert hidden not in page

    fetched = client.get(f"/family/documents/{shared.id}/download")
    assert fetched.status_code == 200 and fetched.get_data() == PDF_BYTES
    assert fetched.headers["Content-Disposition"].startswith("attachment")
    entry = _audits("document_downloaded")[-1]
    assert entry.actor_id == family.id and "family" in entry.summary

    # Every address that names a document refuses the ones not shared with this family.
    for document in (unshared, deleted, others):
        for url in (
            f"/family/documents/{document.id}/download",
            f"/documents/{document.id}/download",
            f"/documents/{document.id}/delete",
        ):
            response = client.get(url)
            assert response.status_code in (403, 404), (url, response.status_code)
            assert response.get_data() != PDF_BYTES
        assert client.post(f"/documents/{document.id}/sharing", data={"share": "1"}).status_code == 403
    assert client.get("/family/documents/999999/download").status_code == 404
    # The staff address refuses the family even for the shared one.
    assert client.get(f"/documents/{shared.id}/download").status_code == 403
    # Once sharing stops, the family's link stops too.
    document_service.share(shared, share=False, actor=case.coordinator, now=datetime.now(UTC))
    db.session.commit()
    assert client.get(f"/family/documents/{shared.id}/download").status_code == 404


def test_no_address_that_names_a_document_gives_a_family_an_unshared_one(app, client, auth):
    """Every route of the site with a document in its address, by every method it answers."""
    case = create_assessment()
    unshared = _document(case, title="Internal note")
    family = _family(case)
    auth.login(family, password=FAMILY_PASSWORD)
    rules = [r for r in app.url_map.iter_rules() if "document_id" in r.arguments]
    assert len(rules) >= 4
    for rule in rules:
        url = rule.rule.replace("<int:document_id>", str(unshared.id))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"share": "1", "reason": "x"})
            assert response.status_code in (403, 404), (method, url, response.status_code)
            assert PDF_BYTES not in response.get_data()
    db.session.refresh(unshared)
    assert not unshared.is_shared and not unshared.is_deleted


def test_communication_and_exception_rows_offer_a_document(app, client, auth):
    from ehc_tracker.services import cases as case_service

    case = create_assessment()
    comm = case_service.log_communication(
        case,
        received_on=date(2025, 6, 2),
        channel=case_service.Channel.EMAIL,
        from_name="Parent",
        summary="Letter from the GP",
        actor=case.coordinator,
        today=today(),
    )
    db.session.commit()
    auth.login(case.coordinator)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    url = f"/cases/{case.id}/documents/new?communication_id={comm.id}"
    assert url in html
    form = client.get(url).get_data(as_text=True)
    assert "For the communication from Parent" in form
    response = client.post(
        url, data=_form(kind="correspondence", supplied_by="Parent"), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Document)).one().communication_id == comm.id


def test_a_deactivated_family_account_fetches_nothing(app, client, auth):
    case = create_assessment()
    shared = _document(case, share=True)
    family = _family(case)
    auth.login(family, password=FAMILY_PASSWORD)
    family.active = False
    db.session.commit()
    assert client.get(f"/family/documents/{shared.id}/download").status_code in (302, 403, 404)


# --- Retention ------------------------------------------------------------------------------------


def _age(document, years):
    document.uploaded_at = datetime.now(UTC) - timedelta(days=365 * years + 10)
    db.session.commit()


def test_a_manager_confirms_deletion_of_documents_past_retention(app, client, auth):
    app.config["DOCUMENT_RETENTION_YEARS"] = 25
    app.config["DOCUMENT_RETENTION_BY_KIND"] = "draft_plan=1, correspondence=3"
    case = create_assessment()
    old_letter = _document(case, title="Old letter", kind=DocumentKind.CORRESPONDENCE)
    _age(old_letter, 4)
    old_advice = _document(case, title="Old advice")
    _age(old_advice, 4)  # advice is kept 25 years: not due
    manager = create_user(role="manager", teams=[case.team])
    auth.login(case.coordinator)
    assert client.get("/documents/retention").status_code == 403
    assert "/documents/retention" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(manager)
    assert "/documents/retention" in client.get("/").get_data(as_text=True)
    html = client.get("/documents/retention").get_data(as_text=True)
    assert "Old letter" in html and "Old advice" not in html
    assert "Select the documents to delete" in client.post("/documents/retention", data={}).get_data(as_text=True)
    assert document_store().exists(old_letter.storage_key)
    response = client.post("/documents/retention", data={"document_ids": [str(old_letter.id), str(old_advice.id)]})
    assert response.status_code == 302
    db.session.refresh(old_letter)
    db.session.refresh(old_advice)
    assert old_letter.is_deleted and not old_advice.is_deleted
    assert not document_store().exists(old_letter.storage_key)
    [entry] = _audits("document_deleted_past_retention")
    assert entry.actor_id == manager.id and entry.object_id == str(old_letter.id)
    assert "No documents are past" in client.get("/documents/retention").get_data(as_text=True)


def test_another_teams_manager_does_not_see_them(app, client, auth):
    app.config["DOCUMENT_RETENTION_YEARS"] = 1
    case = create_assessment()
    old = _document(case, title="Old report")
    _age(old, 2)
    auth.login(role="manager", teams=[create_team()])
    assert "Old report" not in client.get("/documents/retention").get_data(as_text=True)
    client.post("/documents/retention", data={"document_ids": [str(old.id)]})
    db.session.refresh(old)
    assert not old.is_deleted


def test_the_retention_setting_is_parsed_strictly(app):
    assert document_service.parse_retention("draft_plan=2, advice=30") == {
        DocumentKind.DRAFT_PLAN: 2,
        DocumentKind.ADVICE: 30,
    }
    with pytest.raises(ValueError, match="kind=years"):
        document_service.parse_retention("drafts=2")


def test_documents_past_retention_command(app, runner):
    app.config["DOCUMENT_RETENTION_YEARS"] = 1
    case = create_assessment()
    old = _document(case, title="Old report")
    _age(old, 2)
    _document(case, title="New report")
    result = runner.invoke(args=["documents-past-retention"])
    assert result.exit_code == 0, result.output
    assert "Old report" in result.output and "New report" not in result.output
    assert re.search(r"1 document", result.output)
    db.session.refresh(old)
    assert not old.is_deleted, "the command lists; a manager confirms on the page"
