from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..family.forms import AcceptForm as FamilyAcceptForm
from ..web.fields import GovDateField
from ..web.validators import EmailAddress

SOMEONE_ELSE = "other"


class InviteProfessionalForm(FlaskForm):
    """Who to ask (one of the provider's professionals with an account, or someone invited by
    email), the question, and the case's documents to attach for them."""

    professional = RadioField("Who are you asking?", widget=GovRadioInput(), choices=[], validate_choice=False)
    name = StringField("Their name", widget=GovTextInput(), validators=[Optional(), Length(max=120)])
    email = EmailField(
        "Their work email address",
        widget=GovTextInput(),
        description="The invitation link is sent here. It works once and expires.",
        validators=[Optional(), Length(max=254), EmailAddress()],
    )
    question = TextAreaField(
        "What are you asking them?",
        widget=GovTextArea(),
        description="They see this, the child's name and date of birth, the due date and the documents you attach: nothing else of the case.",
        validators=[DataRequired(message="Enter the question you are asking"), Length(max=4000)],
    )
    documents = SelectMultipleField(
        "Documents to attach for them",
        widget=GovCheckboxesInput(),
        choices=[],
        coerce=int,
        validate_choice=False,
        validators=[Optional()],
    )
    submit = SubmitField("Send the request", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def,override]
        super().validate(extra_validators)
        offered = [value for value, _ in self.professional.choices]  # type: ignore[misc]
        chosen = self.professional.data or (SOMEONE_ELSE if not offered else "")
        if offered and chosen not in offered:
            self.professional.errors = list(self.professional.errors) + ["Select who you are asking"]
        elif chosen == SOMEONE_ELSE:
            if not (self.name.data or "").strip():
                self.name.errors = list(self.name.errors) + ["Enter the professional's name"]
            if not (self.email.data or "").strip() and not self.email.errors:
                self.email.errors = list(self.email.errors) + ["Enter their work email address"]
        else:
            self.name.errors, self.email.errors = [], []
        self.professional.data = chosen
        return not self.form_errors and not any(field.errors for field in self)


# A professional sets a password on accepting an invitation exactly as a family does.
AcceptForm = FamilyAcceptForm


class ReturnAdviceForm(FlaskForm):
    upload = FileField(
        "Your report",
        widget=GovFileInput(),
        description="A PDF, a Word document, an image or a plain text file.",
        validators=[FileRequired(message="Select your report")],
    )
    needs = TextAreaField(
        "The child's needs",
        widget=GovTextArea(),
        description="In brief: what you found the child needs (section B of the plan).",
        validators=[DataRequired(message="Summarise the needs"), Length(max=4000)],
    )
    outcomes = TextAreaField(
        "Outcomes",
        widget=GovTextArea(),
        description="What the provision should help the child achieve (section E).",
        validators=[DataRequired(message="Summarise the outcomes"), Length(max=4000)],
    )
    provision = TextAreaField(
        "Provision",
        widget=GovTextArea(),
        description="The help you advise, how often and from whom (section F).",
        validators=[DataRequired(message="Summarise the provision"), Length(max=4000)],
    )
    given_by = StringField(
        "Your name", widget=GovTextInput(), validators=[DataRequired(message="Enter your name"), Length(max=120)]
    )
    provider_name = StringField(
        "Your service",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the name of your service"), Length(max=200)],
    )
    dated_on = GovDateField(
        "Date of the advice",
        description="For example 27 3 2027",
        validators=[InputRequired(message="Enter the date of the advice")],
        today_shortcut=True,
    )
    submit = SubmitField("Submit the advice", widget=GovSubmitInput())


class ReassignForm(FlaskForm):
    professional = SelectField(
        "Move to", widget=GovSelect(), choices=[], validate_choice=False, validators=[DataRequired()]
    )
    submit = SubmitField("Move", widget=GovSubmitInput())
