from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..models import Role
from ..services.users import phone_problem
from ..web.fields import GovDateField
from ..web.validators import EmailAddress


class UkPhoneNumber:
    """A UK phone number, loosely: digits, spaces and a leading +, with 10 to 13 digits."""

    def __call__(self, form: Any, field: Any) -> None:
        problem = phone_problem(field.data or "")
        if problem is not None:
            raise ValidationError(problem)


# Family accounts come only from invitations sent from a case.
ROLE_CHOICES = [(role.value, role.label) for role in Role.staff()]


class UserForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the person's full name"), Length(max=120)],
    )
    role = RadioField(
        "Role", widget=GovRadioInput(), choices=ROLE_CHOICES, validators=[InputRequired(message="Select a role")]
    )
    teams = SelectMultipleField("Teams", widget=GovCheckboxesInput(), coerce=int, choices=[])
    phone = StringField(
        "Work phone number (optional)",
        widget=GovTextInput(),
        description="Shown to the families of the cases this person coordinates. For example, 01632 960 001 or +44 1632 960 001",
        validators=[
            Optional(),
            Length(max=20, message="Enter a phone number of 20 characters or fewer"),
            UkPhoneNumber(),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewUserForm(UserForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter an email address"),
            EmailAddress(example="name@council.gov.uk"),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Temporary password",
        widget=GovPasswordInput(),
        description="Give this to the person securely. They must change it when they first sign in.",
        validators=[DataRequired(message="Enter a temporary password")],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New temporary password",
        widget=GovPasswordInput(),
        description=(
            "The person must change it when they next sign in. Their open sessions end now and their API tokens are revoked."
        ),
        validators=[DataRequired(message="Enter a new temporary password")],
    )
    submit = SubmitField("Reset password", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A form with only a button (and its CSRF token)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class TeamForm(FlaskForm):
    name = StringField(
        "Team name", widget=GovTextInput(), validators=[DataRequired(message="Enter a team name"), Length(max=120)]
    )
    submit = SubmitField("Add team", widget=GovSubmitInput())


class NonWorkingDayForm(FlaskForm):
    day_on = GovDateField(
        "Date",
        description="For example, 27 12 2027",
        validators=[InputRequired(message="Enter the date as day, month and year")],
    )
    description = StringField(
        "Reason",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter a reason, for example 'Council closure day'"), Length(max=200)],
    )
    submit = SubmitField("Add non-working day", widget=GovSubmitInput())


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(
        "Search",
        widget=GovTextInput(),
        description="Words in the summary, a user's email or a record number",
        validators=[Optional(), Length(max=200)],
    )
    action = StringField("Action", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    date_from = GovDateField("From", validators=[Optional()])
    date_to = GovDateField("To", validators=[Optional()])
    submit = SubmitField("Search", widget=GovSubmitInput())
