"""`flask read-model check|rebuild`: the figures and lists kept as data, against a count from scratch."""

from __future__ import annotations

import time

import click

from ..extensions import db
from ..services import open_steps
from ..services.reports import figure_store


@click.group("read-model")
def read_model() -> None:
    """What is kept as data for speed: the compliance figures per team and month (which the
    dashboard, the monthly report, the exports and the API read) and each milestone's copy of
    its case's team, coordinator and open status (which the overdue list and the open-work
    counts read). Every change keeps them in step in its own transaction; these commands check
    them against the milestones and cases, and put them right."""


@read_model.command("check")
def check() -> None:
    """Compare every stored figure with a fresh count, and every milestone's copies with its
    case; exit 1 if anything differs (nothing is changed)."""
    found = figure_store.differences()
    out_of_step = open_steps.mismatches()
    db.session.rollback()
    for (team_id, month_on, measure), stored, counted in found[:50]:
        click.echo(f"team {team_id}\t{month_on:%Y-%m}\t{measure}\tstored {stored}\tcounted {counted}")
    problems = []
    if found:
        more = " (the first 50 shown)" if len(found) > 50 else ""
        problems.append(f"{len(found)} stored figures differ from a fresh count{more}")
    if out_of_step:
        problems.append(f"{out_of_step} milestones carry a team, coordinator or open status other than their case's")
    if problems:
        raise click.ClickException("; ".join(problems) + ": run `flask read-model rebuild`.")
    click.echo("The stored monthly figures agree with a fresh count, and every milestone with its case.")


@read_model.command("rebuild")
def rebuild() -> None:
    """Count every stored figure again from the milestones, and set every milestone's copies
    from its case, in one transaction."""
    started = time.perf_counter()
    corrected = open_steps.resync()
    cells = figure_store.rebuild()
    db.session.commit()
    click.echo(
        f"Counted {cells} stored figures again and corrected {corrected} milestones "
        f"in {time.perf_counter() - started:.1f} s."
    )
