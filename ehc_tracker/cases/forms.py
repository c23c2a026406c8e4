from __future__ import annotations

from datetime import time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from ..models.case import AdviceType, AppealType, Channel, ConsultationOutcome, RequestSource
from ..models.directory import SETTING_KINDS
from ..services import disputes, workflow
from ..services.cases import parse_time_of_day
from ..statutory.status import DEFAULT_DUE_SOON_DAYS
from ..web.fields import GovDateField
from ..web.typeahead import TYPEAHEAD_HINT, DirectoryInput

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
        today_shortcut=True,
    )
    source = RadioField(
        "Who made the request",
        widget=GovRadioInput(),
        choices=SOURCE_CHOICES,
        validators=[InputRequired(message="Select who made the request")],
    )
    team_id = SelectField("Team", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a team")])
    coordinator_id = SelectField(
        "EHC coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")]
    )
    submit = SubmitField("Open case", widget=GovSubmitInput())


class OpenReviewForm(FlaskForm):
    last_reviewed_on = GovDateField(
        "Date the plan was made or last reviewed",
        description="The next review is due within 12 months of this date (6 months for a child under 5).",
        validators=[InputRequired(message="Enter the date the plan was made or last reviewed")],
    )
    team_id = SelectField("Team", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a team")])
    coordinator_id = SelectField(
        "EHC coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")]
    )
    submit = SubmitField("Open annual review", widget=GovSubmitInput())


class TransferInForm(FlaskForm):
    previous_authority = StringField(
        "Authority the plan came from",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the authority the plan came from"), Length(max=120)],
    )
    transferred_on = GovDateField(
        "Date the plan transferred to this authority",
        description="Usually the day the child moved here, or the day the other authority sent the plan.",
        validators=[InputRequired(message="Enter the date the plan transferred")],
    )
    plan_issued_on = GovDateField(
        "Date the plan was first issued", validators=[InputRequired(message="Enter the date the plan was first issued")]
    )
    last_reviewed_on = GovDateField(
        "Date the plan was last reviewed",
        description="If it has not been reviewed yet, enter the date it was issued.",
        validators=[InputRequired(message="Enter the date the plan was last reviewed")],
    )
    named_settings = StringField(
        "Setting named in the plan",
        widget=DirectoryInput(SETTING_KINDS),
        description=TYPEAHEAD_HINT,
        validators=[Optional(), Length(max=500)],
    )
    team_id = SelectField("Team", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a team")])
    coordinator_id = SelectField(
        "EHC coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")]
    )
    submit = SubmitField("Record transferred plan", widget=GovSubmitInput())


class OpenDisputeForm(FlaskForm):
    decision_sent_on = GovDateField(
        "Date the decision letter was sent",
        description="The family's two months to appeal run from this day. For example, 6 1 2026",
        validators=[InputRequired(message="Enter the date the decision letter was sent")],
    )
    appeal_type = RadioField(
        "What is disputed",
        widget=GovRadioInput(),
        choices=[(t.value, t.label) for t in AppealType],
        validators=[InputRequired(message="Select what is disputed")],
    )
    team_id = SelectField("Team", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a team")])
    coordinator_id = SelectField(
        "EHC coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")]
    )
    submit = SubmitField("Open dispute", widget=GovSubmitInput())


