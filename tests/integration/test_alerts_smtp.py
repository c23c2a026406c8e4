"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1, a free port), the outbox's
retries, and two runs at once on PostgreSQL."""

from __future__ import annotations

import asyncio
import email
import os
import threading
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from ehc_tracker.alerts.delivery import SMTPBackend
from ehc_tracker.alerts.job import run_alerts, send_outbox
from ehc_tracker.extensions import db
from ehc_tracker.models import Alert, GiveUpReason, JobRun, JobRunStatus, OutboxDestination, OutboxMessage, OutboxStatus
from tests.integration.test_alerts_support import (
    DIRECTOR,
    EXPECTED_RECIPIENTS,
    FOR_ON,
    NOW,
    SURNAME,
    build_world,
    free_port,
)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
ON_POSTGRESQL = TEST_DATABASE_URL.startswith(("postgresql", "postgres://"))


class Inbox:
    """An aiosmtpd handler that keeps what it receives, and can refuse or be slow."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()
        self.busy: set[str] = set()  # refused for now (4xx): try again later
        self.delay = 0.0
        self.port = 0
        self.controller: Controller | None = None
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if address in self.busy:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self) -> list[str]:
        return sorted(rcpt for rcpts, _ in self.messages for rcpt in rcpts)

    def by_recipient(self) -> dict[str, email.message.EmailMessage]:
        return {rcpts[0]: message for rcpts, message in self.messages}


@pytest.fixture
def smtp():
    inbox = Inbox()
    inbox.port = free_port()
    _start(inbox)
    try:
        yield inbox
    finally:
        if inbox.controller is not None:
            inbox.controller.stop()


def _start(inbox: Inbox) -> None:
    """(Re)start the server on the inbox's port: the same destination as before."""
    inbox.controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    inbox.controller.start()


def _stop(inbox: Inbox) -> None:
    inbox.controller.stop()
    inbox.controller = None


@pytest.fixture
def app_config(smtp):
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_DEFAULT_SENDER": "ehc-tracker@council.example",
        "MAIL_TIMEOUT_SECONDS": 5,
        "ESCALATION_EMAILS": DIRECTOR,
        "BASE_URL": "https://ehc.council.example",
    }


def _outbox_statuses():
    return dict(
        db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).tuples().all()
    )


def _server_down(app):
    app.config["MAIL_PORT"] = free_port()  # nothing listens there


def test_the_right_people_get_the_right_digests_over_smtp_and_a_rerun_sends_nothing(app, smtp):
    world = build_world()
    report = run_alerts(FOR_ON, now=NOW)
    assert report.status == "succeeded" and report.outbox.sent == 7, report.summary

    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)
    received = smtp.by_recipient()
    cora = received["cora@council.example"]
    assert cora["From"] == "ehc-tracker@council.example" and cora["To"] == "cora@council.example"
    assert cora["Subject"] == "EHC Tracker daily alerts for Wednesday 3 December 2025: 1 overdue, 1 due soon"
    assert cora.get_content_type() == "multipart/alternative"
    text = cora.get_body(("plain",)).get_content()
    html = cora.get_body(("html",)).get_content()
    assert (
        "https://ehc.council.example/reports/overdue?coordinator_id=mine&show=overdue&milestone_key=decision_to_assess"
        in text
    )
    assert (
        'href="https://ehc.council.example/reports/overdue?coordinator_id=mine&amp;show=due_soon&amp;within=10' in html
    )
    cy = received["cy@council.example"]
    assert f"https://ehc.council.example/cases/{world.cases['D'].id}" in cy.get_body(("plain",)).get_content()
    assert f'href="https://ehc.council.example/cases/{world.cases["D"].id}"' in cy.get_body(("html",)).get_content()
    assert "Dot Q." in cy.get_body(("html",)).get_content()
    manager = received["mo@council.example"].get_body(("plain",)).get_content()
    assert "By coordinator: Cam Two 2, Cora One 1" in manager
    assert received[DIRECTOR]["Subject"].endswith(": 2 escalations")
    for _, message in smtp.messages:
        assert SURNAME not in message["Subject"] and SURNAME not in message.as_string()
        assert ".digest.2025-12-03." in message["Message-ID"] and message["Message-ID"].count("@") == 1

    again = run_alerts(FOR_ON, now=NOW + timedelta(hours=1))
    assert again.alerts_created == 0 and again.messages_queued == 0 and again.outbox.sent == 0
    assert len(smtp.messages) == 7
    assert _outbox_statuses() == {OutboxStatus.SENT: 7}
    sent = db.session.scalars(select(OutboxMessage)).all()
    assert all(m.sent_at is not None and m.attempts == 1 and m.provider_reference for m in sent)


