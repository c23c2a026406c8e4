"""`flask read-model check|rebuild`: the figures and lists kept as data, against a count from scratch."""

from __future__ import annotations

import time

import click

from ..extensions import db
from ..services.reports import figure_store


@click.group("read-model")
def read_model() -> None:
    """The compliance figures kept per team and month (the table the dashboard, the monthly
    report, the exports and the API read). Every change keeps them in step in its own
    transaction; these commands check them against a count from the milestones, and count
    them again."""


@read_model.command("check")
def check() -> None:
    """Compare every stored figure with a fresh count; exit 1 if any differs (nothing is changed)."""
    found = figure_store.differences()
    db.session.rollback()
    for (team_id, month_on, measure), stored, counted in found[:50]:
        click.echo(f"team {team_id}\t{month_on:%Y-%m}\t{measure}\tstored {stored}\tcounted {counted}")
    if found:
        more = " (the first 50 shown)" if len(found) > 50 else ""
        raise click.ClickException(
            f"{len(found)} stored figures differ from a fresh count{more}: run `flask read-model rebuild`."
        )
    click.echo("The stored monthly figures agree with a fresh count.")


@read_model.command("rebuild")
def rebuild() -> None:
    """Count every stored figure again from the milestones, in one transaction."""
    started = time.perf_counter()
    cells = figure_store.rebuild()
    db.session.commit()
    click.echo(f"Counted {cells} stored figures again in {time.perf_counter() - started:.1f} s.")
