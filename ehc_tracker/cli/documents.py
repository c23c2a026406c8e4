"""`flask documents-past-retention`: the documents kept longer than their kind's retention period."""

from __future__ import annotations

from datetime import date

import click

from ..services import documents as document_service
from ..services.clock import today
from .params import IsoDate


@click.command("documents-past-retention")
@click.option(
    "--on", "on", type=IsoDate(), default=None, help="Count retention up to this date (YYYY-MM-DD; default today)."
)
def documents_past_retention(on: date | None) -> None:
    """List the documents past their retention period (DOCUMENT_RETENTION_YEARS, and
    DOCUMENT_RETENTION_BY_KIND for each kind). Nothing is deleted: a manager confirms each
    deletion on the "Documents past their retention period" page, and it is audited."""
    on = on or today()
    due = document_service.past_retention(on)
    for document in due:
        click.echo(
            f"{document.id}\t{document.kind.value}\tuploaded {document.uploaded_at:%Y-%m-%d}\t"
            f"kept until {document_service.retention_ends_on(document):%Y-%m-%d}\t"
            f"child {document.child_id}\t{document.title}"
        )
    click.echo(f"{len(due)} document{'' if len(due) == 1 else 's'} past retention on {on:%Y-%m-%d}.")
