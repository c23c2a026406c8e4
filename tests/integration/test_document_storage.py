"""Documents on both stores (the local folder and S3 on a loopback server): upload, plan versions,
download, delete; and the upload's checks (size, type by content, name, virus scan)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Document, DocumentKind
from ehc_tracker.services import Forbidden, NotFound, ServiceError
from ehc_tracker.services import documents as document_service
from ehc_tracker.services.documents import DocumentDetails, DocumentRefused, Step
from ehc_tracker.services.storage import LocalStore, S3Store, StorageError, document_store
from tests.documents_support import (
    BUCKET,
    DOC_BYTES,
    EXE_BYTES,
    GIF_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    TEXT_BYTES,
    docx_bytes,
    eicar,
    plain_zip_bytes,
    settings_for,
)
from tests.factories_cases import TODAY, carry_to_final_plan, create_assessment
from tests.helpers import create_user

NOW = datetime(2025, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["local", "s3"])
def app_config(request):
    return settings_for(request.param, request)


def _details(kind=DocumentKind.ADVICE, title="EP advice", **kw):
    return DocumentDetails(
        kind=kind, title=title, dated_on=kw.pop("dated_on", date(2025, 3, 20)), supplied_by="EP Service", **kw
    )


def _add(case, actor, data=PDF_BYTES, name="advice.pdf", details=None, step=None):
    upload = document_service.check_upload(io.BytesIO(data), name)
    try:
        return document_service.add_document(
            case.child, upload, details or _details(), case=case, step=step, actor=actor, now=NOW, today=TODAY
        )
    finally:
        upload.close()


def _read(document):
    return b"".join(document_store().chunks(document.storage_key))


def test_the_store_is_the_one_configured(app):
    store = document_store()
    expected = S3Store if app.config["DOCUMENT_STORAGE"] == "s3" else LocalStore
    assert isinstance(store, expected)


def test_upload_download_and_delete(app):
    case = create_assessment()
    coordinator = case.coordinator
    document = _add(case, coordinator)
    db.session.commit()
    assert document.filename == "advice.pdf" and document.content_type == "application/pdf"
    assert document.size_bytes == len(PDF_BYTES) and len(document.sha256) == 64
    assert _read(document) == PDF_BYTES

    chunks = document_service.download(document, actor=coordinator)
    db.session.commit()
    assert b"".join(chunks) == PDF_BYTES
    downloads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "document_downloaded")).all()
    assert [e.object_id for e in downloads] == [str(document.id)]

    document_service.delete(document, reason="Uploaded to the wrong child", actor=coordinator, now=NOW)
    assert document_store().exists(document.storage_key), "the bytes stay until the deletion is committed"
    db.session.commit()
    assert not document_store().exists(document.storage_key)
    assert document.deleted_at is not None and document.deletion_reason == "Uploaded to the wrong child"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "document_deleted")) is not None
    with pytest.raises(NotFound):
        document_service.staff_document(coordinator, document.id)
    with pytest.raises(StorageError):
        b"".join(document_store().chunks(document.storage_key))


def test_a_large_upload_is_streamed_in_chunks(app):
    case = create_assessment()
    data = b"%PDF-1.7\n" + bytes(range(256)) * 4096  # about 1 MB
    document = _add(case, case.coordinator, data=data, name="big.pdf")
    db.session.commit()
    chunks = list(document_store().chunks(document.storage_key))
    assert len(chunks) > 1 and b"".join(chunks) == data


def test_an_upload_whose_row_is_rolled_back_leaves_no_bytes(app):
    case = create_assessment()
    document = _add(case, case.coordinator)
    key = document.storage_key
    assert document_store().exists(key)
    db.session.rollback()
    assert not document_store().exists(key)


def test_plan_versions_are_numbered_and_the_final_one_is_the_plans(app):
    case = create_assessment()
    coordinator = case.coordinator
    carry_to_final_plan(case, actor=coordinator)
    db.session.commit()
    plan = case.plan
    assert plan is not None
    step = Step(plan=plan)
    first = _add(case, coordinator, details=_details(DocumentKind.DRAFT_PLAN, "Draft plan"), step=step)
    second = _add(case, coordinator, details=_details(DocumentKind.DRAFT_PLAN, "Draft plan, revised"), step=step)
    final = _add(case, coordinator, details=_details(DocumentKind.FINAL_PLAN, "Final plan"), step=step)
    amended = _add(case, coordinator, details=_details(DocumentKind.AMENDED_PLAN, "Amended plan"), step=step)
    db.session.commit()
    assert [d.version_label for d in document_service.plan_versions(plan)] == [
        "Draft 1",
        "Draft 2",
        "Final",
        "Amended 1",
    ]
    assert [d.id for d in document_service.plan_versions(plan)] == [first.id, second.id, final.id, amended.id]
    assert plan.final_document_id == final.id
    # Deleting the final plan's document leaves the plan pointing at nothing, not at a deleted file.
    document_service.delete(final, reason="Wrong file", actor=coordinator, now=NOW)
    db.session.commit()
    assert plan.final_document_id is None


def test_a_plan_version_needs_its_plan(app):
    case = create_assessment()
    with pytest.raises(ServiceError, match="plan"):
        _add(case, case.coordinator, details=_details(DocumentKind.DRAFT_PLAN, "Draft"))


def test_only_the_cases_coordinator_or_a_manager_adds_documents(app):
    case = create_assessment()
    other = create_user(role="coordinator", teams=[case.team])
    with pytest.raises(Forbidden):
        _add(case, other)
    stranger = create_user(role="manager")
    with pytest.raises(Forbidden):
        _add(case, stranger)
    manager = create_user(role="manager", teams=[case.team])
    assert _add(case, manager).uploaded_by_id == manager.id


def test_advice_attached_to_its_request(app):
    case = create_assessment()
    coordinator = case.coordinator
    carry_to_final_plan(case, actor=coordinator)
    advice = case.advice_requests[0]
    document = _add(case, coordinator, step=Step(advice_request=advice))
    db.session.commit()
    assert document.advice_request_id == advice.id
    other_case = create_assessment()
    with pytest.raises(NotFound):
        _add(other_case, other_case.coordinator, step=Step(advice_request=advice))


# --- The upload's checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type", "kept"),
    [
        (PDF_BYTES, "report.pdf", "application/pdf", "report.pdf"),
        (
            docx_bytes(),
            "Plan v2.DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Plan v2.docx",
        ),
        (DOC_BYTES, "old.doc", "application/msword", "old.doc"),
        (PNG_BYTES, "scan.png", "image/png", "scan.png"),
        (JPEG_BYTES, "photo.jpeg", "image/jpeg", "photo.jpeg"),
        (GIF_BYTES, "a.gif", "image/gif", "a.gif"),
        (TEXT_BYTES, "notes", "text/plain", "notes.txt"),
        # The type is the content's: a PDF named .txt is kept as a PDF.
        (PDF_BYTES, "report.txt", "application/pdf", "report.txt.pdf"),
    ],
)
def test_accepted_types_are_judged_by_content(app, data, name, content_type, kept):
    checked = document_service.check_upload(io.BytesIO(data), name)
    assert checked.file_type.content_type == content_type
    assert checked.filename == kept
    checked.close()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (EXE_BYTES, "report.pdf"),  # a renamed program
        (EXE_BYTES, "setup.exe"),
        (plain_zip_bytes(), "plan.docx"),  # a zip that is not a Word document
        (b"\x00\x01\x02binary", "notes.txt"),
        ("caf\xe9".encode("latin-1"), "notes.txt"),  # not UTF-8
    ],
)
def test_other_types_are_refused_whatever_their_name(app, data, name):
    with pytest.raises(DocumentRefused, match="must be a PDF, a Word document"):
        document_service.check_upload(io.BytesIO(data), name)


def test_the_size_limit_is_counted_while_reading(app):
    class Endless(io.RawIOBase):
        """A stream that never ends: the check must stop reading, not wait for the end."""

        read_bytes = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[: len(buffer)] = b"a" * len(buffer)
            self.read_bytes += len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(DocumentRefused, match="smaller than 1 MB"):
        document_service.check_upload(io.BufferedReader(stream), "a.txt", limit=1024 * 1024)
    assert stream.read_bytes < 2 * 1024 * 1024
    with pytest.raises(DocumentRefused, match="empty"):
        document_service.check_upload(io.BytesIO(b""), "a.txt")


def test_a_refused_upload_writes_nothing(app):
    case = create_assessment()
    before = db.session.scalar(select(db.func.count(Document.id)))
    with pytest.raises(DocumentRefused):
        _add(case, case.coordinator, data=EXE_BYTES, name="advice.pdf")
    assert db.session.scalar(select(db.func.count(Document.id))) == before


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd.txt"),
        ("C:\\Users\\pat\\My Report (final).txt", "My Report (final).txt"),
        ("<script>alert(1)</script>.txt", "script.txt"),
        ("Zoë’s notes.txt", "Zoes notes.txt"),
        ("a\x00b\r\nc.txt", "a_b_c.txt"),
        ("...", "document.txt"),
        ("", "document.txt"),
        ("a" * 300 + ".txt", "a" * 116 + ".txt"),
    ],
)
def test_names_are_made_safe(app, given, expected):
    checked = document_service.check_upload(io.BytesIO(TEXT_BYTES), given)
    assert checked.filename == expected
    checked.close()


def test_s3_writes_ask_for_server_side_encryption(app):
    if app.config["DOCUMENT_STORAGE"] != "s3":
        pytest.skip("S3 only")
    case = create_assessment()
    document = _add(case, case.coordinator)
    db.session.commit()
    store = document_store()
    assert isinstance(store, S3Store) and store.bucket == BUCKET
    assert store.encryption_of(document.storage_key) == "AES256"


def test_keys_that_could_leave_the_folder_are_refused(app, tmp_path):
    store = LocalStore(tmp_path)
    for key in ("../x", "a/../../b", "/etc/passwd", "A/B", ""):
        with pytest.raises(StorageError):
            store.put(key, io.BytesIO(b"x"), content_type="text/plain")


# --- The virus scan --------------------------------------------------------------------------------


def test_the_scan_refuses_the_eicar_file_and_accepts_a_clean_pdf(app, clamd_socket):
    app.config["CLAMAV_SOCKET"] = clamd_socket
    case = create_assessment()
    with pytest.raises(DocumentRefused, match=r"contains a virus \(Eicar-Test-Signature"):
        _add(case, case.coordinator, data=eicar(), name="advice.txt")
    # Inside a PDF too: the check is the scanner's, not the type's.
    with pytest.raises(DocumentRefused, match="contains a virus"):
        _add(case, case.coordinator, data=b"%PDF-1.4\n" + eicar(), name="advice.pdf")
    assert db.session.scalar(select(db.func.count(Document.id))) == 0
    document = _add(case, case.coordinator)
    db.session.commit()
    assert _read(document) == PDF_BYTES


def test_a_configured_scanner_that_is_down_refuses_uploads(app, tmp_path):
    app.config["CLAMAV_SOCKET"] = str(tmp_path / "nothing-here.sock")
    with pytest.raises(DocumentRefused, match="could not be checked for viruses"):
        document_service.check_upload(io.BytesIO(PDF_BYTES), "a.pdf")
