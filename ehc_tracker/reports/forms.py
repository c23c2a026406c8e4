"""Filters for the reports (GET forms, no CSRF token: they change nothing) and the targets forms."""

from __future__ import annotations

import calendar
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, NumberRange, Optional

from ..models.case import CaseType
from ..models.child import SenNeed
from ..services.reports import MEASURES
from ..statutory.rules import RULES
from ..web.fields import GovDateField

CASE_TYPE_CHOICES = [("", "All case types")] + [(t.value, t.label) for t in CaseType]
NEED_CHOICES = [("", "Any primary need")] + [(n.value, f"{n.label} ({n.value})") for n in SenNeed]
# The milestones cases actually carry (the engine's appeal and mediation dates are not case
# milestones), without the two periods that close rather than fall due.
LIST_KEYS = (
    "decision_to_assess",
    "advice_due",
    "decision_not_to_issue",
    "school_consultation_response",
    "final_plan",
    "final_plan_after_reassessment",
    "review_due",
    "invitations_by",
    "advice_circulated_by",
    "review_report_due",
    "review_decision_due",
    "amended_plan_due",
    "amended_plan_from_proposals_due",
    "phase_transfer_due",
    "response_due",
    "transfer_in_notice_due",
    "transfer_in_review_due",
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
        """What was typed; else the saved value as a person writes it ("65", "62.5", not "65.00")."""
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{Decimal(self.data).normalize():f}"


class OverdueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    coordinator_id = SelectField("Coordinator", widget=GovSelect(), choices=[], validators=[Optional()])
    team_id = SelectField("Team", widget=GovSelect(), choices=[], validators=[Optional()])
    show = SelectField(
        "Show",
        widget=GovSelect(),
        default="all",
        validators=[Optional()],
        choices=[("all", "Overdue and due soon"), ("overdue", "Overdue only"), ("due_soon", "Due soon only")],
    )
    within = WholeNumberField(
        "Due soon means due within (days)",
        widget=GovTextInput(),
        default=10,
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
        "Number of months",
        widget=GovTextInput(),
        default=12,
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


class TargetYearForm(FlaskForm):
    """Which grid to show: a measure and a calendar year (a GET form)."""

    class Meta:
        csrf = False

    measure = SelectField("Measure", widget=GovSelect(), choices=MEASURE_CHOICES, validators=[Optional()])
    year = SelectField("Year", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Show targets", widget=GovSubmitInput())


class TargetGridForm(FlaskForm):
    """A measure's targets for the twelve months of a year, with the national average beside
    each: one form, a cell per value (`target_01` … `target_12`, `national_01` … `national_12`).
    Each cell is checked on its own, so every mistake shows against its own box, and whatever
    was typed stays in the boxes."""

    submit = SubmitField("Save targets", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for month in range(1, 13):
            target, national = self.target(month), self.national(month)
            if target.data is None and not target.errors and national.data is not None and not national.errors:
                target.errors = [f"Enter the target for {calendar.month_name[month]}, or clear its national average"]
                valid = False
        return valid

    def target(self, month: int) -> Any:
        return self[f"target_{month:02d}"]

    def national(self, month: int) -> Any:
        return self[f"national_{month:02d}"]


for _month in range(1, 13):
    _name = calendar.month_name[_month]
    setattr(
        TargetGridForm,
        f"target_{_month:02d}",
        PercentField(
            f"Target for {_name}",
            widget=GovTextInput(),
            validators=[
                Optional(),
                NumberRange(min=0, max=100, message=f"The target for {_name} must be between 0 and 100"),
            ],
        ),
    )
    setattr(
        TargetGridForm,
        f"national_{_month:02d}",
        PercentField(
            f"National average for {_name}",
            widget=GovTextInput(),
            validators=[
                Optional(),
                NumberRange(min=0, max=100, message=f"The national average for {_name} must be between 0 and 100"),
            ],
        ),
    )
