"""Report pages: parse the filters, ask services/reports/, render or export.

Viewers never receive a child's name: the service leaves names out of their rows, and their
exports have no name columns.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wsgi import wrap_file

from .. import access
from ..extensions import db
from ..models import User
from ..models.case import AdviceType, AppealType, CaseType
from ..models.child import SenNeed
from ..services import audit, exports
from ..services import reports as oversight
from ..services.clock import now, today
from ..services.reports.quality import quality_figures
from ..web.security import role_required
from ..web.views import current_staff, saving
from .charts import build_chart
from .charts import month_label as _month_label
from .forms import DashboardFilterForm, MonthlyReportForm, OverdueFilterForm, TargetGridForm, TargetYearForm

bp = Blueprint("reports", __name__, url_prefix="/reports")

STAFF = access.CASEWORK
LIST_ROLES = access.OVERDUE_READERS
READERS = access.REPORT_READERS
PER_PAGE = 50
DEFAULT_MONTHS = 12
FORMATS = ("csv", "xlsx")


def _page_number() -> int:
    number = request.args.get("page", type=int) or 1
    return max(number, 1)


def date_args(on: date) -> list[str]:
    """A date as the three boxes of a GOV.UK date input, for links to the filter forms."""
    return [str(on.day), str(on.month), str(on.year)]


def _team_choices(me: User) -> list[tuple[str, str]]:
    return [("", "All my teams")] + [(str(t.id), t.name) for t in sorted(me.teams, key=lambda t: t.name)]


def _valid(field_: Any) -> Any:
    """A filter's value, or None if it is empty or was refused (the error is shown on the page)."""
    return None if field_.errors or field_.data in (None, "") else field_.data


def _as_at(form: Any) -> date:
    value = _valid(form.as_at)
    return value if isinstance(value, date) else today()


def _team_id(form: Any) -> int | None:
    """The team asked for. One that is not the user's is kept (and shown as an error), so that
    the scope, which only narrows the user's teams, finds nothing rather than everything."""
    value = form.team_id.data
    return int(value) if value is not None and str(value).isdigit() else None


def _export_format() -> str:
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        abort(400)
    return fmt


# A CSV is written whole before its first byte is sent: kept in memory up to this size, then on
# disk. An export that fails part way then ends as an error page the browser shows, never as a
# download that looks complete but is cut short.
CSV_SPOOL_BYTES = 8 * 1024 * 1024


def _spooled_csv(table: exports.Table) -> Response:
    spool = tempfile.SpooledTemporaryFile(max_size=CSV_SPOOL_BYTES, mode="w+b")
    try:
        for piece in exports.csv_stream(table):
            spool.write(piece.encode("utf-8"))
    except BaseException:
        spool.close()
        raise
    size = spool.tell()
    spool.seek(0)
    response = Response(
        wrap_file(request.environ, spool), content_type=exports.CSV_CONTENT_TYPE, direct_passthrough=True
    )
    response.content_length = size
    return response


