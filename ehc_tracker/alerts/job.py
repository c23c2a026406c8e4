"""The daily alerts job: record the day's alerts, queue the digests, send the outbox.

Idempotent: every alert and every digest has a unique key, so a second run for a day finds
them all recorded and adds nothing; the outbox sends each message once. The recording is one
transaction under a lock (see `locking`), so it happens completely or not at all, by one
process at a time. Every run is recorded in `job_runs`.

A run beats a heartbeat (`job_runs.heartbeat_at`) while it works. A run still "running" with no
heartbeat for JOB_RUN_STALE_MINUTES died (killed, say, while handing a message to the mail
server): the next run, or the next outbox pass, marks it failed as abandoned. Its messages are
sent by later passes (a claimed one once its claim lapses); those marked sent stay sent.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from ..extensions import db
from ..models import Alert, JobRun, JobRunStatus, OutboxMessage, OutboxStatus
from ..models.alerts import JobTrigger
from ..services import milestones
from ..services.calendar import working_day_calendar
from ..services.clock import zone_for as time_zone  # the service's one time zone (TIME_ZONE)
from . import advice_reminders
from .delivery import current_backend
from .digests import AlertSettings, Digest, PlannedAlert, build_digests, plan_alerts
from .locking import exclusive
from .outbox import OutboxReport, RetryPolicy, process_outbox

log = logging.getLogger(__name__)

JOB_NAME = "daily-alerts"
_CHUNK = 500
HEARTBEAT_SECONDS = 30  # at most one heartbeat write this often while messages are sent


@dataclass
class RunReport:
    for_on: date
    status: str  # succeeded, skipped, failed, or dry-run
    dry_run: bool = False
    alerts_created: int = 0
    digests: list[Digest] = field(default_factory=list)
    new_alerts: list[PlannedAlert] = field(default_factory=list)
    messages_queued: int = 0
    outbox: OutboxReport | None = None
    note: str | None = None
    error: str | None = None
    run_id: int | None = None

    @property
    def summary(self) -> str:
        if self.dry_run:
            text = f"{self.for_on}: dry run, nothing written: {len(self.new_alerts)} alerts and {len(self.digests)} emails would be recorded."
        elif self.status == JobRunStatus.FAILED.value:
            text = f"{self.for_on}: failed: {self.error}"
        else:
            text = f"{self.for_on}: {self.status}: {self.alerts_created} alerts recorded, {self.messages_queued} emails queued"
            if self.outbox is not None:
                text += f"; outbox: {self.outbox.summary}"
        if self.note:
            text += f" ({self.note})"
        return text


def alert_time(config: Any) -> time:
    """ALERT_TIME, "HH:MM" in the service's time zone."""
    raw = str(config.get("ALERT_TIME", "07:00")).strip()
    try:
        hours, minutes = raw.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"ALERT_TIME must be HH:MM (24-hour clock), not {raw!r}") from None


def last_successful_run_on(*, before_or_on: date | None = None) -> date | None:
    query = select(func.max(JobRun.for_on)).where(JobRun.job == JOB_NAME, JobRun.status == JobRunStatus.SUCCEEDED)
    if before_or_on is not None:
        query = query.where(JobRun.for_on <= before_or_on)
    return db.session.scalar(query)


def dates_due(now: datetime, *, last_success_on: date | None, at: time, tz: ZoneInfo, catch_up_days: int) -> list[date]:
    """The days whose run is due at `now` and has not succeeded, oldest first.

    A day's run is due from its ALERT_TIME. After downtime the missed days come back, but no
    more than `catch_up_days` of them. With no run ever recorded, only today (once due).
    """
    local = now.astimezone(tz)
    latest = local.date() if local.time() >= at else local.date() - timedelta(days=1)
    if last_success_on is None:
        return [latest] if latest == local.date() else []
    start = max(last_success_on + timedelta(days=1), latest - timedelta(days=max(catch_up_days, 1) - 1))
    return [start + timedelta(days=n) for n in range((latest - start).days + 1)]


