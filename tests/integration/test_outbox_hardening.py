"""Issue 23, the outbox: a message that cannot be built fails alone and visibly; age and attempts
are each message's own while the back-off is the destination's; a run killed while handing a
message to the mail server is found, marked failed, and its messages go once.

Over a real SMTP server (aiosmtpd on 127.0.0.1). The crash test kills a real process (SIGKILL)
in the middle of an SMTP transaction, on SQLite and on PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from ehc_tracker.alerts.delivery import OutgoingEmail, SMTPBackend, UnbuildableMessage
from ehc_tracker.alerts.job import run_alerts, send_outbox
from ehc_tracker.extensions import db
from ehc_tracker.models import GiveUpReason, JobRun, JobRunStatus, OutboxDestination, OutboxMessage, OutboxStatus
from ehc_tracker.services import clock
from tests.integration.test_alerts_smtp import ON_POSTGRESQL, Inbox, _start, _stop
from tests.integration.test_alerts_support import DIRECTOR, EXPECTED_RECIPIENTS, FOR_ON, NOW, build_world, free_port

REPO = Path(__file__).resolve().parents[2]


class HangingInbox(Inbox):
    """Takes messages as Inbox does, except the `hang_at`-th DATA, which it holds unanswered until
    `release` is set (then answers 451 and keeps nothing): a server in the middle of a handover."""

    def __init__(self, hang_at: int | None = None) -> None:
        super().__init__()
        self.hang_at = hang_at
        self.data_seen = 0
        self.hanging = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        if self.data_seen == self.hang_at:
            self.hanging.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    inbox = HangingInbox()
    inbox.port = free_port()
    _start(inbox)
    try:
        yield inbox
    finally:
        inbox.release.set()
        if inbox.controller is not None:
            inbox.controller.stop()


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


def _statuses() -> dict[OutboxStatus, int]:
    db.session.expire_all()
    counts = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return dict(counts.tuples().all())


def _message_to(address: str) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)).one()


def _legacy_message(to: str, *, subject: str = "Follow your EHC assessment or review online") -> OutboxMessage:
    """A message stored before addresses were checked where they come in."""
    message = OutboxMessage(
        dedupe_key="family-invitation:legacy",
        for_on=FOR_ON,
        to_address=to,
        subject=subject,
        body_text="Your link",
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=NOW - timedelta(days=1),
        created_at=NOW - timedelta(days=1),
    )
    db.session.add(message)
    db.session.commit()
    return message


# --- 1. A message that cannot be built --------------------------------------------------------


def test_a_crafted_address_in_the_outbox_fails_alone_and_everyone_else_is_told(app, smtp):
    bad = _legacy_message("parent@example.org\r\nBcc: everyone@evil.example")  # first in the queue
    build_world()
    report = run_alerts(FOR_ON, now=NOW)

    assert report.status == "succeeded", report.summary
    outbox = report.outbox
    assert outbox.sent == 7 and outbox.failed == 1 and outbox.gave_up == 1 and outbox.unbuildable == 1
    assert "1 could not be built" in report.summary
    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)  # the daily digests went; nothing to the crafted address
    db.session.expire_all()
    bad = db.session.get(OutboxMessage, bad.id)
    assert bad.status is OutboxStatus.FAILED and bad.gave_up_reason is GiveUpReason.UNBUILDABLE
    assert bad.attempts == 1 and "line breaks" in bad.last_error
    run = db.session.get(JobRun, report.run_id)
    assert run.status is JobRunStatus.SUCCEEDED and run.messages_sent == 7 and run.messages_failed == 1

    # It is not tried again, and does not hold up tomorrow's messages.
    again = send_outbox(now=NOW + timedelta(days=1), retry_all=True)
    assert again.failed == 0 and again.sent == 0


def test_the_administrators_page_shows_a_message_that_cannot_be_sent(app, smtp, client, auth):
    _legacy_message("<x@evil.example> parent@example.org")
    build_world()
    run_alerts(FOR_ON, now=NOW)
    auth.login(role="admin")
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert 'data-outbox-failed="1"' in html and "1 email was given up and not sent" in html
    assert 'data-gave-up="unbuildable"' in html and "Cannot be sent: the address or content is not valid" in html
    assert "one email address only" in html  # its error
    assert "&lt;x@evil.example&gt; parent@example.org" in html


def test_a_line_break_in_a_subject_is_refused_before_any_server_sees_it(app, smtp):
    _legacy_message("parent@example.org", subject="News\r\nBcc: everyone@evil.example")
    report = send_outbox(now=NOW)
    assert report.unbuildable == 1 and report.sent == 0 and smtp.messages == []
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.gave_up_reason is GiveUpReason.UNBUILDABLE and "subject" in message.last_error


def test_a_message_the_email_library_cannot_build_fails_alone(app, smtp, monkeypatch):
    build_world()
    run_alerts(FOR_ON, now=NOW, send=False)
    real_build = SMTPBackend.build

    def build(self, email):
        if email.to == "cam@council.example":
            raise ValueError("header value not allowed")
        return real_build(self, email)

    monkeypatch.setattr(SMTPBackend, "build", build)
    report = send_outbox(now=NOW)
    assert report.sent == 6 and report.unbuildable == 1
    cam = _message_to("cam@council.example")
    assert cam.status is OutboxStatus.FAILED
    assert "could not be built: ValueError: header value not allowed" in cam.last_error
    with pytest.raises(UnbuildableMessage):  # the sign-in code path, which sends directly, is told too
        SMTPBackend(host="127.0.0.1", port=smtp.port, sender="s@council.example").send(
            OutgoingEmail(to="a@b.example, c@d.example", subject="Code", text="1", html=None, reference="r")
        )


def test_an_unexpected_error_for_one_message_counts_against_it_and_the_pass_goes_on(app, smtp, monkeypatch):
    build_world()
    run_alerts(FOR_ON, now=NOW, send=False)
    real_send = SMTPBackend.send

    def send(self, email):
        if email.to == "cora@council.example":
            raise KeyError("a bug in a backend")
        return real_send(self, email)

    monkeypatch.setattr(SMTPBackend, "send", send)
    report = send_outbox(now=NOW)
    assert report.sent == 6 and report.failed == 1 and report.gave_up == 0
    cora = _message_to("cora@council.example")
    assert cora.status is OutboxStatus.PENDING and cora.attempts == 1 and "KeyError" in cora.last_error
    assert cora.next_attempt_at == NOW + timedelta(seconds=60)


# --- 2. Attempts and age are the message's; the back-off is the destination's ----------------


def test_a_long_outage_gives_up_on_no_message_and_they_go_oldest_first(app, smtp):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    app.config["OUTBOX_MAX_AGE_HOURS"] = 24  # the outage lasts longer than even this
    build_world()
    _stop(smtp)
    run_alerts(FOR_ON, now=NOW)
    tries = 1
    at = NOW
    for step in range(1, 2 * 24 * 2 + 1):  # an outbox pass every 30 minutes for two days
        at = NOW + timedelta(minutes=30 * step)
        report = send_outbox(now=at)
        assert report.sent == 0 and report.gave_up == 0
        tries += report.failed
    second_day = run_alerts(FOR_ON + timedelta(days=1), now=NOW + timedelta(days=1))  # queues that day's digests too
    tries += second_day.outbox.failed
    queued = 7 + second_day.messages_queued

    assert _statuses() == {OutboxStatus.PENDING: queued}
    assert db.session.scalar(select(func.max(OutboxMessage.attempts))) == 0  # nobody's message was charged the outage
    assert 40 <= tries <= 2 * 24 + 10  # the server was tried about hourly (the back-off's cap), not every pass
    server = db.session.scalars(select(OutboxDestination)).one()
    assert server.failures == tries and server.failing_since == NOW

    _start(smtp)
    report = send_outbox(now=at + timedelta(hours=1))
    assert report.sent == queued and report.gave_up == 0
    oldest_first = [m.to_address for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert [rcpts[0] for rcpts, _ in smtp.messages] == oldest_first
    db.session.expire_all()
    assert db.session.scalars(select(OutboxDestination)).one().failures == 0


def test_one_destination_backing_off_does_not_hold_up_another(app, smtp):
    build_world()
    app.config["MAIL_PORT"] = dead = free_port()
    run_alerts(FOR_ON, now=NOW)
    assert send_outbox(now=NOW + timedelta(seconds=10)).backing_off_until == NOW + timedelta(seconds=60)

    app.config["MAIL_PORT"] = smtp.port  # the mail relay moved: another destination, not backing off
    assert send_outbox(now=NOW + timedelta(seconds=20)).sent == 7
    states = {d.destination: d.failures for d in db.session.scalars(select(OutboxDestination))}
    assert states == {f"smtp:127.0.0.1:{dead}": 1}


def test_a_recipient_refused_for_now_waits_alone_and_the_server_does_not_back_off(app, smtp):
    build_world()
    smtp.busy.add("cora@council.example")
    report = run_alerts(FOR_ON, now=NOW)
    assert report.outbox.sent == 6 and report.outbox.failed == 1 and not report.outbox.server_unavailable
    assert db.session.scalar(select(func.count()).select_from(OutboxDestination)) == 0
    cora = _message_to("cora@council.example")
    assert cora.status is OutboxStatus.PENDING and cora.attempts == 1
    assert cora.next_attempt_at == NOW + timedelta(seconds=60)

    assert send_outbox(now=NOW + timedelta(seconds=30)).failed == 0  # its own back-off
    smtp.busy.clear()
    assert send_outbox(now=NOW + timedelta(seconds=60)).sent == 1
    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)


def test_a_message_is_given_up_on_its_own_age_not_another_s(app, smtp):
    app.config["OUTBOX_MAX_AGE_HOURS"] = 24
    build_world()
    run_alerts(FOR_ON, now=NOW, send=False)
    old = _message_to("cam@council.example")
    old.created_at = NOW - timedelta(days=2)
    db.session.commit()
    smtp.busy.update({"cam@council.example", "cy@council.example"})

    report = send_outbox(now=NOW, retry_all=True)
    assert report.sent == 5 and report.failed == 2 and report.gave_up == 1
    cam, cy = _message_to("cam@council.example"), _message_to("cy@council.example")
    assert cam.status is OutboxStatus.FAILED and cam.gave_up_reason is GiveUpReason.AGE and cam.attempts == 1
    assert cy.status is OutboxStatus.PENDING and cy.gave_up_reason is None and cy.attempts == 1


def test_the_administrators_page_shows_the_server_backing_off(app, smtp, client, auth):
    build_world()
    _stop(smtp)
    run_alerts(FOR_ON, now=NOW)
    auth.login(role="admin")
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert f'data-destination="smtp:127.0.0.1:{smtp.port}"' in html
    assert "1 try has failed" in html and "Nothing is given up meanwhile" in html and "Connection refused" in html


# --- 3. A run that died -----------------------------------------------------------------------


def _run(status: JobRunStatus, *, started_ago: timedelta, heartbeat_ago: timedelta | None, at=NOW) -> JobRun:
    run = JobRun(
        job="daily-alerts",
        for_on=FOR_ON,
        trigger="scheduler",
        status=status,
        started_at=at - started_ago,
        heartbeat_at=at - heartbeat_ago if heartbeat_ago is not None else None,
        host="worker-1:4242",
    )
    db.session.add(run)
    db.session.commit()
    return run


def test_a_silent_running_run_is_marked_failed_and_a_live_one_is_left_alone(app, smtp):
    live = _run(JobRunStatus.RUNNING, started_ago=timedelta(hours=3), heartbeat_ago=timedelta(minutes=10))
    dead = _run(JobRunStatus.RUNNING, started_ago=timedelta(hours=3), heartbeat_ago=timedelta(minutes=61))
    never = _run(JobRunStatus.RUNNING, started_ago=timedelta(hours=2), heartbeat_ago=None)
    done = _run(JobRunStatus.SUCCEEDED, started_ago=timedelta(days=1), heartbeat_ago=timedelta(days=1))

    send_outbox(now=NOW)  # the scheduler's outbox pass finds them too, not only the next daily run
    db.session.expire_all()
    assert db.session.get(JobRun, live.id).status is JobRunStatus.RUNNING
    assert db.session.get(JobRun, done.id).status is JobRunStatus.SUCCEEDED
    for run_id in (dead.id, never.id):
        run = db.session.get(JobRun, run_id)
        assert run.status is JobRunStatus.FAILED and run.finished_at == NOW
        assert run.note.startswith("abandoned: nothing heard from it since")
        assert "worker-1:4242" in run.error and "JOB_RUN_STALE_MINUTES (60)" in run.error

    app.config["JOB_RUN_STALE_MINUTES"] = 5
    send_outbox(now=NOW)
    db.session.expire_all()
    assert db.session.get(JobRun, live.id).status is JobRunStatus.FAILED


def test_a_run_beats_a_heartbeat(app, smtp):
    build_world()
    report = run_alerts(FOR_ON, now=NOW)
    run = db.session.get(JobRun, report.run_id)
    assert run.heartbeat_at is not None and NOW <= run.heartbeat_at < NOW + timedelta(minutes=5)


def test_the_administrators_page_says_a_running_run_has_gone_silent(app, client, auth):
    silent = _run(
        JobRunStatus.RUNNING, started_ago=timedelta(hours=3), heartbeat_ago=timedelta(hours=2), at=clock.now()
    )
    auth.login(role="admin")
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert f'data-silent-run="{silent.id}"' in html and "its process has probably died" in html


_DOOMED_RUN = """
import json, sys
from datetime import date, datetime
from ehc_tracker import create_app
from ehc_tracker.alerts.job import run_alerts