def _file_response(tables: list[exports.Table], fmt: str, filename: str, about: exports.ExportAbout) -> Response:
    """CSV (the first table, written whole then sent, as it always was) or an Excel workbook (a
    sheet per table, each saying what it is, the filters used, and when and by whom)."""
    if fmt == "csv":
        response = _spooled_csv(tables[0])
    else:
        response = Response(exports.xlsx_bytes(tables, about), content_type=exports.XLSX_CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


# --- Filters in words -------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterInWords:
    """One filter as the page summary and the export describe it; `applied` when it differs
    from what the page shows without asking."""

    key: str
    label: str
    value: str
    applied: bool


def _about(report: str, filters: list[FilterInWords], notes: tuple[str, ...] = ()) -> exports.ExportAbout:
    """What an Excel export says about itself: the report, every filter it was made with, and
    when and by whom it was downloaded."""
    return exports.ExportAbout(report, [(f.label, f.value) for f in filters], now(), current_staff().name, notes)


def _choice(field_: Any, value: Any, otherwise: str) -> str:
    return str(dict(field_.choices).get("" if value is None else str(value), otherwise))


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


# --- The overdue and due-soon list ------------------------------------------------------------

SORT_DEFAULT_DIRECTION = {"overdue": "desc", "due": "asc", "child": "asc"}


@dataclass
class OverdueRequest:
    form: OverdueFilterForm
    scope: oversight.Scope
    filters: oversight.OverdueFilters
    who: str
    with_names: bool
    # The filters in force, for the audit entry of an export.
    summary: dict[str, Any]
    # The same, in words, for the summary above the list and the export's own description.
    described: list[FilterInWords]
    sorted_by: str


def _overdue_request() -> OverdueRequest:
    me = current_staff()
    form = OverdueFilterForm(request.args)
    colleagues = {p.id: p for t in me.teams for p in t.members if access.is_staff_editor(p)}
    choices = [("mine", "My cases")] if access.is_staff_editor(me) else []
    choices += [("", "Everyone in my teams"), ("unassigned", "Not assigned")]
    choices += [(str(p.id), p.name) for p in sorted(colleagues.values(), key=lambda p: p.name)]
    form.coordinator_id.choices = choices
    form.team_id.choices = _team_choices(me)
    if "coordinator_id" not in request.args:
        form.coordinator_id.data = "mine" if access.works_own_caseload(me) else ""
    form.validate()
    # A coordinator who is not a colleague is refused on the page and, like a team that is not
    # the user's, narrows the list to nothing (the scope never leaves the user's teams).
    who = form.coordinator_id.data or ""
    if who == "mine" and not access.is_staff_editor(me):
        who = ""
    scope = oversight.scope_for(
        me,
        team_id=_team_id(form),
        coordinator_id=me.id if who == "mine" else (int(who) if who.isdigit() else None),
        unassigned=who == "unassigned",
    )
    with_names = access.can_see_child_names(me)
    sort = request.args.get("sort", "overdue")
    if sort not in SORT_DEFAULT_DIRECTION or (sort == "child" and not with_names):
        sort = "overdue"
    direction = request.args.get("dir", SORT_DEFAULT_DIRECTION[sort])
    if direction not in ("asc", "desc"):
        direction = SORT_DEFAULT_DIRECTION[sort]
    within = _valid(form.within)
    case_type = _valid(form.case_type)
    need = _valid(form.primary_need)
    show = _valid(form.show) or "all"
    filters = oversight.OverdueFilters(
        as_at=_as_at(form),
        due_within_days=within if isinstance(within, int) else oversight.DEFAULT_DUE_SOON_DAYS,
        show=show if show in ("all", "overdue", "due_soon") else "all",
        case_type=CaseType(case_type) if case_type else None,
        milestone_key=_valid(form.milestone_key),
        primary_need=SenNeed(need) if need else None,
        setting_contains=_valid(form.setting),
        sort=sort,  # type: ignore[arg-type]
        descending=direction == "desc",
    )
    summary = {
        "coordinator": who or "all",
        "team_id": _team_id(form),
        "show": filters.show,
        "within": filters.due_within_days,
        "case_type": case_type,
        "milestone_key": filters.milestone_key,
        "primary_need": need,
        "setting": filters.setting_contains,
        "as_at": filters.as_at.isoformat(),
        "sort": sort,
        "dir": direction,
    }
    default_who = "mine" if access.works_own_caseload(me) else ""
    team_id = _team_id(form)
    setting = filters.setting_contains.strip() if filters.setting_contains else ""
    described = [
        FilterInWords(
            "coordinator",
            "Coordinator",
            _choice(form.coordinator_id, who, "Not one of your teams’ coordinators"),
            who != default_who,
        ),
        FilterInWords("team", "Team", _choice(form.team_id, team_id, "Not one of your teams"), team_id is not None),
        FilterInWords("show", "Show", _choice(form.show, filters.show, filters.show), filters.show != "all"),
        FilterInWords(
            "within",
            "Due soon means due within",
            _days(filters.due_within_days),
            filters.due_within_days != oversight.DEFAULT_DUE_SOON_DAYS,
        ),
        FilterInWords("case_type", "Case type", _choice(form.case_type, case_type, "All case types"), bool(case_type)),
        FilterInWords(
            "milestone_key",
            "Step",
            _choice(form.milestone_key, filters.milestone_key, "Any step"),
            bool(filters.milestone_key),
        ),
        FilterInWords("primary_need", "Primary need", _choice(form.primary_need, need, "Any primary need"), bool(need)),
        FilterInWords("setting", "Setting name contains", f"“{setting}”" if setting else "any setting", bool(setting)),
        FilterInWords("as_at", "As at", f"{filters.as_at:%-d %B %Y}", _valid(form.as_at) is not None),
    ]
    sorted_by = {
        ("overdue", "desc"): "most days overdue first",
        ("overdue", "asc"): "fewest days overdue first",
        ("due", "asc"): "earliest due date first",
        ("due", "desc"): "latest due date first",
        ("child", "asc"): "child’s surname, A to Z",
        ("child", "desc"): "child’s surname, Z to A",
    }[(sort, direction)]
    return OverdueRequest(form, scope, filters, who, with_names, summary, described, sorted_by)


@bp.route("/overdue")
@role_required(*LIST_ROLES)
def overdue() -> Any:
    r = _overdue_request()
    page = oversight.page_of_ids(oversight.overdue_ids(r.scope, r.filters), page=_page_number(), per_page=PER_PAGE)
    rows = oversight.milestone_rows(
        page.items, as_at=r.filters.as_at, with_names=r.with_names, due_soon_days=r.filters.due_within_days
    )
    # One-click views: a coordinator starts on their own cases, a manager on their teams'.
    views = [("My overdue", "mine")] if access.is_staff_editor(current_staff()) else []
    views.append(("My teams’ overdue", ""))
    applied = [f for f in r.described if f.applied]
    # The filter panel stays folded unless filters were asked for (a quick view is not one: the
    # caption says whose cases are shown) or one was refused, so the list comes first.
    quick = {view for _, view in views}
    panel_open = bool(r.form.errors) or any(f.key != "coordinator" or r.who not in quick for f in applied)
    return render_template(
        "reports/overdue.html",
        form=r.form,
        page=page,
        rows=rows,
        filters=r.filters,
        who=r.who,
        with_names=r.with_names,
        sort=r.filters.sort,
        direction="desc" if r.filters.descending else "asc",
        views=views,
        applied=applied,
        panel_open=panel_open,
    )


@bp.route("/overdue/export")
@role_required(*LIST_ROLES)
def overdue_export() -> Any:
    """Every row that matches the filters (not just a page), as ?format=csv (streamed) or xlsx."""
    fmt = _export_format()
    r = _overdue_request()
    audit.record(
        current_staff(),
        "export_downloaded",
        "report",
        "overdue",
        f"Downloaded the overdue list as {fmt.upper()}" + ("" if r.with_names else " (no child names)"),
        {"report": "overdue", "format": fmt, "filters": r.summary, "child_names": r.with_names},
    )
    db.session.commit()
    table = exports.overdue_table(
        oversight.overdue_rows(r.scope, r.filters, with_names=r.with_names), with_names=r.with_names
    )
    notes = () if r.with_names else ("Children’s names and settings are left out of this export.",)
    about = _about(
        "Overdue and due soon", r.described + [FilterInWords("sort", "Sorted by", r.sorted_by, False)], notes
    )
    return _file_response([table], fmt, f"overdue-{r.filters.as_at.isoformat()}", about)


# --- The compliance dashboard -----------------------------------------------------------------


@dataclass
class DashboardRequest:
    form: DashboardFilterForm
    scope: oversight.Scope
    team_id: int | None
    as_at: date
    months: list[date]
    described: list[FilterInWords]


def _dashboard_request() -> DashboardRequest:
    me = current_staff()
    form = DashboardFilterForm(request.args)
    form.team_id.choices = _team_choices(me)
    form.validate()
    count = _valid(form.months)
    as_at = _as_at(form)
    team_id = _team_id(form)
    months = oversight.months_ending(as_at, count if isinstance(count, int) else DEFAULT_MONTHS)
    span = (
        f"{len(months)} month{'' if len(months) == 1 else 's'}, {_month_label(months[0])} to {_month_label(months[-1])}"
    )
    described = [
        FilterInWords("team", "Team", _choice(form.team_id, team_id, "Not one of your teams"), team_id is not None),
        FilterInWords("months", "Months", span, len(months) != DEFAULT_MONTHS),
        FilterInWords("as_at", "As at", f"{as_at:%-d %B %Y}", _valid(form.as_at) is not None),
    ]
    return DashboardRequest(form, oversight.scope_for(me, team_id=team_id), team_id, as_at, months, described)


@bp.route("/dashboard")
@role_required(*READERS)
def dashboard() -> Any:
    d = _dashboard_request()
    series = oversight.monthly_figures(d.scope, d.months, d.as_at)
    start, end = d.months[0], oversight.next_month(d.months[-1])
    advice = oversight.advice_breakdowns(d.scope, start, end, d.as_at)
    applied = [f for f in d.described if f.applied]
    return render_template(
        "reports/dashboard.html",
        form=d.form,
        drill_base=url_for("reports.drilldown"),
        series=series,
        charts={s.measure.key: build_chart(s) for s in series},
        by_type=advice["type"],
        by_provider=advice["provider"],
        work=oversight.workload(d.scope, d.as_at),
        as_at=d.as_at,
        months=d.months,
        team_id=d.team_id or "",
        as_at_args=date_args(d.as_at),
        month_count=len(d.months),
        headline=oversight.headline(d.scope, d.as_at),
        disputes=oversight.dispute_figures(d.scope, d.months, d.as_at),
        complaints=oversight.complaint_figures(d.scope, d.months, d.as_at),
        feedback=oversight.feedback_figures(d.scope, d.months, d.as_at),
        quality=quality_figures(d.scope, d.months, with_names=access.can_see_child_names(current_staff())),
        figures=oversight.MONTHLY_FIGURES,
        figure_titles=oversight.FIGURE_TITLES,
        applied=applied,
        panel_open=bool(applied or d.form.errors),
        team_name=_choice(d.form.team_id, d.team_id, "Not one of your teams"),
    )


@bp.route("/dashboard/export")
@role_required(*READERS)
def dashboard_export() -> Any:
    """The monthly figures as ?format=csv or xlsx (with the advice breakdowns, open work, and
    mediation and appeals)."""
    fmt = _export_format()
    d = _dashboard_request()
    series = oversight.monthly_figures(d.scope, d.months, d.as_at)
    start, end = d.months[0], oversight.next_month(d.months[-1])
    tables = [exports.figures_table(series)]
    if fmt == "xlsx":
        advice = oversight.advice_breakdowns(d.scope, start, end, d.as_at)
        tables += [
            exports.breakdown_table("Advice by type", "Type of advice", advice["type"]),
            exports.breakdown_table("Advice by provider", "Provider", advice["provider"]),
            exports.workload_table(oversight.workload(d.scope, d.as_at)),
            *exports.disputes_tables(oversight.dispute_figures(d.scope, d.months, d.as_at)),
            *exports.quality_tables(
                quality_figures(d.scope, d.months, with_names=access.can_see_child_names(current_staff()))
            ),
        ]
    audit.record(
        current_staff(),
        "export_downloaded",
        "report",
        "compliance",
        f"Downloaded the monthly compliance figures as {fmt.upper()}",
        {
            "report": "compliance",
            "format": fmt,
            "team_id": d.team_id,
            "as_at": d.as_at.isoformat(),
            "months": len(d.months),
        },
    )
    db.session.commit()
    about = _about("Compliance figures", d.described)
    return _file_response(tables, fmt, f"compliance-{d.months[0]:%Y-%m}-to-{d.months[-1]:%Y-%m}", about)


# --- Drill-down --------------------------------------------------------------------------------


def _arg_month(name: str) -> date | None:
    value = request.args.get(name)
    if value is None:
        return None
    month_on = oversight.parse_month(value)
    if month_on is None:
        abort(400)
    return month_on


def _month_span() -> tuple[date, date]:
    """The months a drill-down asks for: ?month=, or ?from_month= to ?to_month= (one month if
    only the first is given); 404 without them or backwards."""
    first = _arg_month("month") or _arg_month("from_month")
    last = _arg_month("month") or _arg_month("to_month") or first
    if first is None or last is None or last < first:
        abort(404)
    return first, last


DISPUTE_OUTCOME_WORDS = {
    **{key: label.lower() for key, label in oversight.OUTCOME_LABELS.items()},
    "upheld_at_hearing": "upheld in full or in part",
    "conceded_or_not_opposed": "conceded or not opposed",
}


def _dispute_drilldown(as_at: date) -> oversight.DisputeDrillDown:
    """The disputes figure a drill-down link asks for: ?figure=, a month (or from_month and
    to_month), and optionally what is disputed (appeal_type) and the appeal's end (outcome)."""
    figure = request.args.get("figure", "")
    if figure not in oversight.FIGURE_TITLES:
        abort(404)
    first, last = _month_span()
    appeal_type = None
    if request.args.get("appeal_type"):
        try:
            appeal_type = AppealType(request.args["appeal_type"])
        except ValueError:
            abort(400)
    outcome = request.args.get("outcome") or None
    if outcome is not None and outcome not in oversight.DRILL_OUTCOMES:
        abort(400)
    return oversight.DisputeDrillDown(
        figure, first, oversight.next_month(last), as_at, appeal_type=appeal_type, outcome=outcome
    )


@bp.route("/drilldown")
@role_required(*READERS)
def drilldown() -> Any:
    """The milestones or cases behind one number on the dashboard."""
    me = current_staff()
    key = request.args.get("measure", "")
    try:
        as_at = date.fromisoformat(request.args["as_at"]) if request.args.get("as_at") else today()
    except ValueError:
        abort(400)
    team_arg = request.args.get("team_id", "")
    team_id = int(team_arg) if team_arg.isdigit() else None
    with_names = access.can_see_child_names(me)
    params: dict[str, Any] = {"measure": key, "as_at": as_at.isoformat(), "team_id": team_id}
    measure = oversight.MEASURE_BY_KEY.get(key)
    if measure is not None:
        first, last = _month_span()
        outcome = request.args.get("outcome", "all")
        if outcome not in ("all", "on_time", "late"):
            abort(400)
        exclude = request.args.get("exceptions") == "exclude"
        advice_type = None
        if request.args.get("advice_type"):
            try:
                advice_type = AdviceType(request.args["advice_type"])
            except ValueError:
                abort(400)
        provider = request.args.get("provider") or None
        spec = oversight.DrillDown(
            measure,
            first,
            oversight.next_month(last),
            as_at,
            outcome=outcome,
            exclude_exceptions=exclude,  # type: ignore[arg-type]
            advice_type=advice_type,
            provider=provider,
        )
        scope = oversight.scope_for(me, team_id=team_id)
        page = oversight.page_of_ids(oversight.drilldown_ids(scope, spec), page=_page_number(), per_page=PER_PAGE)
        rows: list[Any] = oversight.milestone_rows(page.items, as_at=as_at, with_names=with_names)
        period = _month_label(first) if first == last else f"{_month_label(first)} to {_month_label(last)}"
        outcome_text = {"all": "all counted", "on_time": "on time", "late": "late"}[outcome]
        heading = f"{measure.title}: {outcome_text}, {period}"
        if exclude:
            heading += ", excluding exceptions"
        if advice_type is not None:
            heading += f", {advice_type.label}"
        if provider:
            heading += f", {provider}"
        params.update(
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "outcome": outcome,
                "exceptions": "exclude" if exclude else "include",
                "advice_type": advice_type.value if advice_type else None,
                "provider": provider,
            }
        )
        kind = "milestones"
    elif key == "disputes":
        spec = _dispute_drilldown(as_at)
        scope = oversight.scope_for(me, team_id=team_id)
        page = oversight.page_of_ids(oversight.dispute_ids(scope, spec), page=_page_number(), per_page=PER_PAGE)
        rows = oversight.case_rows(page.items, as_at=as_at, with_names=with_names)
        first, last = spec.start, spec.end - relativedelta(months=1)
        period = _month_label(first) if first == last else f"{_month_label(first)} to {_month_label(last)}"
        heading = f"{spec.title}, {period}"
        if spec.appeal_type is not None:
            heading += f": {spec.appeal_type.label.lower()}"
        if spec.outcome is not None:
            heading += f", {DISPUTE_OUTCOME_WORDS[spec.outcome]}"
        params.update(
            {
                "figure": spec.figure,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "appeal_type": spec.appeal_type.value if spec.appeal_type else None,
                "outcome": spec.outcome,
            }
        )
        measure = None
        kind = "disputes"
    elif key in oversight.WORKLOAD_TITLES:
        coordinator_arg = request.args.get("coordinator_id", "")
        if coordinator_arg not in ("", "none") and not coordinator_arg.isdigit():
            abort(404)
        if key == "caseload" and not coordinator_arg:
            abort(404)  # a caseload is someone's (or nobody's): the dashboard always says whose
        scope = oversight.scope_for(
            me,
            team_id=team_id,
            coordinator_id=int(coordinator_arg) if coordinator_arg.isdigit() else None,
            unassigned=coordinator_arg == "none",
        )
        # Only someone in the reader's teams (or holding a case there) can be asked for by id:
        # anyone else is "not found", and their name is never shown.
        holder = oversight.coordinator_in_scope(scope, int(coordinator_arg)) if coordinator_arg.isdigit() else None
        if coordinator_arg.isdigit() and holder is None:
            abort(404)
        page = oversight.page_of_ids(oversight.workload_ids(scope, key, as_at), page=_page_number(), per_page=PER_PAGE)  # type: ignore[arg-type]
        rows = oversight.case_rows(page.items, as_at=as_at, with_names=with_names)
        heading = f"{oversight.WORKLOAD_TITLES[key]} at {as_at:%-d %B %Y}"
        if key == "caseload":
            heading = f"Open cases held by {holder.name if holder else 'nobody'} at {as_at:%-d %B %Y}"
        if coordinator_arg:
            params["coordinator_id"] = coordinator_arg
        measure = None
        kind = "cases"
    else:
        abort(404)
    if with_names and page.items:
        audit.record(me, "report_viewed", "report", key, f"Viewed the list behind a report figure: {heading}", params)
        db.session.commit()
    return render_template(
        "reports/drilldown.html",
        heading=heading,
        page=page,
        rows=rows,
        kind=kind,
        measure=measure,
        with_names=with_names,
        as_at=as_at,
        team_id=team_id,
    )


