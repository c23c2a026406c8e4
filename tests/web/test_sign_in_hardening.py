"""Issue 23, sign-in and sessions: throttling by the real client address, sessions that end on
the server, the emailed code's tries counted on the server, administrators and their own
access, and the password rules (common passwords, length, API tokens on reset)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import ApiToken, AuditEvent, Role, User
from ehc_tracker.services import api_tokens
from tests.helpers import PASSWORD, create_team, create_user

PROXY = "127.0.0.1"  # the reverse proxy of the README's set-up: every request arrives from it


def _via_proxy(client: Any, address: str, data: dict[str, str], path: str = "/sign-in") -> Any:
    return client.post(path, data=data, headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": PROXY})


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _session_cookie(client: Any, name: str = "session") -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return str(cookie.value)


def _replay(app: Any, value: str) -> Any:
    """A second browser holding a copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


# --- Throttling: the real client address, slowed down but never locked out ---------------------------------


class TestThrottling:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {
            "TRUSTED_PROXY_COUNT": 1,
            "LOGIN_MAX_FAILURES": 50,  # these tests are about addresses, not accounts
            "LOGIN_MAX_FAILURES_PER_ADDRESS": 3,
            "LOGIN_ADDRESS_DELAY_SECONDS": 30,
        }

    def test_the_client_address_comes_from_the_trusted_proxy(self, client):
        _via_proxy(client, "203.0.113.7", {"email": "nobody@example.org", "password": "wrong password"})
        failed = _audit("sign_in_failed")[-1]
        assert failed.ip_address == "203.0.113.7"

    def test_one_address_failing_does_not_slow_down_another_behind_the_same_proxy(self, client):
        casey = create_user(email="casey@example.org")
        for n in range(3):
            _via_proxy(client, "203.0.113.7", {"email": f"guess{n}@example.org", "password": "wrong password"})
        attacker = _via_proxy(client, "203.0.113.7", {"email": "guess@example.org", "password": "wrong password"})
        assert attacker.status_code == 429
        colleague = _via_proxy(client, "198.51.100.20", {"email": casey.email, "password": "a typo in it"})
        assert colleague.status_code == 200
        assert "Enter a correct email address and password" in colleague.get_data(as_text=True)

    def test_a_slowed_address_still_signs_in_with_a_correct_password(self, app, client):
        casey = create_user(email="casey@example.org")
        for n in range(3):
            _via_proxy(client, "203.0.113.7", {"email": f"guess{n}@example.org", "password": "wrong password"})
        # A fresh browser: the slowing is kept on the server, not in a cookie.
        other = app.test_client()
        wrong = _via_proxy(other, "203.0.113.7", {"email": casey.email, "password": "wrong password"})
        html = wrong.get_data(as_text=True)
        assert wrong.status_code == 429 and wrong.headers["Retry-After"] == "60"
        assert "Too many failed attempts to sign in from your network" in html
        assert "Wait 1 minute (until " in html and "then try again" in html
        assert 'value="casey@example.org"' in html  # what was typed is kept
        right = _via_proxy(other, "203.0.113.7", {"email": casey.email, "password": PASSWORD})
        assert right.status_code == 302 and right.headers["Location"] == "/"
        home = other.get("/", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": PROXY})
        assert home.status_code == 200

    def test_the_wait_grows_with_each_further_failure(self, client):
        waits = []
        for n in range(6):
            response = _via_proxy(client, "203.0.113.7", {"email": f"guess{n}@example.org", "password": "wrong pass"})
            waits.append(response.headers.get("Retry-After"))
        assert waits == [None, None, "30", "60", "120", "240"]

    def test_the_wait_is_capped_at_the_window_and_ends(self, app, client):
        from ehc_tracker.services.users import address_wait_until

        for n in range(12):
            _via_proxy(client, "203.0.113.7", {"email": f"guess{n}@example.org", "password": "wrong password"})
        now = datetime.now(UTC)
        until = address_wait_until("203.0.113.7", now)
        window = timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
        assert until is not None and until - now <= window
        assert address_wait_until("203.0.113.7", now + window + timedelta(seconds=1)) is None
        assert address_wait_until("198.51.100.20", now) is None

    def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(self, app, client):
        from ehc_tracker import create_app

        plain = create_app({**app.config, "TRUSTED_PROXY_COUNT": 0})  # the setting is read when the app is built
        plain.test_client_class = type(client)
        _via_proxy(plain.test_client(), "203.0.113.7", {"email": "nobody@example.org", "password": "wrong password"})
        assert _audit("sign_in_failed")[-1].ip_address == PROXY
        with plain.app_context():
            db.session.remove()
            db.engine.dispose()

    def test_a_locked_account_says_how_long_to_wait(self, app, client):
        app.config["LOGIN_MAX_FAILURES"] = 2
        casey = create_user(email="casey@example.org")
        for _ in range(2):
            _via_proxy(client, "198.51.100.20", {"email": casey.email, "password": "wrong password"})
        response = _via_proxy(client, "198.51.100.21", {"email": casey.email, "password": PASSWORD})
        html = response.get_data(as_text=True)
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 14 * 60
        assert "Too many failed attempts to sign in to this account. Wait 15 minutes (until " in html


# --- Sessions end on the server ------------------------------------------------------------------------------


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, auth):
    auth.login()
    copied = _session_cookie(client)
    assert _replay(app, copied).get("/").status_code == 200  # the copy works while the session lasts
    client.post("/sign-out")
    response = _replay(app, copied).get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert _audit("signed_out")[-1].summary.startswith("Signed out")


