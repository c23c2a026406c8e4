"""The whole-authority SEN2 return asked for from the page, run in the background.

A manager's request adds a `Sen2Export` row (queued) and commits it; the build then runs in a
thread of the web process with its own application context and session, writing its progress
(children written, of how many) to the row in short separate transactions, and at the end the
file, the validation report and the summary. The status page reads the row and refreshes itself
until the run has ended. Nothing is kept in memory between requests, so the status is right on
any worker and after a reload, and the same code runs on SQLite and PostgreSQL. A run that dies
with its process stays "running": the status page says since when, and the manager can start
another. With SEN2_EXPORT_INLINE set (the default under tests) the build runs in the request.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app
from sqlalchemy import update

from ..extensions import db
from ..models import User
from ..models.sen2 import Sen2Export, Sen2ExportStatus
from ..models.types import utcnow
from ..services import clock
from ..services import sen2 as sen2_service
from . import header_settings

log = logging.getLogger(__name__)


def _set(export_id: int, **values: object) -> None:
    """Write progress in its own short transaction, so the status page sees it at once."""
    with db.engine.begin() as connection:
        connection.execute(update(Sen2Export).where(Sen2Export.id == export_id).values(**values))


def run_export(export_id: int, link_prefix: str = "") -> None:
    """Build the whole-authority return for the export row, recording progress and the result."""
    export = db.session.get(Sen2Export, export_id)
    if export is None or export.status is not Sen2ExportStatus.QUEUED:
        return
    actor = db.session.get(User, export.requested_by_id) if export.requested_by_id else None
    census_date = export.census_date
    db.session.rollback()
    _set(export_id, status=Sen2ExportStatus.RUNNING, started_at=utcnow())
    try:
        result = sen2_service.build_return(
            census_date,
            header=header_settings(),
            today=clock.today(),
            now=clock.now(),
            team_ids=None,
            progress=lambda done, total: _set(export_id, done=done, total=total),
        )
        export = db.session.get(Sen2Export, export_id)
        assert export is not None
        export.xml = result.xml
        export.report_csv = result.report_csv(
            (lambda f: f"{link_prefix}/children/{f.child_id}" if f.child_id is not None else "")
            if link_prefix
            else None
        )
        export.summary = {
            "filename": result.filename,
            "persons": result.persons,
            "requests": result.requests,
            "active_plans": result.active_plans,
            "ceased_plans": result.ceased_plans,
            "schema_errors": len(result.schema_errors),
            "errors": len(result.errors),
            "failures": len(result.failures),
            "rules": [[c.rule, c.description, c.count, c.warning] for c in result.counts_by_rule()],
        }
        export.done = export.total = result.persons
        export.status = Sen2ExportStatus.DONE
        export.finished_at = utcnow()
        sen2_service.record_export(
            result, actor=actor, how=f"written for the whole authority (export {export_id})", team_ids=None
        )
        db.session.commit()
    except Exception as error:  # the row must say the run failed, whatever the reason
        db.session.rollback()
        log.exception("SEN2 export %s failed", export_id)
        _set(
            export_id,
            status=Sen2ExportStatus.FAILED,
            finished_at=utcnow(),
            error=str(error)[:500] or error.__class__.__name__,
        )


def _run_in_thread(app: Flask, export_id: int, link_prefix: str) -> None:
    with app.app_context():
        try:
            run_export(export_id, link_prefix)
        finally:
            db.session.remove()


def start_export(export_id: int, link_prefix: str = "") -> None:
    """Run the export now (SEN2_EXPORT_INLINE) or in a background thread."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("SEN2_EXPORT_INLINE", app.testing):
        run_export(export_id, link_prefix)
        return
    threading.Thread(
        target=_run_in_thread, args=(app, export_id, link_prefix), name=f"sen2-export-{export_id}", daemon=True
    ).start()
