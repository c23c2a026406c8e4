"""Filters for the reports (GET forms, no CSRF token: they change nothing) and the targets form."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..models.case import CaseType
from ..models.child import SenNeed
from ..services.oversight import MEASURES
from ..statutory.rules import RULES
from ..web.fields import GovDateField

CASE_TYPE_CHOICES = [("", "All case types")] + [(t.value, t.label) for t in CaseType]
NEED_CHOICES = [("", "Any primary need")] + [(n.value, f"{n.label} ({n.value})") for n in SenNeed]
# The milestones cases actually carry (the engine's appeal and mediation dates are not case
# milestones), without the two periods that close rather than fall due.
LIST_KEYS = (
    "decision_to_assess", "advice_due", "decision_not_to_issue", "school_consultation_response", "final_plan",
    "final_plan_after_reassessment", "review_due", "invitations_by", "advice_circulated_by", "review_report_due",
    "review_decision_due", "amended_plan_due", "amended_plan_from_proposals_due", "phase_transfer_due", "response_due",
    "transfer_in_notice_due", "transfer_in_review_due",
)
MILESTONE_CHOICES = [("", "Any step")] + [(k, RULES[k].label) for k in LIST_KEYS]
MEASURE_CHOICES = [(m.key, m.title) for m in MEASURES]


class WholeNumberField(StringField):
    """A whole number typed in a text box; what was typed stays in the box on an error."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return  # not in the query string: keep the default
        self.data = None
        if valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                raise ValueError(f"{self.label.text} must be a whole number, like 10") from None

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class PercentField(StringField):
    """A percentage typed as a number (65 or 72.5), with or without the % sign."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        self.data = None
        text = valuelist[0].strip().rstrip("%").strip()
        if text:
            try:
                value = Decimal(text)
            except InvalidOperation:
                raise ValueError(f"{self.label.text} must be a number, like 65 or 72.5") from None
            if not value.is_finite():
                raise ValueError(f"{self.label.text} must be a number, like 65 or 72.5")
            self.data = value

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class OverdueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    coordinator_id = SelectField("Coordinator", widget=GovSelect(), choices=[], validators=[Optional()])
    team_id = SelectField("Team", widget=GovSelect(), choices=[], validators=[Optional()])
    show = SelectField(
        "Show", widget=GovSelect(), default="all", validators=[Optional()],
        choices=[("all", "Overdue and due soon"), ("overdue", "Overdue only"), ("due_soon", "Due soon only")],
    )
    within = WholeNumberField(
        "Due soon means due within (days)", widget=GovTextInput(), default=10,
        validators=[Optional(), NumberRange(min=0, max=365, message="Due soon must be between 0 and 365 days")],
    )
    case_type = SelectField("Case type", widget=GovSelect(), choices=CASE_TYPE_CHOICES, validators=[Optional()])
    milestone_key = SelectField("Step", widget=GovSelect(), choices=MILESTONE_CHOICES, validators=[Optional()])
    primary_need = SelectField("Primary need", widget=GovSelect(), choices=NEED_CHOICES, validators=[Optional()])
    setting = StringField("Setting name contains", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    as_at = GovDateField("As at", description="Leave blank for today. For example, 27 3 2025", validators=[Optional()])
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    team_id = SelectField("Team", widget=GovSelect(), choices=[], validators=[Optional()])
    months = WholeNumberField(
        "Number of months", widget=GovTextInput(), default=12,
        validators=[Optional(), NumberRange(min=1, max=60, message="Number of months must be between 1 and 60")],
    )
    as_at = GovDateField("As at", description="Leave blank for today. For example, 31 3 2025", validators=[Optional()])
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class MonthlyReportForm(FlaskForm):
    class Meta:
        csrf = False

    month = SelectField("Month", widget=GovSelect(), choices=[], validators=[Optional()])
    team_id = SelectField("Team", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Show report", widget=GovSubmitInput())


class TargetForm(FlaskForm):
    measure = SelectField("Measure", widget=GovSelect(), choices=MEASURE_CHOICES, validators=[InputRequired(message="Select a measure")])
    month = SelectField("Month", widget=GovSelect(), choices=[], validators=[InputRequired(message="Select a month")])
    target_percent = PercentField(
        "Target (%)", widget=GovTextInput(), description="The percentage on time the improvement plan aims for in this month, for example 65",
        validators=[InputRequired(message="Enter the target as a percentage"), NumberRange(min=0, max=100, message="The target must be between 0 and 100")],
    )
    national_average_percent = PercentField(
        "National average (%) (optional)", widget=GovTextInput(), description="The latest published figure for England, if you want it shown as a reference line",
        validators=[Optional(), NumberRange(min=0, max=100, message="The national average must be between 0 and 100")],
    )
    submit = SubmitField("Save target", widget=GovSubmitInput())