def test_sign_out_ends_the_accounts_other_sessions_too(app, client, auth):
    user = auth.login()
    laptop = app.test_client()
    laptop.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert laptop.get("/").status_code == 200
    client.post("/sign-out")
    assert laptop.get("/").status_code == 302


def test_a_copied_cookie_stops_working_after_a_password_change(app, client, auth):
    auth.login()
    copied = _session_cookie(client)
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "a brand new passphrase", "confirm": "a brand new passphrase"},
    )
    assert client.get("/").status_code == 200  # the session that changed it goes on
    assert _replay(app, copied).get("/").status_code == 302


def test_a_password_reset_by_an_administrator_ends_every_session(app, client, auth):
    admin = create_user(role="admin")
    user = auth.login()
    copied = _session_cookie(client)
    other = app.test_client()
    other.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert other.post(f"/admin/users/{user.id}/password", data={"password": "a temporary one 22"}).status_code == 302
    assert client.get("/").status_code == 302
    assert _replay(app, copied).get("/").status_code == 302


def test_reactivating_does_not_bring_back_a_session(app, client, auth):
    from ehc_tracker.services.users import set_active

    admin = create_user(role="admin")
    user = auth.login()
    copied = _session_cookie(client)
    set_active(db.session.get(User, user.id), False, actor=admin)
    db.session.commit()
    set_active(db.session.get(User, user.id), True, actor=admin)
    db.session.commit()
    assert _replay(app, copied).get("/").status_code == 302


def test_production_names_the_session_cookie_with_the_host_prefix(app, monkeypatch):
    from ehc_tracker import create_app

    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    production = create_app("production")
    assert production.config["SESSION_COOKIE_NAME"] == "__Host-ehc_session"
    response = production.test_client().get("/sign-in", base_url="https://localhost")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-ehc_session="))
    attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(a.startswith("domain=") for a in attributes)
    with production.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_refuses_an_insecure_session_cookie(monkeypatch):
    from config import ConfigurationError, ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/ehc")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    with pytest.raises(ConfigurationError, match="HTTPS"):
        ProductionConfig.load()


def test_other_environments_keep_the_plain_cookie_name(app):
    assert app.config["SESSION_COOKIE_NAME"] == "session"


# --- The emailed sign-in code: tries counted on the server -------------------------------------------------