def _existing(model: Any, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        found.update(db.session.scalars(select(model.dedupe_key).where(model.dedupe_key.in_(chunk))))
    return found


def _plan(for_on: date, settings: AlertSettings) -> tuple[list[PlannedAlert], list[Digest]]:
    calendar = working_day_calendar()
    planned = plan_alerts(for_on, settings, calendar)
    recorded = _existing(Alert, [a.dedupe_key for a in planned])
    new = [a for a in planned if a.dedupe_key not in recorded]
    digests = build_digests(new, for_on, settings, calendar)
    queued = _existing(OutboxMessage, [d.dedupe_key for d in digests])
    return new, [d for d in digests if d.dedupe_key not in queued]


def _record(new: Iterable[PlannedAlert], digests: Iterable[Digest], *, now: datetime) -> tuple[int, int]:
    messages: dict[str, OutboxMessage] = {}
    in_digest: dict[str, str] = {}
    for digest in digests:
        message = OutboxMessage(
            dedupe_key=digest.dedupe_key,
            for_on=digest.for_on,
            recipient_id=digest.recipient.user_id,
            to_address=digest.recipient.email,
            subject=digest.subject[:200],
            body_text=digest.text,
            body_html=digest.html,
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        db.session.add(message)
        messages[digest.recipient.key] = message
        in_digest.update({a.dedupe_key: digest.recipient.key for a in digest.alerts})
    db.session.flush()
    count = 0
    for alert in new:
        carried_by = messages.get(in_digest.get(alert.dedupe_key, ""))
        db.session.add(
            Alert(
                dedupe_key=alert.dedupe_key,
                kind=alert.kind,
                for_on=alert.for_on,
                recipient_id=alert.recipient.user_id,
                recipient_email=alert.recipient.email,
                case_id=alert.item.case_id,
                milestone_id=alert.item.milestone_id,
                milestone_key=alert.item.milestone_key,
                label=alert.item.label[:200],
                due_on=alert.item.due_on,
                working_days_overdue=alert.item.working_days_overdue,
                created_at=now,
                outbox_message_id=carried_by.id if carried_by is not None else None,
            )
        )
        count += 1
    db.session.flush()
    return count, len(messages)


class Heartbeat:
    """The run's sign of life: `beat()` records `now` plus the time the run has taken so far,
    at most every HEARTBEAT_SECONDS unless forced. Commits (call it between transactions)."""

    def __init__(self, run_id: int, now: datetime) -> None:
        self.run_id, self.base, self.started = run_id, now, monotonic()
        self.last: float | None = None

    def beat(self, *, force: bool = False) -> None:
        elapsed = monotonic() - self.started
        if not force and self.last is not None and elapsed - self.last < HEARTBEAT_SECONDS:
            return
        self.last = elapsed
        db.session.execute(
            update(JobRun)
            .where(JobRun.id == self.run_id)
            .values(heartbeat_at=self.base + timedelta(seconds=elapsed))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def stale_after(config: Any) -> timedelta:
    return timedelta(minutes=max(int(config.get("JOB_RUN_STALE_MINUTES", 60)), 1))


def abandon_stale_runs(now: datetime) -> int:
    """Mark failed every run still "running" with no heartbeat for JOB_RUN_STALE_MINUTES: its
    process died. Returns how many. Its messages are left to the outbox (see the module notes)."""
    limit = stale_after(current_app.config)
    minutes = int(limit.total_seconds() // 60)
    cutoff = now - limit
    silent = or_(JobRun.heartbeat_at < cutoff, and_(JobRun.heartbeat_at.is_(None), JobRun.started_at < cutoff))
    db.session.commit()
    stale = db.session.execute(
        select(JobRun.id, JobRun.heartbeat_at, JobRun.started_at, JobRun.host, JobRun.note).where(
            JobRun.job == JOB_NAME, JobRun.status == JobRunStatus.RUNNING, silent
        )
    ).all()
    abandoned = 0
    for run_id, heartbeat_at, started_at, host, note in stale:
        last = heartbeat_at or started_at
        said = f"abandoned: nothing heard from it since {last:%Y-%m-%d %H:%M} UTC"
        changed = db.session.execute(
            update(JobRun)
            .where(JobRun.id == run_id, JobRun.status == JobRunStatus.RUNNING, silent)  # unless it woke up meanwhile
            .values(
                status=JobRunStatus.FAILED,
                finished_at=now,
                note=f"{note}; {said}" if note else said,
                error=(
                    f"The run stopped without finishing: nothing was heard from it ({host or 'unknown host'}) since "
                    f"{last:%Y-%m-%d %H:%M:%S} UTC, longer than JOB_RUN_STALE_MINUTES ({minutes}). "
                    "Its process probably died (killed, or its machine stopped). Emails it had not sent stay in the "
                    "outbox and go with the next pass; those marked sent are not sent again."
                ),
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount:  # type: ignore[attr-defined]
            abandoned += 1
            log.warning("alerts run %s (%s) %s; marked failed", run_id, host, said)
    db.session.commit()
    return abandoned


def send_outbox(
    *, now: datetime, retry_all: bool = False, limit: int | None = None, heartbeat: Heartbeat | None = None
) -> OutboxReport:
    abandon_stale_runs(now)
    return process_outbox(
        now=now,
        backend=current_backend(),
        policy=RetryPolicy.from_config(current_app.config),
        retry_all=retry_all,
        limit=limit,
        heartbeat=heartbeat.beat if heartbeat is not None else None,
    )


def run_alerts(
    for_on: date, *, now: datetime, dry_run: bool = False, trigger: str = JobTrigger.COMMAND, send: bool = True
) -> RunReport:
    """Run the daily alerts for `for_on`. `now` is the real instant (for the records and retries).

    A dry run reports what would be recorded and sent, and writes nothing.
    """
    config = current_app.config
    settings = AlertSettings.from_config(config)
    working_day = working_day_calendar().is_working_day(for_on)
    skip_day = settings.skip_non_working_days and not working_day

    if dry_run:
        report = RunReport(for_on=for_on, status="dry-run", dry_run=True)
        if skip_day:
            report.note = "not a working day: no alerts"
        else:
            report.new_alerts, report.digests = _plan(for_on, settings)
            reminders = advice_reminders.unsent(
                advice_reminders.plan(
                    for_on, advice_reminders.ReminderSettings.from_config(config), working_day_calendar()
                )
            )
            if reminders:
                report.note = f"also {len(reminders)} advice reminders to professionals would be sent"
        db.session.rollback()
        return report

    db.session.rollback()
    abandon_stale_runs(now)
    run = JobRun(
        job=JOB_NAME,
        for_on=for_on,
        trigger=trigger,
        status=JobRunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        host=f"{socket.gethostname()[:100]}:{os.getpid()}",
    )
    db.session.add(run)
    db.session.commit()
    report = RunReport(for_on=for_on, status=JobRunStatus.RUNNING.value, run_id=run.id)
    heartbeat = Heartbeat(run.id, now)
    try:
        if skip_day:
            report.note = "not a working day: no alerts"
        else:
            lease = timedelta(minutes=int(config.get("ALERT_LOCK_MINUTES", 30)))
            with exclusive(JOB_NAME, now=now, lease=lease) as acquired:
                if acquired:
                    report.new_alerts, report.digests = _plan(for_on, settings)
                    report.alerts_created, report.messages_queued = _record(report.new_alerts, report.digests, now=now)
                    # The professionals' advice reminders, in the same ledger and transaction.
                    reminders = advice_reminders.record(
                        advice_reminders.plan(
                            for_on, advice_reminders.ReminderSettings.from_config(config), working_day_calendar()
                        ),
                        now=now,
                    )
                    report.alerts_created += reminders
                    report.messages_queued += reminders
                    # Cases whose next step lapsed today sort by the step after it.
                    milestones.refresh_next_due(for_on)
                    run.alerts_created, run.messages_queued = report.alerts_created, report.messages_queued
                    db.session.commit()  # the alerts, their emails and the counts together; releases the lock
                    heartbeat.beat(force=True)
                else:
                    db.session.rollback()
                    report.status = JobRunStatus.SKIPPED.value
                    report.note = "another run was recording alerts; it does that work"
        if send:
            report.outbox = send_outbox(now=now, retry_all=True, heartbeat=heartbeat)
    except Exception as error:  # noqa: BLE001  (recorded on the run, then reported)
        db.session.rollback()
        log.exception("alerts run for %s failed", for_on)
        report.status = JobRunStatus.FAILED.value
        report.error = f"{type(error).__name__}: {error}"
        run = db.session.get(JobRun, report.run_id) or run
        run.status = JobRunStatus.FAILED
        run.error = traceback.format_exc()[-4000:]
        run.finished_at = now
        run.note = report.note
        db.session.commit()
        return report

    run = db.session.get(JobRun, report.run_id) or run
    if report.status == JobRunStatus.RUNNING.value:
        report.status = JobRunStatus.SUCCEEDED.value
    run.status = JobRunStatus(report.status)
    if report.outbox is not None:
        run.messages_sent = report.outbox.sent
        run.messages_failed = report.outbox.failed
        if report.outbox.server_unavailable:
            waiting = f"mail server unavailable, {report.outbox.waiting} messages wait in the outbox"
            report.note = f"{report.note}; {waiting}" if report.note else waiting
    run.note = report.note
    run.finished_at = now
    db.session.commit()
    return report


def run_due(now: datetime, *, trigger: str) -> list[RunReport]:
    """Run every day that is due and has not succeeded (today, and missed days), oldest first."""
    config = current_app.config
    tz = time_zone(config)
    at = alert_time(config)
    latest = now.astimezone(tz).date()
    days = dates_due(
        now,
        last_success_on=last_successful_run_on(before_or_on=latest),
        at=at,
        tz=tz,
        catch_up_days=int(config.get("ALERT_CATCH_UP_DAYS", 7)),
    )
    db.session.rollback()
    return [run_alerts(day, now=now, trigger=trigger) for day in days]
