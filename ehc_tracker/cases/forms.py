from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..models.case import AdviceType, Channel, RequestSource
from ..web.fields import GovDateField

SOURCE_CHOICES = [
    (RequestSource.PARENT.value, "Parent or carer"),
    (RequestSource.YOUNG_PERSON.value, "Young person"),
    (RequestSource.SCHOOL.value, "School, college or early years setting"),
    (RequestSource.HEALTH.value, "Health"),
    (RequestSource.OTHER.value, "Other"),
]


class OpenAssessmentForm(FlaskForm):
    case_type = RadioField(
        "Type of request",
        widget=GovRadioInput(),
        choices=[("assessment", "EHC needs assessment"), ("reassessment", "Reassessment of an existing plan")],
        default="assessment",
        validators=[InputRequired(message="Select the type of request")],
    )
    received_on = GovDateField(
        "Date the request was received",
        description=(
            "The time limits run from this day: 6 weeks to decide whether to assess, 20 weeks to the final plan "
            "(a reassessment: 15 days to decide whether to reassess). For example, 6 1 2025"
        ),
        validators=[InputRequired(message="Enter the date the request was received")],
    )
    source = RadioField("Who made the request", widget=GovRadioInput(), choices=SOURCE_CHOICES, validators=[InputRequired(message="Select who made the request")])
    team_id = SelectField("Team", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a team")])
    coordinator_id = SelectField("EHC coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")])
    submit = SubmitField("Open case", widget=GovSubmitInput())


class OpenReviewForm(FlaskForm):
    last_reviewed_on = GovDateField(
        "Date the plan was made or last reviewed",
        description="The next review is due within 12 months of this date (6 months for a child under 5).",
        validators=[InputRequired(message="Enter the date the plan was made or last reviewed")],
    )
    team_id = SelectField("Team", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a team")])
    coordinator_id = SelectField("EHC coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")])
    submit = SubmitField("Open annual review", widget=GovSubmitInput())


class TransferInForm(FlaskForm):
    previous_authority = StringField("Authority the plan came from", widget=GovTextInput(), validators=[DataRequired(message="Enter the authority the plan came from"), Length(max=120)])
    transferred_on = GovDateField(
        "Date the plan transferred to this authority",
        description="Usually the day the child moved here, or the day the other authority sent the plan.",
        validators=[InputRequired(message="Enter the date the plan transferred")],
    )
    plan_issued_on = GovDateField("Date the plan was first issued", validators=[InputRequired(message="Enter the date the plan was first issued")])
    last_reviewed_on = GovDateField(
        "Date the plan was last reviewed", description="If it has not been reviewed yet, enter the date it was issued.",
        validators=[InputRequired(message="Enter the date the plan was last reviewed")],
    )
    named_settings = StringField("Setting named in the plan", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    team_id = SelectField("Team", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a team")])
    coordinator_id = SelectField("EHC coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")])
    submit = SubmitField("Record transferred plan", widget=GovSubmitInput())


