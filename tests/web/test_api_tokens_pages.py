"""The account page's API tokens: list, create (shown once), revoke; POST with CSRF; audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import ApiToken, AuditEvent
from ehc_tracker.services import api_tokens
from tests.helpers import create_team, create_user, csrf_token

TOKEN = re.compile(r"ehc_[A-Za-z0-9_-]{43}")


def test_the_account_page_links_and_lists_no_tokens(client, auth):
    auth.login(role="coordinator", teams=[create_team()])
    home = client.get("/").get_data(as_text=True)
    assert 'href="/account/"' in home and "Account and API tokens" in home
    page = client.get("/account/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "API tokens" in html and "You have no API tokens" in html


def test_create_shows_the_token_once_and_lists_it(client, auth):
    user = auth.login(role="manager", teams=[create_team()])
    response = client.post("/account/api-tokens", data={"name": "  Caseload   spreadsheet "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    (secret,) = TOKEN.findall(html)
    assert "It will not be shown again" in html
    token = db.session.scalars(select(ApiToken)).one()
    assert (
        token.user_id == user.id
        and token.name == "Caseload spreadsheet"
        and token.token_hash == api_tokens.hash_token(secret)
    )
    # The page lists it by its first characters; the secret itself is never shown again.
    again = client.get("/account/").get_data(as_text=True)
    assert (
        TOKEN.findall(again) == []
        and f"{token.prefix}…" in again
        and "Caseload spreadsheet" in again
        and "Never" in again
    )
    assert secret not in response.headers.get("Set-Cookie", "")
    # It works.
    assert (
        client.application.test_client()
        .get("/api/v1/overdue", headers={"Authorization": f"Bearer {secret}"})
        .status_code
        == 200
    )
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token_created")).one()
    assert (
        created.actor_id == user.id
        and created.details["prefix"] == token.prefix
        and secret not in str(created.details) + created.summary
    )


@pytest.mark.parametrize("name,message", [("", "Enter a name for the token"), ("x" * 101, "100 characters or fewer")])
def test_create_refuses_bad_names(client, auth, name, message):
    auth.login(role="coordinator", teams=[create_team()])
    html = client.post("/account/api-tokens", data={"name": name}).get_data(as_text=True)
    assert message in html and "There is a problem" in html and TOKEN.findall(html) == []
    assert db.session.scalars(select(ApiToken)).all() == []


def test_revoke_stops_the_token(client, auth):
    user = auth.login(role="coordinator", teams=[create_team()])
    secret = TOKEN.findall(client.post("/account/api-tokens", data={"name": "Laptop"}).get_data(as_text=True))[0]
    token = db.session.scalars(select(ApiToken)).one()
    response = client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/")
    html = client.get("/account/").get_data(as_text=True)
    assert "Revoked the token ‘Laptop’" in html and "Revoked " in html
    db.session.refresh(token)
    assert token.revoked_at is not None
    api = client.application.test_client()
    assert api.get("/api/v1/overdue", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    revoked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token_revoked")).one()
    assert revoked.actor_id == user.id and revoked.object_id == str(token.id)
    # Twice: nothing more happens.
    client.post(f"/account/api-tokens/{token.id}/revoke")
    assert "already revoked" in client.get("/account/").get_data(as_text=True)


def test_nobody_else_can_revoke_a_token(client, auth):
    team = create_team()
    owner = create_user(role="coordinator", teams=[team])
    token = api_tokens.create_token(owner, name="Mine", actor=owner).token
    db.session.commit()
    auth.login(role="manager", teams=[team])
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    assert "Mine" not in client.get("/account/").get_data(as_text=True)
    db.session.refresh(token)
    assert token.revoked_at is None


def test_family_accounts_have_no_token_page_and_anonymous_users_sign_in(client, auth):
    assert client.get("/account/").status_code == 302
    assert client.post("/account/api-tokens", data={"name": "x"}).headers["Location"].startswith("/sign-in")
    auth.login(role="family")
    assert client.get("/account/").status_code == 403
    assert client.post("/account/api-tokens", data={"name": "x"}).status_code == 403


def test_token_forms_need_the_csrf_token(app, client, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    user = create_user(role="coordinator", teams=[create_team()])
    token_page = client.get("/sign-in").get_data(as_text=True)
    client.post(
        "/sign-in",
        data={"email": user.email, "password": "correct horse battery staple", "csrf_token": csrf_token(token_page)},
    )
    assert client.post("/account/api-tokens", data={"name": "No CSRF"}).status_code == 400
    page = client.get("/account/").get_data(as_text=True)
    response = client.post("/account/api-tokens", data={"name": "With CSRF", "csrf_token": csrf_token(page)})
    assert response.status_code == 200 and TOKEN.findall(response.get_data(as_text=True))
    token = db.session.scalars(select(ApiToken)).one()
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 400
    page = client.get("/account/").get_data(as_text=True)
    assert (
        client.post(f"/account/api-tokens/{token.id}/revoke", data={"csrf_token": csrf_token(page)}).status_code == 302
    )
    # The JSON API itself needs no CSRF token: it is authenticated by the bearer token.
    secret = api_tokens.create_token(user, name="API", actor=user).secret
    db.session.commit()
    api = client.application.test_client()
    assert api.post("/api/v1/children", headers={"Authorization": f"Bearer {secret}"}, json={}).status_code == 422


def test_at_most_ten_active_tokens(client, auth):
    user = auth.login(role="coordinator", teams=[create_team()])
    for n in range(api_tokens.MAX_ACTIVE_TOKENS):
        api_tokens.create_token(user, name=f"Token {n}", actor=user)
    db.session.commit()
    html = client.post("/account/api-tokens", data={"name": "One more"}).get_data(as_text=True)
    assert "revoke one you no longer use" in html and TOKEN.findall(html) == []
