"""Moving in, from the administrators' pages: upload a file, read the dry run's report, confirm,
watch the import's progress, see the result.

The check and the import run in a thread of the web process with their own application context
and session (as the whole-authority SEN2 return does, sen2/jobs.py): the request that starts one
commits an `Import` row and returns at once; the status page reads the row and refreshes itself,
so it is right on any worker and after a reload. Each batch commits whole, so an import cut short
(the process restarted) leaves whole children behind and can simply be run again: what was
imported is found by its source key and left alone. With IMPORT_INLINE (the default under tests)
the work runs in the request.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select, update

from .. import access
from ..extensions import db
from ..models import Import, ImportStatus, Team, User
from ..models.types import utcnow
from ..services import ServiceError, clock
from ..services import importing as import_service
from ..web.security import role_required
from ..web.views import current_staff

log = logging.getLogger(__name__)
bp = Blueprint("imports", __name__, url_prefix="/admin/imports")
SHOWN = 100  # problems listed on the page; the CSV has them all


def _set(import_id: int, **values: object) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(Import).where(Import.id == import_id).values(**values))


def run_import(import_id: int) -> None:
    imp = db.session.get(Import, import_id)
    if imp is None or imp.status is not ImportStatus.QUEUED:
        return
    actor = db.session.get(User, imp.requested_by_id) if imp.requested_by_id else None
    db.session.commit()
    _set(import_id, status=ImportStatus.RUNNING, started_at=utcnow())
    try:
        imp = db.session.get(Import, import_id)
        assert imp is not None
        import_service.run(
            imp,
            actor=actor,
            today=clock.today(),
            commit=db.session.commit,
            progress=lambda done, total: _set(import_id, done=done, total=total),
        )
        db.session.commit()
    except Exception as error:  # the row must say the run failed, whatever the reason
        db.session.rollback()
        log.exception("Import %s failed", import_id)
        _set(
            import_id, status=ImportStatus.FAILED, finished_at=utcnow(), error=str(error)[:500] or type(error).__name__
        )


def _in_thread(app: Flask, import_id: int) -> None:
    with app.app_context():
        try:
            run_import(import_id)
        finally:
            db.session.remove()


def start_job(import_id: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("IMPORT_INLINE"):
        run_import(import_id)
        return
    threading.Thread(target=_in_thread, args=(app, import_id), name=f"import-{import_id}", daemon=True).start()


def _teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def _or_404(import_id: int) -> Import:
    imp = db.session.get(Import, import_id)
    if imp is None:
        abort(404)
    return imp


@bp.route("/", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def index() -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
        upload = request.files.get("file")
        team_text = request.form.get("team_id", "")
        team_id = int(team_text) if team_text.isdigit() else None
        if team_id is not None and db.session.get(Team, team_id) is None:
            errors["team_id"] = "Select a team from the list"
        if upload is None or not upload.filename:
            errors["file"] = "Choose the SEN2 return (.xml) or the moving-in spreadsheet (.csv or .xlsx)"
        if not errors and upload is not None:
            try:
                imp = import_service.start(
                    content=upload.read(),
                    file_name=upload.filename or "upload",
                    kind=None,
                    dry_run=True,
                    default_team_id=team_id,
                    actor=current_staff(),
                )
            except ServiceError as error:
                db.session.rollback()
                errors[error.field or "file"] = error.message
            else:
                db.session.commit()
                ident = imp.id
                start_job(ident)
                return redirect(url_for("imports.status", import_id=ident))
    recent = list(db.session.scalars(select(Import).order_by(Import.id.desc()).limit(10)))
    return render_template(
        "admin/imports.html", teams=_teams(), recent=recent, errors=errors, kinds=import_service.KINDS
    ), (400 if errors else 200)


@bp.route("/<int:import_id>")
@role_required(*access.ADMINS)
def status(import_id: int) -> Any:
    imp = _or_404(import_id)
    problems = []
    if imp.report_csv:
        import csv
        import io

        reader = csv.DictReader(io.StringIO(imp.report_csv))
        for n, row in enumerate(reader):
            if n >= SHOWN:
                break
            problems.append(row)
    team = db.session.get(Team, imp.default_team_id) if imp.default_team_id else None
    return render_template(
        "admin/import_status.html",
        imp=imp,
        running=imp.is_running,
        problems=problems,
        shown=SHOWN,
        team=team,
        rules=import_service.RULES,
    )


@bp.route("/<int:import_id>/confirm", methods=["POST"])
@role_required(*access.ADMINS)
def confirm(import_id: int) -> Any:
    checked = _or_404(import_id)
    try:
        imp = import_service.confirm(checked, actor=current_staff())
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("imports.status", import_id=import_id))
    db.session.commit()
    ident = imp.id
    start_job(ident)
    return redirect(url_for("imports.status", import_id=ident))


@bp.route("/<int:import_id>/report.csv")
@role_required(*access.ADMINS)
def report(import_id: int) -> Any:
    imp = _or_404(import_id)
    if imp.report_csv is None:
        abort(404)
    response = Response(imp.report_csv, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="import-{imp.id}-report.csv"'
    return response
