"""Reminders to the professional asked for advice, and the escalation of overdue advice: each once
(the alerts ledger), none after the advice is in."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from ehc_tracker.alerts import advice_reminders
from ehc_tracker.alerts.job import run_alerts
from ehc_tracker.extensions import db
from ehc_tracker.models import Alert, AlertKind, OutboxMessage
from ehc_tracker.models.case import Milestone
from ehc_tracker.services import documents as document_service
from ehc_tracker.services import professionals as professional_service
from ehc_tracker.services.calendar import working_day_calendar
from ehc_tracker.services.clock import today
from tests.documents_support import PDF_BYTES
from tests.factories_contributions import advice_case, professional, provider

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SETTINGS = advice_reminders.ReminderSettings(days_before=(14,), working_days_before=(3,), escalation_working_days=5)


@pytest.fixture
def asked(app):
    entry = provider(contact_email="head.of.therapies@nhs.example")
    case, advice = advice_case(entry)
    user = professional(advice)
    due = db.session.scalar(select(Milestone.due_on).where(Milestone.ref == f"advice:{advice.id}"))
    return advice, user, due


def _run(on: date) -> int:
    count = advice_reminders.record(advice_reminders.plan(on, SETTINGS, working_day_calendar()), now=NOW)
    db.session.commit()
    return count


def _sent() -> list[tuple[str, str]]:
    return [
        (a.dedupe_key.split(":")[0], a.recipient_email) for a in db.session.scalars(select(Alert).order_by(Alert.id))
    ]


def test_each_reminder_is_sent_once_on_its_day_and_overdue_advice_escalates_to_the_named_contact(asked):
    advice, user, due = asked
    calendar = working_day_calendar()
    three_before = advice_reminders.working_days_before(due, 3, calendar)
    assert calendar.working_days_between(three_before, due) == 3

    assert _run(due - timedelta(days=15)) == 0
    assert _run(due - timedelta(days=14)) == 1
    assert _run(due - timedelta(days=14)) == 0  # a rerun of the day
    assert _run(due - timedelta(days=13)) == 0  # the next day: already told
    assert _run(three_before) == 1
    assert _run(due) == 0
    assert _run(due + timedelta(days=1)) == 1  # the day after: overdue
    assert _run(due + timedelta(days=2)) == 0
    five_late = calendar.add_working_days(due, 5)
    assert _run(five_late - timedelta(days=1)) == 0  # 4 working days late
    assert _run(five_late) == 1  # 5: the provider's named contact hears
    assert _run(five_late + timedelta(days=7)) == 0
    assert _sent() == [
        ("advice-d14", user.email),
        ("advice-wd3", user.email),
        ("advice-overdue", user.email),
        ("advice-escalation", "head.of.therapies@nhs.example"),
    ]
    kinds = [a.kind for a in db.session.scalars(select(Alert).order_by(Alert.id))]
    assert kinds == [AlertKind.ADVICE_REMINDER] * 3 + [AlertKind.ADVICE_ESCALATION]
    mails = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [m.to_address for m in mails] == [user.email] * 3 + ["head.of.therapies@nhs.example"]
    assert all(advice.case.child.first_name not in m.body_text + m.subject for m in mails)
    assert f"/provider/requests/{advice.id}" in mails[0].body_text


def test_a_request_asked_late_gets_only_the_latest_reminder(asked):
    advice, user, due = asked
    three_before = advice_reminders.working_days_before(due, 3, working_day_calendar())
    assert _run(three_before) == 1
    assert _sent() == [("advice-wd3", user.email)]


def test_nothing_is_sent_once_the_advice_is_in(asked):
    advice, user, due = asked
    upload = document_service.check_upload(io.BytesIO(PDF_BYTES), "report.pdf")
    professional_service.return_advice(
        advice,
        user=user,
        upload=upload,
        summary=professional_service.AdviceSummary(
            needs="n", outcomes="o", provision="p", given_by="Sam", provider_name="Service", dated_on=today()
        ),
        today=today(),
        now=NOW,
    )
    upload.close()
    db.session.commit()
    for offset in (-14, -3, 0, 1, 10, 30):
        assert _run(due + timedelta(days=offset)) == 0
    assert _sent() == []


def test_the_daily_job_sends_them_in_the_same_run(app, asked):
    app.config["ALERT_SKIP_NON_WORKING_DAYS"] = False
    advice, user, due = asked
    day = due - timedelta(days=14)
    report = run_alerts(day, now=NOW, send=False)
    assert report.status == "succeeded", report.error
    assert _sent() == [("advice-d14", user.email)]
    again = run_alerts(day, now=NOW + timedelta(hours=1), send=False)
    assert again.alerts_created == 0 and len(_sent()) == 1


def test_no_escalation_without_a_contact_and_none_to_an_inactive_professional(app):
    entry = provider("Southtown Therapy")
    _, advice = advice_case(entry)
    user = professional(advice, email="gone@nhs.example")
    user.active = False
    db.session.commit()
    due = db.session.scalar(select(Milestone.due_on).where(Milestone.ref == f"advice:{advice.id}"))
    for offset in (-14, 1, 20):
        assert _run(due + timedelta(days=offset)) == 0


def test_the_settings_are_read_from_the_configuration():
    settings = advice_reminders.ReminderSettings.from_config(
        {"ADVICE_REMINDER_DAYS": "14, 7", "ADVICE_REMINDER_WORKING_DAYS": "3", "ADVICE_ESCALATION_WORKING_DAYS": "2"}
    )
    assert settings == advice_reminders.ReminderSettings(
        days_before=(14, 7), working_days_before=(3,), escalation_working_days=2
    )


def test_an_administrator_names_the_providers_contact_and_a_command_makes_a_provider_manager(app, runner):
    from ehc_tracker.models.contribution import ProviderMembership
    from ehc_tracker.services import ServiceError
    from ehc_tracker.services import directory as directory_service
    from tests.helpers import create_user

    entry = provider("Westtown Therapy")
    admin = create_user(role="admin")
    details = directory_service.EntryDetails(
        name=entry.name, kind=entry.kind.value, contact_name="Dr Lee", contact_email="not an address"
    )
    with pytest.raises(ServiceError):
        directory_service.update_entry(entry, details, actor=admin)
    db.session.rollback()
    changed = directory_service.update_entry(
        entry,
        directory_service.EntryDetails(
            name=entry.name, kind=entry.kind.value, contact_name="Dr Lee", contact_email="Lee@NHS.example"
        ),
        actor=admin,
    )
    assert changed == ["contact_name", "contact_email"] and entry.contact_email == "lee@nhs.example"
    _, advice = advice_case(entry)
    user = professional(advice, email="lead@nhs.example")
    result = runner.invoke(args=["provider-manager", "--email", "lead@nhs.example"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(ProviderMembership.is_manager).where(ProviderMembership.user_id == user.id))
    assert runner.invoke(args=["provider-manager", "--email", "nobody@example.org"]).exit_code != 0


def test_a_dry_run_counts_the_reminders_and_sends_none(app, asked):
    app.config["ALERT_SKIP_NON_WORKING_DAYS"] = False
    advice, user, due = asked
    report = run_alerts(due - timedelta(days=14), now=NOW, dry_run=True)
    assert "also 1 advice reminders to professionals would be sent" in report.summary
    assert _sent() == [] and db.session.scalar(select(OutboxMessage.id)) is None
