"""The idle timeout (WCAG 2.2.1): the warning's settings on the page, "stay signed in", and
signing in again returning to the page the person was on, never to another site."""

import pytest

from ehc_tracker.web.session_timeout import idle_timeout_seconds, safe_next, warning_seconds
from tests.helpers import PASSWORD, create_user, csrf_token


@pytest.fixture
def app_config():
    return {"IDLE_TIMEOUT_SECONDS": 600, "IDLE_WARNING_SECONDS": 90}


def _expire(client, app):
    with client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - idle_timeout_seconds(app.config) - 1


def test_timeout_and_warning_are_settable():
    assert idle_timeout_seconds({"IDLE_TIMEOUT_MINUTES": 30, "IDLE_TIMEOUT_SECONDS": None}) == 1800
    assert idle_timeout_seconds({"IDLE_TIMEOUT_MINUTES": 30, "IDLE_TIMEOUT_SECONDS": 12}) == 12
    assert warning_seconds({"IDLE_TIMEOUT_MINUTES": 30, "IDLE_WARNING_SECONDS": 120}) == 120
    # Never more than the whole timeout.
    assert warning_seconds({"IDLE_TIMEOUT_MINUTES": 30, "IDLE_TIMEOUT_SECONDS": 10, "IDLE_WARNING_SECONDS": 120}) == 10


def test_signed_in_pages_carry_the_warning_dialog(client, auth):
    assert "app-timeout-dialog" not in client.get("/sign-in").get_data(as_text=True)
    auth.login()
    html = client.get("/").get_data(as_text=True)
    assert 'role="dialog" aria-modal="true"' in html
    assert 'data-timeout-seconds="600" data-warning-seconds="90"' in html
    assert 'data-keep-alive-url="/session/keep-alive"' in html
    assert "Stay signed in" in html and "You’re about to be signed out" in html


def test_the_server_uses_the_timeout_in_seconds(client, app, auth):
    auth.login()
    client.get("/")
    with client.session_transaction() as session:
        session["last_seen"] -= 570
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= 610
    assert client.get("/").status_code == 302


def test_keep_alive_needs_a_session(client):
    response = client.post("/session/keep-alive")
    assert response.status_code == 401
    assert response.get_json() == {"signed_in": False, "sign_in_url": "/sign-in"}


def test_keep_alive_refreshes_the_session(client, app, auth):
    auth.login()
    client.get("/")
    with client.session_transaction() as session:
        session["last_seen"] -= 500
        before = session["last_seen"]
    response = client.post("/session/keep-alive")
    assert response.status_code == 200
    assert response.get_json() == {"signed_in": True, "seconds_left": 600}
    with client.session_transaction() as session:
        assert session["last_seen"] > before + 400
    # 500 + 500 seconds after the first request: still signed in, because of the keep-alive.
    with client.session_transaction() as session:
        session["last_seen"] -= 500
    assert client.get("/").status_code == 200


def test_keep_alive_after_the_timeout_says_so_in_json(client, app, auth):
    auth.login()
    client.get("/")
    _expire(client, app)
    response = client.post("/session/keep-alive")
    assert response.status_code == 401 and response.get_json()["signed_in"] is False
    assert client.get("/").status_code == 302  # the session ended


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True, "IDLE_TIMEOUT_SECONDS": 600}

    def test_keep_alive_needs_the_csrf_token(self, client):
        create_user(email="casey@example.org")
        token = csrf_token(client.get("/sign-in").get_data(as_text=True))
        client.post("/sign-in", data={"email": "casey@example.org", "password": PASSWORD, "csrf_token": token})
        assert client.post("/session/keep-alive").status_code == 400
        page_token = csrf_token(client.get("/").get_data(as_text=True))
        response = client.post("/session/keep-alive", headers={"X-CSRFToken": page_token})
        assert response.status_code == 200 and response.get_json()["signed_in"] is True


def test_expired_session_goes_to_sign_in_and_back_to_the_page(client, app, auth):
    user = auth.login()
    client.get("/account/password")
    _expire(client, app)
    response = client.get("/account/password?tab=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/account/password?tab%3D2"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out because you had not used the service" in page
    assert "you will go back to the page you were on" in page
    response = client.post(response.headers["Location"], data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/password?tab=2"


def test_a_form_sent_after_the_timeout_returns_to_the_page_it_was_on(client, app, auth):
    auth.login()
    client.get("/")
    _expire(client, app)
    response = client.post("/account/password", data={}, headers={"Referer": "http://localhost/account/password"})
    assert response.headers["Location"] == "/sign-in?next=/account/password"


def test_a_referrer_from_another_site_is_not_followed(client, app, auth):
    auth.login()
    client.get("/")
    _expire(client, app)
    response = client.post(
        "/account/password", data={}, headers={"Referer": "https://evil.example.com/account/password"}
    )
    assert response.headers["Location"] == "/sign-in"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "/\\evil.example.com/",
        "/\t/evil.example.com/",
        "javascript:alert(1)",
        "evil.example.com",
        "",
    ],
)
def test_sign_in_refuses_an_off_site_next(client, target):
    user = create_user(email="casey@example.org")
    response = client.post("/sign-in", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert safe_next(target) is None


def test_sign_in_page_when_already_signed_in_follows_a_safe_next(client, auth):
    auth.login()
    assert client.get("/sign-in?next=/account/password").headers["Location"] == "/account/password"
    assert client.get("/sign-in?next=//evil.example.com/").headers["Location"] == "/"
