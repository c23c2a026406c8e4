import pytest

from tests.helpers import create_user


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from ehc_tracker.extensions import db

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_security_headers(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    create_user(email="casey@example.org")
    response = client.post("/sign-in", data={"email": "casey@example.org", "password": "correct horse battery staple"})
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_404_page_in_service_style(auth, client):
    auth.login()
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "govuk-template" in html


def test_403_page_in_service_style(auth, client):
    auth.login(role="coordinator")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


@pytest.mark.fresh_app  # it adds a route
def test_500_page_in_service_style(app, auth, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    app.view_functions["boom"].allowed_roles = ()
    auth.login()
    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_govuk_assets_are_served(client):
    response = client.get("/assets/govuk-frontend.min.css")
    assert response.status_code == 200
    assert b".govuk-" in response.data


def test_navigation_depends_on_role(auth, client):
    auth.login(role="admin")
    html = client.get("/").get_data(as_text=True)
    assert "/admin/users" in html and "/admin/audit" in html
    client.post("/sign-out")
    auth.login(role="coordinator")
    html = client.get("/").get_data(as_text=True)
    assert "/admin/users" not in html
