"""Shared fixtures: `app`, `client`, `runner`, `db_session`, and `auth` to sign in as a role.

The database is SQLite unless TEST_DATABASE_URL names another (the CI run sets it to the
PostgreSQL server). The schema is built once per run by the real migrations; each test then
gets an empty database: a fresh copy of the migrated SQLite file, or on PostgreSQL the same
schema with every table truncated afterwards.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.helpers import AuthActions, create_user  # noqa: F401  (re-exported for tests)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def _sqlalchemy_url(url: str) -> str:
    from config import _database_url

    return _database_url(url)


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {TEST_DATABASE_URL or 'SQLite (temporary files)'}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """A PostgreSQL run whose server cannot be reached stops at once, loudly."""
    if not TEST_DATABASE_URL:
        return
    engine = sa.create_engine(_sqlalchemy_url(TEST_DATABASE_URL))
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"TEST_DATABASE_URL={TEST_DATABASE_URL} is unreachable: {exc}", returncode=3)
    finally:
        engine.dispose()


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    from ehc_tracker import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from ehc_tracker.extensions import db

        db.engine.dispose()


def reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per run; return the URL (PostgreSQL) or the migrated file's path (SQLite)."""
    if TEST_DATABASE_URL:
        url = _sqlalchemy_url(TEST_DATABASE_URL)
        reset_postgres_schema(url)
        _migrate(url)
        return url
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return str(path)


def _truncate_all(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        tables = connection.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
        ).scalars().all()
        if tables:
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in an application context of its own, as in production.

    The tests hold an application context open for their database work; without this,
    requests would share its `g` (and Flask-Login's cached user) and its database session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Extra settings for the `app` fixture; override in a test module to change them."""
    return {}


@pytest.fixture
def app(database_template: str, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Any]:
    from ehc_tracker import create_app
    from ehc_tracker.extensions import db

    if TEST_DATABASE_URL:
        url = database_template
    else:
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(database_template, copy)
        url = f"sqlite:///{copy}"
    settings = {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
    settings.update(app_config)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if TEST_DATABASE_URL:
        _truncate_all(url)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Any) -> Any:
    from ehc_tracker.extensions import db

    return db.session


@pytest.fixture
def auth(client: Any, app: Any) -> AuthActions:
    return AuthActions(client, app)
