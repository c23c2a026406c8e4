"""Flask commands: `flask create-admin`, `flask seed-demo`, `flask deadlines` and more."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask
from sqlalchemy import select

from .extensions import db
from .models import Role, User, normalise_email
from .services import ServiceError
from .services.users import create_user


@click.command("create-admin")
@click.option("--email", help="Email address of the new administrator (asked for when left out).")
@click.option("--name", default="Administrator", show_default=True, help="Full name shown in the service.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting (or set EHC_ADMIN_PASSWORD).",
)
def create_admin(email: str | None, name: str, password_stdin: bool) -> None:
    """Create an administrator account.

    The password is prompted for (typed twice, hidden), read from standard input with
    --password-stdin, or taken from the EHC_ADMIN_PASSWORD environment variable.
    """
    if not email:
        email = click.prompt("Email address")
    assert email is not None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif os.environ.get("EHC_ADMIN_PASSWORD"):
        password = os.environ["EHC_ADMIN_PASSWORD"]
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None:
        raise click.ClickException(f"An account for {normalise_email(email)} already exists.")
    try:
        user = create_user(email=email, name=name, role=Role.ADMIN, password=password, actor=None)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created administrator {user.email}.")


def register_cli(app: Flask) -> None:
    from .deadlines_cli import deadlines
    from .seed import seed_demo

    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(deadlines)
    from .alerts.cli import alerts, scheduler_command

    app.cli.add_command(alerts)
    app.cli.add_command(scheduler_command)
    from .api import create_token_command
    from .sen2.cli import sen2

    app.cli.add_command(create_token_command)
    app.cli.add_command(sen2)
