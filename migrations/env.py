"""Alembic environment for EHC Tracker, run through Flask-Migrate (`flask db ...`).

The database URL and the model metadata come from the Flask app. SQLite gets batch mode so
that later migrations can alter tables there too.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
metadata = db.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Our TypeDecorators are written out as the plain column types they store, so that a
    # migration never imports application code that may change later.
    from sqlalchemy.types import TypeDecorator

    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _options(dialect_name: str) -> dict[str, object]:
    return {
        "target_metadata": metadata,
        "render_item": _render_item,
        "compare_type": True,
        "render_as_batch": dialect_name == "sqlite",
        **current_app.extensions["migrate"].configure_args,
    }


def run_migrations_offline() -> None:
    url = db.engine.url
    context.configure(
        url=url.render_as_string(hide_password=False), literal_binds=True, **_options(url.get_backend_name())
    )
    with context.begin_transaction():
        context.run_migrations()


def _skip_empty(ctx: object, revision: object, directives: list) -> None:
    # `flask db migrate` with no model change writes nothing instead of an empty revision.
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in the models; no migration written.")


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        context.configure(
            connection=connection, process_revision_directives=_skip_empty, **_options(connection.dialect.name)
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
