"""Forms of the SEN2 pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from ..web.fields import GovDateField

FLAG_CHOICES = [
    ("Y", "Y: yes, the authority has one"),
    ("N", "N: no"),
    ("R", "R: the role is being recruited or reviewed"),
]


class CensusForm(FlaskForm):
    """A GET form: it changes nothing, so it has no CSRF token."""

    class Meta:
        csrf = False

    census_date = GovDateField(
        "Census date",
        description="The January census day, usually the third Thursday of January. For example, 15 1 2026",
        validators=[InputRequired(message="Enter the census date")],
    )
    submit = SubmitField("Check the return", widget=GovSubmitInput())


class WholeExportForm(FlaskForm):
    census_date = GovDateField(
        "Census date",
        description="For example, 15 1 2026",
        validators=[InputRequired(message="Enter the census date")],
    )
    submit = SubmitField("Make the whole authority's return", widget=GovSubmitInput())


class HeaderSettingsForm(FlaskForm):
    la_code = StringField(
        "LA code",
        widget=GovTextInput(),
        description="The authority's 3-digit DfE code, for example 383",
        validators=[
            InputRequired(message="Enter the LA code"),
            Regexp(r"^\d{3}$", message="Enter the LA code as 3 digits, like 383"),
        ],
    )
    dmo = RadioField(
        "Designated medical officer (DMO)",
        widget=GovRadioInput(),
        choices=FLAG_CHOICES,
        validators=[InputRequired(message="Select Y, N or R for the DMO item")],
    )
    dco = RadioField(
        "Designated clinical officer (DCO)",
        widget=GovRadioInput(),
        choices=FLAG_CHOICES,
        validators=[InputRequired(message="Select Y, N or R for the DCO item")],
    )
    dsco = RadioField(
        "Designated social care officer (DSCO)",
        widget=GovRadioInput(),
        choices=FLAG_CHOICES,
        validators=[InputRequired(message="Select Y, N or R for the DSCO item")],
    )
    software_code = StringField(
        "Software code",
        widget=GovTextInput(),
        description="Optional. The name the DfE knows your system by. Leave blank for “EHC Tracker”",
        validators=[Optional(), Length(max=40, message="Enter 40 characters or fewer")],
    )
    serial_no = StringField(
        "Serial number",
        widget=GovTextInput(),
        description="Optional. 3 to 6 digits; raise it when you send the DfE a corrected file. Leave blank for 001",
        validators=[Optional(), Regexp(r"^\d{3,6}$", message="Enter the serial number as 3 to 6 digits, like 001")],
    )
    submit = SubmitField("Save the settings", widget=GovSubmitInput())
