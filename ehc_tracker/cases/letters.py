"""The case page's letters: make one of the letters the recorded steps call for (Word, and PDF
when LibreOffice is there), kept as documents of the case, and send one by post or by email
(routes on the cases blueprint)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for

from ..letters.kinds import KINDS
from ..models.case import Channel
from ..services import NotFound
from ..services import letters as letter_service
from ..services.clock import now, today
from ..web.security import role_required
from ..web.views import current_staff, saving
from .forms import CreateLetterForm, SendLetterForm
from .routes import STAFF, _editable_case_or_404, bp


def _back(case_id: int) -> Any:
    # The top of the case page, where the banner saying what happened (or why not) is seen.
    return redirect(url_for("cases.view", case_id=case_id))


@bp.route("/cases/<int:case_id>/letters/<kind>", methods=["POST"])
@role_required(*STAFF)
def create_letter(case_id: int, kind: str) -> Any:
    case = _editable_case_or_404(case_id)
    if kind not in KINDS:
        abort(404)
    if not CreateLetterForm().validate_on_submit():
        abort(400)
    # A refusal (the case lacks the step, a coordinator, or the council's name) is an error banner.
    with saving() as saved:
        made = letter_service.create_letter(case, kind, actor=current_staff(), now=now(), today=today())
    if saved.ok:
        formats = "a Word document and a PDF" if len(made.documents) > 1 else "a Word document"
        flash(f"The ‘{made.kind.title}’ letter was made as {formats} and added to the documents.", "success")
        if made.pdf_problem:
            flash(f"There is no PDF of this letter: {made.pdf_problem}.", "info")
    return _back(case.id)


@bp.route("/cases/<int:case_id>/letters/<int:document_id>/send", methods=["POST"])
@role_required(*STAFF)
def send_letter(case_id: int, document_id: int) -> Any:
    case = _editable_case_or_404(case_id)
    try:
        document = letter_service.letter_document(case, document_id)
    except NotFound:
        abort(404)
    form = SendLetterForm()
    if not form.validate_on_submit():
        abort(400)
    by = Channel(form.channel.data)
    with saving() as saved:
        sent = letter_service.send_letter(document, by=by, actor=current_staff(), now=now(), today=today())
    if saved.ok:
        if by is Channel.EMAIL:
            count = len(sent.emails)
            flash(
                f"‘{document.title}’ is shared with the family, and {count} email{'s' if count != 1 else ''} "
                "with a link to their page will be sent. The communications log records it.",
                "success",
            )
        else:
            flash(f"‘{document.title}’ is recorded as sent by post in the communications log.", "success")
    return _back(case.id)
