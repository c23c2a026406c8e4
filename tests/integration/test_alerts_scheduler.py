"""The scheduler process: what it schedules and what it catches up, seen through a fake clock.

Nothing here sleeps or starts a scheduler's loop: the scheduler is built for a given `now`
and its jobs and triggers are inspected; the jobs' functions are called directly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from ehc_tracker.alerts.scheduler import build_scheduler, catch_up_job, daily_job, next_fire_time, outbox_job
from ehc_tracker.extensions import db
from ehc_tracker.models import JobRun, JobRunStatus, OutboxMessage, OutboxStatus
from tests.integration.test_alerts_support import build_world

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def _succeeded(for_on: date) -> None:
    db.session.add(
        JobRun(
            job="daily-alerts",
            for_on=for_on,
            trigger="scheduler",
            status=JobRunStatus.SUCCEEDED,
            started_at=datetime.now(UTC),
        )
    )
    db.session.commit()


def _runs() -> list[tuple[date, JobRunStatus, str]]:
    db.session.expire_all()
    return [(r.for_on, r.status, r.trigger) for r in db.session.scalars(select(JobRun).order_by(JobRun.id))]


def test_the_daily_job_is_scheduled_at_seven_london_time(app):
    now = london(2025, 12, 3, 6, 0)
    scheduler = build_scheduler(app, now=now)
    assert isinstance(scheduler, BlockingScheduler) and not scheduler.running
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"daily-alerts", "outbox"}  # first start, nothing missed: no catch-up

    daily = jobs["daily-alerts"]
    assert isinstance(daily.trigger, CronTrigger)
    assert str(daily.trigger.timezone) == "Europe/London"
    assert (daily.coalesce, daily.max_instances, daily.misfire_grace_time) == (True, 1, 3600)
    assert next_fire_time(scheduler, "daily-alerts", now) == london(2025, 12, 3, 7, 0)
    # After 07:00 the next run is tomorrow's; in summer 07:00 London is 06:00 UTC.
    assert next_fire_time(scheduler, "daily-alerts", london(2025, 12, 3, 7, 1)) == london(2025, 12, 4, 7, 0)
    summer = next_fire_time(scheduler, "daily-alerts", london(2026, 7, 1, 12, 0))
    assert summer.astimezone(UTC) == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)

    outbox = jobs["outbox"]
    assert isinstance(outbox.trigger, IntervalTrigger) and outbox.trigger.interval == timedelta(minutes=5)
    assert (outbox.coalesce, outbox.max_instances) == (True, 1)


def test_the_time_comes_from_configuration(app):
    app.config.update(ALERT_TIME="06:30", SCHEDULER_MISFIRE_GRACE_SECONDS=600, SCHEDULER_OUTBOX_MINUTES=2)
    now = london(2025, 12, 3, 5, 0)
    scheduler = build_scheduler(app, now=now)
    assert next_fire_time(scheduler, "daily-alerts", now) == london(2025, 12, 3, 6, 30)
    assert scheduler.get_job("daily-alerts").misfire_grace_time == 600
    assert scheduler.get_job("outbox").trigger.interval == timedelta(minutes=2)


def test_a_bad_alert_time_is_refused(app):
    app.config["ALERT_TIME"] = "7am"
    with pytest.raises(ValueError, match="ALERT_TIME must be HH:MM"):
        build_scheduler(app, now=london(2025, 12, 3, 5, 0))


def test_starting_after_downtime_schedules_the_missed_days_at_once(app):
    _succeeded(date(2025, 11, 30))
    now = london(2025, 12, 3, 9, 15)  # down since before 07:00 on 1 December
    scheduler = build_scheduler(app, now=now)
    catch_up = scheduler.get_job("catch-up")
    assert catch_up is not None and isinstance(catch_up.trigger, DateTrigger)
    assert catch_up.args[1] == [date(2025, 12, 1), date(2025, 12, 2), date(2025, 12, 3)]
    assert next_fire_time(scheduler, "catch-up", now) == now
    assert catch_up.misfire_grace_time is None
    # The daily job's next firing is tomorrow: today is left to the catch-up.
    assert next_fire_time(scheduler, "daily-alerts", now) == london(2025, 12, 4, 7, 0)


def test_before_the_alert_time_today_is_not_missed_yet(app):
    _succeeded(date(2025, 12, 1))
    scheduler = build_scheduler(app, now=london(2025, 12, 3, 6, 0))
    assert scheduler.get_job("catch-up").args[1] == [date(2025, 12, 2)]


def test_catch_up_is_bounded(app):
    _succeeded(date(2025, 10, 1))
    scheduler = build_scheduler(app, now=london(2025, 12, 3, 9, 0))
    days = scheduler.get_job("catch-up").args[1]
    assert days == [date(2025, 11, 27) + timedelta(days=n) for n in range(7)]
    app.config["ALERT_CATCH_UP_DAYS"] = 2
    assert build_scheduler(app, now=london(2025, 12, 3, 9, 0)).get_job("catch-up").args[1] == [
        date(2025, 12, 2),
        date(2025, 12, 3),
    ]


def test_nothing_to_catch_up_when_up_to_date(app):
    _succeeded(date(2025, 12, 3))
    assert build_scheduler(app, now=london(2025, 12, 3, 9, 0)).get_job("catch-up") is None


def test_the_catch_up_runs_the_missed_days_oldest_first(app):
    build_world()
    _succeeded(date(2025, 11, 30))
    now = london(2025, 12, 3, 9, 15)
    scheduler = build_scheduler(app, now=now, clock_fn=lambda: now)
    job = scheduler.get_job("catch-up")
    job.func(*job.args)

    runs = _runs()
    assert [(d, s) for d, s, _ in runs[1:]] == [
        (date(2025, 12, 1), JobRunStatus.SUCCEEDED),
        (date(2025, 12, 2), JobRunStatus.SUCCEEDED),
        (date(2025, 12, 3), JobRunStatus.SUCCEEDED),
    ]
    assert {t for _, _, t in runs[1:]} == {"catch-up"}
    sent = app.extensions["ehc_memory_mail"].sent
    assert [m.subject.split(" for ")[1].split(":")[0] for m in sent if m.to == "cora@council.example"] == [
        "Monday 1 December 2025",
        "Tuesday 2 December 2025",
        "Wednesday 3 December 2025",
    ]
    # Started again the same morning: nothing more to catch up.
    assert build_scheduler(app, now=now + timedelta(minutes=5)).get_job("catch-up") is None


def test_the_daily_job_runs_today_and_any_day_it_missed(app):
    build_world()
    _succeeded(date(2025, 12, 1))
    tick = london(2025, 12, 3, 7, 0)
    daily_job(app, now=lambda: tick)
    assert [d for d, _, _ in _runs()] == [date(2025, 12, 1), date(2025, 12, 2), date(2025, 12, 3)]
    daily_job(app, now=lambda: tick + timedelta(minutes=1))  # a duplicate firing does nothing
    assert len(_runs()) == 3


def test_the_daily_job_survives_a_failure(app, monkeypatch, caplog):
    from ehc_tracker.alerts import job as job_module

    build_world()
    _succeeded(date(2025, 12, 2))
    monkeypatch.setattr(job_module, "plan_alerts", lambda *a, **k: 1 / 0)
    daily_job(app, now=lambda: london(2025, 12, 3, 7, 0))  # logs, does not raise
    assert _runs()[-1][:2] == (date(2025, 12, 3), JobRunStatus.FAILED)
    monkeypatch.undo()
    # The next firing (tomorrow) picks the failed day up first.
    daily_job(app, now=lambda: london(2025, 12, 4, 7, 0))
    assert [(d, s) for d, s, _ in _runs()[-2:]] == [
        (date(2025, 12, 3), JobRunStatus.SUCCEEDED),
        (date(2025, 12, 4), JobRunStatus.SUCCEEDED),
    ]


def test_the_outbox_job_sends_what_is_due(app):
    from ehc_tracker.alerts.job import run_alerts

    build_world()
    now = london(2025, 12, 3, 7, 0)
    run_alerts(date(2025, 12, 3), now=now, send=False)
    outbox_job(app, now=lambda: now)
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.SENT}


def test_catch_up_job_function_with_explicit_days(app):
    build_world()
    catch_up_job(app, [date(2025, 12, 2)], now=lambda: london(2025, 12, 3, 8, 0))
    assert [(d, t) for d, _, t in _runs()] == [(date(2025, 12, 2), "catch-up")]


def test_flask_scheduler_starts_the_blocking_scheduler(app, runner, monkeypatch):
    started = {}

    def fake_start(self, *args, **kwargs):
        started["jobs"] = sorted(job.id for job in self.get_jobs())

    monkeypatch.setattr(BlockingScheduler, "start", fake_start)
    result = runner.invoke(args=["scheduler"])
    assert result.exit_code == 0, result.output
    assert "Scheduler started" in result.output
    assert started["jobs"] == ["daily-alerts", "outbox"] or started["jobs"] == ["catch-up", "daily-alerts", "outbox"]


def test_python_m_ehc_tracker_scheduler_is_the_same_process(monkeypatch):
    import ehc_tracker.scheduler as entry

    calls = []
    monkeypatch.setattr("ehc_tracker.alerts.scheduler.run_scheduler", lambda app: calls.append(app))
    monkeypatch.setenv("EHC_ENV", "testing")
    entry.main()
    assert len(calls) == 1 and calls[0].name == "ehc_tracker"
