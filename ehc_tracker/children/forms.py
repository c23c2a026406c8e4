from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, Field, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..models.child import ContactMethod, Ethnicity, SenNeed, Sex
from ..sen2_rules.collection2026 import SEN_SETTINGS, UPN_UNKNOWN_REASONS
from ..services import ServiceError
from ..services import children as child_service
from ..statutory.years import year_group_name
from ..web.fields import GovDateField
from ..web.validators import EmailAddress

SEX_CHOICES = [(s.value, s.label) for s in Sex]
ETHNICITY_CHOICES = [("", "Not recorded")] + [(e.value, f"{e.label} ({e.value})") for e in Ethnicity]
PRIMARY_NEED_CHOICES = [("", "Not yet known")] + [(n.value, f"{n.label} ({n.value})") for n in SenNeed]
SECONDARY_NEED_CHOICES = [("", "None")] + [(n.value, f"{n.label} ({n.value})") for n in SenNeed]
YEAR_GROUP_CHOICES = [("", "No – in the year group for their age")] + [
    (str(y), year_group_name(y)) for y in child_service.YEAR_GROUP_OVERRIDE_RANGE
]
CONTACT_METHOD_CHOICES = [(m.value, m.label) for m in ContactMethod]


def _checked_by(check: Callable[[str], str]) -> Callable[[Any, Field], None]:
    """A WTForms validator from a service check, so that every problem shows at once."""

    def validator(form: Any, field: Field) -> None:
        if field.data and field.data.strip():
            try:
                check(field.data)
            except ServiceError as error:
                raise ValidationError(error.message) from None

    return validator


