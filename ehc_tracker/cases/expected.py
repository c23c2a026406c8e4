"""The coordinator tells the family when an overdue step is now expected (shown on their page)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from ..extensions import db
from ..models.case import Milestone
from ..services import family as family_service
from ..services.clock import today
from ..services.timeline import timeline
from ..web.fields import GovDateField
from ..web.security import role_required
from ..web.views import current_staff, saving
from .routes import STAFF, _editable_case_or_404, bp


class ExpectedForm(FlaskForm):
    expected_on = GovDateField(
        "When do you now expect it?",
        description="The family sees this date on their page. It cannot be before today or more than a year ahead.",
        validators=[InputRequired(message="Enter the date you now expect it")],
    )
    note = StringField(
        "A short note for the family (optional)",
        widget=GovTextInput(),
        description=f"For example, why it is late. Up to {family_service.MAX_EXPECTED_NOTE} characters. The family sees this.",
        validators=[
            Optional(),
            Length(
                max=family_service.MAX_EXPECTED_NOTE,
                message=f"The note must be {family_service.MAX_EXPECTED_NOTE} characters or fewer",
            ),
        ],
    )
    submit = SubmitField("Tell the family", widget=GovSubmitInput())


@bp.route("/cases/<int:case_id>/milestones/<int:milestone_id>/expected", methods=["GET", "POST"])
@role_required(*STAFF)
def expected(case_id: int, milestone_id: int) -> Any:
    case = _editable_case_or_404(case_id)
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.case_id != case.id or milestone.is_period:
        abort(404)
    form = ExpectedForm(data={"expected_on": milestone.expected_on, "note": milestone.expected_note})
    if form.validate_on_submit():
        assert form.expected_on.data is not None
        with saving(form) as saved:
            changed = family_service.set_expected(
                milestone,
                expected_on=form.expected_on.data,
                note=form.note.data or "",
                actor=current_staff(),
                today=today(),
            )
        if saved.ok:
            if changed:
                flash(
                    f"The family now sees that you expect this by {form.expected_on.data:%-d %B %Y}: {milestone.label}.",
                    "success",
                )
            else:
                flash("Nothing was changed: the family already sees this date and note.", "info")
            return redirect(url_for("cases.view", case_id=case.id, _anchor="timeline"))
    row = next(r for r in timeline(case, today()) if r.milestone.id == milestone.id)
    return render_template("cases/expected.html", form=form, case=case, milestone=milestone, row=row)
