"""The demo accounts: two teams, one account for each staff role, and a parent account, all with
one known password. Shared by the demo data set and the large one."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Role, Team, User
from ..services.users import create_user

DEMO_PASSWORD = "demo-password-2026"
DEMO_TEAMS = ("North Team", "South Team")
DEMO_PARENT_EMAIL = "parent@example.org"
DEMO_USERS = (
    # email, name, role, teams
    ("admin@example.org", "Alex Admin", Role.ADMIN, ()),
    ("manager@example.org", "Morgan Manager", Role.MANAGER, DEMO_TEAMS),
    ("coordinator@example.org", "Casey Coordinator", Role.COORDINATOR, ("North Team",)),
    ("coordinator2@example.org", "Jordan Coordinator", Role.COORDINATOR, ("North Team",)),
    ("coordinator3@example.org", "Sam Coordinator", Role.COORDINATOR, ("South Team",)),
    ("viewer@example.org", "Vic Viewer", Role.VIEWER, DEMO_TEAMS),
)


def seed_teams_and_users() -> list[tuple[User, bool]]:
    """Create the demo teams and accounts that do not exist yet; return (user, created) pairs."""
    teams: dict[str, Team] = {}
    for name in DEMO_TEAMS:
        team = db.session.scalar(select(Team).where(Team.name == name))
        if team is None:
            team = Team(name=name)
            db.session.add(team)
        teams[name] = team
    db.session.flush()
    result = []
    for email, name, role, team_names in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        created = user is None
        if user is None:
            user = create_user(
                email=email,
                name=name,
                role=role,
                password=DEMO_PASSWORD,
                teams=[teams[t] for t in team_names],
                actor=None,
            )
        result.append((user, created))
    return result


def seed_family_account() -> User | None:
    """A parent account following one open assessment of coordinator@example.org's caseload."""
    from ..models.case import Case, CaseStatus, CaseType
    from ..models.family import FamilyLink, FamilyRelationship

    if db.session.scalar(select(User).where(User.email == DEMO_PARENT_EMAIL)) is not None:
        return None
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    case = db.session.scalar(
        select(Case)
        .where(
            Case.coordinator_id == (coordinator.id if coordinator else -1),
            Case.case_type == CaseType.ASSESSMENT,
            Case.status == CaseStatus.OPEN,
        )
        .order_by(Case.anchor_on, Case.id)
        .limit(1)
    )
    if case is None:
        return None
    user = create_user(
        email=DEMO_PARENT_EMAIL,
        name=f"Parent of {case.child.first_name}",
        role=Role.FAMILY,
        password=DEMO_PASSWORD,
        teams=[],
        actor=None,
    )
    db.session.add(FamilyLink(user_id=user.id, child_id=case.child_id, relationship_to_child=FamilyRelationship.PARENT))
    return user
