"""Requesting several kinds of advice in one form: one date, a row per piece of advice."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import FieldList, Form, FormField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from ..models.case import AdviceType, Case, CaseType, EventType
from ..services import ServiceError
from ..services import cases as case_service
from ..services import directory as directory_service
from ..services.clock import today
from ..services.timeline import advice_name
from ..web.fields import GovDateField
from ..web.security import role_required
from ..web.typeahead import DirectoryInput, datalist
from ..web.views import current_staff, saving, show_error
from .routes import STAFF, _editable_case_or_404, bp

PROVIDER_LIST = "advice-providers"
# The rows the form starts with: the advice the council must seek in every assessment (SEND
# Regulations 2014 reg 6(1)(b)-(e): educational, medical, psychological and social care advice),
# then two rows to fill in for anyone else (therapists, a second health service, ...).
STATUTORY_ROWS = (AdviceType.SCHOOL, AdviceType.EP, AdviceType.HEALTH, AdviceType.SOCIAL_CARE)
EXTRA_ROWS = 2


class AdviceRowForm(Form):
    advice_type = SelectField(
        "Type of advice",
        widget=GovSelect(),
        choices=[("", "Choose the type")] + [(a.value, a.label) for a in AdviceType],
        validators=[Optional()],
    )
    provider = StringField(
        "Requested from",
        widget=DirectoryInput(shared_list=PROVIDER_LIST),
        validators=[Optional(), Length(max=200, message="The name must be 200 characters or fewer")],
    )


class RequestAdviceForm(FlaskForm):
    on = GovDateField(
        "Date advice was requested",
        description="Each piece of advice is due 6 weeks after this day (SEND Regulations 2014 reg 8(1)). For example, 27 3 2025",
        validators=[InputRequired(message="Enter the date advice was requested")],
        today_shortcut=True,
    )
    # No max_entries: WTForms would drop rows past it silently; the service refuses too many instead.
    rows = FieldList(FormField(AdviceRowForm), min_entries=0)
    add_row = SubmitField("Add another row", widget=GovSubmitInput())
    submit = SubmitField("Request advice", widget=GovSubmitInput())


_ROW_FIELD = re.compile(r"rows-(\d+)-(advice_type|provider)")


def _show_row_error(form: RequestAdviceForm, error: ServiceError) -> None:
    """Put a refusal on the row field it names ("rows-2-provider"), or on the form."""
    found = _ROW_FIELD.fullmatch(error.field or "")
    if found is None or int(found.group(1)) >= len(form.rows.entries):
        show_error(form, error)
        return
    row = form.rows.entries[int(found.group(1))].form
    field = getattr(row, found.group(2))
    field.errors = list(field.errors) + [error.message]
    form.rows.errors = [entry.errors for entry in form.rows.entries]


def _why_not(case: Case) -> str | None:
    """Why advice cannot be requested on this case now (None when it can)."""
    if EventType.ADVICE_REQUESTED in case_service.recordable_now(case):
        return None
    if not case.is_open:
        return f"This case is {case.status.value}, so no more advice can be requested on it."
    if case.case_type is CaseType.ANNUAL_REVIEW:
        return (
            "Advice is requested during an EHC needs assessment. For an annual review, record that the invitations "
            "and advice were sent instead."
        )
    return f"Record ‘{case_service.EVENT_LABELS[EventType.DECIDED_TO_ASSESS]}’ before requesting advice."


@bp.route("/cases/<int:case_id>/advice/request", methods=["GET", "POST"])
@role_required(*STAFF)
def request_advice(case_id: int) -> Any:
    case = _editable_case_or_404(case_id)
    form = RequestAdviceForm()
    status = 200
    if request.method == "GET":
        for kind in STATUTORY_ROWS:
            form.rows.append_entry({"advice_type": kind.value})
        for _ in range(EXTRA_ROWS):
            form.rows.append_entry()
    elif form.add_row.data:
        # The no-JavaScript "add another": the page comes back with what was typed and one more row.
        if len(form.rows.entries) < case_service.MAX_ADVICE_ROWS:
            form.rows.append_entry()
        else:
            form.form_errors.append(f"A request can have at most {case_service.MAX_ADVICE_ROWS} rows")
    elif form.validate_on_submit():
        assert form.on.data is not None
        rows = [
            case_service.AdviceWanted(entry.form.advice_type.data or None, entry.form.provider.data or "")
            for entry in form.rows.entries
        ]
        with saving(form, show=_show_row_error) as saved:
            made = case_service.request_advice(case, form.on.data, rows, actor=current_staff(), today=today())
        status = saved.status
        if saved.ok:
            due = {m.ref: m.due_on for m in case.milestones if m.key == "advice_due"}
            listed = "; ".join(f"{advice_name(a)}, due {due[f'advice:{a.id}']:%-d %B %Y}" for a in made)
            flash(f"Advice requested on {form.on.data:%-d %B %Y} ({len(made)}): {listed}.", "success")
            return redirect(url_for("cases.view", case_id=case.id))
    return render_template(
        "cases/request_advice.html",
        form=form,
        case=case,
        why_not=_why_not(case),
        provider_list=PROVIDER_LIST,
        providers=datalist(PROVIDER_LIST, directory_service.offered()),
        max_rows=case_service.MAX_ADVICE_ROWS,
    ), status
