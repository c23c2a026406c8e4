"""The people and cases the browser journeys start from."""

from __future__ import annotations

from datetime import date

from ehc_tracker.extensions import db
from ehc_tracker.models import Role, Team
from ehc_tracker.models.case import RequestSource
from ehc_tracker.models.child import Child
from ehc_tracker.services import cases as case_service
from ehc_tracker.services.users import create_user

COORDINATOR = "e2e.coordinator@example.org"
KEYBOARD_COORDINATOR = "e2e.keyboard@example.org"
OTHER_COORDINATOR = "e2e.other@example.org"
MANAGER = "e2e.manager@example.org"
PARENT_EMAIL = "e2e.parent@example.org"


def build(*, password: str) -> None:
    team = Team(name="E2E Team")
    db.session.add(team)
    db.session.flush()
    coordinator = create_user(
        email=COORDINATOR, name="Casey Browser", role=Role.COORDINATOR, password=password, teams=[team], actor=None
    )
    create_user(
        email=KEYBOARD_COORDINATOR,
        name="Kim Keyboard",
        role=Role.COORDINATOR,
        password=password,
        teams=[team],
        actor=None,
    )
    other = create_user(
        email=OTHER_COORDINATOR, name="Olly Other", role=Role.COORDINATOR, password=password, teams=[team], actor=None
    )
    create_user(email=MANAGER, name="Mo Manager", role=Role.MANAGER, password=password, teams=[team], actor=None)
    today = date.today()
    # Overdue work for the manager's journey: one case each for two coordinators, one with a
    # proposed exception waiting for approval.
    for who, first, last, received in (
        (coordinator, "Ruby", "Overdue", date(2025, 1, 6)),
        (other, "Sami", "Waiting", date(2025, 2, 3)),
    ):
        child = Child(first_name=first, last_name=last, date_of_birth=date(2016, 4, 2), team=team)
        db.session.add(child)
        db.session.flush()
        case = case_service.open_assessment(
            child=child,
            received_on=received,
            source=RequestSource.PARENT,
            team=team,
            coordinator=who,
            actor=who,
            today=today,
        )
        if who is other:
            case_service.propose_exception(
                case,
                milestone_key="final_plan",
                limb="personal_circumstances",
                starts_on=date(2025, 3, 3),
                ends_on=None,
                reason="Child in hospital for six weeks",
                evidence="Consultant's letter",
                actor=who,
                today=today,
            )
    db.session.commit()
