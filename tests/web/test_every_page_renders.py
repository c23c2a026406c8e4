"""Every page, opened by every role, renders: no 5xx and no markup printed as text.

Tests that look for words cannot see `<p class=...>` shown on the page as text (every success
banner did that once); this walks every GET route of the site for each role, after a step has
been recorded so that a confirmation banner is on the first page, and fails on escaped tags.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models.case import Case, CaseEvent, CaseStatus, CaseType, Plan
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import today
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.helpers import PASSWORD, create_team, create_user

ESCAPED_MARKUP = re.compile(r"&lt;/?(p|a|span|div|strong|h[1-6]|ul|li|br|table|tr|td)[\s&/]")
FAMILY_PASSWORD = "a long family password 2026"


def _world() -> dict[str, object]:
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team], email="coordinator@example.org")
    create_user(role="manager", teams=[team], email="manager@example.org")
    create_user(role="viewer", teams=[team], email="viewer@example.org")
    create_user(role="admin", email="admin@example.org")
    first = create_assessment(team=team, coordinator=coordinator, received_on=date(2024, 6, 3))
    carry_to_final_plan(first, actor=coordinator, today=date(2025, 6, 1), final_on=date(2025, 5, 20))
    review = db.session.scalars(select(Case).where(Case.case_type == CaseType.ANNUAL_REVIEW, Case.status == CaseStatus.OPEN)).one()
    comm = case_service.log_communication(review, received_on=date(2025, 6, 2), channel=case_service.Channel.EMAIL,
                                          from_name="Parent", summary="Any news?", actor=coordinator, today=date(2025, 6, 3))
    pending = create_assessment(team=team, coordinator=coordinator, received_on=date(2025, 1, 6))
    exception = case_service.propose_exception(
        pending, milestone_key="final_plan", limb="personal_circumstances", starts_on=date(2025, 2, 1), ends_on=None,
        reason="In hospital", evidence=None, actor=coordinator, today=date(2025, 6, 3),
    )
    invited = family_service.invite(
        review, name="Pat Parent", email="parent@example.org", relationship=FamilyRelationship.PARENT, actor=coordinator,
        now=datetime.now(timezone.utc), today=today(),
    )
    family_service.accept(invited.token, password=FAMILY_PASSWORD, now=datetime.now(timezone.utc))
    db.session.commit()
    contact = first.child.contacts[0] if first.child.contacts else None
    return {
        "child_id": first.child_id, "case_id": review.id, "communication_id": comm.id, "exception_id": exception.id,
        "event_id": db.session.scalars(select(CaseEvent.id).where(CaseEvent.case_id == review.id)).first()
        or db.session.scalars(select(CaseEvent.id)).first(),
        "plan_id": db.session.scalars(select(Plan.id)).first(), "contact_id": contact.id if contact else None,
        "user_id": coordinator.id, "event_type": "review_meeting_scheduled", "token": "not-a-token",
    }


def _get_urls(app, world: dict[str, object]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static", "/assets")) or rule.rule.endswith(".css"):
            continue
        url = rule.rule
        for argument in rule.arguments:
            value = world.get(argument)
            if value is None:
                break
            url = re.sub(r"<[^>]*\b" + argument + ">", str(value), url)
        else:
            urls.append(url)
    return sorted(urls)


def test_every_page_for_every_role_renders_without_markup_printed_as_text(app, client):
    world = _world()
    urls = _get_urls(app, world)
    assert len(urls) >= 40, urls
    checked = 0
    for email, password in (("coordinator@example.org", PASSWORD), ("manager@example.org", PASSWORD),
                            ("viewer@example.org", PASSWORD), ("admin@example.org", PASSWORD),
                            ("parent@example.org", FAMILY_PASSWORD)):
        client.post("/sign-out")
        signed_in = client.post("/sign-in", data={"email": email, "password": password})
        assert signed_in.status_code == 302, (email, signed_in.get_data(as_text=True)[:500])
        if email.startswith("coordinator"):
            # A confirmation banner on the next page, as after every recorded step.
            done = client.post(f"/cases/{world['case_id']}/notes", data={"text": "Phoned the family"})
            assert done.status_code == 302
        for url in urls:
            response = client.get(url)
            body = response.get_data(as_text=True).split("<body", 1)[-1]
            assert response.status_code < 500, (email, url, response.status_code)
            found = ESCAPED_MARKUP.search(body)
            assert found is None, (email, url, body[max(0, found.start() - 80):found.end() + 80])
            checked += 1
    assert checked >= 200