class EventForm(FlaskForm):
    """One form for every workflow step; the page shows the fields the chosen step needs."""

    on = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    advice_type = RadioField(
        "Type of advice",
        widget=GovRadioInput(),
        choices=[(a.value, a.label) for a in AdviceType],
        validators=[Optional()],
    )
    provider = StringField(
        "Requested from",
        widget=GovTextInput(),
        description="The service or person, for example ‘Educational Psychology Service’",
        validators=[Optional(), Length(max=200)],
    )
    advice_request_id = RadioField("Which advice", widget=GovRadioInput(), choices=[], validators=[Optional()])
    quality_note = TextAreaField(
        "Quality of the advice (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    setting_name = StringField(
        "School or college",
        widget=DirectoryInput(SETTING_KINDS),
        description=TYPEAHEAD_HINT,
        validators=[Optional(), Length(max=200)],
    )
    consultation_id = RadioField("Which school or college", widget=GovRadioInput(), choices=[], validators=[Optional()])
    outcome = RadioField(
        "Response",
        widget=GovRadioInput(),
        choices=[(o.value, o.label) for o in ConsultationOutcome],
        validators=[Optional()],
    )
    named_settings = StringField(
        "Setting named in the plan",
        widget=DirectoryInput(SETTING_KINDS),
        description=TYPEAHEAD_HINT,
        validators=[Optional(), Length(max=500)],
    )
    meeting_on = GovDateField("Date of the review meeting", validators=[Optional()])
    advice_circulated_on = GovDateField("Date advice was circulated (optional)", validators=[Optional()])
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=[("maintain", "Maintain the plan as it is"), ("amend", "Amend the plan"), ("cease", "Cease the plan")],
        validators=[Optional()],
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
    confirm_warnings = BooleanField(
        "Schedule the meeting on this date anyway", widget=GovCheckboxInput(), validators=[Optional()]
    )
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    # A dispute's steps (services/disputes.py checks them).
    requested_by = RadioField(
        "Who asked for mediation",
        widget=GovRadioInput(),
        choices=list(disputes.REQUESTED_BY.items()),
        validators=[Optional()],
    )
    council_told_on = GovDateField(
        "Date the council was told the family wants mediation",
        description="Mediation must be held within 30 days of this date. Leave empty if it is the date above.",
        validators=[Optional()],
    )
    mediation_outcome = RadioField(
        "Outcome of the mediation",
        widget=GovRadioInput(),
        choices=list(disputes.MEDIATION_OUTCOMES.items()),
        validators=[Optional()],
    )
    limbs = SelectMultipleField(
        "What it requires the council to do",
        widget=GovCheckboxesInput(),
        choices=list(disputes.LIMB_LABELS.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    tribunal_reference = StringField(
        "Tribunal reference", widget=GovTextInput(), validators=[Optional(), Length(max=40)]
    )
    tribunal_sent_on = GovDateField(
        "Date the tribunal sent the appeal to the council",
        description="Leave empty if it is the date above.",
        validators=[Optional()],
    )
    response_set_on = GovDateField(
        "Response date the tribunal set (if it set one)",
        description="Otherwise the response is due 30 tribunal working days after the tribunal sent the appeal.",
        validators=[Optional()],
    )
    appeal_outcome = RadioField(
        "The tribunal's decision",
        widget=GovRadioInput(),
        choices=list(disputes.APPEAL_OUTCOMES.items()),
        validators=[Optional()],
    )
    under = RadioField(
        "Taken under",
        widget=GovRadioInput(),
        choices=[(key, words) for key, (_, words) in disputes.UNDER.items()],
        validators=[Optional()],
    )
    limb = RadioField(
        "What was done", widget=GovRadioInput(), choices=list(disputes.LIMB_LABELS.items()), validators=[Optional()]
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


# The fields each step shows, beyond its date, by the step's stored name (from the workflow table).
EVENT_FIELDS = {name: list(fields) for name, fields in workflow.fields_by_step().items()}


class CorrectionForm(FlaskForm):
    on = GovDateField("Correct date", validators=[InputRequired(message="Enter the correct date")])
    reason = TextAreaField(
        "Why is it being corrected?",
        widget=GovTextArea(),
        validators=[DataRequired(message="Enter why the date is being corrected"), Length(max=2000)],
    )
    submit = SubmitField("Save correction", widget=GovSubmitInput())


class ExceptionForm(FlaskForm):
    milestone_key = RadioField(
        "Time limit",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired(message="Select the time limit the exception applies to")],
    )
    limb = RadioField(
        "Exception",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired(message="Select which exception applies")],
    )
    starts_on = GovDateField("Start date", validators=[InputRequired(message="Enter when the circumstances began")])
    ends_on = GovDateField("End date (if known)", validators=[Optional()])
    reason = TextAreaField(
        "Circumstances",
        widget=GovTextArea(),
        validators=[DataRequired(message="Enter the circumstances that make the exception apply"), Length(max=4000)],
    )
    evidence = TextAreaField("Evidence (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Propose exception", widget=GovSubmitInput())


class DecideExceptionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=[("approve", "Approve"), ("reject", "Reject")],
        validators=[InputRequired(message="Select approve or reject")],
    )
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save decision", widget=GovSubmitInput())


CHANNEL_CHOICES = [(c.value, c.label) for c in Channel]
SOMEONE_ELSE = "other"