def test_smtp_down_keeps_the_messages_and_the_next_run_sends_them(app, smtp):
    build_world()
    _server_down(app)
    report = run_alerts(FOR_ON, now=NOW)
    assert report.status == "succeeded" and report.alerts_created == 13 and report.messages_queued == 7
    assert report.outbox.sent == 0 and report.outbox.server_unavailable
    assert "mail server unavailable, 7 messages wait in the outbox" in report.note
    assert smtp.messages == []
    assert _outbox_statuses() == {OutboxStatus.PENDING: 7}
    run = db.session.scalars(select(JobRun)).one()
    assert run.status is JobRunStatus.SUCCEEDED and run.messages_failed == 1 and "mail server unavailable" in run.note
    # The outage is the server's, not a message's: no message is charged an attempt; the server backs off.
    assert db.session.scalar(select(func.max(OutboxMessage.attempts))) == 0
    server = db.session.scalars(select(OutboxDestination)).one()
    assert server.failures == 1 and server.next_attempt_at == NOW + timedelta(seconds=60)
    assert "mail server unavailable" in server.last_error

    app.config["MAIL_PORT"] = smtp.port  # the server is back
    again = run_alerts(FOR_ON, now=NOW + timedelta(minutes=5))
    assert again.alerts_created == 0 and again.messages_queued == 0 and again.outbox.sent == 7
    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)  # each once
    assert _outbox_statuses() == {OutboxStatus.SENT: 7}


def test_outbox_retries_with_backoff(app, smtp):
    # The back-off is the server's (issue 23): while it waits, no pass tries any message.
    build_world()
    _stop(smtp)
    run_alerts(FOR_ON, now=NOW)

    # Still down 30 seconds later: nothing is tried before the server's next attempt at 60 s.
    report = send_outbox(now=NOW + timedelta(seconds=30))
    assert report.sent == 0 and report.failed == 0 and report.server_unavailable
    assert report.backing_off_until == NOW + timedelta(seconds=60) and "next try after" in report.summary

    # Down again at 60 s: one try, and the wait doubles to 120 s.
    report = send_outbox(now=NOW + timedelta(seconds=60))
    assert report.failed == 1 and report.backing_off_until == NOW + timedelta(seconds=180)

    _start(smtp)
    assert send_outbox(now=NOW + timedelta(seconds=120)).sent == 0  # back, but still inside the wait
    report = send_outbox(now=NOW + timedelta(seconds=180))
    assert report.sent == 7 and report.waiting == 0  # all of them, none charged an attempt
    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)
    db.session.expire_all()
    assert db.session.scalars(select(OutboxDestination)).one().failures == 0
    assert {m.attempts for m in db.session.scalars(select(OutboxMessage))} == {1}


def test_backoff_doubles_up_to_a_cap_and_gives_up_after_the_limit(app, smtp, runner):
    from ehc_tracker.alerts.outbox import RetryPolicy

    policy = RetryPolicy(max_attempts=3, base_seconds=60, max_seconds=3600)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]

    # Attempts are the message's own (issue 23): a recipient the server keeps refusing for now.
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    build_world()
    smtp.busy.add("cam@council.example")
    run_alerts(FOR_ON, now=NOW, send=False)
    assert send_outbox(now=NOW, retry_all=True).sent == 6  # the others go at once
    send_outbox(now=NOW + timedelta(hours=1), retry_all=True)
    assert _outbox_statuses() == {OutboxStatus.FAILED: 1, OutboxStatus.SENT: 6}
    given_up = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)).one()
    assert given_up.attempts == 2 and given_up.gave_up_reason is GiveUpReason.ATTEMPTS and "450" in given_up.last_error

    smtp.busy.clear()
    result = runner.invoke(args=["alerts", "send-outbox", "--retry-failed", "--all"])
    assert result.exit_code == 0, result.output
    assert "1 failed messages queued again." in result.output and "Outbox: 1 sent." in result.output
    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)


