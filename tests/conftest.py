"""Shared fixtures: `app`, `client`, `runner`, `db_session`, and `auth` to sign in as a role.

The database is SQLite unless TEST_DATABASE_URL names another (the CI run sets it to the
PostgreSQL server). The schema is built once per run by the real migrations; each test then
gets an empty database: a fresh copy of the migrated SQLite file, or on PostgreSQL the same
schema with every table truncated afterwards.
"""

from __future__ import annotations

import os
import shutil
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import jinja2
import jinja2.bccache
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.documents_support import clamd_socket, local_documents_dir, s3_server  # noqa: F401  (fixtures)
from tests.helpers import AuthActions, create_user  # noqa: F401  (re-exported for tests)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def _sqlalchemy_url(url: str) -> str:
    from config import _database_url

    return _database_url(url)


def pytest_configure(config: pytest.Config) -> None:
    from ehc_tracker.services.passwords import use_cheapest_hashing_for_tests

    use_cheapest_hashing_for_tests()


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


def _worker_database_url(url: str) -> str:
    """Under pytest-xdist each worker has a database of its own (`test_gw0`, `test_gw1`, ...),
    created on first use; without workers, the database TEST_DATABASE_URL names."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _commit_without_waiting(url: str) -> None:
    """New sessions on the test database do not wait for the WAL to reach the disk at each commit:
    a crash could only lose a test run. (Commits stay atomic and visible at once.)"""
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per run (per worker); return the URL (PostgreSQL) or the migrated file's path (SQLite)."""
    if TEST_DATABASE_URL:
        url = _worker_database_url(_sqlalchemy_url(TEST_DATABASE_URL))
        reset_postgres_schema(url)
        _commit_without_waiting(url)
        _migrate(url)
        return url
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return str(path)


class _Emptier:
    """Empties every table after a PostgreSQL test and restarts the id sequences, in one round trip.

    DELETE with triggers off (the session runs as a replica, so the audit log's append-only
    triggers and the foreign-key checks stay quiet) takes a few milliseconds on a test's handful of
    rows; TRUNCATE of every table took about half a second, most of the PostgreSQL run's time.
    A server that refuses the replica role (a user who is not a superuser) gets TRUNCATE instead.
    """

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with self.engine.connect() as connection:
            tables = (
                connection.execute(
                    sa.text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                    )
                )
                .scalars()
                .all()
            )
        self.truncate = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE" if tables else ""
        self.delete = (
            "SET LOCAL session_replication_role = replica;"
            + "".join(f"DELETE FROM {table};" for table in tables)
            + "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'S' AND n.nspname = 'public';"
        )
        self.use_delete = True

    def empty(self) -> None:
        if not self.truncate:
            return
        if self.use_delete:
            try:
                with self.engine.begin() as connection:
                    connection.exec_driver_sql(self.delete)
                return
            except sa.exc.DBAPIError:
                self.use_delete = False
        with self.engine.begin() as connection:
            connection.exec_driver_sql(self.truncate)


@pytest.fixture(scope="session")
def _emptier(database_template: str) -> Iterator[_Emptier | None]:
    if not TEST_DATABASE_URL:
        yield None
        return
    emptier = _Emptier(database_template)
    yield emptier
    emptier.engine.dispose()


class _SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole run: every test builds its own app, and compiling
    the templates again for each one took most of a page test's time."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()


def _sqlite_without_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


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


@pytest.fixture(scope="session")
def _database_url(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database every test of this worker uses: PostgreSQL's (emptied after each test), or one
    SQLite file that a fresh copy of the migrated template replaces before each test."""
    if TEST_DATABASE_URL:
        return database_template
    return f"sqlite:///{tmp_path_factory.mktemp('live') / 'test.sqlite3'}"


# The apps built so far in this worker, by their settings: most tests share one. A test module
# that overrides `app_config` gets an app of its own settings, built once and kept (a few at most).
_APPS: OrderedDict[str, Any] = OrderedDict()
_MAX_APPS = 8


def _build_app(settings: dict[str, Any]) -> Any:
    from ehc_tracker import create_app
    from ehc_tracker.extensions import db

    app = create_app(settings)
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # A test's database is a throwaway copy: no need to wait for the disk on every commit.
            sa.event.listen(db.engine, "connect", _sqlite_without_sync)
    return app


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    database_template: str,
    _database_url: str,
    _emptier: _Emptier | None,
    app_config: dict[str, Any],
    local_documents_dir: str,
) -> Iterator[Any]:
    """The application, with an empty migrated database.

    One app serves every test of the worker that has the same settings. Whatever a test changes
    on it is put back afterwards: its settings (`app.config`) and the extensions' state (the
    memory mailbox, for one); its database connections are closed. A test that adds routes or
    hooks asks for an app of its own with `@pytest.mark.fresh_app`.
    """
    from ehc_tracker.extensions import db

    if not TEST_DATABASE_URL:
        shutil.copyfile(database_template, sa.engine.make_url(_database_url).database or "")
    # Documents go to a folder of the run's, never the repository's instance folder.
    settings = {
        "SQLALCHEMY_DATABASE_URI": _database_url,
        "WTF_CSRF_ENABLED": False,
        "DOCUMENT_LOCAL_DIR": local_documents_dir,
    }
    settings.update(app_config)
    if request.node.get_closest_marker("fresh_app"):
        app = _build_app(settings)
    else:
        key = repr(sorted(settings.items(), key=lambda item: item[0]))
        app = _APPS.pop(key, None) or _build_app(settings)
        _APPS[key] = app
        while len(_APPS) > _MAX_APPS:
            _APPS.popitem(last=False)
    config, extensions = dict(app.config), dict(app.extensions)
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)
        if _emptier is not None:
            _emptier.empty()


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
