"""The daily digest's shape: what is new since the last digest first, counts per step, and the
managers' three queues (exceptions awaiting approval, family messages unanswered, cases without
a coordinator) as counts with links."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

import pytest

from ehc_tracker.alerts.digests import AlertSettings, previous_digest_on
from ehc_tracker.alerts.job import run_alerts
from ehc_tracker.extensions import db
from ehc_tracker.models import AlertPreference, DigestFrequency, Role, User
from ehc_tracker.models.case import Channel, Communication, EventType
from ehc_tracker.services import cases as case_service
from ehc_tracker.statutory.calendar import WorkingDayCalendar
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.integration.test_alerts_support import FOR_ON, NOW, build_world, create_user, only_open

BASE = "https://ehc.council.example"
LONG_AGO = datetime(2025, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def app_config():
    return {"BASE_URL": BASE + "/"}


@pytest.fixture
def mail(app):
    from ehc_tracker.alerts.delivery import current_backend

    backend = current_backend()
    backend.sent.clear()
    return backend


def _emails(mail):
    return {email.to: email for email in mail.sent}


def _family_message(case, *, received_on, from_name="Pat Parent"):
    family = User(
        email=f"family{secrets.token_hex(4)}@example.org",
        name=from_name,
        role=Role.FAMILY,
        password_hash="x",
        session_token=secrets.token_hex(16),
    )
    db.session.add(family)
    db.session.flush()
    comm = Communication(
        case=case,
        received_on=received_on,
        channel=Channel.PORTAL,
        from_name=from_name,
        summary="A question",
        family_user_id=family.id,
    )
    db.session.add(comm)
    db.session.flush()
    case_service.recompute_case(case)
    return comm


def _quiet_case(coordinator, team, first_name):
    """An open case with nothing overdue or due soon on FOR_ON."""
    child = create_child(team=team, first_name=first_name, last_name="Quillfeather", commit=False)
    case = create_assessment(
        received_on=date(2025, 11, 3), coordinator=coordinator, team=team, child=child, commit=False
    )
    only_open(case, "decision_to_assess", date(2026, 1, 30))
    return case


# --- The previous digest's day -------------------------------------------------------------------


def test_the_previous_digest_day_skips_weekends_and_bank_holidays_and_weeks_for_weekly():
    calendar = WorkingDayCalendar()
    settings = AlertSettings()
    daily, weekly = DigestFrequency.DAILY, DigestFrequency.WEEKLY
    assert previous_digest_on(date(2025, 12, 3), daily, settings, calendar) == date(2025, 12, 2)
    assert previous_digest_on(date(2025, 12, 8), daily, settings, calendar) == date(2025, 12, 5)  # Monday: Friday
    assert previous_digest_on(date(2026, 4, 7), daily, settings, calendar) == date(2026, 4, 2)  # after Easter
    assert previous_digest_on(date(2025, 12, 8), weekly, settings, calendar) == date(2025, 12, 1)
    assert previous_digest_on(date(2026, 4, 13), weekly, settings, calendar) == date(
        2026, 4, 7
    )  # last week's was Tuesday
    every_day = AlertSettings(skip_non_working_days=False)
    assert previous_digest_on(date(2025, 12, 8), daily, every_day, calendar) == date(2025, 12, 7)


# --- New since the last digest ----------------------------------------------------------------


def test_on_a_monday_what_fell_due_over_the_weekend_is_new(app, mail):
    world = build_world()
    # B (Cora's) fell due on Friday 5 December: not overdue at Friday's digest, overdue by Monday's.
    world.milestones["B"].due_on = date(2025, 12, 5)
    db.session.commit()
    run_alerts(date(2025, 12, 8), now=NOW)
    cora = _emails(mail)["cora@council.example"].text
    new_part = cora.split("OVERDUE on your caseload")[0]
    assert "NEW since your last digest (Friday 5 December)" in new_part
    assert f"{BASE}/cases/{world.cases['B'].id}" in new_part and "Due 5 December 2025, 3 days overdue." in new_part


def test_counts_per_step_replace_the_rows(app, mail):
    world = build_world()
    # Cam gets a second kind of overdue step, and a third case overdue on the same one as C.
    advice = _quiet_case(world.c2, world.north, "Ada")
    case_service.record_event(advice, EventType.DECIDED_TO_ASSESS, date(2025, 11, 10), actor=world.c2, today=FOR_ON)
    case_service.record_event(
        advice,
        EventType.ADVICE_REQUESTED,
        date(2025, 11, 10),
        actor=world.c2,
        today=FOR_ON,
        advice_type="ep",
        provider="EP Service",
    )
    db.session.flush()
    for m in advice.milestones:
        if m.key == "advice_due":
            m.due_on = date(2025, 11, 20)
    db.session.commit()
    run_alerts(FOR_ON, now=NOW)
    cam = _emails(mail)["cam@council.example"].text
    assert "OVERDUE on your caseload: 3\n" in cam
    steps = cam.split("OVERDUE on your caseload: 3\n")[1].split("All your overdue steps")[0]
    assert steps.splitlines() == [
        "- Decide whether to assess: 2 overdue (1 with an exception applying)",
        f"  {BASE}/reports/overdue?coordinator_id=mine&show=overdue&milestone_key=decision_to_assess",
        "- Receive requested advice: 1 overdue",
        f"  {BASE}/reports/overdue?coordinator_id=mine&show=overdue&milestone_key=advice_due",
    ]
    html = _emails(mail)["cam@council.example"].html
    assert f'<a href="{BASE}/reports/overdue?coordinator_id=mine&amp;show=overdue&amp;milestone_key=advice_due"' in html


def test_a_coordinator_hears_of_a_new_family_message_with_a_link_to_reply(app, mail):
    world = build_world()
    case = world.cases["A"]
    old = _family_message(case, received_on=date(2025, 11, 28), from_name="Old Message")
    new = _family_message(case, received_on=date(2025, 12, 2), from_name="New Message")
    db.session.commit()
    run_alerts(FOR_ON, now=NOW)
    cora = _emails(mail)["cora@council.example"].text
    new_part = cora.split("OVERDUE on your caseload")[0]
    assert "Messages from families (1)" in new_part
    assert f"{BASE}/cases/{case.id}/communications/{new.id}/respond" in new_part
    assert "received 2 December 2025, waiting 1 working day." in new_part
    assert f"/communications/{old.id}/respond" not in cora
    assert "New Message" not in cora  # a parent's name identifies the child: not in an email


# --- The managers' queues ----------------------------------------------------------------------


def _queues(world):
    """One of each queue in North; the exception and the unassigned case from before the last
    digest, a second exception and the message new since."""
    c1, north = world.c1, world.north
    older = _quiet_case(c1, north, "Olga")
    first = case_service.propose_exception(
        older,
        milestone_key="decision_to_assess",
        limb="personal_circumstances",
        starts_on=date(2025, 11, 3),
        ends_on=None,
        reason="In hospital",
        evidence=None,
        actor=c1,
        today=FOR_ON,
    )
    first.proposed_at = LONG_AGO
    newer = _quiet_case(c1, north, "Nell")
    second = case_service.propose_exception(
        newer,
        milestone_key="decision_to_assess",
        limb="personal_circumstances",
        starts_on=date(2025, 11, 3),
        ends_on=None,
        reason="Away",
        evidence=None,
        actor=c1,
        today=FOR_ON,
    )
    message = _family_message(older, received_on=date(2025, 11, 26))
    nobody = _quiet_case(c1, north, "Una")
    nobody.coordinator_id = None
    nobody.created_at = LONG_AGO
    db.session.commit()
    return first, second, message, nobody, newer


def test_a_managers_digest_carries_the_queues_with_counts_and_links(app, mail):
    world = build_world()
    first, second, message, nobody, newer = _queues(world)
    run_alerts(FOR_ON, now=NOW)
    email = _emails(mail)["mo@council.example"]
    assert email.subject == (
        "EHC Tracker daily alerts for Wednesday 3 December 2025: 3 overdue, 2 to approve, 1 message unanswered, "
        "1 case without a coordinator"
    )
    text = email.text
    queues = text.split("WAITING FOR YOU in your teams\n")[1]
    assert queues.startswith(
        f"- Exceptions awaiting approval: 2\n  {BASE}/#exceptions-queue\n"
        f"- Family messages unanswered: 1 (the oldest waiting 5 working days)\n  {BASE}/#messages-queue\n"
        f"- Open cases without a coordinator: 1\n  {BASE}/#unassigned-queue\n"
    )
    new_part = text.split("OVERDUE in your teams")[0]
    # New since Tuesday: the second exception (the first is a month old) and nothing else.
    assert "Exceptions proposed (1)" in new_part
    assert f"{BASE}/cases/{newer.id}/exceptions/{second.id}/decide" in new_part
    assert f"/exceptions/{first.id}/decide" not in text
    assert "Messages from families" not in new_part and "without a coordinator (" not in new_part
    assert f'href="{BASE}/#exceptions-queue"' in email.html
    # Another team's manager hears nothing of North's queues.
    assert "Exceptions awaiting approval: 0" in _emails(mail)["mia@council.example"].text


def test_new_cases_without_a_coordinator_are_new_since_the_last_digest(app, mail):
    world = build_world()
    *_, nobody, _newer = _queues(world)
    nobody.created_at = datetime(2025, 12, 2, 15, 0, tzinfo=UTC)
    db.session.commit()
    run_alerts(FOR_ON, now=NOW)
    new_part = _emails(mail)["mo@council.example"].text.split("OVERDUE in your teams")[0]
    assert "New cases without a coordinator (1)" in new_part and f"{BASE}/cases/{nobody.id}/reassign" in new_part


def test_a_manager_with_queues_and_nothing_overdue_still_gets_a_digest_once(app, mail):
    world = build_world()
    # South's only overdue step (D) is met: Mia has no alerts, only a queue.
    world.milestones["D"].met_on = date(2025, 12, 1)
    case = _quiet_case(world.c3, world.south, "Sol")
    _family_message(case, received_on=date(2025, 12, 1))
    db.session.commit()
    run_alerts(FOR_ON, now=NOW)
    email = _emails(mail)["mia@council.example"]
    assert email.subject == "EHC Tracker daily alerts for Wednesday 3 December 2025: 1 message unanswered"
    assert "Family messages unanswered: 1 (the oldest waiting 2 working days)" in email.text
    assert "OVERDUE" not in email.text
    mail.sent.clear()
    run_alerts(FOR_ON, now=NOW)
    assert mail.sent == []  # a rerun sends nothing twice


def test_queue_only_digests_follow_the_managers_preference(app, mail):
    world = build_world()
    world.milestones["D"].met_on = date(2025, 12, 1)
    case = _quiet_case(world.c3, world.south, "Sol")
    _family_message(case, received_on=date(2025, 12, 1))
    db.session.add(AlertPreference(user_id=world.manager_south.id, digest=DigestFrequency.WEEKLY))
    db.session.commit()
    run_alerts(FOR_ON, now=NOW)  # a Wednesday
    assert "mia@council.example" not in _emails(mail)
    run_alerts(date(2025, 12, 8), now=NOW)  # Monday: the weekly digest
    weekly = _emails(mail)["mia@council.example"]
    assert weekly.subject.startswith("EHC Tracker weekly alerts for Monday 8 December 2025")
    assert "NEW since your last digest (Monday 1 December)" in weekly.text
    assert "Messages from families (1)" in weekly.text


def test_a_manager_outside_every_team_gets_no_queues(app, mail):
    world = build_world()
    _queues(world)
    lone = create_user(role="manager", name="Lone Manager", email="lone@council.example")
    db.session.commit()
    run_alerts(FOR_ON, now=NOW)
    assert lone.email not in _emails(mail)
    assert "WAITING FOR YOU" not in _emails(mail)["head@council.example"].text
