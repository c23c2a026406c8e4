"""`flask import`: moving in an authority's children, plans and open cases (services/importing/).

    flask import template OUT.xlsx|OUT.csv         the blank spreadsheet, an example row and field notes
    flask import sen2 FILE.xml [--confirm]        the previous SEN2 return
    flask import spreadsheet FILE [--confirm]     the moving-in spreadsheet (CSV or Excel)

Without --confirm a file is only checked (a dry run: nothing is written); --confirm imports it, in
batches that each commit whole. --report writes every problem, with its fix, as CSV.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from sqlalchemy import select

from ..extensions import db
from ..models import Import, Team
from ..services import ServiceError, clock
from ..services import importing as import_service
from ..services.importing import sheet


@click.group("import")
def import_group() -> None:
    """Move in: import children, plans and open cases from the previous SEN2 return or the spreadsheet."""


@import_group.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(out: Path) -> None:
    """Write the blank moving-in spreadsheet to OUT (.xlsx: the columns, an example row and a sheet
    of field notes; .csv: the columns and an example row, with the field notes in OUT-field-notes.csv)."""
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter("name a .xlsx or .csv file", param_hint="OUT")
    for path in sheet.write_template(out):
        click.echo(f"Wrote {path}")


def _options(command: click.Command) -> click.Command:
    for option in reversed(
        [
            click.option(
                "--confirm",
                is_flag=True,
                help="Import the file. Without it the file is only checked (a dry run) and nothing is written.",
            ),
            click.option(
                "--team",
                "team_name",
                help="The team for children whose row names none (a SEN2 return names no team).",
            ),
            click.option(
                "--report",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write every problem found, row by row with its fix, to this CSV file.",
            ),
            click.option(
                "--batch-size",
                type=click.IntRange(1, 5000),
                default=import_service.BATCH_SIZE,
                show_default=True,
                help="Children written per batch; each batch commits or rolls back whole.",
            ),
        ]
    ):
        command = option(command)
    return command


def _run(kind: str, path: Path, *, confirm: bool, team_name: str | None, report: Path | None, batch_size: int) -> None:
    team_id = None
    if team_name:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            raise click.BadParameter(f"no team called {team_name!r}", param_hint="--team")
        team_id = team.id
    started = time.perf_counter()
    try:
        imp = import_service.start(
            content=path.read_bytes(),
            file_name=path.name,
            kind=kind,
            dry_run=not confirm,
            default_team_id=team_id,
            actor=None,
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    ident = imp.id
    shown = [0]

    def progress(done: int, total: int | None) -> None:
        if total and (done - shown[0] >= max(1, total // 10) or done == total):
            shown[0] = done
            click.echo(f"  {done} of {total} read")

    counts = import_service.run(
        imp, actor=None, today=clock.today(), commit=db.session.commit, progress=progress, batch_size=batch_size
    )
    db.session.commit()
    imp = db.session.get(Import, ident)
    assert imp is not None
    seconds = time.perf_counter() - started
    what = "Imported" if confirm else "Checked (dry run, nothing written)"
    click.echo(f"{what} {path.name} (import {imp.id}, sha256 {imp.checksum[:12]}...) in {seconds:.1f} s:")
    for name in (
        "rows",
        "children_new",
        "children_updated",
        "children_unchanged",
        "children_refused",
        "plans_new",
        "plans_updated",
        "cases_new",
        "cases_updated",
        "milestones",
        "late_milestones",
        "errors",
        "warnings",
    ):
        if name in counts:
            click.echo(f"  {name.replace('_', ' ')}: {counts[name]}")
    for rule, n in sorted(counts.get("by_rule", {}).items()):
        click.echo(f"  - {rule}: {n} ({import_service.RULES[rule][0]})")
    if report is not None:
        report.write_text(imp.report_csv or "", encoding="utf-8")
        click.echo(f"Wrote the report to {report}.")
    if not confirm:
        click.echo("Nothing was written. Put the problems right, or run again with --confirm to import the good rows.")


@import_group.command("sen2")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_options
def sen2(file: Path, confirm: bool, team_name: str | None, report: Path | None, batch_size: int) -> None:
    """Check, or with --confirm import, the authority's previous SEN2 return (XML): children, their
    active plans with an open annual review from the last review, ended plans, and the year's
    requests with their decisions."""
    _run("sen2", file, confirm=confirm, team_name=team_name, report=report, batch_size=batch_size)


@import_group.command("spreadsheet")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_options
def spreadsheet(file: Path, confirm: bool, team_name: str | None, report: Path | None, batch_size: int) -> None:
    """Check, or with --confirm import, the moving-in spreadsheet (CSV or Excel, see `flask import
    template`): children and contacts, plans, open reviews and open assessments with their steps."""
    _run("spreadsheet", file, confirm=confirm, team_name=team_name, report=report, batch_size=batch_size)
