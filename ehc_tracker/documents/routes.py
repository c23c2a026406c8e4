"""Document pages: add a document to a case, a step of it or a child; download (streamed through
the application, audited); share with the family or stop; delete with a reason; the list of
documents past their retention period for a manager; the family's download of what was shared."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from .. import access
from ..extensions import db
from ..models import Child, Document, DocumentKind
from ..models.case import AdviceRequest, Case, CaseException, Communication, Plan
from ..services import NotFound, ServiceError
from ..services import documents as document_service
from ..services.clock import now, today
from ..services.documents import DocumentDetails, Step
from ..services.storage import StorageError
from ..web.security import role_required
from ..web.uploads import takes_document
from ..web.views import current_staff, saving
from .forms import DeleteForm, DocumentForm, RetentionForm, ShareForm

bp = Blueprint("documents", __name__)
STAFF = access.CASEWORK


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not access.can_view_case(current_staff(), case):
        abort(404)
    if not access.can_edit_case(current_staff(), case):
        abort(403)
    return case


def _child_or_404(child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    if child is None or not access.can_view_child(current_staff(), child):
        abort(404)
    if not access.can_edit_child(current_staff(), child):
        abort(403)
    return child


def _step_from_args(case: Case | None, child: Child) -> Step:
    """The step named in the address (?advice_request_id=..., ?plan_id=...), checked to belong."""

    def pick(model: Any, name: str) -> Any:
        value = request.args.get(name, type=int)
        if value is None:
            return None
        item = db.session.get(model, value)
        owner = getattr(item, "case_id", None) if model is not Plan else getattr(item, "child_id", None)
        expected = (case.id if case is not None else None) if model is not Plan else child.id
        if item is None or owner != expected:
            abort(404)
        return item

    return Step(
        advice_request=pick(AdviceRequest, "advice_request_id"),
        exception=pick(CaseException, "exception_id"),
        communication=pick(Communication, "communication_id"),
        plan=pick(Plan, "plan_id"),
    )


def _back(document_or_case: Any, child: Child) -> str:
    case = document_or_case if isinstance(document_or_case, Case) else getattr(document_or_case, "case", None)
    if case is not None:
        return url_for("cases.view", case_id=case.id, _anchor="documents")
    return url_for("children.view", child_id=child.id, _anchor="documents")


def _prefill(form: DocumentForm, step: Step) -> None:
    if step.advice_request is not None:
        form.kind.data = DocumentKind.ADVICE.value
        form.title.data = f"{step.advice_request.advice_type.label} advice"
        form.supplied_by.data = step.advice_request.provider_name
    elif step.plan is not None:
        form.kind.data = DocumentKind.DRAFT_PLAN.value
    elif step.exception is not None:
        form.kind.data = DocumentKind.EXCEPTION_EVIDENCE.value
    elif step.communication is not None:
        form.kind.data = DocumentKind.CORRESPONDENCE.value
        form.supplied_by.data = step.communication.from_text
    if request.args.get("kind") in {k.value for k in DocumentKind}:
        form.kind.data = request.args["kind"]


def _add(child: Child, case: Case | None) -> Any:
    step = _step_from_args(case, child)
    form = DocumentForm()
    plans = list(child.plans)
    if plans:
        form.plan_id.choices = [("", "Not a version of a plan")] + [
            (str(p.id), f"Plan issued {p.issued_on:%-d %B %Y}") for p in plans
        ]
    else:
        del form.plan_id
    if request.method == "GET":
        _prefill(form, step)
        if step.plan is not None and plans:
            form.plan_id.data = str(step.plan.id)
    if form.validate_on_submit():
        assert form.dated_on.data is not None
        kind = DocumentKind(form.kind.data)
        # The plan chosen on the form is the one it is a version of (none: not a plan version).
        chosen = request.form.get("plan_id", "") if plans else ""
        step.plan = next((p for p in plans if str(p.id) == chosen), None)
        details = DocumentDetails(
            kind=kind,
            title=form.title.data or "",
            dated_on=form.dated_on.data,
            supplied_by=form.supplied_by.data or "",
            share=bool(form.share.data),
        )
        upload = form.upload.data
        with saving(form) as saved:
            checked = document_service.check_upload(upload.stream, upload.filename)
            try:
                document = document_service.add_document(
                    child, checked, details, case=case, step=step, actor=current_staff(), now=now(), today=today()
                )
            finally:
                checked.close()
        if saved.ok:
            shared = " and shared with the family" if document.is_shared else ""
            version = f" ({document.version_label})" if document.version_label else ""
            flash(f"‘{document.title}’{version} added{shared}.", "success")
            return redirect(_back(case, child))
    return render_template(
        "documents/add.html",
        form=form,
        child=child,
        case=case,
        step=step,
        max_bytes=document_service.max_bytes(),
        scanned=document_service.scanner() is not None,
        back=_back(case, child),
    )


@bp.route("/cases/<int:case_id>/documents/new", methods=["GET", "POST"])
@role_required(*STAFF)
@takes_document
def add_to_case(case_id: int) -> Any:
    case = _case_or_404(case_id)
    return _add(case.child, case)


@bp.route("/children/<int:child_id>/documents/new", methods=["GET", "POST"])
@role_required(*STAFF)
@takes_document
def add_to_child(child_id: int) -> Any:
    return _add(_child_or_404(child_id), None)


# --- One document ---------------------------------------------------------------------------------


def _staff_document_or_404(document_id: int) -> Document:
    try:
        return document_service.staff_document(current_staff(), document_id)
    except NotFound:
        abort(404)


def _send(document: Document, chunks: Any) -> Response:
    """The bytes as a download: streamed, never shown in the browser, never sniffed."""
    response = Response(chunks, mimetype=document.content_type, direct_passthrough=True)
    response.headers.set("Content-Disposition", "attachment", filename=document.filename)
    response.headers["Content-Length"] = str(document.size_bytes)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/documents/<int:document_id>/download")
@role_required(*STAFF)
def download(document_id: int) -> Any:
    document = _staff_document_or_404(document_id)
    try:
        chunks = document_service.download(document, actor=current_staff())
    except StorageError:
        abort(404)
    db.session.commit()
    return _send(document, chunks)


@bp.route("/documents/<int:document_id>/sharing", methods=["POST"])
@role_required(*STAFF)
def share(document_id: int) -> Any:
    document = _staff_document_or_404(document_id)
    if not document_service.can_change(current_staff(), document):
        abort(403)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = form.share.data == "1"
    changed = document_service.share(document, share=wanted, actor=current_staff(), now=now())
    db.session.commit()
    if not changed:
        flash(f"Nothing was changed: ‘{document.title}’ was already {'shared' if wanted else 'not shared'}.", "info")
    elif wanted:
        flash(f"‘{document.title}’ is now shared with the family.", "success")
    else:
        flash(f"‘{document.title}’ is no longer shared with the family.", "success")
    return redirect(_back(document, document.child))


@bp.route("/documents/<int:document_id>/delete", methods=["GET", "POST"])
@role_required(*STAFF)
def delete(document_id: int) -> Any:
    document = _staff_document_or_404(document_id)
    if not document_service.can_change(current_staff(), document):
        abort(403)
    form = DeleteForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            document_service.delete(document, reason=form.reason.data or "", actor=current_staff(), now=now())
        if saved.ok:
            flash(f"‘{document.title}’ was deleted.", "success")
            return redirect(_back(document, document.child))
    return render_template("documents/delete.html", form=form, document=document, back=_back(document, document.child))


# --- Retention ------------------------------------------------------------------------------------


@bp.route("/documents/retention", methods=["GET", "POST"])
@role_required(*access.MANAGERS)
def retention() -> Any:
    me = current_staff()
    due = document_service.past_retention(today(), viewer=me)
    form = RetentionForm()
    form.document_ids.choices = [(d.id, d.title) for d in due]
    if form.validate_on_submit():
        chosen = [d for d in due if d.id in set(form.document_ids.data or [])]
        with saving(form) as saved:
            if not chosen:
                raise ServiceError("Select the documents to delete", field="document_ids")
            done = document_service.confirm_retention_deletion(chosen, actor=me, now=now(), today=today())
        if saved.ok:
            flash(f"{len(done)} document{'s' if len(done) != 1 else ''} deleted.", "success")
            return redirect(url_for("documents.retention"))
    return render_template(
        "documents/retention.html",
        form=form,
        documents=due,
        ends_on=document_service.retention_ends_on,
        years=document_service.retention_years,
    )


# --- Families -------------------------------------------------------------------------------------


@bp.route("/family/documents/<int:document_id>/download")
@role_required(*access.FAMILIES)
def family_download(document_id: int) -> Any:
    """Only a document shared with the family, of a child linked to the account; 404 otherwise."""
    try:
        document = document_service.family_document(current_staff(), document_id)
        chunks = document_service.download(document, actor=current_staff(), family=True)
    except (NotFound, StorageError):
        abort(404)
    db.session.commit()
    return _send(document, chunks)