given = json.loads(sys.argv[1])
app = create_app(given["config"])
with app.app_context():
    run_alerts(date.fromisoformat(given["for_on"]), now=datetime.fromisoformat(given["now"]), trigger="doomed")
"""


def _wait_for_row_locks_to_go() -> None:
    """PostgreSQL ends a killed client's transaction (and its row lock) once it sees the socket close."""
    deadline = time.monotonic() + 15
    while True:
        try:
            db.session.execute(text("SELECT id FROM outbox_messages FOR UPDATE NOWAIT")).all()
            db.session.rollback()
            return
        except OperationalError:
            db.session.rollback()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_run_killed_while_handing_a_message_to_the_server_is_found_and_nothing_is_sent_twice(app, smtp):
    build_world()
    db.session.commit()
    smtp.hang_at = 3  # the third message: the server has it, and has not answered yet
    settings = {
        key: app.config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "MAIL_BACKEND",
            "MAIL_SERVER",
            "MAIL_PORT",
            "MAIL_DEFAULT_SENDER",
            "MAIL_TIMEOUT_SECONDS",
            "ESCALATION_EMAILS",
            "BASE_URL",
        )
    }
    given = json.dumps({"config": settings, "for_on": FOR_ON.isoformat(), "now": NOW.isoformat()})
    process = subprocess.Popen(
        [sys.executable, "-c", _DOOMED_RUN, given], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        if not smtp.hanging.wait(timeout=90):
            process.kill()
            pytest.fail(f"the run never reached the third message: {process.communicate(timeout=10)}")
        process.kill()  # SIGKILL, in the middle of the SMTP transaction
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    smtp.release.set()
    if ON_POSTGRESQL:
        _wait_for_row_locks_to_go()

    db.session.expire_all()
    doomed = db.session.scalars(select(JobRun).where(JobRun.trigger == "doomed")).one()
    assert doomed.status is JobRunStatus.RUNNING  # what the crash left behind
    assert len(smtp.messages) == 2
    assert _statuses().get(OutboxStatus.SENT) == 2

    # The next run, two hours later: the dead run is marked failed, and the rest go, each once.
    later = run_alerts(FOR_ON, now=NOW + timedelta(hours=2))
    assert later.status == "succeeded" and later.alerts_created == 0 and later.outbox.sent == 5, later.summary
    db.session.expire_all()
    doomed = db.session.get(JobRun, doomed.id)
    assert doomed.status is JobRunStatus.FAILED and "abandoned" in doomed.note and "died" in doomed.error
    assert smtp.to() == sorted(EXPECTED_RECIPIENTS)  # seven people, each told once
    assert _statuses() == {OutboxStatus.SENT: 7}
