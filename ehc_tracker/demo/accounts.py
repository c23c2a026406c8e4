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


DEMO_PROFESSIONAL_EMAIL = "professional@example.org"
DEMO_PROVIDER_MANAGER_EMAIL = "provider-manager@example.org"


def seed_professional_accounts() -> list[User]:
    """A professional of the provider asked for the earliest-due advice still awaited on
    coordinator@example.org's caseload, with a few of that provider's open requests addressed to
    them, and a manager of the same provider."""
    from ..models.case import AdviceRequest, Case, CaseStatus, Milestone
    from ..services.professionals import add_to_provider

    if db.session.scalar(select(User).where(User.email == DEMO_PROFESSIONAL_EMAIL)) is not None:
        return []
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    rows = db.session.execute(
        select(AdviceRequest)
        .join(Case, AdviceRequest.case_id == Case.id)
        .join(
            Milestone,
            (Milestone.case_id == Case.id)
            & (Milestone.key == "advice_due")
            & (Milestone.ref == "advice:" + AdviceRequest.id.cast(db.String)),
        )
        .where(
            Case.status == CaseStatus.OPEN,
            Case.coordinator_id == (coordinator.id if coordinator else -1),
            AdviceRequest.received_on.is_(None),
            AdviceRequest.directory_entry_id.is_not(None),
        )
        .order_by(Milestone.due_on.desc(), AdviceRequest.id)
    ).scalars()
    first = next(iter(rows), None)
    if first is None or first.directory_entry is None:
        return []
    entry = first.directory_entry
    if not entry.contact_email:
        entry.contact_name, entry.contact_email = "Head of Service", "head.of.service@example.org"
    made = []
    for email, name, manager in (
        (DEMO_PROFESSIONAL_EMAIL, "Robin Practitioner", False),
        (DEMO_PROVIDER_MANAGER_EMAIL, "Riley Service-Manager", True),
    ):
        user = create_user(email=email, name=name, role=Role.PROFESSIONAL, password=DEMO_PASSWORD, actor=None)
        add_to_provider(user, entry, manager=manager, actor=None)
        made.append(user)
    waiting = db.session.scalars(
        select(AdviceRequest)
        .join(Case, AdviceRequest.case_id == Case.id)
        .where(
            Case.status == CaseStatus.OPEN,
            AdviceRequest.directory_entry_id == entry.id,
            AdviceRequest.received_on.is_(None),
        )
        .order_by(AdviceRequest.requested_on.desc(), AdviceRequest.id)
        .limit(3)
    )
    for advice in [first, *waiting]:
        advice.professional_id = made[0].id
        advice.question = (
            advice.question or "What does the child need, what should the plan aim for, and what help do you advise?"
        )
    db.session.flush()
    return made
