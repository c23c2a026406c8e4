"""Every web form, sent hostile input (NUL and other control characters, a megabyte, impossible
dates), answers with a clear 4xx page or the form with its errors: never a 500, never a stored
impossible date. Also: the request size limit, the database-down page and a failed export.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models.case import Case, CaseEvent
from tests.helpers import create_team, create_user
from tests.web.site_map import one_of_everything, site_urls

HOSTILE_TEXT = ["\x00", "before\x00after", "a\x01b\x1bc", "\x7f", "x" * 30_000]
HOSTILE_DATES = [
    ("1", "1", "1"),
    ("1", "1", "0001"),
    ("31", "12", "9999"),
    ("0", "0", "0"),
    ("32", "13", "2025"),
    ("1", "1", "99999"),
]


def _names(html: str) -> set[str]:
    """The input names a form page offers (date inputs as their -day/-month/-year boxes)."""
    return set(re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', html)) - {"csrf_token"}


def _payload(names: set[str], text: str | None = None, day: tuple[str, str, str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in names:
        if day is not None and name.endswith(("-day", "-month", "-year")):
            base, _, part = name.rpartition("-")
            data[name] = day[("day", "month", "year").index(part)]
            data[base] = list(day)
        elif text is not None:
            data[name] = text
    return data


@pytest.fixture
def world(client, auth):
    """A manager signed in, with one of everything a form's URL can name."""
    team = create_team()
    manager = auth.login(role="manager", teams=[team])
    values = one_of_everything(manager, team)
    values["user_id"] = create_user(role="coordinator", teams=[team]).id
    return values


def test_every_web_form_refuses_hostile_input_without_a_500(app, client, world):
    urls = site_urls(app, world, method="POST", skip=("/sign-", "/family/"))
    assert len(urls) >= 20, urls
    for url in urls:
        page = client.get(url)
        names = _names(page.get_data(as_text=True)) if page.status_code == 200 else {"text", "reason", "name"}
        for text in HOSTILE_TEXT:
            response = client.post(url, data=_payload(names, text=text))
            assert response.status_code < 500, (url, repr(text[:10]), response.status_code)
        for day in HOSTILE_DATES:
            response = client.post(url, data=_payload(names, text="ok", day=day))
            assert response.status_code < 500, (url, day, response.status_code)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(
        alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=["Cs"]), max_size=40
    )
)
def test_any_text_in_the_case_forms_never_gives_a_500(client, world, text):
    case_id = world["case_id"]
    for url, data in (
        (f"/cases/{case_id}/notes", {"text": text}),
        (
            f"/cases/{case_id}/communications/new",
            {"received_on": ["2", "6", "2025"], "channel": "email", "from_name": text, "summary": text},
        ),
        (
            f"/children/{world['child_id']}/edit",
            {"first_name": text, "last_name": text, "date_of_birth": ["1", "5", "2015"]},
        ),
    ):
        assert client.post(url, data=data).status_code < 500


def test_a_nul_byte_gets_a_clear_400_page(client, world):
    response = client.post(f"/cases/{world['case_id']}/notes", data={"text": "call back\x00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "cannot be saved" in html and "null" in html


def test_a_body_over_the_limit_gets_413(client, world):
    response = client.post(f"/cases/{world['case_id']}/notes", data={"text": "x" * 1_100_000})
    assert response.status_code == 413 and "larger than this service accepts" in response.get_data(as_text=True)


def test_impossible_years_are_refused_on_the_form_with_the_typing_kept(client, world):
    assessment = world["_assessment"]
    event = world["_event"]
    before = event.occurred_on
    response = client.post(
        f"/cases/{assessment.id}/history/{event.id}/correct", data={"on": ["1", "1", "0001"], "reason": "typo"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "must be a date between 1900 and 2100" in html and "typo" in html
    assert 'value="0001"' in html
    db.session.expire_all()
    assert db.session.get(CaseEvent, event.id).occurred_on == before
    response = client.post(
        f"/children/{assessment.child_id}/assessments/new",
        data={
            "case_type": "reassessment",
            "received_on": ["31", "12", "9999"],
            "source": "parent",
        },
    )
    assert "must be a date between 1900 and 2100" in response.get_data(as_text=True)


def test_a_review_cannot_be_opened_for_a_coordinator_of_another_team(client, auth):
    from tests.factories_children import create_child

    mine, theirs = create_team(name="North"), create_team(name="South")
    manager = auth.login(role="manager", teams=[mine, theirs])
    stranger = create_user(role="coordinator", teams=[theirs])
    child = create_child(team=mine)
    response = client.post(
        f"/children/{child.id}/reviews/new",
        data={
            "last_reviewed_on": ["1", "6", "2025"],
            "team_id": mine.id,
            "coordinator_id": stranger.id,
        },
    )
    assert response.status_code == 200 and "is not a coordinator in North" in response.get_data(as_text=True)
    assert db.session.scalar(select(Case.id).where(Case.child_id == child.id)) is None
    assert manager.role.value == "manager"


def test_an_export_that_fails_part_way_is_an_error_not_a_short_download(app, client, world, monkeypatch):
    from ehc_tracker.services import exports

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not the traceback

    def broken(table):
        yield "\ufeffChild,Due\r\n"
        raise RuntimeError("the database went away mid-export")

    monkeypatch.setattr(exports, "csv_stream", broken)
    response = client.get("/reports/overdue/export?format=csv")
    assert response.status_code == 500
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_a_complete_export_says_how_long_it_is(client, world):
    response = client.get("/reports/overdue/export?format=csv")
    assert response.status_code == 200 and response.content_length == len(response.get_data())


def test_with_the_database_down_signed_in_pages_say_the_service_is_unavailable(tmp_path):
    from flask_login.utils import _create_identifier

    from ehc_tracker import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none", "WTF_CSRF_ENABLED": False}
    )
    browser = {"User-Agent": "a browser"}
    with app.test_request_context(headers=browser, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        identifier = _create_identifier()
    client = app.test_client()
    with client.session_transaction() as session:  # a signed-in session, as the cookie would carry it
        session.update({"_user_id": "1:token", "_fresh": True, "_id": identifier})
    response = client.get("/cases/", headers=browser)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "Sorry, the service is unavailable" in html
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    api = client.get("/api/v1/overdue", headers={"Authorization": "Bearer ehc_x"})
    assert api.status_code == 503


@pytest.mark.parametrize("url", ["/sign-in", "/sign-in/code", "/family/invitation/not-a-token"])
def test_the_pages_anyone_may_open_refuse_hostile_input_without_a_500(client, url):
    for text in HOSTILE_TEXT:
        data = {"email": text, "password": text, "code": text, "confirm": text}
        assert client.post(url, data=data).status_code < 500, (url, repr(text[:10]))