class TestSignInCodeTries:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {"FAMILY_SIGN_IN_CODE": True, "LOGIN_MAX_FAILURES": 50}

    @staticmethod
    def _code(app: Any) -> str:
        mail = app.extensions["ehc_memory_mail"].sent[-1]
        found = re.search(r"\b(\d{6})\b", mail.text)
        assert found
        return found.group(1)

    @staticmethod
    def _wrong(code: str) -> list[str]:
        return [c for c in ("000000", "111111", "222222", "333333", "444444", "555555", "666666") if c != code]

    def test_replaying_the_cookie_gives_no_more_tries(self, app, client):
        user = create_user(role="family")
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        code = self._code(app)
        fresh = _session_cookie(client)  # the cookie as it was before any wrong code
        for guess in self._wrong(code)[:4]:
            response = client.post("/sign-in/code", data={"code": guess})
            assert response.status_code == 200
        assert "You have 1 more try" in response.get_data(as_text=True)
        db.session.refresh(user)
        assert user.sign_in_code_tries == 4  # on the server
        replayed = _replay(app, fresh)
        last = replayed.post("/sign-in/code", data={"code": self._wrong(code)[4]})
        assert last.status_code == 302 and last.headers["Location"].endswith("/sign-in")
        # Even the right code is refused now, from the original cookie replayed once more.
        again = _replay(app, fresh)
        refused = again.post("/sign-in/code", data={"code": code}, follow_redirects=True)
        assert "You entered a wrong code 5 times, so it no longer works" in refused.get_data(as_text=True)
        assert again.get("/family/").headers["Location"].startswith("/sign-in")
        assert _audit("sign_in_code_locked")

    def test_the_lock_says_what_to_do(self, app, client):
        user = create_user(role="family")
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        code = self._code(app)
        for guess in self._wrong(code)[:5]:
            response = client.post("/sign-in/code", data={"code": guess})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "You entered a wrong code 5 times, so it no longer works. Sign in again to get a new code." in page

    def test_a_new_code_starts_the_count_again_and_replaces_the_old_one(self, app, client):
        user = create_user(role="family")
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        old = self._code(app)
        for guess in self._wrong(old)[:4]:
            client.post("/sign-in/code", data={"code": guess})
        old_cookie = _session_cookie(client)
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        new = self._code(app)
        db.session.refresh(user)
        assert user.sign_in_code_tries == 0
        # The first code no longer works, even with its own cookie.
        stale = _replay(app, old_cookie)
        assert stale.post("/sign-in/code", data={"code": old}).headers["Location"].endswith("/sign-in")
        for guess in self._wrong(new)[:4]:
            assert client.post("/sign-in/code", data={"code": guess}).status_code == 200
        assert client.post("/sign-in/code", data={"code": new}).status_code == 302
        assert client.get("/family/").status_code == 200
        db.session.refresh(user)
        assert user.sign_in_code_digest is None and user.sign_in_code_tries == 0

    def test_signing_out_everywhere_cancels_a_waiting_code(self, app, client):
        from ehc_tracker.services.users import end_sessions

        user = create_user(role="family")
        client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        code = self._code(app)
        db.session.refresh(user)
        assert user.sign_in_code_digest is not None
        end_sessions(user)
        db.session.commit()
        response = client.post("/sign-in/code", data={"code": code})
        assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")


# --- Administrators and their own access ---------------------------------------------------------------------


def _admin(auth: Any, **kw: Any) -> User:
    admin = create_user(role="admin", email=kw.pop("email", "jo.admin@council.gov.uk"), name=kw.pop("name", "Jo Admin"))
    return auth.login(admin)


