"""The family's contributions: their views at any time, representations on the draft plan in its window."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from .. import access
from ..models.case import Case
from ..services import contributions as contribution_service
from ..services import documents as document_service
from ..services.clock import now, today
from ..web.security import role_required
from ..web.uploads import takes_document
from ..web.views import current_staff, saving
from .routes import _family_case_or_404, bp


class ViewsForm(FlaskForm):
    text = TextAreaField(
        "What would you like us to know?",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=contribution_service.MAX_TEXT)],
    )
    upload = FileField("Or upload a file", widget=GovFileInput(), validators=[Optional()])
    submit = SubmitField("Send", widget=GovSubmitInput())


class RepresentationsForm(ViewsForm):
    preferred_setting = StringField(
        "The school or college you would like named in the plan (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=contribution_service.MAX_SETTING)],
    )


def _upload(form: ViewsForm) -> Any:
    data = form.upload.data
    return data if data is not None and getattr(data, "filename", "") else None


def _contribute(case: Case, form: ViewsForm, send: Any, *, template: str, done: str) -> Any:
    window = contribution_service.window(case, user=current_staff(), today=today())
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        with saving(form) as saved:
            upload = _upload(form)
            checked = document_service.check_upload(upload.stream, upload.filename) if upload is not None else None
            try:
                send(checked)
            finally:
                if checked is not None:
                    checked.close()
        if saved.ok:
            flash(done, "success")
            return redirect(url_for("family.progress", case_id=case.id, _anchor="messages"))
        status = saved.status
    return render_template(
        template,
        case=case,
        form=form,
        window=window,
        max_bytes=document_service.max_bytes(),
        sent=contribution_service.contributions_of(case, user=current_staff()),
    ), status


@bp.route("/family/cases/<int:case_id>/views", methods=["GET", "POST"])
@role_required(*access.FAMILIES)
@takes_document
def views(case_id: int) -> Any:
    case = _family_case_or_404(case_id)
    form = ViewsForm()

    def send(checked: Any) -> None:
        contribution_service.give_views(
            case, user=current_staff(), text=form.text.data or "", upload=checked, today=today(), now=now()
        )

    return _contribute(
        case,
        form,
        send,
        template="family/views.html",
        done="Thank you. Your views are now part of the assessment. Your coordinator will reply within 5 working days.",
    )


@bp.route("/family/cases/<int:case_id>/representations", methods=["GET", "POST"])
@role_required(*access.FAMILIES)
@takes_document
def representations(case_id: int) -> Any:
    case = _family_case_or_404(case_id)
    form = RepresentationsForm()

    def send(checked: Any) -> None:
        contribution_service.send_representations(
            case,
            user=current_staff(),
            text=form.text.data or "",
            preferred_setting=form.preferred_setting.data or "",
            upload=checked,
            today=today(),
            now=now(),
        )

    return _contribute(
        case,
        form,
        send,
        template="family/representations.html",
        done="Thank you. What you think of the draft plan is now part of the case. Your coordinator will reply within 5 working days.",
    )
