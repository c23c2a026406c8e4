"""`flask sen2 export`: write the SEN2 return for a census date, and summarise its validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..extensions import db
from ..sen2 import header_settings
from ..services import ServiceError, clock
from ..services import sen2 as sen2_service
from .params import IsoDate


@click.group("sen2")
def sen2() -> None:
    """The SEN2 statutory return to the DfE."""


@sen2.command("export")
@click.option(
    "--census-date",
    "census_date",
    type=IsoDate("give the census date as YYYY-MM-DD, like 2026-01-15"),
    required=True,
    help="The January census date, YYYY-MM-DD.",
)
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The XML file to write."
)
@click.option("--la-code", help="The authority's 3-digit LA code (default: the SEN2 settings page, else SEN2_LA_CODE).")
@click.option(
    "--dmo",
    type=click.Choice(sen2_service.HEADER_FLAGS),
    help="The DMO header item (default: the settings page, else SEN2_DMO).",
)
@click.option(
    "--dco",
    type=click.Choice(sen2_service.HEADER_FLAGS),
    help="The DCO header item (default: the settings page, else SEN2_DCO).",
)
@click.option(
    "--dsco",
    type=click.Choice(sen2_service.HEADER_FLAGS),
    help="The DSCO header item (default: the settings page, else SEN2_DSCO).",
)
@click.option(
    "--team",
    "team_ids",
    type=int,
    multiple=True,
    help="Only the children of this team (repeat for more). Default: every team.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every validation failure to this CSV file.",
)
def export(
    census_date: date,
    out: Path,
    la_code: str | None,
    dmo: str | None,
    dco: str | None,
    dsco: str | None,
    team_ids: tuple[int, ...],
    report: Path | None,
) -> None:
    """Write the person-level SEN2 return as at the census date (requests and ended plans of the
    calendar year before it, plans active on it), after checking it against the year's schema and
    the DfE's business rules. Prints the failures counted by rule; --report writes each failure with
    the child and case to put right. The file is written all the same."""
    teams = set(team_ids) or None
    try:
        result = sen2_service.build_return(
            census_date,
            header=header_settings(la_code=la_code, dmo=dmo, dco=dco, dsco=dsco),
            today=clock.today(),
            now=clock.now(),
            team_ids=teams,
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    out.write_bytes(result.xml)
    sen2_service.record_export(result, actor=None, how=f"written to {out.name}", team_ids=teams)
    db.session.commit()
    click.echo(
        f"Wrote {out}: SEN2 {census_date.year}, census date {census_date.isoformat()} (reference year "
        f"{result.period.starts_on.isoformat()} to {result.period.ends_on.isoformat()}): {result.persons} children, "
        f"{result.requests} requests, {result.active_plans} active plans, {result.ceased_plans} ended plans."
    )
    click.echo(f"Schema errors: {len(result.schema_errors)}.")
    if not result.failures:
        click.echo("Validation: no failures.")
    else:
        click.echo(
            f"Validation: {len(result.failures)} failure{'s' if len(result.failures) != 1 else ''} (the file was written all the same):"
        )
        for line in result.counts_by_rule():
            click.echo(f"  {line.rule}: {line.count}{' (warning)' if line.warning else ''} - {line.description}")
        if report is None:
            click.echo("Use --report FILE.csv for each failure with the record to put right.")
    if report is not None:
        report.write_text(result.report_csv(), encoding="utf-8")
        click.echo(f"Wrote the validation failures to {report}.")
