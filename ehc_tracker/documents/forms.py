from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from ..models.document import DocumentKind
from ..web.fields import GovDateField

KIND_CHOICES = [("", "Select the kind of document")] + [(k.value, k.label) for k in DocumentKind]


class DocumentForm(FlaskForm):
    """`plan_id` lists the child's plans (set by the page; removed when there are none)."""

    upload = FileField("Upload a file", widget=GovFileInput(), validators=[FileRequired(message="Select a file")])
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="For example ‘Educational psychology advice’ or ‘Draft plan after the meeting’",
        validators=[DataRequired(message="Enter a title for the document"), Length(max=200)],
    )
    kind = SelectField(
        "Kind of document",
        widget=GovSelect(),
        choices=KIND_CHOICES,
        validators=[InputRequired(message="Select the kind of document"), AnyOf([k.value for k in DocumentKind])],
    )
    plan_id = SelectField(
        "Plan it is a version of", widget=GovSelect(), choices=[], validate_choice=False, validators=[Optional()]
    )
    dated_on = GovDateField(
        "Date on the document",
        validators=[InputRequired(message="Enter the date on the document")],
        description="For example 27 3 2025",
        today_shortcut=True,
    )
    supplied_by = StringField(
        "Who supplied it",
        widget=GovTextInput(),
        description="A person or service, for example ‘Northtown Educational Psychology Service’ or ‘Parent’",
        validators=[DataRequired(message="Enter who supplied the document"), Length(max=200)],
    )
    share = BooleanField("Share it with the family now", widget=GovCheckboxInput())
    submit = SubmitField("Add the document", widget=GovSubmitInput())


class ShareForm(FlaskForm):
    share = HiddenField(validators=[AnyOf(["0", "1"])])


class DeleteForm(FlaskForm):
    reason = TextAreaField(
        "Why is it being deleted?",
        widget=GovTextArea(),
        validators=[DataRequired(message="Enter why the document is being deleted"), Length(max=1000)],
    )
    submit = SubmitField("Delete the document", widget=GovSubmitInput())


class RetentionForm(FlaskForm):
    document_ids = SelectMultipleField(
        "Documents to delete",
        widget=GovCheckboxesInput(),
        choices=[],
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(message="Select the documents to delete")],
    )
    submit = SubmitField("Delete the selected documents", widget=GovSubmitInput())