def test_an_administrator_cannot_create_an_account_for_their_own_mailbox(auth, client):
    team = create_team()
    _admin(auth)
    response = client.post(
        "/admin/users/new",
        data={
            "name": "J Admin",
            "email": "Jo.Admin+cases@Council.gov.uk",
            "role": "coordinator",
            "teams": [str(team.id)],
            "password": "temporary password 1",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You cannot create an account with your own email address. Ask another administrator to create it" in html
    assert 'value="Jo.Admin+cases@Council.gov.uk"' in html and 'value="J Admin"' in html
    assert db.session.scalar(select(User).where(User.email == "jo.admin+cases@council.gov.uk")) is None
    refused = _audit("user_change_refused")[-1]
    assert refused.actor_label == "jo.admin@council.gov.uk" and refused.details["role"] == "coordinator"


def test_an_administrator_cannot_create_an_account_in_their_own_name(auth, client):
    _admin(auth)
    html = client.post(
        "/admin/users/new",
        data={
            "name": "jo  ADMIN",
            "email": "jo@elsewhere.example.org",
            "role": "manager",
            "password": "temporary password 1",
        },
    ).get_data(as_text=True)
    assert "You cannot create an account with your own name" in html
    assert db.session.scalar(select(User).where(User.email == "jo@elsewhere.example.org")) is None


def test_an_administrator_cannot_change_their_own_role(auth, client):
    admin = _admin(auth)
    response = client.post(f"/admin/users/{admin.id}", data={"name": admin.name, "role": "coordinator"})
    html = response.get_data(as_text=True)
    assert "You cannot change the role of your own account. Ask another administrator to change it" in html
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN
    refused = _audit("user_change_refused")[-1]
    assert refused.details["role"] == {"old": "admin", "new": "coordinator"}
    # Their name they may still change.
    assert client.post(f"/admin/users/{admin.id}", data={"name": "Jo Admin-Smith", "role": "admin"}).status_code == 302


def test_an_administrator_cannot_give_an_account_of_theirs_child_access(auth, client):
    team = create_team()
    alias = create_user(role="viewer", email="jo.admin+reports@council.gov.uk", name="Reports login")
    _admin(auth)
    html = client.post(
        f"/admin/users/{alias.id}", data={"name": alias.name, "role": "coordinator", "teams": [str(team.id)]}
    ).get_data(as_text=True)
    assert "This account has your email address, so you cannot change its role or teams" in html
    db.session.refresh(alias)
    assert alias.role is Role.VIEWER and alias.teams == []


def test_another_administrator_can_and_the_role_change_is_audited(auth, client):
    alias = create_user(role="viewer", email="jo.admin+reports@council.gov.uk", name="Reports login")
    _admin(auth, email="sam.admin@council.gov.uk", name="Sam Admin")
    create_user(role="admin", email="jo.admin@council.gov.uk", name="Jo Admin")
    assert client.post(f"/admin/users/{alias.id}", data={"name": alias.name, "role": "manager"}).status_code == 302
    entry = _audit("user_updated")[-1]
    assert entry.actor_label == "sam.admin@council.gov.uk"
    assert entry.details["role"] == {"old": "viewer", "new": "manager"}
    assert "role changed from Viewer (reports only) to Manager" in entry.summary


# --- Passwords ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["Password123456", "qwertyuiop123", "P@ssw0rd12345", "abcdefghijklmnop", "iloveyou1234"]
)
def test_common_and_breached_pattern_passwords_are_refused(auth, client, password):
    auth.login()
    html = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": password, "confirm": password}
    ).get_data(as_text=True)
    assert "Password is too easy to guess" in html


def test_a_password_using_the_persons_own_name_is_refused(auth, client):
    auth.login(name="Casimir Wojciechowski")
    html = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "Wojciechowski2024", "confirm": "Wojciechowski2024"},
    ).get_data(as_text=True)
    assert "Password is too easy to guess" in html


def test_the_administrator_forms_refuse_common_passwords_too(auth, client):
    auth.login(role="admin")
    user = create_user()
    reset = client.post(f"/admin/users/{user.id}/password", data={"password": "Password123456"})
    assert reset.status_code == 400 and "Password is too easy to guess" in reset.get_data(as_text=True)
    new = client.post(
        "/admin/users/new",
        data={"name": "Pat Person", "email": "pat@example.org", "role": "coordinator", "password": "letmein12345"},
    )
    assert "Password is too easy to guess" in new.get_data(as_text=True)


def test_passwords_longer_than_the_cap_are_refused(auth, client, app):
    auth.login()
    words = "lantern orchard pebble quiver "
    too_long = (words * 5)[: app.config["PASSWORD_MAX_LENGTH"] + 1]
    html = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": too_long, "confirm": too_long}
    ).get_data(as_text=True)
    assert "Password must be 128 characters or fewer" in html
    longest = too_long[:-1]
    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": longest, "confirm": longest}
    )
    assert response.status_code == 302


def _token(user: User) -> tuple[ApiToken, str]:
    created = api_tokens.create_token(user, name="Spreadsheet", actor=user)
    db.session.commit()
    return created.token, created.secret


def test_an_administrators_password_reset_revokes_the_api_tokens(auth, client, app):
    user = create_user(role="manager")
    token, secret = _token(user)
    api = app.test_client()
    assert api.get("/api/v1/overdue", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    auth.login(role="admin")
    assert client.post(f"/admin/users/{user.id}/password", data={"password": "a temporary one 22"}).status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert api.get("/api/v1/overdue", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    revoked = _audit("api_token_revoked")[-1]
    assert revoked.details["reason"] == "password reset by an administrator" and revoked.object_id == str(token.id)
    assert _audit("password_reset")[-1].details == {"api_tokens_revoked": 1}


def test_api_tokens_do_not_come_back_when_an_account_is_reactivated(auth, client, app):
    user = create_user(role="coordinator")
    token, secret = _token(user)
    auth.login(role="admin")
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    db.session.refresh(user)
    db.session.refresh(token)
    assert user.active and token.revoked_at is not None
    assert app.test_client().get("/api/v1/overdue", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
