"""Exception reasons read as plain English everywhere they are shown, never as an internal key
(`personal_circumstances`, `absent_from_area`, ...): pages, the audit log and the e-mails."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest

from ehc_tracker.extensions import db
from ehc_tracker.services import cases as case_service
from ehc_tracker.statutory.rules import ExceptionLimb
from tests.factories_cases import create_assessment
from tests.helpers import PASSWORD, create_team, create_user

INTERNAL_KEYS = [limb.value for limb in ExceptionLimb]
PERSONAL = ExceptionLimb.PERSONAL_CIRCUMSTANCES.description
AWAY = ExceptionLimb.ABSENT_FROM_AREA.description


class _Text(HTMLParser):
    """The words a reader sees (and hears): text, plus the alternative texts a screen reader reads."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _assert_plain(text: str, where: str) -> None:
    found = [key for key in INTERNAL_KEYS if key in text]
    assert not found, f"{where} shows the internal key(s) {found}"


def _world():
    team = create_team(name="North Team")
    coordinator = create_user(role="coordinator", teams=[team], email="cora@example.org", name="Cora Coordinator")
    manager = create_user(role="manager", teams=[team], email="mo@example.org", name="Mo Manager")
    create_user(role="admin", email="admin@example.org")
    case = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    proposed = case_service.propose_exception(
        case,
        milestone_key="final_plan",
        limb="personal_circumstances",
        starts_on=date(2025, 2, 1),
        ends_on=None,
        reason="In hospital",
        evidence=None,
        actor=coordinator,
        today=date(2025, 6, 3),
    )
    approved = case_service.propose_exception(
        case,
        milestone_key="decision_to_assess",
        limb="absent_from_area",
        starts_on=date(2025, 1, 10),
        ends_on=date(2025, 2, 20),
        reason="Abroad for six weeks",
        evidence=None,
        actor=coordinator,
        today=date(2025, 6, 3),
    )
    case_service.decide_exception(approved, approve=True, note="", actor=manager)
    db.session.commit()
    return case, proposed, approved


def _sign_in(client, email):
    client.post("/sign-out")
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302


def test_every_page_that_lists_exceptions_shows_the_plain_english_reason(client):
    case, proposed, approved = _world()

    _sign_in(client, "mo@example.org")
    page = visible_text(client.get(f"/cases/{case.id}").get_data(as_text=True))
    _assert_plain(page, "the case page")
    assert PERSONAL in page and AWAY in page and "Awaiting approval" in page
    page = visible_text(client.get(f"/cases/{case.id}/exceptions/{proposed.id}/decide").get_data(as_text=True))
    _assert_plain(page, "the decide page")
    assert PERSONAL in page and "Awaiting approval" in page
    for url in ("/", "/reports/overdue?show=all", f"/reports/overdue?show=all&team_id={case.team_id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_plain(visible_text(response.get_data(as_text=True)), url)
    decided = client.post(
        f"/cases/{case.id}/exceptions/{proposed.id}/decide", data={"decision": "reject", "note": "Not evidenced"}
    )
    assert decided.status_code == 302
    page = visible_text(client.get(decided.headers["Location"]).get_data(as_text=True))
    _assert_plain(page, "the banner after a decision")
    assert f"Exception rejected. ‘{proposed.milestone_label}’: {PERSONAL} (SEND Regulations 2014 reg " in page

    _sign_in(client, "cora@example.org")
    page = visible_text(client.get(f"/cases/{case.id}/exceptions/new").get_data(as_text=True))
    _assert_plain(page, "the propose page")
    assert PERSONAL in page and AWAY in page
    _assert_plain(visible_text(client.get("/").get_data(as_text=True)), "the coordinator's home")

    _sign_in(client, "admin@example.org")
    page = visible_text(client.get("/admin/audit").get_data(as_text=True))
    _assert_plain(page, "the audit log")
    assert f"Proposed an exception to ‘{proposed.milestone_label}’: {PERSONAL}" in page
    assert f"Approved the exception to ‘{approved.milestone_label}’: {AWAY}" in page
    assert "final_plan" not in page and "decision_to_assess" not in page  # nor a time limit's key


def test_a_refused_proposal_keeps_the_plain_labels_and_the_typing(client):
    case, proposed, approved = _world()
    _sign_in(client, "cora@example.org")
    html = client.post(
        f"/cases/{case.id}/exceptions/new",
        data={
            "milestone_key": "final_plan",
            "limb": "",
            "starts_on": ["1", "3", "2025"],
            "reason": "Family bereavement",
        },
    ).get_data(as_text=True)
    page = visible_text(html)
    assert "Select which exception applies" in page and "Family bereavement" in html
    _assert_plain(page, "the propose page with an error")


@pytest.fixture
def mail(app):
    from ehc_tracker.alerts.delivery import current_backend

    backend = current_backend()
    backend.sent.clear()
    return backend


def test_the_daily_emails_never_show_an_internal_key(app, mail):
    from ehc_tracker.alerts.job import run_alerts
    from tests.integration.test_alerts_support import FOR_ON, NOW, build_world

    world = build_world()
    for name, limb in (("A", "personal_circumstances"), ("B", "absent_from_area"), ("C", "school_closure")):
        case_service.propose_exception(
            world.cases[name],
            milestone_key="decision_to_assess",
            limb=limb,
            starts_on=date(2025, 11, 3),
            ends_on=None,
            reason="In hospital",
            evidence=None,
            actor=world.manager_north,
            today=FOR_ON,
        )
    db.session.commit()
    run_alerts(FOR_ON, now=NOW)
    assert mail.sent
    for email in mail.sent:
        _assert_plain(email.subject + email.text, f"the e-mail to {email.to}")
        _assert_plain(visible_text(email.html or ""), f"the HTML e-mail to {email.to}")