def test_a_refused_address_fails_alone_and_is_not_retried(app, smtp):
    build_world()
    smtp.refuse.add("cam@council.example")
    report = run_alerts(FOR_ON, now=NOW)
    assert report.outbox.sent == 6 and report.outbox.failed == 1 and report.outbox.gave_up == 1
    refused = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)).one()
    assert refused.to_address == "cam@council.example" and "550" in refused.last_error
    assert send_outbox(now=NOW + timedelta(days=1), retry_all=True).sent == 0


class ProcessStopped(BaseException):
    """An interruption (SIGTERM, Ctrl-C): not an error of the message. (An ordinary exception from
    a backend now counts as that message's failed attempt and the pass goes on: issue 23.)"""


def test_a_crash_while_sending_loses_nothing(app, smtp, monkeypatch):
    build_world()
    run_alerts(FOR_ON, now=NOW, send=False)
    real_send = SMTPBackend.send
    calls = []

    def crash_on_third(self, message):
        calls.append(message.to)
        if len(calls) == 3:
            raise ProcessStopped("the process was stopped")
        return real_send(self, message)

    monkeypatch.setattr(SMTPBackend, "send", crash_on_third)
    with pytest.raises(ProcessStopped):
        send_outbox(now=NOW)
    assert len(smtp.messages) == 2
    assert _outbox_statuses() == {OutboxStatus.SENT: 2, OutboxStatus.PENDING: 5}
    monkeypatch.undo()
    assert send_outbox(now=NOW).sent == 5
    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)


@pytest.mark.skipif(
    ON_POSTGRESQL, reason="the claim by update is the SQLite path; PostgreSQL holds row locks (FOR UPDATE SKIP LOCKED)"
)
def test_sqlite_a_message_claimed_by_another_sender_is_left_to_it(app, smtp):
    build_world()
    run_alerts(FOR_ON, now=NOW, send=False)
    claimed = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    claimed.status, claimed.claimed_at, claimed.claim_token = OutboxStatus.SENDING, NOW, "another-process"
    db.session.commit()
    assert send_outbox(now=NOW + timedelta(minutes=1)).sent == 6
    assert claimed.to_address not in smtp.to()
    # Its sender died: after 15 minutes the claim lapses and the message goes.
    assert send_outbox(now=NOW + timedelta(minutes=16)).sent == 1
    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)


def _in_threads(app, target, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(i):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(target(i))
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="two processes at once need PostgreSQL's row and advisory locks; set TEST_DATABASE_URL=postgresql://... (CI runs this)",
)
def test_two_runs_at_once_on_postgresql_send_each_message_once(app, smtp):
    build_world()
    smtp.delay = 0.05  # keep both senders in the outbox together
    reports = _in_threads(app, lambda i: run_alerts(FOR_ON, now=NOW, trigger=f"thread-{i}"), n=3)

    assert sorted(smtp.to()) == sorted(EXPECTED_RECIPIENTS)  # 7 messages, each once
    assert sum(r.alerts_created for r in reports) == 13 and sum(r.messages_queued for r in reports) == 7
    assert sum(r.outbox.sent for r in reports) == 7
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Alert.id))) == 13
    assert _outbox_statuses() == {OutboxStatus.SENT: 7}
    statuses = [r.status for r in db.session.scalars(select(JobRun))]
    assert len(statuses) == 3 and set(statuses) <= {JobRunStatus.SUCCEEDED, JobRunStatus.SKIPPED}


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="concurrent senders need PostgreSQL's FOR UPDATE SKIP LOCKED; set TEST_DATABASE_URL=postgresql://... (CI runs this)",
)
def test_two_senders_at_once_on_postgresql_share_the_outbox(app, smtp):
    build_world()
    run_alerts(FOR_ON, now=NOW, send=False)
    smtp.delay = 0.1
    reports = _in_threads(app, lambda i: send_outbox(now=NOW), n=2)
    assert sum(r.sent for r in reports) == 7
    assert all(r.sent > 0 for r in reports), "both senders should have taken a share"
    assert sorted(smtp.to()) == sorted(EXPECTED_RECIPIENTS)
