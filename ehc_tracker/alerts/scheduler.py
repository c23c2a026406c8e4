"""The scheduler process: one per installation, started by `flask scheduler` (or
`python -m ehc_tracker.scheduler`), never inside the web workers.

APScheduler 3 `BlockingScheduler` with two jobs:

- `daily-alerts`: a cron trigger at ALERT_TIME in TIME_ZONE (07:00 Europe/London by default).
  Each firing runs every due day that has not succeeded yet (`job.run_due`), so a day that
  failed or was missed is picked up by the next one.
- `outbox`: every SCHEDULER_OUTBOX_MINUTES, sends what waits in the outbox (respecting back-off).

And, when the process starts after downtime, `catch-up`: one run, at once, of the missed days
(oldest first, at most ALERT_CATCH_UP_DAYS) found by comparing the last successful run with now.

Jobs have `coalesce=True` (a backlog of firings runs once), `max_instances=1` and a misfire
grace time; they run one at a time on a single worker thread. Even so, two scheduler processes
started by mistake would not double-send: see `locking` and `outbox`.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from ..extensions import db
from ..models.alerts import JobTrigger
from ..services import clock
from .job import alert_time, dates_due, last_successful_run_on, run_alerts, run_due, send_outbox, time_zone

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _in_app(app: Flask, work: Callable[[], Any], what: str) -> Any:
    """Run `work` in an application context of its own; log, never raise (the scheduler goes on)."""
    with app.app_context():
        try:
            return work()
        except Exception:  # noqa: BLE001
            log.exception("%s failed", what)
            return None
        finally:
            db.session.remove()


def daily_job(app: Flask, now: Clock = clock.now) -> None:
    def work() -> None:
        for report in run_due(now(), trigger=JobTrigger.SCHEDULER):
            log.info("daily alerts %s", report.summary)

    _in_app(app, work, "daily alerts")


def catch_up_job(app: Flask, days: list[date], now: Clock = clock.now) -> None:
    def work() -> None:
        for day in days:
            report = run_alerts(day, now=now(), trigger=JobTrigger.CATCH_UP)
            log.info("catch-up %s", report.summary)

    _in_app(app, work, "catch-up of missed alert days")


def outbox_job(app: Flask, now: Clock = clock.now) -> None:
    def work() -> None:
        report = send_outbox(now=now())
        if report.sent or report.failed:
            log.info("outbox: %s", report.summary)

    _in_app(app, work, "outbox")


def missed_days(app: Flask, now: datetime) -> list[date]:
    """The days a run is due for at `now` and has not succeeded: what a start-up catches up."""
    config = app.config
    tz = time_zone(config)
    with app.app_context():
        last = last_successful_run_on(before_or_on=now.astimezone(tz).date())
        db.session.remove()
    return dates_due(
        now, last_success_on=last, at=alert_time(config), tz=tz, catch_up_days=int(config["ALERT_CATCH_UP_DAYS"])
    )


def build_scheduler(
    app: Flask,
    *,
    now: datetime | None = None,
    clock_fn: Clock = clock.now,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
) -> BaseScheduler:
    """A scheduler with the daily job, the outbox job and (after downtime) the catch-up, not started.

    `now` is the instant the process starts (a fake clock in the tests); `clock_fn` what the
    jobs read when they run.
    """
    config = app.config
    tz = time_zone(config)
    at = alert_time(config)
    now = now or clock_fn()
    job_defaults = {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": int(config.get("SCHEDULER_MISFIRE_GRACE_SECONDS", 3600)),
    }
    scheduler = scheduler_class(
        timezone=tz, executors={"default": ThreadPoolExecutor(max_workers=1)}, job_defaults=job_defaults
    )
    scheduler.add_job(
        daily_job,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
        args=[app, clock_fn],
        id="daily-alerts",
        name=f"Daily alerts at {at:%H:%M} {tz.key}",
        replace_existing=True,
        **job_defaults,  # also on the job itself, so it can be inspected before the scheduler starts
    )
    scheduler.add_job(
        outbox_job,
        IntervalTrigger(minutes=max(int(config.get("SCHEDULER_OUTBOX_MINUTES", 5)), 1), timezone=tz),
        args=[app, clock_fn],
        id="outbox",
        name="Send the outbox",
        replace_existing=True,
        **job_defaults,
    )
    missed = missed_days(app, now)
    if missed:
        scheduler.add_job(
            catch_up_job,
            DateTrigger(run_date=now, timezone=tz),
            args=[app, missed, clock_fn],
            id="catch-up",
            name=f"Catch up {len(missed)} missed day(s): {', '.join(d.isoformat() for d in missed)}",
            coalesce=True,
            max_instances=1,
            # A start-up catch-up must run even if the process took a while to get going.
            misfire_grace_time=None,
        )
    return scheduler


def next_fire_time(scheduler: BaseScheduler, job_id: str, now: datetime) -> datetime | None:
    """When a job of a scheduler that has not started would first run, seen from `now`."""
    job = scheduler.get_job(job_id)
    if job is None:
        return None
    result: datetime | None = job.trigger.get_next_fire_time(None, now)
    return result


def run_scheduler(app: Flask) -> None:
    """Start the scheduler and block until SIGTERM or Ctrl-C."""
    scheduler = build_scheduler(app)
    for job in scheduler.get_jobs():
        log.info("scheduled: %s", job.name)

    def stop(signum: int, frame: Any) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        if scheduler.running:
            scheduler.shutdown(wait=False)
