"""Administration of the directory of providers and settings (routes on the admin blueprint)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from .. import access
from ..extensions import db
from ..models.directory import DirectoryEntry, DirectoryKind
from ..services import directory as directory_service
from ..web.security import role_required
from ..web.views import current_staff, saving
from .forms import ConfirmForm
from .routes import bp

PER_PAGE = 25
SHOW_CHOICES = [("active", "Active entries"), ("inactive", "Deactivated entries"), ("all", "All entries")]


class DirectoryEntryForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="As people will type it, for example ‘Hill Primary School, Northtown’ or ‘Northtown Community Paediatrics’",
        validators=[
            DataRequired(message="Enter the name of the provider or setting"),
            Length(max=directory_service.NAME_MAX, message="The name must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "Type",
        widget=GovRadioInput(),
        choices=[(k.value, k.label) for k in DirectoryKind],
        validators=[InputRequired(message="Select the type of provider or setting")],
    )
    urn = StringField(
        "URN (schools)",
        widget=GovTextInput(),
        description="6 digits, from Get Information about Schools. Needed for a school.",
        validators=[Optional(), Length(max=20)],
    )
    ukprn = StringField(
        "UKPRN (colleges and other education providers)",
        widget=GovTextInput(),
        description="8 digits starting with 1, from the UK Register of Learning Providers. Needed for a college.",
        validators=[Optional(), Length(max=20)],
    )
    email = StringField("Contact email (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=254)])
    phone = StringField("Contact phone (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=40)])
    contact_name = StringField(
        "Named contact for overdue advice (optional)",
        widget=GovTextInput(),
        description="For a provider asked for advice: the person told when its advice is overdue.",
        validators=[Optional(), Length(max=120)],
    )
    contact_email = StringField("Their email address", widget=GovTextInput(), validators=[Optional(), Length(max=254)])
    submit = SubmitField("Save", widget=GovSubmitInput())

    def details(self) -> directory_service.EntryDetails:
        return directory_service.EntryDetails(
            name=self.name.data or "",
            kind=self.kind.data or "",
            urn=self.urn.data or "",
            ukprn=self.ukprn.data or "",
            email=self.email.data or "",
            phone=self.phone.data or "",
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
        )


def _entry_or_404(entry_id: int) -> DirectoryEntry:
    entry = db.session.get(DirectoryEntry, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.route("/directory")
@role_required(*access.ADMINS)
def directory() -> Any:
    q = request.args.get("q", "").strip()[:200]
    kind = request.args.get("kind", "")
    show = request.args.get("show", "active")
    if show not in dict(SHOW_CHOICES):
        show = "active"
    page = directory_service.search(
        q=q, kind=kind, show=show, page=request.args.get("page", 1, type=int), per_page=PER_PAGE
    )
    return render_template(
        "admin/directory.html",
        page=page,
        q=q,
        kind=kind,
        show=show,
        kinds=list(DirectoryKind),
        show_choices=SHOW_CHOICES,
    )


@bp.route("/directory/new", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def new_directory_entry() -> Any:
    form = DirectoryEntryForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            entry = directory_service.create_entry(form.details(), actor=current_staff())
        if saved.ok:
            flash(f"{entry.name} added to the directory.", "success")
            return redirect(url_for("admin.directory"))
    return render_template("admin/directory_form.html", form=form, entry=None)


@bp.route("/directory/<int:entry_id>", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def edit_directory_entry(entry_id: int) -> Any:
    entry = _entry_or_404(entry_id)
    form = DirectoryEntryForm(obj=None if request.method == "POST" else entry)
    if request.method == "GET":
        form.kind.data = entry.kind.value
    if form.validate_on_submit():
        with saving(form) as saved:
            changed = directory_service.update_entry(entry, form.details(), actor=current_staff())
        if saved.ok:
            flash(
                f"Saved the changes to {entry.name}." if changed else f"Nothing about {entry.name} was changed.",
                "success",
            )
            return redirect(url_for("admin.directory"))
    return render_template(
        "admin/directory_form.html",
        form=form,
        entry=entry,
        confirm_form=ConfirmForm(),
        used=directory_service.times_used(entry),
    )


@bp.route("/directory/<int:entry_id>/active", methods=["POST"])
@role_required(*access.ADMINS)
def set_directory_entry_active(entry_id: int) -> Any:
    entry = _entry_or_404(entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    activate = request.form.get("active") == "1"
    with saving() as saved:
        directory_service.set_active(entry, activate, actor=current_staff())
    if not saved.ok:
        return redirect(url_for("admin.edit_directory_entry", entry_id=entry_id))
    if activate:
        flash(f"{entry.name} is active again and offered in the forms.", "success")
    else:
        flash(f"{entry.name} is deactivated: it is no longer offered, and cases that name it keep it.", "success")
    return redirect(url_for("admin.edit_directory_entry", entry_id=entry.id))


@bp.route("/directory/<int:entry_id>/delete", methods=["POST"])
@role_required(*access.ADMINS)
def delete_directory_entry(entry_id: int) -> Any:
    entry = _entry_or_404(entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = entry.name
    with saving() as saved:
        directory_service.delete_entry(entry, actor=current_staff())
    if not saved.ok:
        return redirect(url_for("admin.edit_directory_entry", entry_id=entry_id))
    flash(f"{name} was deleted from the directory.", "success")
    return redirect(url_for("admin.directory"))