class ChildForm(FlaskForm):
    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the child's first name"),
            Length(max=100, message="First name must be 100 characters or fewer"),
        ],
    )
    last_name = StringField(
        "Last name",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the child's last name"),
            Length(max=100, message="Last name must be 100 characters or fewer"),
        ],
    )
    date_of_birth = GovDateField(
        "Date of birth",
        description="For example, 27 3 2015",
        validators=[InputRequired(message="Enter the date of birth")],
    )
    upn = StringField(
        "Unique pupil number (UPN) (optional)",
        widget=GovTextInput(),
        description="13 characters, like B801200005001",
        validators=[Optional(), Length(max=40), _checked_by(child_service.validate_upn)],
    )
    uln = StringField(
        "Unique learner number (ULN) (optional)",
        widget=GovTextInput(),
        description="10 numbers, for young people in further education or training",
        validators=[Optional(), Length(max=40), _checked_by(child_service.validate_uln)],
    )
    upn_unknown_reason = SelectField(
        "Reason the UPN is not known (optional)",
        widget=GovSelect(),
        description="For the SEN2 return, when the child has neither a UPN nor a ULN",
        choices=[("", "Not applicable")] + [(code, f"{code}: {text}") for code, text in UPN_UNKNOWN_REASONS.items()],
        default="",
    )
    sex = RadioField("Sex (optional)", widget=GovRadioInput(), choices=SEX_CHOICES, validators=[Optional()])
    ethnicity = SelectField("Ethnicity (optional)", widget=GovSelect(), choices=ETHNICITY_CHOICES)
    postcode = StringField(
        "Home postcode (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40), _checked_by(child_service.normalise_postcode)],
    )
    primary_need = SelectField("Primary need (optional)", widget=GovSelect(), choices=PRIMARY_NEED_CHOICES)
    secondary_need = SelectField("Secondary need (optional)", widget=GovSelect(), choices=SECONDARY_NEED_CHOICES)
    setting_name = StringField(
        "Current school or setting (optional)",
        widget=GovTextInput(),
        validators=[Length(max=200, message="The setting's name must be 200 characters or fewer")],
    )
    setting_urn = StringField(
        "Setting URN (optional)",
        widget=GovTextInput(),
        description="6 numbers, for a school",
        validators=[Optional(), Length(max=40), _checked_by(child_service.validate_setting_urn)],
    )
    setting_ukprn = StringField(
        "Setting UKPRN (optional)",
        widget=GovTextInput(),
        description="8 numbers, for a college or training provider",
        validators=[Optional(), Length(max=40), _checked_by(child_service.validate_setting_ukprn)],
    )
    sen_setting = SelectField(
        "Setting without a URN or UKPRN (optional)",
        widget=GovSelect(),
        description="For the SEN2 return: what kind of place it is, when it has no URN or UKPRN",
        choices=[("", "Not applicable")] + [(code, f"{code}: {text}") for code, text in SEN_SETTINGS.items()],
        default="",
    )
    setting_started_on = GovDateField(
        "Date the child started at this setting (optional)",
        description="For the SEN2 return's placement entry date. For example, 4 9 2024",
        validators=[Optional()],
    )
    setting_sen_unit = BooleanField("The place is in a SEN unit", widget=GovCheckboxInput())
    setting_resourced_provision = BooleanField("The place is in resourced provision", widget=GovCheckboxInput())
    year_group_override = SelectField(
        "Educated out of year group?",
        widget=GovSelect(),
        description="Choose the year group the child is in this school year. It moves up a year each September.",
        choices=YEAR_GROUP_CHOICES,
    )
    attends_infant_school = BooleanField(
        "Attends an infant school (moves to a junior school after Year 2)", widget=GovCheckboxInput()
    )
    looked_after = BooleanField("Looked after by a local authority", widget=GovCheckboxInput())
    young_person_own_requests = BooleanField(
        "Young person over compulsory school age who makes their own requests", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def child_data(self) -> child_service.ChildData:
        assert self.date_of_birth.data is not None
        return child_service.ChildData(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            date_of_birth=self.date_of_birth.data,
            upn=self.upn.data,
            uln=self.uln.data,
            sex=Sex(self.sex.data) if self.sex.data else None,
            ethnicity=Ethnicity(self.ethnicity.data) if self.ethnicity.data else None,
            postcode=self.postcode.data,
            primary_need=SenNeed(self.primary_need.data) if self.primary_need.data else None,
            secondary_need=SenNeed(self.secondary_need.data) if self.secondary_need.data else None,
            setting_name=self.setting_name.data,
            setting_urn=self.setting_urn.data,
            setting_ukprn=self.setting_ukprn.data,
            setting_started_on=self.setting_started_on.data,
            sen_setting=self.sen_setting.data or None,
            setting_sen_unit=bool(self.setting_sen_unit.data),
            setting_resourced_provision=bool(self.setting_resourced_provision.data),
            upn_unknown_reason=self.upn_unknown_reason.data or None,
            year_group_override=int(self.year_group_override.data) if self.year_group_override.data else None,
            attends_infant_school=bool(self.attends_infant_school.data),
            looked_after=bool(self.looked_after.data),
            young_person_own_requests=bool(self.young_person_own_requests.data),
        )

    def validate_secondary_need(self, field: Field) -> None:
        if field.data and field.data == self.primary_need.data:
            raise ValidationError("The secondary need must be different from the primary need")


class NewChildForm(ChildForm):
    team = SelectField(
        "Team", widget=GovSelect(), coerce=int, choices=[], validators=[InputRequired(message="Select a team")]
    )
    # The buttons of the "Is this the same child?" page.
    not_duplicate = SubmitField("No, add a new child", widget=GovSubmitInput())
    change = SubmitField("Change the details", widget=GovSubmitInput())
    submit = SubmitField("Add child", widget=GovSubmitInput())


class ChildSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(
        "Name, UPN, date of birth or parent’s name", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    date_of_birth = GovDateField("Date of birth", validators=[Optional()])
    submit = SubmitField("Search", widget=GovSubmitInput())


class ContactForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the contact's name"), Length(max=200)],
    )
    relationship_to_child = StringField(
        "Relationship to the child",
        widget=GovTextInput(),
        description="For example, Mother, Father, Carer, Social worker",
        validators=[
            DataRequired(message="Enter their relationship to the child, for example Mother or Carer"),
            Length(max=100),
        ],
    )
    email = StringField("Email address (optional)", widget=GovTextInput(), validators=[Length(max=254), EmailAddress()])
    phone = StringField("Phone number (optional)", widget=GovTextInput(), validators=[Length(max=40)])
    address = TextAreaField("Address (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=1000)])
    preferred_contact_method = RadioField(
        "How do they prefer to be contacted? (optional)",
        widget=GovRadioInput(),
        choices=CONTACT_METHOD_CHOICES,
        validators=[Optional()],
    )
    has_parental_responsibility = BooleanField("Has parental responsibility for the child", widget=GovCheckboxInput())
    communication_needs = TextAreaField(
        "Communication needs (optional)",
        widget=GovTextArea(),
        description="For example, needs an interpreter (say which language), large print, or no phone calls",
        validators=[Optional(), Length(max=2000)],
    )
    submit = SubmitField("Save contact", widget=GovSubmitInput())

    def contact_data(self) -> child_service.ContactData:
        return child_service.ContactData(
            name=self.name.data or "",
            relationship_to_child=self.relationship_to_child.data or "",
            email=self.email.data,
            phone=self.phone.data,
            address=self.address.data,
            preferred_contact_method=ContactMethod(self.preferred_contact_method.data)
            if self.preferred_contact_method.data
            else None,
            has_parental_responsibility=bool(self.has_parental_responsibility.data),
            communication_needs=self.communication_needs.data,
        )


class ConfirmForm(FlaskForm):
    """A form with only a button (and its CSRF token)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class CeasePlanForm(FlaskForm):
    """The decision to cease a plan between reviews (CFA 2014 s45)."""

    reason = SelectField(
        "Why the plan is ending",
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired(message="Select why the plan is ending")],
    )
    decided_on = GovDateField(
        "Date of the decision", validators=[InputRequired(message="Enter the date of the decision")]
    )
    notice_sent_on = GovDateField(
        "Date the decision notice was sent to the family",
        description="The notice tells the family of their right to appeal; they have until 2 months after it to appeal. "
        "Not needed where the plan transferred to another authority or the child or young person died.",
        validators=[Optional()],
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class PlanEndForm(FlaskForm):
    ended_on = GovDateField("Date the plan ended", validators=[InputRequired(message="Enter the date the plan ended")])
    appeal_concluded_on = GovDateField(
        "Date an appeal was concluded (if the family appealed)",
        description="Without an appeal, the plan can end only once the family's time to appeal has passed.",
        validators=[Optional()],
    )
    submit = SubmitField("Record the end of the plan", widget=GovSubmitInput())
