"""`flask seed-demo`: load the demonstration data (ehc_tracker/demo/)."""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import func, select

from ..demo.accounts import DEMO_PASSWORD, seed_family_account, seed_professional_accounts, seed_teams_and_users
from ..demo.directory import seed_directory
from ..demo.large import generate
from ..demo.quality import seed_quality
from ..demo.seed import DEMO_CHILDREN, seed_demo_children, seed_sen2_settings
from ..demo.voice import seed_voice
from ..extensions import db
from ..models import Child
from ..services import clock


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
    and unanswered communications), disputes, complaints, family feedback, quality audits and
    decision-making panels, a parent and a professional with their own sign-in.

    Safe to run again: accounts that exist are left as they are, and children are only
    added to a database that has none. Every demo account's password is printed below.
    """
    if current_app.config.get("ENV_NAME") == "production" and not force:
        raise click.ClickException("Refusing to load demo data into a production database (use --force to override).")
    users = seed_teams_and_users()
    seed_directory()  # also for a demo loaded before the directory existed
    seed_sen2_settings()
    db.session.commit()
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD})")
    for user, created in users:
        click.echo(f"  {user.role.value:<12} {user.email:<28} {'created' if created else 'already there'}")
    if db.session.scalar(select(func.count(Child.id))):
        click.echo("Children already exist; no demo children added.")
        return
    if profile == "large":
        total = children or 30_000
        with click.progressbar(length=total, label=f"Creating {total} children with five years of history") as bar:
            counts = generate(children=total, today=clock.today(), progress=bar.update)
        click.echo("Rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
        click.echo(
            "Large-profile accounts: manager.area1@example.org ... manager.area6@example.org, "
            f"coordinator01.area@example.org ... coordinator40.area@example.org (password {DEMO_PASSWORD})."
        )
        return
    children = children or DEMO_CHILDREN
    with click.progressbar(length=children, label=f"Creating {children} demo children and their cases") as bar:
        seed_demo_children(children, today=clock.today(), progress=bar.update)
    click.echo(f"Created {children} children with their cases.")
    seed_quality(today=clock.today())
    db.session.commit()
    click.echo("Added quality audits (three monthly samples) and two decision-making panels.")
    complaints, answers = seed_voice(today=clock.today())
    db.session.commit()
    click.echo(
        f"Added {complaints} complaints and {answers} family feedback answers (from family01@example.org ...,"
        " parents whose child's plan was issued or review decided)."
    )
    parent = seed_family_account()
    if parent is not None:
        db.session.commit()
        click.echo(
            f"  {parent.role.value:<12} {parent.email:<28} created, following {parent.name.split(' of ')[-1]}'s case"
            " (sign-in asks for a code: with MAIL_BACKEND=console it is printed here in the console)"
        )
    professionals = seed_professional_accounts()
    db.session.commit()
    for user in professionals:
        click.echo(
            f"  {user.role.value:<12} {user.email:<28} created, giving advice for a provider of the directory"
            " (sign-in asks for a code too)"
        )
