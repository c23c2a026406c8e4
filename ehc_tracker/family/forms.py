from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, EqualTo, InputRequired, Length, Optional

from ..models.family import FamilyRelationship
from ..web.validators import EmailAddress

SOMEONE_ELSE = "other"


class InviteForm(FlaskForm):
    # One of the child's recorded contacts with an email address (choices set by the page: "contact:<id>"),
    # or SOMEONE_ELSE, whose name and email address are typed. Absent when the child has no such contact.
    contact = RadioField("Who are you inviting?", widget=GovRadioInput(), choices=[], validate_choice=False)
    name = StringField("Their name", widget=GovTextInput(), validators=[Optional(), Length(max=120)])
    email = EmailField(
        "Their email address",
        widget=GovTextInput(),
        description="The invitation link is sent here. It works once and expires after 7 days.",
        validators=[Optional(), Length(max=254), EmailAddress()],
    )
    relationship = RadioField(
        "Who are they?",
        widget=GovRadioInput(),
        choices=[(r.value, r.label) for r in FamilyRelationship],
        validators=[InputRequired(message="Select who they are")],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def picked_contact_id(self) -> int | None:
        value = self.contact.data or ""
        return (
            int(value.split(":", 1)[1]) if value.startswith("contact:") and value.split(":", 1)[1].isdigit() else None
        )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def,override]
        super().validate(extra_validators)
        offered = [value for value, _ in self.contact.choices]  # type: ignore[misc]
        if offered and not self.contact.data and ((self.name.data or "").strip() or (self.email.data or "").strip()):
            self.contact.data = SOMEONE_ELSE  # typed a name or address without choosing: they mean someone else
        if offered and self.contact.data not in offered:
            self.contact.errors = list(self.contact.errors) + ["Select who you are inviting"]
        elif self.picked_contact_id() is not None:
            self.name.errors, self.email.errors = [], []  # a recorded contact's details are used, not these boxes
        else:
            if not (self.name.data or "").strip():
                self.name.errors = list(self.name.errors) + ["Enter the name of the person to invite"]
            if not (self.email.data or "").strip() and not self.email.errors:
                self.email.errors = list(self.email.errors) + ["Enter their email address"]
        return not self.form_errors and not any(field.errors for field in self)


class AcceptForm(FlaskForm):
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description="Use 12 characters or more. Three random words work well.",
        validators=[DataRequired(message="Create a password")],
    )
    confirm = PasswordField(
        "Type your password again",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Type your password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class MessageForm(FlaskForm):
    text = TextAreaField(
        "Your message",
        widget=GovTextArea(),
        description="Your coordinator will reply within 5 working days.",
        validators=[
            DataRequired(message="Write your message"),
            Length(max=4000, message="Your message must be 4,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Send message", widget=GovSubmitInput())


class ShareForm(FlaskForm):
    """The button on the case page's communications list that shares a family message (or stops)."""

    share = HiddenField(validators=[AnyOf(["0", "1"])])
