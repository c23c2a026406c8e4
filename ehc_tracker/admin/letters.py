"""Administration of the letter templates (routes on the admin blueprint): each kind's current
template, downloading the default and any version, uploading a new version, the history, and
making an earlier version (or the default) current again."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from .. import access
from ..extensions import db
from ..letters.context import sample_context
from ..letters.kinds import COMMON_PLACEHOLDERS, LetterKind
from ..services import NotFound
from ..services import letter_templates as template_service
from ..services.clock import now
from ..web.security import role_required
from ..web.uploads import takes_document
from ..web.views import current_staff, saving
from .routes import bp

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TemplateUploadForm(FlaskForm):
    upload = FileField(
        "Upload the new version",
        widget=GovFileInput(),
        validators=[FileRequired(message="Select the Word (.docx) template to upload")],
    )
    note = TextAreaField(
        "What changed (optional)",
        widget=GovTextArea(),
        description="For example ‘New address for the SEND team’. It is shown in the history.",
        validators=[Optional(), Length(max=500, message="What changed must be 500 characters or fewer")],
    )
    submit = SubmitField("Upload and make it current", widget=GovSubmitInput())


class MakeCurrentForm(FlaskForm):
    # A version number, or "default".
    version = HiddenField(validators=[Regexp(r"^(default|[1-9][0-9]{0,5})$")])


def _kind_or_404(key: str) -> LetterKind:
    try:
        return template_service.letter_kind(key)
    except NotFound:
        abort(404)


def placeholder_examples(letter: LetterKind) -> list[tuple[str, str]]:
    """Each placeholder the kind's template may use, with an example of what it prints: the ones
    every letter has first, then the kind's own."""
    values = sample_context(letter).values

    def example(name: str) -> str:
        value = values[name]
        if isinstance(value, bool):
            return "Yes or no, for a condition"
        if isinstance(value, list):
            return "The address, a line at a time: " + ", ".join(value)
        return f"For example: {value}"

    names = sorted(COMMON_PLACEHOLDERS) + sorted(letter.own_placeholders)
    return [(name, example(name)) for name in names]


def _docx(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype=DOCX_TYPE)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/letter-templates")
@role_required(*access.ADMINS)
def letter_templates() -> Any:
    return render_template("admin/letter_templates.html", rows=template_service.overview())


@bp.route("/letter-templates/<kind>", methods=["GET", "POST"])
@role_required(*access.ADMINS)
@takes_document
def letter_template(kind: str) -> Any:
    letter = _kind_or_404(kind)
    form = TemplateUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.upload.data
        with saving(form) as saved:
            made = template_service.upload_template(
                letter, upload.stream, upload.filename, note=form.note.data or "", actor=current_staff(), now=now()
            )
        if saved.ok:
            flash(f"Version {made.version} of the ‘{letter.title}’ template is now current.", "success")
            return redirect(url_for("admin.letter_template", kind=letter.key))
        status = saved.status
    return (
        render_template(
            "admin/letter_template.html",
            letter=letter,
            form=form,
            versions=template_service.versions_of(letter),
            make_current_form=MakeCurrentForm(),
            max_bytes=template_service.MAX_TEMPLATE_BYTES,
            placeholders=placeholder_examples(letter),
        ),
        status,
    )


def _download(letter: LetterKind, version: int | None) -> Response:
    try:
        content, filename = template_service.download(letter, version, actor=current_staff())
    except NotFound:
        abort(404)
    db.session.commit()
    return _docx(content, filename)


@bp.route("/letter-templates/<kind>/default.docx")
@role_required(*access.ADMINS)
def letter_template_default(kind: str) -> Any:
    return _download(_kind_or_404(kind), None)


@bp.route("/letter-templates/<kind>/versions/<int:version>.docx")
@role_required(*access.ADMINS)
def letter_template_version(kind: str, version: int) -> Any:
    return _download(_kind_or_404(kind), version)


@bp.route("/letter-templates/<kind>/current", methods=["POST"])
@role_required(*access.ADMINS)
def letter_template_current(kind: str) -> Any:
    letter = _kind_or_404(kind)
    form = MakeCurrentForm()
    if not form.validate_on_submit():
        abort(400)
    version = None if form.version.data == "default" else int(form.version.data or 0)
    if version is not None:
        try:
            template_service.version_of(letter, version)
        except NotFound:
            abort(404)
    with saving() as saved:
        changed = template_service.make_current(letter, version, actor=current_staff())
    if saved.ok:
        which = f"Version {version}" if version is not None else "The default template"
        if changed:
            flash(f"{which} of the ‘{letter.title}’ letter is now current.", "success")
        else:
            flash(f"Nothing was changed: {which[0].lower() + which[1:]} was already current.", "info")
    return redirect(url_for("admin.letter_template", kind=letter.key))
