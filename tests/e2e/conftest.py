"""Browser tests: the app served on 127.0.0.1, driven in Debian's Chromium through Playwright.

Chromium comes from the system (`apt-get install chromium`); Playwright's own browser
download is not used. Without Chromium these tests are skipped with a clear message, except
under CI (CI=true), where a missing browser is an error. Every page a journey visits is checked
with axe-core (from node_modules, installed by `make install`); serious or critical violations
fail the test. A screenshot of the page is saved in test-artifacts/ when a test fails.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "e2e journeys password"


def browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return f"axe-core not found at {AXE} (make install runs npm ci)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = browser_missing_reason()
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if reason and os.environ.get("CI", "").lower() != "true":
                item.add_marker(pytest.mark.skip(reason=f"Browser tests NOT run: {reason}"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    reason = browser_missing_reason()
    if reason:
        terminalreporter.write_line(f"NOTE: browser end-to-end tests were not run: {reason}.", yellow=True, bold=True)


class LiveServer:
    def __init__(self, app: Any) -> None:
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real server on a fresh migrated SQLite database with teams, staff and some cases."""
    reason = browser_missing_reason()
    if reason:
        pytest.fail(f"Browser tests cannot run: {reason}")
    from flask_migrate import upgrade

    from ehc_tracker import create_app
    from ehc_tracker.extensions import db

    path = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "WTF_CSRF_ENABLED": True,
            "LOGIN_MAX_FAILURES": 50,
            "FAMILY_SIGN_IN_CODE": True,
        }
    )
    with app.app_context():
        upgrade()
        from tests.e2e.data import build

        build(password=PASSWORD)
        db.session.remove()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core; the application's own pages never need it.
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content())
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
