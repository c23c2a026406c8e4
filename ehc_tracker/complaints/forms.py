from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..models.voice import ComplaintCategory, ComplaintOutcome, ComplaintStage
from ..services.complaints import MAX_TEXT
from ..web.fields import GovDateField

NOT_ONE_CASE = ""


class ComplaintForm(FlaskForm):
    # The child's cases (set by the page), or NOT_ONE_CASE for the child's service as a whole.
    case_id = SelectField("Which case is it about?", widget=GovSelect(), choices=[], validate_choice=False)
    stage = RadioField(
        "Stage",
        widget=GovRadioInput(),
        choices=[(s.value, s.label) for s in ComplaintStage],
        validators=[InputRequired(message="Select the stage of the complaint")],
    )
    category = RadioField(
        "What is it mainly about?",
        widget=GovRadioInput(),
        choices=[(c.value, c.label) for c in ComplaintCategory],
        validators=[InputRequired(message="Select what the complaint is mainly about")],
    )
    received_on = GovDateField(
        "Date the complaint was received",
        description="The response is due a number of working days after this day (the council's own standard for the stage).",
        validators=[InputRequired(message="Enter the date the complaint was received")],
        today_shortcut=True,
    )
    summary = TextAreaField(
        "What is the complaint?",
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Describe the complaint"),
            Length(max=MAX_TEXT, message=f"The description must be {MAX_TEXT:,} characters or fewer"),
        ],
    )
    submit = SubmitField("Record complaint", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    responded_on = GovDateField(
        "Date of the response",
        validators=[InputRequired(message="Enter the date of the response")],
        today_shortcut=True,
    )
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=[(o.value, o.label) for o in ComplaintOutcome],
        validators=[InputRequired(message="Select the outcome")],
    )
    lessons = TextAreaField(
        "Lessons learned (optional)",
        widget=GovTextArea(),
        description="What the service will do differently. Managers read these in the complaints list.",
        validators=[Optional(), Length(max=MAX_TEXT, message=f"The lessons must be {MAX_TEXT:,} characters or fewer")],
    )
    submit = SubmitField("Save response", widget=GovSubmitInput())


class ComplaintFilterForm(FlaskForm):
    class Meta:
        csrf = False

    category = SelectField(
        "Category",
        widget=GovSelect(),
        choices=[("", "Any category")] + [(c.value, c.label) for c in ComplaintCategory],
        validators=[Optional()],
    )
    stage = SelectField(
        "Stage",
        widget=GovSelect(),
        choices=[("", "Any stage")] + [(s.value, s.label) for s in ComplaintStage],
        validators=[Optional()],
    )
    status = SelectField(
        "Response",
        widget=GovSelect(),
        choices=[("", "Any"), ("open", "Not responded to"), ("overdue", "Overdue"), ("responded", "Responded to")],
        validators=[Optional()],
    )
    team_id = SelectField("Team", widget=GovSelect(), choices=[], validators=[Optional()])
    month = SelectField("Received in", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Apply filters", widget=GovSubmitInput())
