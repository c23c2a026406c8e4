"""The migrations have one head, build the schema from empty, and match the models."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from config import _database_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def _script(app):
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_single_head(app):
    assert len(_script(app).get_heads()) == 1


@pytest.fixture
def empty_database_url(tmp_path):
    """A database nobody else uses: a new SQLite file, or a new PostgreSQL database."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    base = sa.engine.make_url(_database_url(TEST_DATABASE_URL))
    name = "ehc_migrations_check" + os.environ.get("PYTEST_XDIST_WORKER", "")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database_url):
    from ehc_tracker import create_app
    from ehc_tracker.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            head = context.get_current_revision()
        assert diff == [], f"models and migrations differ: {diff}"
        assert head == _script(app).get_current_head()
        db.engine.dispose()


def test_downgrade_to_base_and_up_again(empty_database_url):
    from flask_migrate import downgrade

    from ehc_tracker import create_app
    from ehc_tracker.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        assert "audit_events" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_the_milestones_copies_of_their_case_are_filled_from_the_cases(empty_database_url):
    """a6b7c8d9e0f1 backfills each milestone's team, coordinator and "case is open" from its case."""
    from flask_migrate import downgrade

    from ehc_tracker import create_app
    from ehc_tracker.extensions import db
    from ehc_tracker.models.case import CaseStatus
    from ehc_tracker.services import open_steps
    from tests.factories_cases import create_assessment

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        held, closed = create_assessment(), create_assessment()
        closed.status = CaseStatus.CLOSED
        closed.coordinator = None
        db.session.commit()
        expected = {
            held.id: (held.team_id, held.coordinator_id, True),
            closed.id: (closed.team_id, None, False),
        }
        db.session.remove()
        downgrade(revision="f5a6b7c8d9e0")
        upgrade()
        rows = db.session.execute(sa.text("SELECT case_id, team_id, coordinator_id, case_open FROM milestones")).all()
        assert rows and {(r.team_id, r.coordinator_id, bool(r.case_open)) == expected[r.case_id] for r in rows} == {
            True
        }
        assert open_steps.mismatches() == 0
        db.session.remove()
        db.engine.dispose()
