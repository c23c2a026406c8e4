"""The daily alerts job: who is told what, once; preferences; the ledger; the commands.

These use the in-memory mail backend; test_alerts_smtp.py sends through a real SMTP server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ehc_tracker.alerts import job as job_module
from ehc_tracker.alerts.digests import AlertSettings, is_weekly_digest_day, short_name
from ehc_tracker.alerts.job import dates_due, run_alerts
from ehc_tracker.extensions import db
from ehc_tracker.models import (
    Alert,
    AlertKind,
    AlertPreference,
    AuditEvent,
    DigestFrequency,
    JobLock,
    JobRun,
    JobRunStatus,
    OutboxMessage,
    OutboxStatus,
)
from tests.helpers import create_user
from tests.integration.test_alerts_support import DIRECTOR, EXPECTED_RECIPIENTS, FOR_ON, NOW, SURNAME, build_world


@pytest.fixture
def app_config():
    return {"ESCALATION_EMAILS": f" {DIRECTOR.upper()} ,", "BASE_URL": "https://ehc.council.example/"}


@pytest.fixture
def mail(app):
    from ehc_tracker.alerts.delivery import current_backend

    backend = current_backend()
    backend.sent.clear()
    return backend


def _by_recipient(mail):
    return {email.to: email for email in mail.sent}


def _alerts(**where):
    query = select(Alert)
    for name, value in where.items():
        query = query.where(getattr(Alert, name) == value)
    return list(db.session.scalars(query))


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_each_person_gets_one_digest_with_the_right_items(app, mail):
    world = build_world()
    report = run_alerts(FOR_ON, now=NOW)

    assert report.status == "succeeded", report.summary
    emails = _by_recipient(mail)
    assert set(emails) == EXPECTED_RECIPIENTS
    assert len(mail.sent) == len(EXPECTED_RECIPIENTS)  # one digest each, not one per milestone

    ids = {name: case.id for name, case in world.cases.items()}

    def cases_in(text):
        return {
            name for name, case_id in ids.items() if f"https://ehc.council.example/cases/{case_id}\n" in text + "\n"
        }

    base = "https://ehc.council.example/reports/overdue"
    cora = emails["cora@council.example"]
    assert cora.subject == "EHC Tracker daily alerts for Wednesday 3 December 2025: 1 overdue, 1 due soon"
    # Nothing became overdue since Tuesday's digest (B was overdue then): counts per step, no rows.
    assert "NEW since your last digest (Tuesday 2 December)\nNothing new." in cora.text
    assert cases_in(cora.text) == set()
    assert (
        "OVERDUE on your caseload: 1\n- Decide whether to assess: 1 overdue\n"
        f"  {base}?coordinator_id=mine&show=overdue&milestone_key=decision_to_assess\n"
        f"All your overdue steps: {base}?coordinator_id=mine&show=overdue"
    ) in cora.text
    assert "DUE in the next 10 days on your caseload: 1\n- Decide whether to assess: 1 due soon\n" in cora.text

    cam = emails["cam@council.example"].text
    assert "- Decide whether to assess: 2 overdue (1 with an exception applying)" in cam and cases_in(cam) == set()
    # D fell due on Tuesday: overdue since this morning, so new, and named in a row.
    cy = emails["cy@council.example"].text
    assert cases_in(cy) == {"D"} and "Became overdue (1)" in cy
    assert "Issue final EHC plan. Due 2 December 2025, 1 day overdue." in cy

    manager = emails["mo@council.example"]
    assert manager.subject.endswith(": 3 overdue")
    assert cases_in(manager.text) == set()
    assert (
        "OVERDUE in your teams: 3\n- Decide whether to assess: 3 overdue (1 with an exception applying)" in manager.text
    )
    assert "By coordinator: Cam Two 2, Cora One 1" in manager.text
    assert "WAITING FOR YOU in your teams\n- Exceptions awaiting approval: 0" in manager.text
    mia = emails["mia@council.example"].text
    assert cases_in(mia) == {"D"} and "Coordinator: Cy Three." in mia

    for address in ("head@council.example", DIRECTOR):
        head = emails[address]
        assert head.subject == "EHC Tracker escalations for Wednesday 3 December 2025: 2 escalations"
        assert cases_in(head.text) == {"C", "D"}
        # Days overdue in the pages' own unit: calendar days (10 November to 3 December).
        assert "Coordinator: Cam Two" in head.text and "23 days overdue" in head.text
        assert "working days overdue" not in head.text and "NEW since" not in head.text

    for email in mail.sent:
        assert SURNAME not in email.subject and SURNAME not in email.text and SURNAME not in email.html
        for name in ("Ava", "Ben", "Cal", "Dot", "Gus"):
            assert name not in email.subject
        assert email.html.startswith("<!DOCTYPE html>") and 'href="https://ehc.council.example/' in email.html
        assert "working day overdue" not in email.text and "working days overdue" not in email.html
    assert "Cal Q." in emails["head@council.example"].text

    # The ledger: one row per person told of each milestone, kind as expected.
    kinds = {(a.recipient_email, a.case_id, a.kind) for a in _alerts()}
    assert (world.c1.email, ids["A"], AlertKind.DUE_SOON) in kinds
    assert (world.manager_north.email, ids["A"], AlertKind.DUE_SOON) not in kinds  # managers: overdue only
    assert (DIRECTOR, ids["D"], AlertKind.ESCALATION) in kinds
    assert not {ids["E"], ids["F"], ids["H"]} & {case_id for _, case_id, _ in kinds}
    assert len(kinds) == report.alerts_created == 13
    director_alerts = _alerts(recipient_email=DIRECTOR)
    assert all(a.recipient_id is None for a in director_alerts)

    run = db.session.scalars(select(JobRun)).one()
    assert run.status is JobRunStatus.SUCCEEDED and run.for_on == FOR_ON and run.trigger == "command"
    assert (run.alerts_created, run.messages_queued, run.messages_sent, run.messages_failed) == (13, 7, 7, 0)
    assert run.finished_at is not None
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)
        )
        == 7
    )


def test_running_the_same_day_again_records_and_sends_nothing(app, mail):
    build_world()
    run_alerts(FOR_ON, now=NOW)
    alerts, messages = _count(Alert), _count(OutboxMessage)
    mail.sent.clear()

    again = run_alerts(FOR_ON, now=NOW + timedelta(hours=2))
    assert again.status == "succeeded" and again.alerts_created == 0 and again.messages_queued == 0
    assert mail.sent == []
    assert (_count(Alert), _count(OutboxMessage)) == (alerts, messages)
    assert [r.status for r in db.session.scalars(select(JobRun).order_by(JobRun.id))] == [JobRunStatus.SUCCEEDED] * 2


def test_escalations_are_sent_once_but_digests_daily(app, mail):
    build_world()
    run_alerts(FOR_ON, now=NOW)
    mail.sent.clear()
    next_day = FOR_ON + timedelta(days=1)
    report = run_alerts(next_day, now=NOW + timedelta(days=1))
    emails = _by_recipient(mail)
    # Head of Service and the director already heard about C and D; nothing new escalated.
    assert "head@council.example" not in emails and DIRECTOR not in emails
    assert {"cora@council.example", "cam@council.example", "cy@council.example", "mo@council.example"} <= set(emails)
    assert "Thursday 4 December 2025" in emails["cora@council.example"].subject
    assert report.alerts_created == 9  # the 13 of the day before, less the 4 escalations
    assert _count(Alert) == 13 + 9
    assert len(_alerts(kind=AlertKind.ESCALATION)) == 4


def test_a_milestone_overdue_too_long_escalates_on_the_day_it_crosses_the_threshold(app, mail):
    world = build_world()
    # B was due on 1 December: 2 working days overdue on the 3rd, 11 on the 16th.
    run_alerts(date(2025, 12, 15), now=NOW)
    assert not [a for a in _alerts(kind=AlertKind.ESCALATION) if a.case_id == world.cases["B"].id]
    run_alerts(date(2025, 12, 16), now=NOW)
    escalated = [a for a in _alerts(kind=AlertKind.ESCALATION) if a.case_id == world.cases["B"].id]
    assert {a.recipient_email for a in escalated} == {"head@council.example", DIRECTOR}
    assert {a.working_days_overdue for a in escalated} == {11}


def test_preferences_weekly_and_off_but_escalations_always(app, mail):
    world = build_world()
    db.session.add(AlertPreference(user_id=world.c1.id, digest=DigestFrequency.WEEKLY))
    db.session.add(AlertPreference(user_id=world.manager_north.id, digest=DigestFrequency.OFF))
    db.session.get(AlertPreference, world.head.id).digest = DigestFrequency.OFF
    db.session.commit()

    run_alerts(FOR_ON, now=NOW)  # a Wednesday
    emails = _by_recipient(mail)
    assert "cora@council.example" not in emails and "mo@council.example" not in emails
    assert "head@council.example" in emails  # escalations go whatever the preference
    # The alerts are in the app all the same.
    assert len(_alerts(recipient_id=world.c1.id)) == 2 and len(_alerts(recipient_id=world.manager_north.id)) == 3

    mail.sent.clear()
    run_alerts(date(2025, 12, 8), now=NOW + timedelta(days=5))  # the next Monday
    emails = _by_recipient(mail)
    assert emails["cora@council.example"].subject.startswith("EHC Tracker weekly alerts for Monday 8 December 2025")
    assert "mo@council.example" not in emails


def test_weekly_digest_day_moves_past_a_bank_holiday():
    from ehc_tracker.statutory.calendar import WorkingDayCalendar

    calendar = WorkingDayCalendar()
    assert is_weekly_digest_day(date(2025, 12, 1), 0, calendar)  # Monday
    assert not is_weekly_digest_day(date(2025, 12, 2), 0, calendar)
    assert not is_weekly_digest_day(date(2026, 4, 6), 0, calendar)  # Easter Monday
    assert is_weekly_digest_day(date(2026, 4, 7), 0, calendar)  # so the Tuesday
    assert not is_weekly_digest_day(date(2026, 4, 8), 0, calendar)


def test_short_names_and_settings():
    assert short_name("Amara", "Okafor") == "Amara O." and short_name("Amara", "") == "Amara"
    settings = AlertSettings.from_config(
        {"ESCALATION_EMAILS": "A@x.org, ,b@y.org", "ESCALATION_IMMEDIATE_KEYS": "final_plan", "BASE_URL": "https://x/"}
    )
    assert settings.escalation_emails == ("a@x.org", "b@y.org") and settings.immediate_keys == {"final_plan"}
    assert settings.base_url == "https://x"


def test_inactive_coordinators_and_family_accounts_are_not_told(app, mail):
    world = build_world()
    world.c3.active = False
    db.session.commit()
    run_alerts(FOR_ON, now=NOW)
    emails = _by_recipient(mail)
    assert "cy@council.example" not in emails
    assert "mia@council.example" in emails  # the manager still hears of the overdue plan


def test_dry_run_writes_nothing_and_says_what_would_go(app, runner, mail):
    build_world()
    result = runner.invoke(args=["alerts", "run", "--date", FOR_ON.isoformat(), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written: 13 alerts and 7 emails would be recorded" in result.output
    assert (
        "email to cora@council.example: EHC Tracker daily alerts for Wednesday 3 December 2025: 1 overdue, 1 due soon"
        in result.output
    )
    assert "alerts for mo@council.example: 3" in result.output
    assert SURNAME not in result.output
    assert (_count(Alert), _count(OutboxMessage), _count(JobRun), _count(JobLock)) == (0, 0, 0, 0)
    assert mail.sent == []


def test_run_command_for_a_date_then_again(app, runner, mail):
    build_world()
    first = runner.invoke(args=["alerts", "run", "--date", "2025-12-03"])
    assert first.exit_code == 0, first.output
    assert "2025-12-03: succeeded: 13 alerts recorded, 7 emails queued; outbox: 7 sent" in first.output
    second = runner.invoke(args=["alerts", "run", "--date", "2025-12-03"])
    assert "0 alerts recorded, 0 emails queued; outbox: 0 sent" in second.output
    assert len(mail.sent) == 7


def test_run_command_refuses_a_bad_date_and_has_help(runner):
    result = runner.invoke(args=["alerts", "run", "--date", "3/12/2025"])
    assert result.exit_code == 2 and "is not a date in the form YYYY-MM-DD" in result.output
    result = runner.invoke(args=["alerts", "run", "--date", "2025-12-03", "--catch-up"])
    assert result.exit_code == 2
    for args in (
        ["alerts", "--help"],
        ["alerts", "run", "--help"],
        ["alerts", "send-outbox", "--help"],
        ["alerts", "escalations", "--help"],
        ["scheduler", "--help"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "Usage" in result.output, args
    assert "--dry-run" in runner.invoke(args=["alerts", "run", "--help"]).output


def test_no_send_leaves_the_digests_in_the_outbox(app, runner, mail):
    build_world()
    result = runner.invoke(args=["alerts", "run", "--date", "2025-12-03", "--no-send"])
    assert result.exit_code == 0 and "7 emails queued" in result.output
    assert mail.sent == [] and _count(OutboxMessage) == 7
    result = runner.invoke(args=["alerts", "send-outbox"])
    assert result.exit_code == 0 and "Outbox: 7 sent." in result.output
    assert len(mail.sent) == 7


def test_non_working_days_record_a_run_and_no_alerts(app, mail):
    build_world()
    report = run_alerts(date(2025, 12, 6), now=NOW)  # a Saturday
    assert report.status == "succeeded" and report.note == "not a working day: no alerts"
    assert _count(Alert) == 0 and mail.sent == []
    report = run_alerts(date(2025, 12, 25), now=NOW)  # Christmas Day
    assert report.alerts_created == 0


def test_non_working_days_can_be_included(app, mail):
    app.config["ALERT_SKIP_NON_WORKING_DAYS"] = False
    build_world()
    assert run_alerts(date(2025, 12, 6), now=NOW).alerts_created > 0


def test_a_failed_run_is_recorded_and_the_command_fails(app, runner, monkeypatch):
    build_world()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(job_module, "plan_alerts", broken)
    result = runner.invoke(args=["alerts", "run", "--date", "2025-12-03"])
    assert result.exit_code == 1 and "failed: RuntimeError: the database went away" in result.output
    run = db.session.scalars(select(JobRun)).one()
    assert run.status is JobRunStatus.FAILED and "the database went away" in run.error and run.finished_at
    assert _count(Alert) == 0 and _count(OutboxMessage) == 0
    # The lock was released: the next run works.
    monkeypatch.undo()
    assert run_alerts(FOR_ON, now=NOW).alerts_created == 13


@pytest.mark.skipif(
    bool(__import__("os").environ.get("TEST_DATABASE_URL")),
    reason="the lease row is the SQLite lock; PostgreSQL uses an advisory lock (tested below)",
)
def test_sqlite_lease_lock_makes_a_second_run_stand_aside(app, mail):
    build_world()
    db.session.add(JobLock(name="daily-alerts", holder="other-host:123", expires_at=NOW + timedelta(minutes=10)))
    db.session.commit()
    report = run_alerts(FOR_ON, now=NOW)
    assert report.status == "skipped" and "another run" in report.note
    assert _count(Alert) == 0
    assert db.session.scalars(select(JobRun)).one().status is JobRunStatus.SKIPPED

    # A lease whose holder died expires.
    report = run_alerts(FOR_ON, now=NOW + timedelta(minutes=11))
    assert report.status == "succeeded" and report.alerts_created == 13
    lock = db.session.get(JobLock, "daily-alerts")
    db.session.refresh(lock)
    assert lock.holder is None  # released after the run


def test_postgresql_advisory_lock_makes_a_second_run_stand_aside(app, mail):
    import os

    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("pg_try_advisory_xact_lock needs PostgreSQL (TEST_DATABASE_URL not set)")
    import sqlalchemy as sa

    from ehc_tracker.alerts.locking import advisory_key

    build_world()
    with db.engine.connect() as other:
        with other.begin():
            assert other.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": advisory_key("daily-alerts")})
            report = run_alerts(FOR_ON, now=NOW)
            assert report.status == "skipped"
    assert _count(Alert) == 0
    assert run_alerts(FOR_ON, now=NOW).alerts_created == 13


def test_escalations_command_adds_lists_and_removes(app, runner):
    head = create_user(role="manager", email="hos@council.example", name="Head Of Service")
    result = runner.invoke(args=["alerts", "escalations", "--add", "HOS@council.example"])
    assert result.exit_code == 0 and "hos@council.example (Head Of Service)" in result.output
    assert db.session.get(AlertPreference, head.id).receives_escalations
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "escalations_changed")).one()
    assert audit.object_id == str(head.id) and audit.actor_label == "command line (flask alerts escalations)"
    result = runner.invoke(args=["alerts", "escalations", "--remove", "hos@council.example"])
    assert result.exit_code == 0 and "hos@council.example" not in result.output
    assert "director@council.example (ESCALATION_EMAILS)" in result.output
    db.session.expire_all()
    assert not db.session.get(AlertPreference, head.id).receives_escalations
    result = runner.invoke(args=["alerts", "escalations", "--add", "nobody@council.example"])
    assert result.exit_code == 1 and "No account for nobody@council.example" in result.output


def test_dates_due_catches_up_missed_days_oldest_first_and_bounded():
    from datetime import time
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    at = time(7, 0)

    def due(local_now, last, days=7):
        return dates_due(local_now.replace(tzinfo=london), last_success_on=last, at=at, tz=london, catch_up_days=days)

    assert due(datetime(2025, 12, 3, 6, 59), date(2025, 12, 2)) == []
    assert due(datetime(2025, 12, 3, 7, 0), date(2025, 12, 2)) == [date(2025, 12, 3)]
    assert due(datetime(2025, 12, 3, 8, 0), date(2025, 11, 30)) == [
        date(2025, 12, 1),
        date(2025, 12, 2),
        date(2025, 12, 3),
    ]
    assert due(datetime(2025, 12, 3, 6, 0), date(2025, 11, 30)) == [date(2025, 12, 1), date(2025, 12, 2)]
    assert due(datetime(2025, 12, 3, 8, 0), date(2025, 10, 1)) == [
        date(2025, 11, 27) + timedelta(days=n) for n in range(7)
    ]
    assert due(datetime(2025, 12, 3, 8, 0), None) == [date(2025, 12, 3)]  # never run: today only
    assert due(datetime(2025, 12, 3, 6, 0), None) == []
    # 07:00 London in summer is 06:00 UTC.
    summer = datetime(2025, 7, 1, 6, 0, tzinfo=UTC)
    assert dates_due(summer, last_success_on=date(2025, 6, 30), at=at, tz=london, catch_up_days=7) == [date(2025, 7, 1)]


def test_catch_up_command_runs_the_missed_days(app, runner, mail, monkeypatch):
    from ehc_tracker.services import clock

    build_world()
    db.session.add(
        JobRun(
            job="daily-alerts",
            for_on=date(2025, 12, 1),
            trigger="command",
            status=JobRunStatus.SUCCEEDED,
            started_at=NOW,
        )
    )
    db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 12, 3, 9, 0, tzinfo=UTC))
    result = runner.invoke(args=["alerts", "run", "--catch-up"])
    assert result.exit_code == 0, result.output
    assert "2025-12-02: succeeded" in result.output and "2025-12-03: succeeded" in result.output
    assert result.output.index("2025-12-02") < result.output.index("2025-12-03")
    again = runner.invoke(args=["alerts", "run", "--catch-up"])
    assert "Nothing to do" in again.output


def test_the_backend_follows_mail_backend(app):
    import io

    from ehc_tracker.alerts.delivery import (
        ConfigurationProblem,
        ConsoleBackend,
        MemoryBackend,
        NotifyBackend,
        OutgoingEmail,
        SMTPBackend,
        backend_from_config,
    )

    extensions: dict = {}
    assert isinstance(backend_from_config({"MAIL_BACKEND": "memory"}, extensions), MemoryBackend)
    assert backend_from_config({"MAIL_BACKEND": "memory"}, extensions) is extensions["ehc_memory_mail"]
    smtp = backend_from_config(
        {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "mail.council.example",
            "MAIL_PORT": 587,
            "MAIL_DEFAULT_SENDER": "ehc@council.example",
            "MAIL_USE_TLS": True,
        },
        {},
    )
    assert isinstance(smtp, SMTPBackend) and (smtp.host, smtp.port, smtp.use_tls) == ("mail.council.example", 587, True)
    with pytest.raises(ConfigurationProblem, match="NOTIFY_API_KEY"):
        backend_from_config({"MAIL_BACKEND": "notify"}, {})
    with pytest.raises(ConfigurationProblem):
        backend_from_config({"MAIL_BACKEND": "pigeon"}, {})

    out = io.StringIO()
    message = OutgoingEmail(
        to="a@council.example", subject="Subject", text="Body", html="<p>Body</p>", reference="digest:2025-12-03:u1"
    )
    assert ConsoleBackend(out).send(message) == "console:digest:2025-12-03:u1"
    assert "email to a@council.example" in out.getvalue() and "Body" in out.getvalue()

    class FakeNotify:
        def __init__(self):
            self.calls = []

        def send_email_notification(self, **kwargs):
            self.calls.append(kwargs)
            return {"id": "notify-123"}

    fake = FakeNotify()
    notify = NotifyBackend(api_key="unused", template_id="template-1", client=fake)
    assert notify.send(message) == "notify-123"
    assert fake.calls == [
        {
            "email_address": "a@council.example",
            "template_id": "template-1",
            "personalisation": {"subject": "Subject", "body": "Body"},
            "reference": "digest:2025-12-03:u1",
        }
    ]


def test_notify_errors_map_to_retry_or_give_up():
    from notifications_python_client.errors import HTTPError

    from ehc_tracker.alerts.delivery import DeliveryError, NotifyBackend, OutgoingEmail

    class Response:
        def __init__(self, status):
            self.status_code = status

        def json(self):
            return {"errors": [{"message": "nope"}]}

    class Failing:
        def __init__(self, status):
            self.status = status

        def send_email_notification(self, **kwargs):
            raise HTTPError(Response(self.status))

    message = OutgoingEmail(to="a@council.example", subject="S", text="T", html=None, reference="r")
    with pytest.raises(DeliveryError) as refused:
        NotifyBackend(api_key="x", template_id="t", client=Failing(400)).send(message)
    assert refused.value.permanent and not refused.value.server_unavailable
    with pytest.raises(DeliveryError) as busy:
        NotifyBackend(api_key="x", template_id="t", client=Failing(503)).send(message)
    assert busy.value.server_unavailable and not busy.value.permanent


def test_mail_backend_defaults_to_notify_when_a_key_is_set():
    import os
    import subprocess
    import sys

    code = "import config; print(config.Config.MAIL_BACKEND)"
    env = {k: v for k, v in os.environ.items() if k not in ("MAIL_BACKEND", "NOTIFY_API_KEY")}
    assert (
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip()
        == "console"
    )
    env["NOTIFY_API_KEY"] = "test-key"
    assert (
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip()
        == "notify"
    )