# --- Targets -----------------------------------------------------------------------------------

# Years offered for targets: a few back (to correct or copy from) and a couple ahead (to plan).
TARGET_YEARS_BACK = 3
TARGET_YEARS_AHEAD = 2
COPY_LAST_YEAR = "last-year"
FIRST_TARGET_YEAR = 2014


def _target_years(now_on: date) -> list[int]:
    return list(range(now_on.year - TARGET_YEARS_BACK, now_on.year + TARGET_YEARS_AHEAD + 1))


def _fill_grid(form: TargetGridForm, targets: dict[int, Any], nationals: dict[int, Any]) -> None:
    for month in range(1, 13):
        form.target(month).data = targets[month].target_percent if month in targets else None
        form.national(month).data = nationals[month].national_average_percent if month in nationals else None


@bp.route("/targets", methods=["GET", "POST"])
@role_required(*access.MANAGERS)
def targets() -> Any:
    """A measure's targets for a calendar year as one grid of twelve months. "Copy last year's
    targets" fills the grid with the previous year's targets for the manager to check; nothing
    is saved until they select "Save targets"."""
    now_on = today()
    years = _target_years(now_on)
    choose = TargetYearForm(request.args)
    choose.year.choices = [(str(y), str(y)) for y in years]
    measure_key = request.args.get("measure", "")
    if measure_key not in oversight.MEASURE_BY_KEY:
        measure_key = oversight.MEASURES[0].key
    year_arg = request.args.get("year", "")
    # EHC plans began in September 2014: a year from then on is offered, besides the usual range.
    year = int(year_arg) if year_arg.isdigit() and FIRST_TARGET_YEAR <= int(year_arg) <= years[-1] else now_on.year
    if year not in years:
        years = sorted({*years, year})
        choose.year.choices = [(str(y), str(y)) for y in years]
    choose.measure.data, choose.year.data = measure_key, str(year)
    measure = oversight.MEASURE_BY_KEY[measure_key]
    saved = oversight.year_targets(measure_key, year)
    last_year = oversight.year_targets(measure_key, year - 1)
    form = TargetGridForm()
    for month in range(1, 13):
        name = f"{date(year, month, 1):%B %Y}"
        form.target(month).label.text = f"Target for {name}"
        form.national(month).label.text = f"National average for {name}"
    copied = False
    if request.method == "GET":
        copied = request.args.get("copy") == COPY_LAST_YEAR and bool(last_year)
        # A copy brings last year's targets only; the national averages beside them stay this
        # year's (last year's national figure is not this year's).
        _fill_grid(form, last_year if copied else saved, saved)
    elif form.validate_on_submit():
        rows = [
            oversight.MonthTarget(date(year, month, 1), form.target(month).data, form.national(month).data)
            for month in range(1, 13)
        ]
        with saving(form) as done:
            changed, removed = oversight.save_year_targets(
                measure=measure_key, year=year, months=rows, actor=current_staff()
            )
        if done.ok:
            if changed or removed:
                parts = [f"{changed} month{'' if changed == 1 else 's'} set or changed"] if changed else []
                parts += [f"{removed} month{'' if removed == 1 else 's'} cleared"] if removed else []
                flash(f"Targets saved: {measure.title}, {year}: {' and '.join(parts)}.", "success")
            else:
                flash(f"Nothing changed: the targets for {measure.title}, {year}, are as they were.", "success")
            return redirect(url_for("reports.targets", measure=measure_key, year=year))
    by_year: dict[tuple[str, int], int] = {}
    for t in oversight.all_targets():
        by_year[(t.measure, t.month_on.year)] = by_year.get((t.measure, t.month_on.year), 0) + 1
    overview = [(m, sorted((y, n) for (key, y), n in by_year.items() if key == m.key)) for m in oversight.MEASURES]
    setter_ids = {t.set_by_id for t in saved.values() if t.set_by_id}
    setters = (
        {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(setter_ids)))} if setter_ids else {}
    )
    return render_template(
        "reports/targets.html",
        choose=choose,
        form=form,
        measure=measure,
        year=year,
        months=[date(year, n, 1) for n in range(1, 13)],
        copied=copied,
        can_copy=bool(last_year),
        overview=overview,
        any_saved=bool(by_year),
        copy_value=COPY_LAST_YEAR,
        saved=saved,
        setters=setters,
    )


