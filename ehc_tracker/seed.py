"""`flask seed-demo`: demonstration teams and accounts (and, as the service grows, cases)."""
from __future__ import annotations

from datetime import date
from typing import Callable

import click
from flask import current_app
from sqlalchemy import func, select

from .demo_cases import seed_cases
from .demo_directory import seed_directory
from .extensions import db
from .models import Child, Role, Team, User
from .services import clock
from .services.users import create_user

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


DEMO_CHILDREN = 300


def seed_demo_children(children: int, *, today: date, progress: Callable[[int], object] = lambda n: None) -> None:
    """The demo's children and cases, made (and committed) 50 at a time, each batch from its own seed."""
    made = 0
    while made < children:
        batch = min(50, children - made)
        seed_cases(children=batch, today=today, rng_seed=2026 + made)
        db.session.commit()
        made += batch
        progress(batch)


@click.command("seed-demo")
@click.option(
    "--profile",
    type=click.Choice(["demo", "large"]),
    default="demo",
    show_default=True,
    help="demo: a few hundred children made through the pages' own services. large: the size of the "
    "largest English authority (30,000 children with plans and five years of history, 40 coordinators "
    "in 6 teams), made with bulk inserts for benchmarks.",
)
@click.option("--children", type=int, help="How many children to create (default 300, or 30,000 for --profile large).")
@click.option("--force", is_flag=True, help="Allow seeding when EHC_ENV is production (never do this with real data).")
def seed_demo(profile: str, children: int | None, force: bool) -> None:
    """Load demonstration data: two teams, one account for each role, and children with
    assessments and annual reviews at every stage (on time, late, overdue, with exceptions
    and unanswered communications).

    Safe to run again: accounts that exist are left as they are, and children are only
    added to a database that has none. Every demo account's password is printed below.
    """
    if current_app.config.get("ENV_NAME") == "production" and not force:
        raise click.ClickException("Refusing to load demo data into a production database (use --force to override).")
    users = seed_teams_and_users()
    seed_directory()  # also for a demo loaded before the directory existed
    seed_sen2_settings()
    db.session.commit()
    click.echo("Demo accounts (password for each: %s)" % DEMO_PASSWORD)
    for user, created in users:
        click.echo(f"  {user.role.value:<12} {user.email:<28} {'created' if created else 'already there'}")
    if db.session.scalar(select(func.count(Child.id))):
        click.echo("Children already exist; no demo children added.")
        return
    if profile == "large":
        from .demo_large import generate

        total = children or 30_000
        with click.progressbar(length=total, label=f"Creating {total} children with five years of history") as bar:
            counts = generate(children=total, today=clock.today(), progress=bar.update)
        click.echo("Rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
        click.echo("Large-profile accounts: manager.area1@example.org ... manager.area6@example.org, "
                   f"coordinator01.area@example.org ... coordinator40.area@example.org (password {DEMO_PASSWORD}).")
        return
    children = children or DEMO_CHILDREN
    with click.progressbar(length=children, label=f"Creating {children} demo children and their cases") as bar:
        seed_demo_children(children, today=clock.today(), progress=bar.update)
    click.echo(f"Created {children} children with their cases.")
    parent = seed_family_account()
    if parent is not None:
        db.session.commit()
        click.echo(f"  {parent.role.value:<12} {parent.email:<28} created, following {parent.name.split(' of ')[-1]}'s case"
                   " (sign-in asks for a code: with MAIL_BACKEND=console it is printed here in the console)")


def seed_sen2_settings() -> None:
    """The SEN2 header items of the demo authority (999 is no real authority's code)."""
    from .models.sen2 import Sen2Settings

    if db.session.get(Sen2Settings, 1) is None:
        db.session.add(Sen2Settings(id=1, la_code="999", dmo="Y", dco="Y", dsco="N", serial_no="001"))


def seed_family_account() -> User | None:
    """A parent account following one open assessment of coordinator@example.org's caseload."""
    from .models.case import Case, CaseStatus, CaseType
    from .models.family import FamilyLink, FamilyRelationship

    if db.session.scalar(select(User).where(User.email == DEMO_PARENT_EMAIL)) is not None:
        return None
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    case = db.session.scalar(
        select(Case)
        .where(Case.coordinator_id == (coordinator.id if coordinator else -1), Case.case_type == CaseType.ASSESSMENT, Case.status == CaseStatus.OPEN)
        .order_by(Case.anchor_on, Case.id)
        .limit(1)
    )
    if case is None:
        return None
    user = create_user(
        email=DEMO_PARENT_EMAIL, name=f"Parent of {case.child.first_name}", role=Role.FAMILY, password=DEMO_PASSWORD, teams=[], actor=None
    )
    db.session.add(FamilyLink(user_id=user.id, child_id=case.child_id, relationship_to_child=FamilyRelationship.PARENT))
    return user
