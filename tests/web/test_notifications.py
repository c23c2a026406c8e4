"""The notifications page, marking read, email preferences, and the administrators' alert runs."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ehc_tracker.alerts.job import run_alerts
from ehc_tracker.extensions import db
from ehc_tracker.models import Alert, AlertPreference, AuditEvent, DigestFrequency, JobRun, JobRunStatus
from tests.helpers import PASSWORD, create_user, csrf_token
from tests.integration.test_alerts_support import FOR_ON, NOW, SURNAME, build_world


@pytest.fixture
def world(app):
    world = build_world()
    run_alerts(FOR_ON, now=NOW)
    return world


def _login(client, user):
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _unread_badge(html):
    match = re.search(r'data-testid="unread-count">(\d+)<', html)
    return int(match.group(1)) if match else 0


def test_a_coordinator_sees_their_alerts_newest_first_with_the_unread_count(client, world):
    _login(client, world.c1)
    html = client.get("/").get_data(as_text=True)
    assert _unread_badge(html) == 2 and 'href="/notifications/"' in html

    run_alerts(FOR_ON + timedelta(days=1), now=NOW + timedelta(days=1))
    html = client.get("/notifications/").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Notifications</h1>' in html
    assert _unread_badge(html) == 4 and "4 unread of 4" in html
    rows = re.findall(r"<td class=\"govuk-table__cell app-nowrap\">(\w{3} \d+ \w{3} 2025)</td>", html)
    assert rows == ["Thu 4 Dec 2025", "Thu 4 Dec 2025", "Wed 3 Dec 2025", "Wed 3 Dec 2025"]
    assert f'href="/cases/{world.cases["A"].id}"' in html and "Due soon" in html and "Overdue" in html
    assert "Ava Q." in html and SURNAME not in html
    # Only their own: nothing of coordinator 2's cases.
    assert f'href="/cases/{world.cases["C"].id}"' not in html


def test_the_header_count_is_queried_once_however_many_templates_a_page_renders(app, client, world):
    """The caseload's filter form renders a template per field; the count and the navigation
    are worked out once per request, not once per template."""
    import sqlalchemy as sa

    _login(client, world.c1)
    seen = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda conn, cur, statement, *a: seen.append(statement))
    html = client.get("/cases/").get_data(as_text=True)
    assert _unread_badge(html) == 2 and html.count('class="govuk-select"') >= 4
    assert sum(1 for statement in seen if "FROM alerts" in statement) == 1


def test_notifications_are_paginated(app, client, world):
    app.config["PAGE_SIZE"] = 2
    for n in range(1, 4):
        run_alerts(FOR_ON + timedelta(days=n), now=NOW)  # Thu, Fri, Sat (nothing), so 2 + 2 + 2 rows
    _login(client, world.c1)
    first = client.get("/notifications/").get_data(as_text=True)
    assert "Showing 1 to 2 of 6" in first and 'href="/notifications/?page=2"' in first
    third = client.get("/notifications/?page=3").get_data(as_text=True)
    assert "Showing 5 to 6 of 6" in third and "Wed 3 Dec 2025" in third


def test_marking_one_and_then_all_read(client, world):
    _login(client, world.manager_north)
    mine = list(db.session.scalars(select(Alert).where(Alert.recipient_id == world.manager_north.id)))
    assert len(mine) == 3

    response = client.post(f"/notifications/{mine[0].id}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications/"
    db.session.expire_all()
    assert db.session.get(Alert, mine[0].id).read_at is not None
    html = client.get("/notifications/").get_data(as_text=True)
    assert _unread_badge(html) == 2 and "2 unread of 3" in html

    response = client.post("/notifications/read-all", data={"page": "1"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 notifications marked as read." in html and _unread_badge(html) == 0
    assert "Mark as read" not in html


def test_someone_elses_notification_is_not_found(client, world):
    theirs = db.session.scalars(select(Alert).where(Alert.recipient_id == world.c2.id)).first()
    _login(client, world.c1)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Alert, theirs.id).read_at is None


def test_marking_read_needs_a_post_with_a_csrf_token(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    _login_with_csrf(client, world.c1)
    alert = db.session.scalars(select(Alert).where(Alert.recipient_id == world.c1.id)).first()
    assert client.get(f"/notifications/{alert.id}/read").status_code == 405
    assert client.post(f"/notifications/{alert.id}/read").status_code == 400
    page = client.get("/notifications/").get_data(as_text=True)
    response = client.post(f"/notifications/{alert.id}/read", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).read_at is not None


def _login_with_csrf(client, user):
    page = client.get("/sign-in").get_data(as_text=True)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.status_code == 302


def test_changing_the_digest_preference_is_audited(client, auth):
    me = auth.login(role="coordinator")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'value="daily" checked' in html
    response = client.post("/notifications/preferences", data={"digest": "weekly"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Email digest: once a week." in html and 'value="weekly" checked' in html
    assert db.session.get(AlertPreference, me.id).digest is DigestFrequency.WEEKLY
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert_preferences_changed")).one()
    assert entry.actor_id == me.id and entry.object_id == str(me.id) and "from daily to weekly" in entry.summary


def test_a_bad_preference_is_refused(client, auth):
    me = auth.login(role="manager")
    html = client.post("/notifications/preferences", data={"digest": "hourly"}).get_data(as_text=True)
    assert "There is a problem" in html
    assert db.session.get(AlertPreference, me.id) is None


def test_escalation_recipients_are_told_escalations_always_go(client, world):
    _login(client, world.head)
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "You receive escalations" in html


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_every_staff_role_has_a_notifications_page(client, auth, role):
    auth.login(role=role)
    html = client.get("/notifications/").get_data(as_text=True)
    assert "You have no notifications." in html
    assert client.get("/notifications/preferences").status_code == 200


def test_admins_see_the_alert_runs(client, auth, app):
    build_world()
    run_alerts(FOR_ON, now=NOW)
    db.session.add(
        JobRun(
            job="daily-alerts",
            for_on=date(2025, 12, 4),
            trigger="scheduler",
            status=JobRunStatus.FAILED,
            started_at=NOW,
            error="Traceback: boom <script>",
        )
    )
    db.session.commit()
    auth.login(role="admin")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/admin/jobs"' in html
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Alert runs</h1>' in html
    assert "Wed 3 Dec 2025" in html and "succeeded" in html and "failed" in html
    assert "Traceback: boom &lt;script&gt;" in html
    assert 'data-status="sent">6<' in html  # no ESCALATION_EMAILS here: six people
    assert "head@council.example" in html


def test_only_admins_see_the_alert_runs(client, auth):
    auth.login(role="manager")
    assert client.get("/admin/jobs").status_code == 403
    html = client.get("/").get_data(as_text=True)
    assert 'href="/admin/jobs"' not in html and 'href="/notifications/"' in html


def test_signed_out_people_are_sent_to_sign_in(client):
    for url in ("/notifications/", "/notifications/preferences", "/admin/jobs"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert client.post("/notifications/read-all").status_code == 302


def test_family_accounts_have_no_notifications(client, auth):
    from ehc_tracker.models import Role

    if not hasattr(Role, "FAMILY"):
        pytest.skip("no family accounts in this build")
    user = create_user(role="family")
    _login(client, user)
    assert client.get("/notifications/").status_code in (403, 302)


def test_overdue_alerts_count_calendar_days_like_every_other_page(client, world):
    _login(client, world.c1)
    html = client.get("/notifications/").get_data(as_text=True)
    alerts = db.session.scalars(
        select(Alert).where(Alert.recipient_id == world.c1.id, Alert.due_on < Alert.for_on)
    ).all()
    assert alerts, "the world has an overdue alert for coordinator 1"
    for alert in alerts:
        days = (alert.for_on - alert.due_on).days
        assert f'data-days-overdue="{days}">{days} day{"" if days == 1 else "s"} overdue<' in html
    assert "working day" not in html