# --- The monthly performance report ------------------------------------------------------------

# Fits the report on one A4 page for a board pack (app.css already leaves out the header,
# footer and anything marked app-no-print).
PRINT_CSS = """@media print {
  @page { size: A4 portrait; margin: 12mm; }
  .govuk-main-wrapper { padding-top: 0; padding-bottom: 0; }
  .app-report .govuk-heading-l { font-size: 20pt !important; margin-bottom: 4pt !important; }
  .app-report .govuk-caption-m, .app-report .govuk-body-s { font-size: 9pt !important; margin-bottom: 6pt !important; }
  .app-report .govuk-table { font-size: 10pt !important; margin-bottom: 6pt !important; }
  .app-report .govuk-table__caption { font-size: 11pt !important; margin-bottom: 2pt; }
  .app-report .govuk-table__header, .app-report .govuk-table__cell { padding: 3pt 8pt 3pt 0; }
  .app-report .govuk-grid-column-one-half { width: 50%; float: left; }
}
"""


@bp.route("/monthly/print.css")
@role_required(*READERS)
def print_css() -> Any:
    return Response(PRINT_CSS, content_type="text/css; charset=utf-8")


@bp.route("/monthly")
@role_required(*READERS)
def monthly() -> Any:
    me = current_staff()
    now = today()
    form = MonthlyReportForm(request.args)
    current = oversight.month_start(now)
    choices = [current - relativedelta(months=n) for n in range(0, 25)]
    form.month.choices = [
        (m.strftime("%Y-%m"), _month_label(m) + (" (to date)" if m == current else "")) for m in choices
    ]
    form.team_id.choices = _team_choices(me)
    if "month" not in request.args:
        # A board usually looks at the last complete month.
        form.month.data = (current - relativedelta(months=1)).strftime("%Y-%m")
    form.validate()
    month_on = oversight.parse_month(_valid(form.month)) or current - relativedelta(months=1)
    team_id = _team_id(form)
    scope = oversight.scope_for(me, team_id=team_id)
    team_name = next((t.name for t in me.teams if t.id == team_id), None)
    return render_template(
        "reports/monthly.html",
        form=form,
        lines=oversight.monthly_report(scope, month_on, now),
        work=oversight.workload(scope, now),
        disputes=oversight.dispute_figures(scope, [month_on - relativedelta(months=1), month_on], now),
        quality=quality_figures(scope, [month_on - relativedelta(months=1), month_on], with_names=False),
        figures=oversight.MONTHLY_FIGURES,
        figure_titles=oversight.FIGURE_TITLES,
        month_on=month_on,
        month_label=_month_label(month_on),
        last_month_label=_month_label(month_on - relativedelta(months=1)),
        as_at=now,
        partial=month_on == current,
        team_name=team_name,
        team_id=team_id,
    )
