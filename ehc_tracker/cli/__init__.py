"""The `flask` commands of the service, one module per subject, registered from one list.

    create-admin, create-token   accounts.py
    deadlines                    deadlines.py  (the statutory milestones of a process)
    alerts ..., scheduler        alerts.py     (daily alerts, outbox, escalations)
    sen2 export                  sen2.py       (the SEN2 return)
    import ...                   importing.py  (moving in: SEN2 return, spreadsheet, template)
    seed-demo                    demo.py       (demonstration data, ehc_tracker/demo/)
    documents-past-retention     documents.py  (documents kept longer than their retention period)
    read-model check, rebuild    read_model.py (the compliance figures kept as data)

Dates on the command line are YYYY-MM-DD, parsed by the one type in params.py.
"""

from __future__ import annotations

import click
from flask import Flask

from . import accounts, alerts, deadlines, demo, documents, importing, read_model, sen2

# The modules' names are kept for the modules (`ehc_tracker.cli.deadlines` is the module, not
# the command), so the commands are named through them.
COMMANDS: list[click.Command] = [
    accounts.create_admin,
    accounts.create_token,
    accounts.provider_manager,
    demo.seed_demo,
    deadlines.deadlines,
    alerts.alerts,
    alerts.scheduler_command,
    sen2.sen2,
    documents.documents_past_retention,
    importing.import_group,
    read_model.read_model,
]


def register_cli(app: Flask) -> None:
    """Add every command to `flask`."""
    for command in COMMANDS:
        app.cli.add_command(command)
