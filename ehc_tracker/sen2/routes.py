"""The SEN2 pages: managers check their teams' part of the return, download it with its
validation report, and make the whole authority's return; administrators keep the header items."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import access
from ..extensions import db
from ..models.sen2 import Sen2Export, Sen2ExportStatus
from ..services import ServiceError, audit, clock
from ..services import sen2 as sen2_service
from ..web.security import role_required
from ..web.views import current_staff, saving
from . import header_settings
from .forms import CensusForm, HeaderSettingsForm, WholeExportForm
from .jobs import start_export

bp = Blueprint("sen2", __name__, url_prefix="/sen2")
ROLES = access.MANAGERS
SHOWN = 100  # failures listed on the page; the CSV has them all


def _build(census_date: date) -> sen2_service.Sen2Return:
    me = current_staff()
    return sen2_service.build_return(
        census_date, header=header_settings(), today=clock.today(), now=clock.now(), team_ids=me.team_ids
    )


def _census_arg() -> date:
    text = request.args.get("census_date", "")
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        abort(400)


def _link(failure: sen2_service.Failure) -> str:
    return url_for("children.view", child_id=failure.child_id, _external=True) if failure.child_id is not None else ""


def _recent_exports() -> list[Sen2Export]:
    return list(db.session.scalars(select(Sen2Export).order_by(Sen2Export.id.desc()).limit(5)))


@bp.route("/")
@role_required(*ROLES)
def index() -> Any:
    form = CensusForm(request.args)
    result = None
    if "census_date" in request.args:
        if form.validate() and form.census_date.data is not None:
            try:
                result = _build(form.census_date.data)
            except ServiceError as error:
                form.census_date.errors = list(form.census_date.errors) + [error.message]
            else:
                sen2_service.record_export(
                    result, actor=current_staff(), how="checked", team_ids=current_staff().team_ids
                )
                db.session.commit()
    else:
        form.census_date.data = sen2_service.latest_census_date(clock.today())
    whole = WholeExportForm(formdata=None, prefix="whole")
    whole.census_date.data = (
        form.census_date.data if result is not None else sen2_service.latest_census_date(clock.today())
    )
    header = header_settings()
    return render_template(
        "sen2/index.html",
        form=form,
        result=result,
        rules=sen2_service.VALIDATION_RULES,
        shown=SHOWN,
        teams=sorted(current_staff().teams, key=lambda t: t.name),
        whole=whole,
        exports=_recent_exports(),
        header=header,
    )


@bp.route("/download")
@role_required(*ROLES)
def download() -> Any:
    try:
        result = _build(_census_arg())
    except ServiceError:
        abort(400)
    sen2_service.record_export(result, actor=current_staff(), how="downloaded", team_ids=current_staff().team_ids)
    db.session.commit()
    response = Response(result.xml, content_type="application/xml; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@bp.route("/report.csv")
@role_required(*ROLES)
def report() -> Any:
    try:
        result = _build(_census_arg())
    except ServiceError:
        abort(400)
    sen2_service.record_export(
        result, actor=current_staff(), how="validation report downloaded", team_ids=current_staff().team_ids
    )
    db.session.commit()
    response = Response(result.report_csv(_link), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="SEN2_{result.census_date.year}_validation.csv"'
    return response


# --- The whole authority's return, in the background -------------------------------------------------


@bp.route("/exports", methods=["POST"])
@role_required(*ROLES)
def start() -> Any:
    form = WholeExportForm(prefix="whole")
    if form.validate_on_submit() and form.census_date.data is not None:
        try:
            sen2_service.collection_period(form.census_date.data, today=clock.today())
        except ServiceError as error:
            form.census_date.errors = list(form.census_date.errors) + [error.message]
        else:
            export = Sen2Export(
                census_date=form.census_date.data, requested_by_id=current_staff().id, status=Sen2ExportStatus.QUEUED
            )
            db.session.add(export)
            db.session.commit()
            start_export(export.id, request.host_url.rstrip("/"))
            return redirect(url_for("sen2.export_status", export_id=export.id))
    check = CensusForm(formdata=None)
    check.census_date.data = sen2_service.latest_census_date(clock.today())
    return render_template(
        "sen2/index.html",
        form=check,
        result=None,
        rules=sen2_service.VALIDATION_RULES,
        shown=SHOWN,
        teams=sorted(current_staff().teams, key=lambda t: t.name),
        whole=form,
        exports=_recent_exports(),
        header=header_settings(),
    ), 400


def _export_or_404(export_id: int) -> Sen2Export:
    export = db.session.get(Sen2Export, export_id)
    if export is None:
        abort(404)
    return export


@bp.route("/exports/<int:export_id>")
@role_required(*ROLES)
def export_status(export_id: int) -> Any:
    export = _export_or_404(export_id)
    return render_template(
        "sen2/export.html", export=export, running=export.status in (Sen2ExportStatus.QUEUED, Sen2ExportStatus.RUNNING)
    )


@bp.route("/exports/<int:export_id>/file")
@role_required(*ROLES)
def export_file(export_id: int) -> Any:
    export = _export_or_404(export_id)
    if export.status is not Sen2ExportStatus.DONE or export.xml is None:
        abort(404)
    audit.record(
        current_staff(),
        "sen2_exported",
        "sen2_return",
        export.census_date.isoformat(),
        f"Downloaded the whole authority's SEN2 return (export {export.id})",
        {"export_id": export.id},
    )
    db.session.commit()
    response = Response(export.xml, content_type="application/xml; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{(export.summary or {}).get("filename", "SEN2.xml")}"'
    )
    return response


@bp.route("/exports/<int:export_id>/report.csv")
@role_required(*ROLES)
def export_report(export_id: int) -> Any:
    export = _export_or_404(export_id)
    if export.status is not Sen2ExportStatus.DONE or export.report_csv is None:
        abort(404)
    audit.record(
        current_staff(),
        "sen2_exported",
        "sen2_return",
        export.census_date.isoformat(),
        f"Downloaded the validation report of the whole authority's SEN2 return (export {export.id})",
        {"export_id": export.id},
    )
    db.session.commit()
    response = Response(export.report_csv, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="SEN2_{export.census_date.year}_validation.csv"'
    return response


# --- Header settings (administrators) -------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def settings() -> Any:
    saved = sen2_service.saved_header()
    form = HeaderSettingsForm(obj=saved)
    if form.validate_on_submit():
        with saving(form) as done:
            sen2_service.save_header(
                actor=current_staff(),
                la_code=form.la_code.data,
                dmo=form.dmo.data,
                dco=form.dco.data,
                dsco=form.dsco.data,
                software_code=form.software_code.data,
                serial_no=form.serial_no.data,
            )
        if done.ok:
            flash("Saved the SEN2 header settings.", "success")
            return redirect(url_for("sen2.settings"))
    status = 400 if request.method == "POST" else 200
    return render_template("sen2/settings.html", form=form, saved=saved), status
