"""Shared set-up for the alerts tests (this module has no tests of its own).

`build_world()` makes two teams, their coordinators and managers, a Head of Service, and cases
whose one open milestone is due at a chosen date, so that on FOR_ON (Wednesday 3 December 2025)
each person should be told exactly this:

    coordinator 1 (North): due soon A; overdue B
    coordinator 2 (North): overdue C (17 working days: escalated), G (exception applies)
    coordinator 3 (South): overdue D (final plan, 1 working day: escalated at once)
    manager North:         overdue B (coordinator 1), C and G (coordinator 2)
    manager South:         overdue D
    head of service:       escalations C and D
    ESCALATION_EMAILS:     director@council.example (no account): escalations C and D
Nothing about E (due beyond the due-soon window), F (withdrawn case) or H (met).
"""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ehc_tracker.extensions import db
from ehc_tracker.models import AlertPreference, DigestFrequency
from ehc_tracker.models.case import CaseStatus
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.helpers import PASSWORD, create_team

FOR_ON = date(2025, 12, 3)  # a Wednesday
NOW = datetime(2025, 12, 3, 7, 0, tzinfo=UTC)
SURNAME = "Quillfeather"
DIRECTOR = "director@council.example"


_HASH: list[str] = []


def create_user(*, role: str, name: str, email: str, teams: list[Any] | None = None) -> Any:
    """A staff account that can sign in with tests.helpers.PASSWORD, hashed once per run (argon2 is slow)."""
    from ehc_tracker.models import Role, User
    from ehc_tracker.services.passwords import hash_password

    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    user = User(email=email, name=name, role=Role(role), password_hash=_HASH[0], session_token=secrets.token_hex(16))
    user.teams = list(teams or [])
    db.session.add(user)
    db.session.flush()
    return user


def only_open(case: Any, key: str, due_on: date, *, exception_applies: bool = False) -> Any:
    """Make `key` the case's one open milestone, due on `due_on` (everything else met)."""
    target = None
    for milestone in case.milestones:
        if milestone.key == key:
            target = milestone
            milestone.met_on = None
            milestone.due_on = due_on
            milestone.exception_applies = exception_applies
        else:
            milestone.met_on = milestone.met_on or date(2025, 6, 1)
    assert target is not None, f"no {key} milestone on the case"
    db.session.flush()
    return target


@dataclass
class World:
    north: Any
    south: Any
    c1: Any
    c2: Any
    c3: Any
    manager_north: Any
    manager_south: Any
    head: Any
    cases: dict[str, Any]
    milestones: dict[str, Any]

    @property
    def users(self) -> dict[str, Any]:
        return {
            "c1": self.c1,
            "c2": self.c2,
            "c3": self.c3,
            "manager_north": self.manager_north,
            "manager_south": self.manager_south,
            "head": self.head,
        }


def build_world() -> World:
    north = create_team(name="North Team")
    south = create_team(name="South Team")
    c1 = create_user(role="coordinator", name="Cora One", email="cora@council.example", teams=[north])
    c2 = create_user(role="coordinator", name="Cam Two", email="cam@council.example", teams=[north])
    c3 = create_user(role="coordinator", name="Cy Three", email="cy@council.example", teams=[south])
    manager_north = create_user(role="manager", name="Mo North", email="mo@council.example", teams=[north])
    manager_south = create_user(role="manager", name="Mia South", email="mia@council.example", teams=[south])
    head = create_user(role="manager", name="Hana Head", email="head@council.example")
    db.session.add(AlertPreference(user_id=head.id, digest=DigestFrequency.DAILY, receives_escalations=True))
    # Not told anything: another coordinator with nothing due, and a deactivated one.
    create_user(role="coordinator", name="Idle Person", email="idle@council.example", teams=[north])

    cases: dict[str, Any] = {}
    milestones: dict[str, Any] = {}
    plan = {
        # name: (coordinator, team, first name, key, due on, extra)
        "A": (c1, north, "Ava", "decision_to_assess", date(2025, 12, 8), {}),
        "B": (c1, north, "Ben", "decision_to_assess", date(2025, 12, 1), {}),
        "C": (c2, north, "Cal", "decision_to_assess", date(2025, 11, 10), {}),
        "D": (c3, south, "Dot", "final_plan", date(2025, 12, 2), {}),
        "E": (c3, south, "Eli", "decision_to_assess", date(2025, 12, 30), {}),
        "F": (c2, north, "Fay", "decision_to_assess", date(2025, 11, 3), {"withdrawn": True}),
        "G": (c2, north, "Gus", "decision_to_assess", date(2025, 10, 27), {"exception_applies": True}),
        "H": (c1, north, "Hal", "decision_to_assess", date(2025, 11, 3), {"met": True}),
    }
    for name, (coordinator, team, first_name, key, due_on, extra) in plan.items():
        child = create_child(team=team, first_name=first_name, last_name=SURNAME, commit=False)
        case = create_assessment(
            received_on=date(2025, 9, 1), coordinator=coordinator, team=team, child=child, commit=False
        )
        milestones[name] = only_open(case, key, due_on, exception_applies=bool(extra.get("exception_applies")))
        if extra.get("withdrawn"):
            case.status = CaseStatus.WITHDRAWN
        if extra.get("met"):
            milestones[name].met_on = date(2025, 11, 1)
        cases[name] = case
    db.session.commit()
    return World(north, south, c1, c2, c3, manager_north, manager_south, head, cases, milestones)


EXPECTED_RECIPIENTS = {
    "cora@council.example",
    "cam@council.example",
    "cy@council.example",
    "mo@council.example",
    "mia@council.example",
    "head@council.example",
    DIRECTOR,
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
