"""Test helpers with keyword-only arguments, in the style `create_user(role=..., **kw)`."""

from __future__ import annotations

import itertools
import re
from typing import Any

from ehc_tracker.extensions import db

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def create_team(*, name: str | None = None) -> Any:
    from ehc_tracker.models import Team

    team = Team(name=name or f"Team {next(_counter)}")
    db.session.add(team)
    db.session.flush()
    return team


def create_user(
    *,
    role: Any = "coordinator",
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    teams: list[Any] | None = None,
    active: bool = True,
    must_change_password: bool = False,
    commit: bool = True,
) -> Any:
    from ehc_tracker.models import Role
    from ehc_tracker.services.users import create_user as service_create_user

    role = Role(role)
    n = next(_counter)
    user = service_create_user(
        email=email or f"{role.value}{n}@example.org",
        name=name or f"{role.value.title()} {n}",
        role=role,
        password=password,
        teams=teams or [],
        actor=None,
        must_change_password=must_change_password,
    )
    user.active = active
    if commit:
        db.session.commit()
    return user


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real pages."""

    def __init__(self, client: Any, app: Any) -> None:
        self.client = client
        self.app = app

    def login(self, user: Any = None, *, role: str = "coordinator", password: str = PASSWORD, **kw: Any) -> Any:
        if user is None:
            user = create_user(role=role, password=password, **kw)
        response = self.client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return user

    def logout(self) -> Any:
        return self.client.post("/sign-out")