def _time_of_day(form: FlaskForm, field: StringField) -> None:
    if field.data and field.data.strip():
        try:
            parse_time_of_day(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class CommunicationForm(FlaskForm):
    """`contact` lists the child's recorded contacts (set by the page) and "Someone else"; the page
    removes it when the child has none, and then only the name is asked for."""

    received_on = GovDateField(
        "Date received", validators=[InputRequired(message="Enter the date it was received")], today_shortcut=True
    )
    received_at = StringField(
        "Time received (optional)",
        widget=GovTextInput(),
        description="On the 24-hour clock, for example 09:30 or 14:05",
        validators=[Optional(), _time_of_day],
    )
    channel = RadioField(
        "How it came in",
        widget=GovRadioInput(),
        choices=CHANNEL_CHOICES,
        validators=[InputRequired(message="Select how it came in")],
    )
    contact = RadioField(
        "Who it is from",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired(message="Select who it is from")],
    )
    from_name = StringField(
        "Name and role",
        widget=GovTextInput(),
        description="For example ‘Hill Primary SENCo’ or ‘Grandmother, Jo Smith’",
        validators=[Length(max=200)],
    )
    summary = TextAreaField(
        "Summary", widget=GovTextArea(), validators=[DataRequired(message="Enter a short summary"), Length(max=4000)]
    )
    submit = SubmitField("Log communication", widget=GovSubmitInput())

    def validate_from_name(self, field: StringField) -> None:
        from_someone_else = "contact" not in self._fields or self.contact.data == SOMEONE_ELSE
        if from_someone_else and not (field.data or "").strip():
            raise ValidationError("Enter who it was from")

    @property
    def received_time(self) -> time | None:
        text = (self.received_at.data or "").strip()
        return parse_time_of_day(text) if text else None


class ResponseForm(FlaskForm):
    responded_on = GovDateField(
        "Date responded", validators=[InputRequired(message="Enter the date of the response")], today_shortcut=True
    )
    reply_channel = RadioField(
        "How the reply was sent",
        widget=GovRadioInput(),
        choices=CHANNEL_CHOICES,
        validators=[InputRequired(message="Select how the reply was sent")],
    )
    summary = TextAreaField("Response (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Record response", widget=GovSubmitInput())


class NoteForm(FlaskForm):
    text = TextAreaField(
        "Add a note", widget=GovTextArea(), validators=[DataRequired(message="Enter the note"), Length(max=4000)]
    )
    submit = SubmitField("Add note", widget=GovSubmitInput())


class ReassignManyForm(FlaskForm):
    """The cases to move (set by the page from the source coordinator's open cases) and where to."""

    # Sent by the button pressed: "Move the ticked cases" (selected) or "Move all N cases" (all).
    which = RadioField(
        "Which cases",
        choices=[("all", "All their open cases"), ("selected", "The ticked cases")],
        validators=[InputRequired(message="Choose to move the ticked cases or all of them")],
    )
    # Not limited to the choices shown: a case moved or closed since the page was loaded is refused
    # by the service with a message that says so, not "not a valid choice".
    case_ids = SelectMultipleField(
        "Cases to move",
        widget=GovCheckboxesInput(),
        choices=[],
        coerce=int,
        validate_choice=False,
        validators=[Optional()],
    )
    coordinator_id = SelectField(
        "Move them to",
        widget=GovSelect(),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(message="Select who will take the cases")],
    )
    reason = StringField(
        "Reason (optional)",
        widget=GovTextInput(),
        description="For example ‘Leaving the service’ or ‘On leave until 3 March’",
        validators=[Optional(), Length(max=500)],
    )

    def validate_case_ids(self, field: SelectMultipleField) -> None:
        if self.which.data == "selected" and not field.data:
            raise ValidationError("Select the cases to move")


class ReassignForm(FlaskForm):
    coordinator_id = SelectField(
        "New coordinator", widget=GovSelect(), coerce=int, validators=[InputRequired(message="Select a coordinator")]
    )
    reason = StringField("Reason (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    submit = SubmitField("Reassign", widget=GovSubmitInput())


class CaseloadFilterForm(FlaskForm):
    class Meta:
        csrf = False

    case_type = SelectField(
        "Case type",
        widget=GovSelect(),
        choices=[
            ("", "All"),
            ("assessment", "EHC needs assessment"),
            ("reassessment", "Reassessment"),
            ("annual_review", "Annual review"),
            ("dispute", "Dispute (mediation or appeal)"),
        ],
        validators=[Optional()],
    )
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=[("open", "Open"), ("closed", "Closed or completed"), ("all", "All")],
        default="open",
        validators=[Optional()],
    )
    due = SelectField(
        "Due",
        widget=GovSelect(),
        choices=[("", "Any time"), ("overdue", "Overdue"), ("soon", f"Overdue or due in {DEFAULT_DUE_SOON_DAYS} days")],
        validators=[Optional()],
    )
    coordinator_id = SelectField("Coordinator", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())


class CreateLetterForm(FlaskForm):
    """The case page's "Create letter" button (the kind is in the address; only the CSRF token here)."""


class SendLetterForm(FlaskForm):
    channel = HiddenField(validators=[AnyOf(["letter", "email"])])
