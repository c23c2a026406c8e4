"""Every route needs sign-in, and every role-gated route refuses the other roles."""

import re

import pytest

from ehc_tracker.models import Role
from ehc_tracker.web.security import PUBLIC_ENDPOINTS
from tests.helpers import create_team

# Pages every signed-in staff member may open whatever their role.
ANY_SIGNED_IN = {"main.index", "auth.change_password", "auth.sign_out"}


def _url_for_rule(rule) -> str:
    # Fill every converter with a value that parses; the record need not exist.
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", lambda m: "1" if m.group(1) == "int" else "x", rule.rule)


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC_ENDPOINTS]


def test_anonymous_requests_never_get_a_200(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if rule.endpoint in PUBLIC_ENDPOINTS:
                continue
            checked += 1
            assert response.status_code != 200, f"{method} {url} answered 200 without sign-in"
            assert response.status_code in (302, 401, 400), f"{method} {url}: {response.status_code}"
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/sign-in")
    assert checked > 10


def test_public_endpoints_are_only_sign_in_static_assets_health_and_invitations_and_codes():
    # A family's or a professional's invitation link is opened before its account exists, and a
    # survey link without signing in: the token is the credential.
    assert PUBLIC_ENDPOINTS == {
        "auth.sign_in",
        "auth.sign_in_code",
        "static",
        "assets.govuk",
        "health.healthz",
        "family.accept",
        "feedback.answer_by_link",
        "providers.accept",
    }


def test_every_other_route_states_its_roles(app):
    missing = []
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        if rule.endpoint not in ANY_SIGNED_IN and not getattr(view, "allowed_roles", None):
            missing.append(rule.endpoint)
    assert not missing, f"routes without role_required: {missing}"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_roles_not_allowed_get_403(app, client, auth, role):
    team = create_team()
    auth.login(role=role, teams=[team])
    refused = allowed = 0
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "allowed_roles", None)
        if not roles or "GET" not in rule.methods:
            continue
        response = client.get(_url_for_rule(rule))
        if Role(role) in roles:
            allowed += 1
            assert response.status_code != 403, rule.rule
        else:
            refused += 1
            assert response.status_code == 403, f"{role} reached {rule.rule}: {response.status_code}"
    assert refused + allowed > 0
