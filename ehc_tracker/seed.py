"""`flask seed-demo`: demonstration teams and accounts (and, as the service grows, cases)."""
from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import Role, Team, User
from .services.users import create_user

DEMO_PASSWORD = "demo-password-2026"
DEMO_TEAMS = ("North Team", "South Team")
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


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Allow seeding when EHC_ENV is production (never do this with real data).")
def seed_demo(force: bool) -> None:
    """Load demonstration data: two teams and one account for each role.

    Safe to run again: what exists already is left as it is. Every demo account's
    password is printed below.
    """
    if current_app.config.get("ENV_NAME") == "production" and not force:
        raise click.ClickException("Refusing to load demo data into a production database (use --force to override).")
    users = seed_teams_and_users()
    db.session.commit()
    click.echo("Demo accounts (password for each: %s)" % DEMO_PASSWORD)
    for user, created in users:
        click.echo(f"  {user.role.value:<12} {user.email:<28} {'created' if created else 'already there'}")
