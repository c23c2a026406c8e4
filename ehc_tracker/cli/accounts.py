"""`flask create-admin`, `flask create-token` and `flask provider-manager`: accounts from the command line."""

from __future__ import annotations

import os
import sys

import click
from sqlalchemy import select

from ..extensions import db
from ..models import Role, User, normalise_email
from ..services import ServiceError, api_tokens, professionals
from ..services.users import create_user


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


@click.command("create-token")
@click.option("--email", required=True, help="Email address of the staff account the token acts as.")
@click.option("--name", default="Command line", show_default=True, help="A name to tell the token apart by.")
def create_token(email: str, name: str) -> None:
    """Create a personal API token for a staff account and print it (once: it is stored only
    as a hash, so it cannot be shown again)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"There is no account for {normalise_email(email)}.")
    try:
        created = api_tokens.create_token(user, name=name, actor=None)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created API token ‘{created.token.name}’ for {user.email} ({user.role.label}).")
    click.echo("Copy it now: it will not be shown again.")
    click.echo(created.secret)


@click.command("provider-manager")
@click.option("--email", required=True, help="Email address of the professional account.")
@click.option("--remove", is_flag=True, help="Make them an ordinary professional of the service again.")
def provider_manager(email: str, remove: bool) -> None:
    """Make a professional account a manager of its provider: it then sees the service's open
    advice requests and moves them between the service's professionals (audited)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    membership = professionals.membership(user) if user is not None else None
    if user is None or membership is None:
        raise click.ClickException(f"There is no professional account for {normalise_email(email)}.")
    professionals.add_to_provider(user, membership.directory_entry, manager=not remove, actor=None)
    db.session.commit()
    what = "an ordinary professional" if remove else "a manager"
    click.echo(f"{user.email} is now {what} of {membership.directory_entry.name}.")
