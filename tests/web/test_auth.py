from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, User
from tests.helpers import PASSWORD, create_user


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_in_page_is_public_and_has_the_form(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html
    assert "Sign in to EHC Tracker" in html


def test_sign_in_and_out(client, app):
    user = create_user(role="coordinator", email="casey@example.org")
    response = client.post("/sign-in", data={"email": "Casey@Example.org ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and user.name in home.get_data(as_text=True)
    response = client.post("/sign-out", follow_redirects=True)
    assert "You have signed out" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert _actions()[-2:] == ["signed_in", "signed_out"]


def test_wrong_password_is_refused_and_audited_with_the_email_kept(client):
    create_user(email="casey@example.org")
    response = client.post("/sign-in", data={"email": "casey@example.org", "password": "wrong password"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter a correct email address and password" in html
    assert 'value="casey@example.org"' in html
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")).one()
    assert failed.object_id == "casey@example.org" and failed.actor_label == "casey@example.org"


def test_unknown_email_gets_the_same_message(client):
    response = client.post("/sign-in", data={"email": "nobody@example.org", "password": "whatever it is"})
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    assert _actions() == ["sign_in_failed"]


def test_deactivated_account_cannot_sign_in(client):
    create_user(email="gone@example.org", active=False)
    response = client.post("/sign-in", data={"email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_empty_form_shows_the_error_summary(client):
    html = client.post("/sign-in", data={}).get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert "Enter your email address" in html and "Enter your password" in html
    assert "<title>Error: Sign in" in html


def test_sign_in_is_throttled_after_repeated_failures(client, app):
    create_user(email="casey@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/sign-in", data={"email": "casey@example.org", "password": "wrong password"})
    # Even the right password is refused while the account is throttled.
    response = client.post("/sign-in", data={"email": "casey@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert _actions()[-1] == "sign_in_throttled"
    assert client.get("/").status_code == 302


def test_throttling_ends_after_the_window(client, app):
    from ehc_tracker.services.users import authenticate

    user = create_user(email="casey@example.org")
    start = datetime.now(UTC)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        authenticate("casey@example.org", "wrong", address="10.0.0.1", now=start)
    db.session.commit()
    assert authenticate("casey@example.org", PASSWORD, address="10.0.0.1", now=start).locked
    later = start + timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1)
    result = authenticate("casey@example.org", PASSWORD, address="10.0.0.1", now=later + timedelta(minutes=1))
    assert result.user is not None and result.user.id == user.id


def test_login_is_throttled_per_address_too(client, app):
    # Issue 23: an address that fails too often is slowed down (its wrong attempts are told to
    # wait), but a correct password for an account that is not locked still signs in.
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    create_user(email="casey@example.org")
    for n in range(3):
        client.post("/sign-in", data={"email": f"guess{n}@example.org", "password": "wrong password"})
    response = client.post("/sign-in", data={"email": "casey@example.org", "password": "wrong password"})
    assert response.status_code == 429 and "from your network" in response.get_data(as_text=True)
    response = client.post("/sign-in", data={"email": "casey@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_session_ends_after_idle_timeout(client, app, auth):
    auth.login()
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 1
    response = client.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    page = client.get("/sign-in").get_data(as_text=True)
    assert "signed out because you had not used the service" in page
    assert client.get("/").status_code == 302


def test_next_only_follows_paths_on_this_site(client):
    create_user(email="casey@example.org")
    response = client.post(
        "/sign-in?next=https://evil.example.com/", data={"email": "casey@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = client.post("/sign-in?next=/account/password", data={"email": "casey@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"


def test_anonymous_request_is_sent_to_sign_in_with_next(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/admin/users")


def test_password_is_hashed_with_argon2(app):
    user = create_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_must_change_password_forces_the_change_page(client, auth):
    user = auth.login(must_change_password=True)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "a brand new passphrase", "confirm": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    db.session.refresh(user)
    assert user.must_change_password is False
    assert "password_changed" in _actions()


def test_change_password_errors_keep_the_page(client, auth):
    auth.login()
    html = client.post(
        "/account/password", data={"current_password": "wrong", "password": "short", "confirm": "different"}
    ).get_data(as_text=True)
    assert "The two new passwords do not match" in html
    html = client.post(
        "/account/password",
        data={"current_password": "wrong one", "password": "long enough password", "confirm": "long enough password"},
    ).get_data(as_text=True)
    assert "Your current password is not correct" in html
    html = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": "short", "confirm": "short"}
    ).get_data(as_text=True)
    assert "Password must be 12 characters or more" in html


def test_changing_password_ends_other_sessions(app, auth, client):
    user = auth.login()
    other = app.test_client()
    other.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert other.get("/").status_code == 200
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "a brand new passphrase", "confirm": "a brand new passphrase"},
    )
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_deactivating_ends_open_sessions(app, auth, client):
    admin = create_user(role="admin")
    user = auth.login()
    from ehc_tracker.services.users import set_active

    set_active(db.session.get(User, user.id), False, actor=admin)
    db.session.commit()
    assert client.get("/").status_code == 302
