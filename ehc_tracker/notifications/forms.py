from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from ..models import DigestFrequency


class PreferencesForm(FlaskForm):
    digest = RadioField(
        "How often do you want an email of what is due and overdue?",
        widget=GovRadioInput(),
        choices=[(f.value, f.label) for f in DigestFrequency],
        description="The same alerts always appear on your notifications page. Weekly emails go on the first working day of the week.",
        validators=[InputRequired(message="Select how often you want an email")],
    )
    submit = SubmitField("Save preferences", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button and its CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
