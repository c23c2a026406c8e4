"""`flask sen2 export`: write the SEN2 return for a census date, and list what fails validation."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import click

from ..extensions import db
from ..services import ServiceError
from ..services import clock
from ..services import sen2 as sen2_service
from . import header_settings


@click.group("sen2")
def sen2() -> None:
    """The SEN2 statutory return to the DfE."""


def _census_date(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("give the census date as YYYY-MM-DD, like 2026-01-15", param_hint="--census-date") from None


@sen2.command("export")
@click.option("--census-date", "census_text", required=True, help="The January census date, YYYY-MM-DD.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The XML file to write.")
@click.option("--la-code", help="The authority's 3-digit LA code (default: SEN2_LA_CODE).")
@click.option("--dmo", type=click.Choice(sen2_service.HEADER_FLAGS), help="The DMO header item (default: SEN2_DMO).")
@click.option("--dco", type=click.Choice(sen2_service.HEADER_FLAGS), help="The DCO header item (default: SEN2_DCO).")
@click.option("--team", "team_ids", type=int, multiple=True, help="Only the children of this team (repeat for more). Default: every team.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Also write the validation failures to this CSV file.")
def export(census_text: str, out: Path, la_code: str | None, dmo: str | None, dco: str | None, team_ids: tuple[int, ...], report: Path | None) -> None:
    """Write the person-level SEN2 return as at the census date, after checking it with the
    DfE-style validation rules. Failures are listed per child so that the records can be put
    right; the file is written all the same."""
    census_date = _census_date(census_text)
    teams = set(team_ids) or None
    try:
        result = sen2_service.build_return(
            census_date, header=header_settings(la_code=la_code, dmo=dmo, dco=dco), today=clock.today(), now=clock.now(), team_ids=teams
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    out.write_bytes(result.xml)
    sen2_service.record_export(result, actor=None, how=f"written to {out.name}", team_ids=teams)
    db.session.commit()
    click.echo(
        f"Wrote {out}: SEN2 {census_date.year}, census date {census_date.isoformat()} (requests from "
        f"{result.period.starts_on.isoformat()}): {result.persons} children, {result.requests} requests, "
        f"{result.active_plans} active plans, {result.ceased_plans} ended plans."
    )
    if not result.failures:
        click.echo("Validation: no failures.")
    else:
        click.echo(f"Validation: {len(result.failures)} failure{'s' if len(result.failures) != 1 else ''} (the file was written all the same):")
        for failure in result.failures:
            who = f"child {failure.child_id}" if failure.child_id is not None else "header"
            case = f", case {failure.case_id}" if failure.case_id is not None else ""
            click.echo(f"  {who}{case}: {failure.rule}: {failure.message}")
    if report is not None:
        with report.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["child_id", "case_id", "rule", "message"])
            for failure in result.failures:
                writer.writerow([failure.child_id or "", failure.case_id or "", failure.rule, failure.message])
        click.echo(f"Wrote the validation failures to {report}.")