class EventForm(FlaskForm):
    """One form for every workflow step; the page shows the fields the chosen step needs."""

    on = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    advice_type = RadioField("Type of advice", widget=GovRadioInput(), choices=[(a.value, a.label) for a in AdviceType], validators=[Optional()])
    provider = StringField("Requested from", widget=GovTextInput(), description="The service or person, for example ‘Educational Psychology Service’", validators=[Optional(), Length(max=200)])
    advice_request_id = RadioField("Which advice", widget=GovRadioInput(), choices=[], validators=[Optional()])
    quality_note = TextAreaField("Quality of the advice (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    setting_name = StringField("School or college", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    consultation_id = RadioField("Which school or college", widget=GovRadioInput(), choices=[], validators=[Optional()])
    outcome = RadioField(
        "Response", widget=GovRadioInput(),
        choices=[("agreed", "Agreed to be named"), ("declined", "Declined"), ("other", "Other response")], validators=[Optional()],
    )
    named_settings = StringField("Setting named in the plan", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    meeting_on = GovDateField("Date of the review meeting", validators=[Optional()])
    advice_circulated_on = GovDateField("Date advice was circulated (optional)", validators=[Optional()])
    decision = RadioField(
        "Decision", widget=GovRadioInput(),
        choices=[("maintain", "Maintain the plan as it is"), ("amend", "Amend the plan"), ("cease", "Cease the plan")], validators=[Optional()],
    )
    cease_reason = SelectField("Why the plan ended", widget=GovSelect(), choices=[], validators=[Optional()])
    family_confirmed_on = GovDateField(
        "Date the family confirmed they have no further representations",
        description="Only needed if the plan is issued before the family's 15 days for representations have closed.",
        validators=[Optional()],
    )
    appeal_concluded_on = GovDateField(
        "Date an appeal against the decision was concluded (if there was one)",
        description="The plan is kept until the family's time to appeal has passed, or an appeal is concluded.",
        validators=[Optional()],
    )
    confirm_warnings = BooleanField("Schedule the meeting on this date anyway", widget=GovCheckboxInput(), validators=[Optional()])
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save", widget=GovSubmitInput())


# The fields each step shows, beyond its date.
EVENT_FIELDS = {
    "decided_not_to_assess": ["reason"],
    "decided_not_to_issue": ["reason"],
    "advice_requested": ["advice_type", "provider"],
    "advice_received": ["advice_request_id", "quality_note"],
    "school_consulted": ["setting_name"],
    "school_responded": ["consultation_id", "outcome"],
    "final_plan_issued": ["named_settings", "family_confirmed_on"],
    "withdrawn": ["reason"],
    "review_meeting_scheduled": ["meeting_on"],
    "invitations_sent": ["advice_circulated_on"],
    "review_decision_notified": ["decision"],
    "amended_plan_issued": ["named_settings", "family_confirmed_on"],
    "decided_not_to_amend": ["reason"],
    "plan_ceased": ["cease_reason", "appeal_concluded_on"],
}


class CorrectionForm(FlaskForm):
    on = GovDateField("Correct date", validators=[InputRequired(message="Enter the correct date")])
    reason = TextAreaField("Why is it being corrected?", widget=GovTextArea(), validators=[DataRequired(message="Enter why the date is being corrected"), Length(max=2000)])
    submit = SubmitField("Save correction", widget=GovSubmitInput())


class ExceptionForm(FlaskForm):
    milestone_key = RadioField("Time limit", widget=GovRadioInput(), choices=[], validators=[InputRequired(message="Select the time limit the exception applies to")])
    limb = RadioField("Exception", widget=GovRadioInput(), choices=[], validators=[InputRequired(message="Select which exception applies")])
    starts_on = GovDateField("Start date", validators=[InputRequired(message="Enter when the circumstances began")])
    ends_on = GovDateField("End date (if known)", validators=[Optional()])
    reason = TextAreaField("Circumstances", widget=GovTextArea(), validators=[DataRequired(message="Enter the circumstances that make the exception apply"), Length(max=4000)])
    evidence = TextAreaField("Evidence (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Propose exception", widget=GovSubmitInput())


class DecideExceptionForm(FlaskForm):
    decision = RadioField("Decision", widget=GovRadioInput(), choices=[("approve", "Approve"), ("reject", "Reject")], validators=[InputRequired(message="Select approve or reject")])
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class CommunicationForm(FlaskForm):
    received_on = GovDateField("Date received", validators=[InputRequired(message="Enter the date it was received")])
    channel = RadioField("How it came in", widget=GovRadioInput(), choices=[(c.value, c.value.title()) for c in Channel], validators=[InputRequired(message="Select how it came in")])
    from_name = StringField("From", widget=GovTextInput(), description="For example ‘Mother’ or ‘Hill Primary SENCo’", validators=[DataRequired(message="Enter who it was from"), Length(max=200)])
    summary = TextAreaField("Summary", widget=GovTextArea(), validators=[DataRequired(message="Enter a short summary"), Length(max=4000)])
    submit = SubmitField("Log communication", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    responded_on = GovDateField("Date responded", validators=[InputRequired(message="Enter the date of the response")])
    summary = TextAreaField("Response (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Record response", widget=GovSubmitInput())


class NoteForm(FlaskForm):
    text = TextAreaField("Add a note", widget=GovTextArea(), validators=[DataRequired(message="Enter the note"), Length(max=4000)])
    submit = SubmitField("Add note", widget=GovSubmitInput())


class ReassignForm(FlaskForm):
    coordinator_id = SelectField("New coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")])
    reason = StringField("Reason (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    submit = SubmitField("Reassign", widget=GovSubmitInput())


class CaseloadFilterForm(FlaskForm):
    class Meta:
        csrf = False

    case_type = SelectField("Case type", widget=GovSelect(), choices=[("", "All"), ("assessment", "EHC needs assessment"), ("reassessment", "Reassessment"), ("annual_review", "Annual review")], validators=[Optional()])
    status = SelectField("Status", widget=GovSelect(), choices=[("open", "Open"), ("closed", "Closed or completed"), ("all", "All")], default="open", validators=[Optional()])
    due = SelectField("Due", widget=GovSelect(), choices=[("", "Any time"), ("overdue", "Overdue"), ("soon", "Overdue or due in 10 days")], validators=[Optional()])
    coordinator_id = SelectField("Coordinator", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())
