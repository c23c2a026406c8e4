from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, EqualTo, InputRequired, Length

from ..models.family import FamilyRelationship
from ..web.validators import EmailAddress


class InviteForm(FlaskForm):
    name = StringField("Their name", widget=GovTextInput(), validators=[DataRequired(message="Enter the name of the person to invite"), Length(max=120)])
    email = EmailField("Their email address", widget=GovTextInput(), description="The invitation link is sent here. It works once and expires after 7 days.",
                       validators=[DataRequired(message="Enter their email address"), Length(max=254), EmailAddress()])
    relationship = RadioField(
        "Who are they?", widget=GovRadioInput(), choices=[(r.value, r.label) for r in FamilyRelationship],
        validators=[InputRequired(message="Select who they are")],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class AcceptForm(FlaskForm):
    password = PasswordField("Create a password", widget=GovPasswordInput(), description="Use 12 characters or more. Three random words work well.",
                             validators=[DataRequired(message="Create a password")])
    confirm = PasswordField("Type your password again", widget=GovPasswordInput(),
                            validators=[DataRequired(message="Type your password again"), EqualTo("password", message="The passwords do not match")])
    submit = SubmitField("Create account", widget=GovSubmitInput())


class MessageForm(FlaskForm):
    text = TextAreaField("Your message", widget=GovTextArea(), description="Your coordinator will reply within 5 working days.",
                         validators=[DataRequired(message="Write your message"), Length(max=4000, message="Your message must be 4,000 characters or fewer")])
    submit = SubmitField("Send message", widget=GovSubmitInput())


class ShareForm(FlaskForm):
    """The button on the case page's communications list that shares a family message (or stops)."""

    share = HiddenField(validators=[AnyOf(["0", "1"])])
