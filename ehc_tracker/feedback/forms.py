from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from ..models.voice import SurveyPoint, SurveyRating
from ..services.feedback import MAX_COMMENT


class SurveyForm(FlaskForm):
    rating = RadioField(
        "How satisfied are you with how we did?",
        widget=GovRadioInput(),
        choices=[(r.value, r.label) for r in SurveyRating],
        validators=[InputRequired(message="Select how satisfied you are")],
    )
    comment = TextAreaField(
        "Is there anything you would like to tell us? (optional)",
        widget=GovTextArea(),
        description="What went well, or what we could do better. Do not include anyone's private details.",
        validators=[
            Optional(),
            Length(max=MAX_COMMENT, message=f"Your comment must be {MAX_COMMENT:,} characters or fewer"),
        ],
    )
    submit = SubmitField("Send your answer", widget=GovSubmitInput())


class ShareForm(FlaskForm):
    """The button on the managers' list that lets the coordinator read an answer (or stops)."""

    share = HiddenField(validators=[AnyOf(["0", "1"])])


class FeedbackFilterForm(FlaskForm):
    class Meta:
        csrf = False

    team_id = SelectField("Team", widget=GovSelect(), choices=[], validators=[Optional()])
    month = SelectField("Answered in", widget=GovSelect(), choices=[], validators=[Optional()])
    rating = SelectField(
        "Answer",
        widget=GovSelect(),
        choices=[("", "Any answer")] + [(r.value, r.label) for r in SurveyRating],
        validators=[Optional()],
    )
    point = SelectField(
        "Asked after",
        widget=GovSelect(),
        choices=[("", "Any point")] + [(p.value, p.label) for p in SurveyPoint],
        validators=[Optional()],
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())
