"""Administrators: the runs of the daily alerts job and the state of the outbox."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from sqlalchemy import func, or_, select

from ..alerts import preferences as preference_service
from ..alerts.digests import AlertSettings
from ..alerts.job import stale_after
from ..alerts.outbox import backing_off
from ..extensions import db
from ..models import JobRun, OutboxMessage, OutboxStatus, Role
from ..services import clock
from ..web.security import role_required

bp = Blueprint("alert_runs", __name__, url_prefix="/admin")


@bp.route("/jobs")
@role_required(Role.ADMIN)
def jobs() -> Any:
    page = db.paginate(
        select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()), per_page=50, error_out=False
    )
    counts = dict(
        db.session.execute(select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status))
        .tuples()
        .all()
    )
    problems = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                or_(
                    OutboxMessage.status == OutboxStatus.FAILED,
                    OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
                    & (OutboxMessage.attempts > 0),
                )
            )
            .order_by((OutboxMessage.status == OutboxStatus.FAILED).desc(), OutboxMessage.id.desc())
            .limit(20)
        )
    )
    return render_template(
        "admin/jobs.html",
        page=page,
        counts={status: counts.get(status, 0) for status in OutboxStatus},
        problems=problems,
        failed_count=counts.get(OutboxStatus.FAILED, 0),
        destinations=backing_off(),
        # A "running" run silent since before this died; the next run or outbox pass marks it failed.
        silent_before=clock.now() - stale_after(current_app.config),
        escalation_people=preference_service.flagged_for_escalations(),
        escalation_emails=AlertSettings.from_config(current_app.config).escalation_emails,
    )
