"""Family feedback: the survey answered by its emailed link (no sign-in, once) or from the family's
account, and the managers' list of answers, where a manager chooses what the coordinator reads."""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import access
from ..extensions import db
from ..models.case import Case
from ..models.voice import FamilySurvey, SurveyPoint, SurveyRating
from ..services import ServiceError, audit
from ..services import family as family_service
from ..services import feedback as feedback_service
from ..services.clock import now, today
from ..services.paging import page_of
from ..services.reports.scope import month_start, parse_month
from ..web.security import role_required
from ..web.views import current_staff, saving
from .forms import FeedbackFilterForm, ShareForm, SurveyForm

bp = Blueprint("feedback", __name__)

PER_PAGE = 25
MONTHS_OFFERED = 24


def _answer(survey: FamilySurvey, form: SurveyForm, *, signed_in: Any) -> bool:
    with saving(form) as saved:
        feedback_service.answer(
            survey,
            rating=SurveyRating(form.rating.data),
            comment=form.comment.data,
            now=now(),
            today=today(),
            signed_in=signed_in,
        )
    return saved.ok


@bp.route("/feedback/<token>", methods=["GET", "POST"])
def answer_by_link(token: str) -> Any:
    """The survey by its emailed link: the token is the credential, and it works once."""
    try:
        survey = feedback_service.survey_by_token(token, now=now())
    except ServiceError as error:
        # Anonymous entries are bounded per address (services.audit): made-up links cannot fill the log.
        who = current_staff() if current_user.is_authenticated else None
        audit.record(who, "feedback_link_refused", "survey", None, "A used, expired or unknown survey link was opened")
        db.session.commit()
        return render_template("feedback/link_invalid.html", message=error.message), 410
    form = SurveyForm()
    if form.validate_on_submit():
        if _answer(survey, form, signed_in=None):
            return render_template("feedback/thanks.html", signed_in=False)
    return render_template("feedback/survey.html", form=form, survey=survey, back=None)


@bp.route("/family/cases/<int:case_id>/feedback/<int:survey_id>", methods=["GET", "POST"])
@role_required(*access.FAMILIES)
def answer(case_id: int, survey_id: int) -> Any:
    """The same survey from the family's own account (their progress page links to it)."""
    case = db.session.get(Case, case_id)
    me = current_staff()
    if case is None or not family_service.can_view_case(me, case):
        abort(404)
    survey = db.session.get(FamilySurvey, survey_id)
    if survey is None or survey.case_id != case.id or survey.user_id != me.id:
        abort(404)
    back = url_for("family.progress", case_id=case.id)
    if not survey.open_at(now()):
        flash("You have already answered this survey, or it has closed. Thank you.", "info")
        return redirect(back)
    form = SurveyForm()
    if form.validate_on_submit():
        if _answer(survey, form, signed_in=me):
            flash("Thank you for telling us how we did.", "success")
            return redirect(back)
    return render_template("feedback/survey.html", form=form, survey=survey, back=back)


# --- Managers: the answers ---------------------------------------------------------------------


def _month_choices() -> list[tuple[str, str]]:
    current = month_start(today())
    months = [current - relativedelta(months=n) for n in range(MONTHS_OFFERED)]
    return [("", "Any month")] + [(m.strftime("%Y-%m"), f"{m:%B %Y}") for m in months]


@bp.route("/feedback")
@role_required(*access.MANAGERS)
def index() -> Any:
    me = current_staff()
    form = FeedbackFilterForm(request.args)
    form.team_id.choices = [("", "All my teams")] + [(str(t.id), t.name) for t in me.teams]
    form.month.choices = _month_choices()
    month_arg = request.args.get("month", "")
    if month_arg and month_arg not in dict(form.month.choices):
        form.month.choices.append((month_arg, month_arg))  # an older month from a dashboard link
    form.validate()
    team_ids = frozenset(me.team_ids)
    team_arg = form.team_id.data or ""
    if team_arg:
        team_ids = team_ids & {int(team_arg)} if team_arg.isdigit() else frozenset()
    rating = form.rating.data if form.rating.data in {r.value for r in SurveyRating} else None
    point = form.point.data if form.point.data in {p.value for p in SurveyPoint} else None
    filters = feedback_service.FeedbackFilters(
        month_on=parse_month(month_arg),
        rating=SurveyRating(rating) if rating else None,
        point=SurveyPoint(point) if point else None,
    )
    number = max(request.args.get("page", type=int) or 1, 1)
    page = page_of(feedback_service.answers(team_ids, filters), page=number, per_page=PER_PAGE)
    summary = {"team_id": team_arg or None, "month": month_arg or None, "rating": rating, "point": point}
    if page.items:
        feedback_service.record_answers_viewed(me, list(page.items), summary)
        db.session.commit()
    return render_template(
        "feedback/index.html",
        form=form,
        page=page,
        share_form=ShareForm(),
        applied=any(summary.values()),
    )


@bp.route("/feedback/answers/<int:survey_id>/sharing", methods=["POST"])
@role_required(*access.MANAGERS)
def share(survey_id: int) -> Any:
    """Let the coordinator the answer names read it, or stop."""
    me = current_staff()
    survey = db.session.get(FamilySurvey, survey_id)
    if survey is None or survey.team_id not in me.team_ids or survey.answered_at is None:
        abort(404)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    sharing = form.share.data == "1"
    changed = feedback_service.set_shared(survey, share=sharing, actor=me, now=now())
    db.session.commit()
    who = survey.coordinator.name if survey.coordinator else "the coordinator"
    if not changed:
        flash("Nothing was changed.", "info")
    elif sharing:
        flash(f"{who} can now read this answer on the case.", "success")
    else:
        flash(f"{who} can no longer read this answer.", "success")
    back = request.form.get("back", "")
    # Back to the list as it was filtered: only ever a path of this list, never another address.
    return redirect(back if back.startswith("/feedback?") else url_for("feedback.index"))
