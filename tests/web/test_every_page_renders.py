"""Every page, opened by every role, renders: no 5xx and no markup printed as text.

Tests that look for words cannot see `<p class=...>` shown on the page as text (every success
banner did that once); this walks every GET route of the site for each role, after a step has
been recorded so that a confirmation banner is on the first page, and fails on escaped tags.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ehc_tracker.extensions import db
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import today
from tests.helpers import PASSWORD, create_team, create_user
from tests.web.site_map import one_of_everything, site_urls

ESCAPED_MARKUP = re.compile(r"&lt;/?(p|a|span|div|strong|h[1-6]|ul|li|br|table|tr|td)[\s&/]")
FAMILY_PASSWORD = "a long family password 2026"


def _world() -> dict[str, object]:
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team], email="coordinator@example.org")
    create_user(role="manager", teams=[team], email="manager@example.org")
    create_user(role="viewer", teams=[team], email="viewer@example.org")
    create_user(role="admin", email="admin@example.org")
    values = one_of_everything(coordinator, team)
    invited = family_service.invite(
        values["_review"],
        name="Pat Parent",
        email="parent@example.org",
        relationship=FamilyRelationship.PARENT,
        actor=coordinator,
        now=datetime.now(UTC),
        today=today(),
    )
    family_service.accept(invited.token, password=FAMILY_PASSWORD, now=datetime.now(UTC))
    db.session.commit()
    values.update(event_id=values["_event"].id, user_id=coordinator.id, token="not-a-token")
    return values


def test_every_page_for_every_role_renders_without_markup_printed_as_text(app, client):
    world = _world()
    urls = [u for u in site_urls(app, world, method="GET") if not u.endswith((".css", ".docx"))]
    assert len(urls) >= 40, urls
    checked = 0
    for email, password in (
        ("coordinator@example.org", PASSWORD),
        ("manager@example.org", PASSWORD),
        ("viewer@example.org", PASSWORD),
        ("admin@example.org", PASSWORD),
        ("parent@example.org", FAMILY_PASSWORD),
    ):
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
            assert found is None, (email, url, body[max(0, found.start() - 80) : found.end() + 80])
            checked += 1
    assert checked >= 200
