"""EHC Tracker benchmark: page and job timings at two sizes of authority, beside the framework floor.

    .venv/bin/python -m bench.run --database-url postgresql://postgres@127.0.0.1:5432/ehc_bench

measures each size of --sizes (10,000 and 30,000 children unless told) in a database of its own,
named after --database-url and the size (ehc_bench_10000, ehc_bench_30000; on SQLite a file per
size), building the large data set there the first time. At each size it measures, for each page
managers and coordinators open every day and for recording a review step, the median and 95th
percentile of the whole request (in process, through the WSGI app) and of the bare SQL that
request ran, replayed directly on the database connection, with the ratio of the two; the daily
alert job over the whole data set (a real run with --no-send, the same day again, and a dry run,
each in its own process, with time and peak memory); and, unless --no-concurrent, a mix of
coordinator and manager traffic against gunicorn with several workers, driven by wrk, beside the
floor: /healthz on the same server with the same wrk settings in the same run. The report, with a
column per size, is written to BENCHMARKS.md (or --out), followed by bench/NOTES.md and then
the sections other benchmarks keep in that file (moving in), each once.
"""

from __future__ import annotations

import argparse
import http.cookies
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo-password-2026"
SIGN_IN = "Sign-in page"

# Targets from the scale issue (PostgreSQL, this 2-core machine). Every page a person opens
# (the dashboard included) has the same p95 target; the concurrent mix is judged both in
# requests a second on this machine and as a share of the /healthz floor measured beside it,
# the figure that travels between machines.
TARGETS = {
    "page_p95_ms": 100.0,
    "list_ratio": 3.0,
    "alert_job_s": 60.0,
    "alert_job_mb": 500.0,
    "throughput_rps": 100.0,
    "floor_share": 0.10,
}
DEFAULT_SIZES = "10000,30000"


@dataclass
class Scenario:
    name: str
    role: str  # "anonymous", "coordinator" or "manager"
    kind: str  # "list", "page", "dashboard", "action", "export"
    request: Callable[[Any, dict[str, Any]], Any]  # (client, context) -> response
    # The path, for the pages the concurrent run requests too (the mix); None for the others.
    mix_path: Callable[[dict[str, Any]], str] | None = None


@dataclass
class Result:
    name: str
    kind: str
    in_mix: bool = False
    page_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0

    @staticmethod
    def pct(values: list[float], p: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
        return ordered[k]

    @property
    def median(self) -> float:
        return statistics.median(self.page_ms) if self.page_ms else float("nan")

    @property
    def p95(self) -> float:
        return self.pct(self.page_ms, 95)

    @property
    def sql_median(self) -> float:
        return statistics.median(self.sql_ms) if self.sql_ms else float("nan")

    @property
    def ratio(self) -> float:
        return self.median / self.sql_median if self.sql_ms and self.sql_median > 0 else float("nan")

    def target(self) -> tuple[str, bool] | None:
        """The target this page is held to and whether it was met (None: no target)."""
        if not self.page_ms or self.kind not in ("list", "page", "dashboard") or self.name == SIGN_IN:
            return None
        p95 = TARGETS["page_p95_ms"]
        if self.kind == "list":
            ratio = TARGETS["list_ratio"]
            return f"p95 ≤ {p95:.0f} ms, ratio ≤ {ratio:.0f}", self.p95 <= p95 and self.ratio <= ratio
        return f"p95 ≤ {p95:.0f} ms", self.p95 <= p95


@dataclass
class SizeRun:
    """Everything measured at one size of authority."""

    children: int
    database_url: str
    info: dict[str, Any]
    results: list[Result]
    job: dict[str, Any] | None = None
    conc: dict[str, Any] | None = None


def _url(database_url: str) -> str:
    sys.path.insert(0, str(ROOT))
    from config import _database_url

    return _database_url(database_url)


def url_for_size(database_url: str, children: int) -> str:
    """The database of one size, named after --database-url: ehc_bench -> ehc_bench_10000 on a
    server, bench.sqlite3 -> bench_10000.sqlite3 beside it on SQLite."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("the benchmark needs a SQLite file, not an in-memory database")
        path = Path(url.database)
        return url.set(database=str(path.with_name(f"{path.stem}_{children}{path.suffix}"))).render_as_string(
            hide_password=False
        )
    return url.set(database=f"{url.database}_{children}").render_as_string(hide_password=False)


def ensure_database(database_url: str) -> None:
    """Create the database on its PostgreSQL server if it is missing (through the server's
    maintenance database); SQLite makes its file itself."""
    target = sa.engine.make_url(database_url)
    if target.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).scalar()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def parse_sizes(text: str) -> list[int]:
    """ "10000,30000" -> [10000, 30000] (in the order given, each once)."""
    sizes: list[int] = []
    for part in text.split(","):
        if not part.strip():
            continue
        size = int(part.strip().replace("_", ""))
        if size < 1:
            raise ValueError(f"a size must be at least one child, not {size}")
        if size not in sizes:
            sizes.append(size)
    if not sizes:
        raise ValueError("no size given")
    return sizes


def make_app(database_url: str) -> Any:
    sys.path.insert(0, str(ROOT))
    from ehc_tracker import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "LOGIN_MAX_FAILURES": 10_000,
            "LOGIN_MAX_FAILURES_PER_ADDRESS": 10_000,
            "IDLE_TIMEOUT_MINUTES": 600,
        }
    )


def prepare(app: Any, children: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Migrate and, if the database has no children yet, generate the data set (timed)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from ehc_tracker.demo import seed_teams_and_users
    from ehc_tracker.demo.large import generate
    from ehc_tracker.extensions import db
    from ehc_tracker.models import Child
    from ehc_tracker.services.clock import today

    info: dict[str, Any] = {}
    with app.app_context():
        upgrade()
        existing = db.session.scalar(select(func.count(Child.id))) or 0
        if existing == 0:
            seed_teams_and_users()
            db.session.commit()
            log(f"generating {children:,} children ...")
            started = time.perf_counter()
            info["counts"] = generate(children=children, today=today(), progress=None)
            info["generate_s"] = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        else:
            from ehc_tracker.demo.large import TABLE_ORDER

            info["counts"] = {m.__tablename__: db.session.scalar(select(func.count(m.id))) for m in TABLE_ORDER}
            log(f"using the existing data set ({existing:,} children)")
        info["dialect"] = db.engine.dialect.name
        with db.engine.connect() as connection:
            info["server_version"] = (
                connection.execute(sa.text("SHOW server_version")).scalar()
                if info["dialect"] == "postgresql"
                else connection.execute(sa.text("select sqlite_version()")).scalar()
            )
        db.session.remove()
    return info


class QueryRecorder:
    """Collects the SQL statements (and parameters) a request runs."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any, bool]] = []
        self.active = False
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if self.active:
            self.statements.append((statement, parameters, executemany))

    def replay_ms(self) -> float:
        """Run the recorded statements again, directly on a DBAPI cursor, in a transaction that is rolled back."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            started = time.perf_counter()
            for statement, parameters, many in self.statements:
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            raw.rollback()
            return elapsed
        finally:
            raw.close()


def sign_in(client: Any, email: str) -> None:
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {response.status_code}")


def context_for(app: Any) -> dict[str, Any]:
    """The busiest coordinator, a manager of their team, and ids the scenarios need."""
    from sqlalchemy import func, select

    from ehc_tracker.extensions import db
    from ehc_tracker.models import Case, Role, User
    from ehc_tracker.models.case import CaseStatus, CaseType, EventType

    with app.app_context():
        coordinator_id, _ = db.session.execute(
            select(Case.coordinator_id, func.count(Case.id))
            .where(Case.status == CaseStatus.OPEN)
            .group_by(Case.coordinator_id)
            .order_by(func.count(Case.id).desc())
            .limit(1)
        ).one()
        coordinator = db.session.get(User, coordinator_id)
        team = coordinator.teams[0]
        manager = next(u for u in team.members if u.role is Role.MANAGER)
        open_reviews = list(
            db.session.scalars(
                select(Case.id)
                .where(
                    Case.coordinator_id == coordinator.id,
                    Case.status == CaseStatus.OPEN,
                    Case.case_type == CaseType.ANNUAL_REVIEW,
                )
                .order_by(Case.id)
            )
        )
        case_id = open_reviews[0]
        # The action benchmarked is the next early step of one of their open reviews: a
        # meeting scheduled where none is, or the invitations sent where the meeting is set.
        from ehc_tracker.models import CaseEvent

        def having(event_type: EventType) -> set[int]:
            return set(
                db.session.scalars(
                    select(CaseEvent.case_id).where(
                        CaseEvent.case_id.in_(open_reviews), CaseEvent.event_type == event_type
                    )
                )
            )

        scheduled, invited = having(EventType.REVIEW_MEETING_SCHEDULED), having(EventType.INVITATIONS_SENT)
        to_record = [(c, "review_meeting_scheduled") for c in open_reviews if c not in scheduled]
        to_record += [(c, "invitations_sent") for c in open_reviews if c in scheduled and c not in invited]
        # The deep page of the overdue list is its last page, as the manager sees it.
        from ehc_tracker.reports.routes import PER_PAGE
        from ehc_tracker.services import reports as oversight
        from ehc_tracker.services.clock import today

        listed = oversight.page_of_ids(
            oversight.overdue_ids(oversight.scope_for(manager), oversight.OverdueFilters(as_at=today())),
            page=1,
            per_page=1,
        ).total
        ctx = {
            "coordinator": coordinator.email,
            "manager": manager.email,
            "team_id": team.id,
            "case_id": case_id,
            "to_record": to_record,
            "coordinator_id": coordinator.id,
            "overdue_last_page": max(-(-listed // PER_PAGE), 1),
            "overdue_listed": listed,
        }
        db.session.remove()
        return ctx


def _record_next_step(client: Any, ctx: dict[str, Any]) -> Any:
    if not ctx["to_record"]:
        raise RuntimeError("no open review left to record a step on")
    case_id, event_type = ctx["to_record"].pop()
    on = date.today()
    data = {"on": [str(on.day), str(on.month), str(on.year)]}
    if event_type == "review_meeting_scheduled":
        data["meeting_on"] = ["1", "6", str(on.year + 1)]
    else:
        data["advice_circulated_on"] = data["on"]
    return client.post(f"/cases/{case_id}/events/{event_type}", data=data)


def _page(path: Callable[[dict[str, Any]], str]) -> Callable[[Any, dict[str, Any]], Any]:
    return lambda client, ctx: client.get(path(ctx))


def scenarios(app: Any) -> list[Scenario]:
    """The pages measured in process. Those with a mix_path are also the concurrent run's mix:
    a coordinator's home, caseload, case page and overdue list; a manager's home, their team's
    caseload, overdue list (pages 1 and 2) and the dashboard."""
    rules = {r.endpoint for r in app.url_map.iter_rules()}
    has_overdue, has_dashboard = "reports.overdue" in rules, "reports.dashboard" in rules

    def page(name: str, role: str, kind: str, path: Callable[[dict[str, Any]], str], mix: bool = True) -> Scenario:
        return Scenario(name, role, kind, _page(path), path if mix else None)

    found = [
        page(SIGN_IN, "anonymous", "page", lambda x: "/sign-in", mix=False),
        page("Coordinator's home page", "coordinator", "page", lambda x: "/"),
        page("Coordinator's caseload", "coordinator", "list", lambda x: "/cases/"),
        page("Case page", "coordinator", "page", lambda x: f"/cases/{x['case_id']}"),
    ]
    if has_overdue:
        found.append(page("Coordinator's overdue list", "coordinator", "list", lambda x: "/reports/overdue"))
    found += [
        Scenario(
            "Record a review step (meeting scheduled or invitations sent)", "coordinator", "action", _record_next_step
        ),
        page("Manager's home page", "manager", "page", lambda x: "/"),
        page("Team's caseload", "manager", "list", lambda x: "/cases/?coordinator_id="),
    ]
    if has_overdue:
        found += [
            page("Team's overdue list, first page", "manager", "list", lambda x: "/reports/overdue"),
            page("Team's overdue list, page 2", "manager", "list", lambda x: "/reports/overdue?page=2"),
            page(
                "Team's overdue list, last page",
                "manager",
                "list",
                lambda x: f"/reports/overdue?page={x['overdue_last_page']}",
                mix=False,
            ),
        ]
    if has_dashboard:
        found.append(page("Compliance dashboard", "manager", "dashboard", lambda x: "/reports/dashboard"))
    if "reports.overdue_export" in rules:
        found.append(
            page(
                "CSV export of all overdue items",
                "manager",
                "export",
                lambda x: "/reports/overdue/export?format=csv",
                mix=False,
            )
        )
    return found


def measure(app: Any, ctx: dict[str, Any], scenario: Scenario, requests: int) -> Result:
    from ehc_tracker.extensions import db

    result = Result(scenario.name, scenario.kind, in_mix=scenario.mix_path is not None)
    client = app.test_client()
    if scenario.role != "anonymous":
        sign_in(client, ctx[scenario.role])
    with app.app_context():
        recorder = QueryRecorder(db.engine)
    warmup = 2 if scenario.kind != "export" else 1
    runs = requests if scenario.kind != "export" else max(3, requests // 10)
    if scenario.kind == "action":
        # Each run records a step on a different review; a small data set may have few left.
        available = len(ctx["to_record"])
        warmup = min(warmup, available - 1)
        runs = min(runs, available - warmup)
        if warmup < 0 or runs < 1:
            return result
    for n in range(warmup + runs):
        recorder.statements.clear()
        recorder.active = True
        started = time.perf_counter()
        response = scenario.request(client, ctx)
        body = response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        recorder.active = False
        result.status = response.status_code
        if scenario.kind == "action" and response.status_code != 302:
            # A refused form comes back as the page again (200): that is not a recorded step.
            raise RuntimeError(f"{scenario.name}: not recorded (HTTP {response.status_code}): {body[:300]!r}")
        if response.status_code >= 400:
            raise RuntimeError(f"{scenario.name}: HTTP {response.status_code}: {body[:300]!r}")
        if n >= warmup:
            result.page_ms.append(elapsed)
            statements = [
                s for s in recorder.statements if not s[0].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            ]
            result.queries = len(recorder.statements)
            if scenario.kind != "action":
                recorder.statements = statements
                result.sql_ms.append(recorder.replay_ms())
    sa.event.remove(recorder.engine, "before_cursor_execute", recorder._record)
    return result


_MEASURE_CHILD = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "print(done.returncode, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])"
)


def _measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command in a fresh wrapper process: (seconds, peak resident MB of that command, output)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE_CHILD, *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    code, seconds, peak_kb = done.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return float(seconds), int(peak_kb) / 1024, done.stderr


def _forget_run(database_url: str, for_on: date) -> None:
    """Delete what a measured run wrote for that day, so that the next benchmark measures the same work."""
    engine = sa.create_engine(_url(database_url))
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM outbox_messages WHERE for_on = :d"), {"d": for_on})
        connection.execute(sa.text("DELETE FROM alerts WHERE for_on = :d"), {"d": for_on})
        connection.execute(sa.text("DELETE FROM job_runs WHERE for_on = :d"), {"d": for_on})
    engine.dispose()


def alert_job(database_url: str, log: Callable[[str], None]) -> dict[str, Any] | None:
    """Time the daily alert job over the whole data set, each run in its own process.

    The real run records every alert in the ledger and queues one digest per person (with
    --no-send, so no email leaves the machine); the dry run works out the same without writing.
    """
    env = dict(os.environ, EHC_ENV="development", DATABASE_URL=database_url, MAIL_BACKEND="console")
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "alerts", "run"]
    probe = subprocess.run([*flask, "--help"], cwd=ROOT, env=env, capture_output=True, text=True)
    if probe.returncode != 0:
        log("no 'flask alerts run' command: the alert job is not measured")
        return None
    day = date.today()
    _forget_run(database_url, day)
    log("the daily alert job (recording and queueing, nothing sent)")
    seconds, peak_mb, output = _measured([*flask, "--date", day.isoformat(), "--no-send"], env)
    log("the same job again, for the same day (nothing new to do)")
    again_s, _, again_out = _measured([*flask, "--date", day.isoformat(), "--no-send"], env)
    _forget_run(database_url, day)
    log("the daily alert job as a dry run")
    dry_s, dry_mb, _ = _measured([*flask, "--date", day.isoformat(), "--dry-run"], env)
    summary = [line.strip() for line in output.strip().splitlines() if line.strip()][-1:]
    return {
        "seconds": seconds,
        "peak_mb": peak_mb,
        "output": summary,
        "repeat_seconds": again_s,
        "repeat_output": [line.strip() for line in again_out.strip().splitlines() if line.strip()][-1:],
        "dry_seconds": dry_s,
        "dry_peak_mb": dry_mb,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


WRK_SCRIPT = r"""
-- A mix of coordinator and manager traffic: each thread signs in as one of them (cookie
-- passed in), then cycles through that person's everyday pages.
local paths = {}
local cookies = {}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("who", n % 2)
end
function init(args)
  coordinator_cookie = args[1]
  manager_cookie = args[2]
  coordinator_paths = {}
  for p in string.gmatch(args[3], "[^,]+") do table.insert(coordinator_paths, p) end
  manager_paths = {}
  for p in string.gmatch(args[4], "[^,]+") do table.insert(manager_paths, p) end
  i = 0
end
function request()
  i = i + 1
  local list, cookie
  if who == 1 then list, cookie = coordinator_paths, coordinator_cookie else list, cookie = manager_paths, manager_cookie end
  local path = list[(i % #list) + 1]
  return wrk.format("GET", path, {["Cookie"] = cookie})
end
"""


WRK_THREADS, WRK_CONNECTIONS = 4, 16


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _session_cookie(base: str, email: str) -> str:
    """Sign in as a browser would (CSRF token from the form) and return the Cookie header that
    carries the session; the cookies are kept by hand, Secure or not."""
    opener = urllib.request.build_opener(_NoRedirect)
    cookies: dict[str, str] = {}

    def call(path: str, data: bytes | None = None) -> tuple[int, str, str]:
        request = urllib.request.Request(base + path, data=data)
        if cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as exc:  # a redirect not followed arrives as an "error"
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), response.read().decode()

    _, _, form = call("/sign-in")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if token is None:
        raise RuntimeError("the sign-in form has no CSRF token")
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)}).encode()
    status, location, _ = call("/sign-in", data)
    if status != 302 or location.rstrip("/").endswith("/sign-in"):
        raise RuntimeError(f"could not sign in as {email} on gunicorn (HTTP {status})")
    status, location, _ = call("/")
    if status != 200:
        raise RuntimeError(f"signed in as {email}, but the home page answered HTTP {status} {location}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def parse_wrk(out: str) -> dict[str, Any]:
    """Requests a second, requests, errors and latency percentiles from wrk's --latency output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if rps is None or total is None:
        raise RuntimeError(f"wrk printed no figures: {out[-500:]!r}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    socket_errors = errors.group(1).strip() if errors else "none"
    return {
        "rps": float(rps.group(1)),
        "requests": int(total.group(1)),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors,
        # "connect 0, read 0, write 0, timeout 12" -> 12
        "errors": (int(non2xx.group(1)) if non2xx else 0) + sum(int(n) for n in re.findall(r"\d+", socket_errors)),
        "latency": dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, flags=re.M)),
    }


def concurrent(
    database_url: str, ctx: dict[str, Any], app: Any, seconds: int, workers: int, log: Callable[[str], None]
) -> dict[str, Any] | None:
    """The /healthz floor, then the mix, on one gunicorn server with the same wrk settings."""
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install -y wrk): the concurrent run is skipped")
        return None
    gunicorn = Path(sys.executable).with_name("gunicorn")
    port = _free_port()
    secret = os.urandom(24).hex()
    # Production settings as deployed. Its session cookie is marked Secure (HTTPS only, as behind
    # the TLS proxy); the server does not look at the scheme, so the cookie is carried by hand
    # over plain HTTP here, and wrk sends it as a header.
    env = dict(
        os.environ,
        EHC_ENV="production",
        SECRET_KEY=secret,
        DATABASE_URL=database_url,
        LOGIN_MAX_FAILURES="10000",
        LOGIN_MAX_FAILURES_PER_ADDRESS="10000",
    )
    env.pop("SESSION_COOKIE_SECURE", None)
    scratch = Path(tempfile.mkdtemp())
    server_log = scratch / "gunicorn.log"
    with server_log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(gunicorn),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        # The master binds the port at once; the workers answer once they have booted.
        for _ in range(120):
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {server_log.read_text()[-1000:]}")
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not answer /healthz within a minute")
        mix = [s for s in scenarios(app) if s.mix_path is not None]
        coordinator_paths = [s.mix_path(ctx) for s in mix if s.role == "coordinator" and s.mix_path]
        manager_paths = [s.mix_path(ctx) for s in mix if s.role == "manager" and s.mix_path]
        script = scratch / "mix.lua"
        script.write_text(WRK_SCRIPT)
        cookies = [_session_cookie(base, ctx["coordinator"]), _session_cookie(base, ctx["manager"])]

        def wrk(coordinator: list[str], manager: list[str]) -> dict[str, Any]:
            # The floor and the mix go through the same script, threads, connections and length:
            # only the paths differ.
            command = [
                "wrk",
                f"-t{WRK_THREADS}",
                f"-c{WRK_CONNECTIONS}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(script),
                base,
                "--",
                *cookies,
                ",".join(coordinator),
                ",".join(manager),
            ]
            log("concurrent run: " + " ".join(command[:6]) + f" ({', '.join(dict.fromkeys(coordinator + manager))})")
            return parse_wrk(subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout)

        floor = wrk(["/healthz"], ["/healthz"])
        measured = wrk(coordinator_paths, manager_paths)
        return {
            "floor": floor,
            "mix": measured,
            "share": measured["rps"] / floor["rps"] if floor["rps"] > 0 else float("nan"),
            "workers": workers,
            "seconds": seconds,
            "coordinator_paths": coordinator_paths,
            "manager_paths": manager_paths,
        }
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(scratch, ignore_errors=True)


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _concurrent_verdicts(conc: dict[str, Any]) -> tuple[bool, bool]:
    """(the mix reached its requests a second with no errors, the mix reached its share of the floor)"""
    mix = conc["mix"]
    return (
        mix["rps"] >= TARGETS["throughput_rps"] and mix["errors"] == 0,
        conc["share"] >= TARGETS["floor_share"],
    )


def _latency(run: dict[str, Any]) -> str:
    return ", ".join(f"p{p} {run['latency'][p]}" for p in ("50", "75", "90", "99") if p in run["latency"]) or "–"


def _errors(run: dict[str, Any]) -> str:
    return f"{run['non_2xx']} non-2xx/3xx, socket errors: {run['socket_errors']}"


def _summary_table(runs: list[SizeRun], heads: list[str]) -> list[str]:
    rps, share = TARGETS["throughput_rps"], TARGETS["floor_share"]
    lines = [
        _row("measure", "target", *heads),
        _row(*["---"] * (2 + len(runs))),
    ]
    mix_cells, floor_cells, share_cells = [], [], []
    for run in runs:
        conc = run.conc
        if not conc:
            mix_cells.append("not run")
            floor_cells.append("not run")
            share_cells.append("not run")
        elif "failed" in conc:
            mix_cells.append(f"failed: {verdict(False)}")
            floor_cells.append("failed")
            share_cells.append(f"failed: {verdict(False)}")
        else:
            rps_ok, share_ok = _concurrent_verdicts(conc)
            mix_cells.append(f"{conc['mix']['rps']:.0f} ({conc['mix']['errors']} errors): {verdict(rps_ok)}")
            floor_cells.append(f"{conc['floor']['rps']:.0f} ({conc['floor']['errors']} errors)")
            share_cells.append(f"{conc['share']:.1%}: {verdict(share_ok)}")
    lines.append(_row("Concurrent mix, requests/s", f"≥ {rps:.0f} with no errors", *mix_cells))
    lines.append(_row("`/healthz` floor, requests/s", "–", *floor_cells))
    lines.append(_row("Mix as a share of the floor", f"≥ {share:.0%}", *share_cells))
    slowest = []
    for run in runs:
        mix = [r for r in run.results if r.in_mix and r.page_ms]
        if not mix:
            slowest.append("not measured")
            continue
        worst = max(mix, key=lambda r: r.p95)
        ok = all(r.p95 <= TARGETS["page_p95_ms"] for r in mix)
        slowest.append(f"{worst.name} {_ms(worst.p95)} ms: {verdict(ok)}")
    lines.append(_row("Slowest page of the mix, p95", f"every page ≤ {TARGETS['page_p95_ms']:.0f} ms", *slowest))
    jobs = []
    for run in runs:
        job = run.job
        if not job:
            jobs.append("not measured")
            continue
        ok = job["seconds"] <= TARGETS["alert_job_s"] and job["peak_mb"] <= TARGETS["alert_job_mb"]
        jobs.append(f"{job['seconds']:.1f} s, {job['peak_mb']:.0f} MB: {verdict(ok)}")
    lines.append(
        _row("Daily alert job", f"≤ {TARGETS['alert_job_s']:.0f} s, ≤ {TARGETS['alert_job_mb']:.0f} MB", *jobs)
    )
    return lines


def _pages_tables(runs: list[SizeRun], heads: list[str]) -> list[str]:
    names = list(dict.fromkeys(r.name for run in runs for r in run.results))
    by_size = [{r.name: r for r in run.results} for run in runs]
    growth = len(runs) > 1
    lines = [
        "## Pages",
        "",
        "Whole request through the WSGI app in one process (no network), 95th percentile, at each size. "
        "The pages marked *mix* are the ones the concurrent run requests."
        + (
            f" The last column is the p95 at {heads[-1]} over the p95 at {heads[0]}: near 1 when a page's "
            "cost grows with the page, not with the authority."
            if growth
            else ""
        ),
        "",
        _row(
            "page",
            "mix",
            "target",
            *[c for head in heads for c in (f"p95 ms, {head}", "result")],
            *(["growth"] if growth else []),
        ),
    ]
    lines.append(_row(*["---"] * (3 + 2 * len(runs) + (1 if growth else 0))))
    for name in names:
        found = [size.get(name) for size in by_size]
        target = next((t[0] for r in found if r is not None and (t := r.target()) is not None), "–")
        cells: list[str] = []
        for r in found:
            if r is None or not r.page_ms:
                cells += ["–", "not measured: no case left to record it on" if r is not None else "–"]
                continue
            judged = r.target()
            cells += [_ms(r.p95), verdict(judged[1]) if judged else "–"]
        in_mix = any(r is not None and r.in_mix for r in found)
        row = [name, "mix" if in_mix else "", target, *cells]
        if growth:
            first, last = found[0], found[-1]
            row.append(
                f"{last.p95 / first.p95:.2f}"
                if first is not None and last is not None and first.page_ms and last.page_ms and first.p95 > 0
                else "–"
            )
        lines.append(_row(*row))
    lines += [
        "",
        "### Page and bare SQL",
        "",
        "Median of the whole request and of the bare SQL that request ran, replayed directly on a database "
        "connection, with their ratio (what Flask, SQLAlchemy's object loading and the templates add) and the "
        "number of queries.",
        "",
        _row("page", *[c for h in heads for c in (f"median ms, {h}", "SQL ms", "page/SQL", "queries")]),
        _row(*["---"] * (1 + 4 * len(runs))),
    ]
    for name in names:
        cells = []
        for size in by_size:
            r = size.get(name)
            if r is None or not r.page_ms:
                cells += ["–", "–", "–", "–"]
                continue
            measured_sql = bool(r.sql_ms and r.queries)
            cells += [
                _ms(r.median),
                _ms(r.sql_median) if measured_sql else "–",
                f"{r.ratio:.1f}" if measured_sql else "–",
                str(r.queries),
            ]
        lines.append(_row(name, *cells))
    return lines


def _job_table(runs: list[SizeRun], heads: list[str]) -> list[str]:
    if not any(run.job for run in runs):
        return ["Not measured (--no-alert-job, or no `flask alerts run` command)."]
    lines = [
        "The job for today over the whole data set, each run in its own process, with its time and peak memory.",
        "",
        _row("run", "target", *heads),
        _row(*["---"] * (2 + len(runs))),
    ]

    def cells(show: Callable[[dict[str, Any]], str]) -> list[str]:
        return [show(run.job) if run.job else "not measured" for run in runs]

    def real(job: dict[str, Any]) -> str:
        ok = job["seconds"] <= TARGETS["alert_job_s"] and job["peak_mb"] <= TARGETS["alert_job_mb"]
        return f"{job['seconds']:.1f} s, {job['peak_mb']:.0f} MB: {verdict(ok)}"

    lines += [
        _row(
            "Recording every alert in the ledger and queueing the digests (`flask alerts run --no-send`)",
            f"≤ {TARGETS['alert_job_s']:.0f} s, ≤ {TARGETS['alert_job_mb']:.0f} MB",
            *cells(real),
        ),
        _row("What it reported", "", *cells(lambda j: j["output"][0] if j["output"] else "–")),
        _row(
            "Run again for the same day (nothing new to record or send)",
            "",
            *cells(
                lambda j: f"{j['repeat_seconds']:.1f} s" + (f": {j['repeat_output'][0]}" if j["repeat_output"] else "")
            ),
        ),
        _row(
            "As a dry run (`--dry-run`, writes nothing)",
            "",
            *cells(lambda j: f"{j['dry_seconds']:.1f} s, {j['dry_peak_mb']:.0f} MB"),
        ),
    ]
    return lines


def _concurrent_table(runs: list[SizeRun], heads: list[str]) -> list[str]:
    done = [run.conc for run in runs if run.conc and "failed" not in run.conc]
    lines: list[str] = []
    for run in runs:
        if run.conc and "failed" in run.conc:
            lines += [f"At {run.children:,} children the run failed: {run.conc['failed']}.", ""]
    if not done:
        return lines or ["Not run (--no-concurrent, or wrk missing)."]
    first = done[0]
    lines += [
        f"gunicorn with {first['workers']} workers, wrk with {WRK_THREADS} threads and {WRK_CONNECTIONS} connections "
        f"for {first['seconds']} s: first `/healthz` alone (the floor: the framework, gunicorn and one trivial "
        "query), then the mix on the same server with the same settings, half the threads as a coordinator "
        f"({', '.join(first['coordinator_paths'])}) and half as a manager ({', '.join(first['manager_paths'])}).",
        "",
        _row("measure", "target", *heads),
        _row(*["---"] * (2 + len(runs))),
    ]

    def cells(show: Callable[[dict[str, Any]], str]) -> list[str]:
        out = []
        for run in runs:
            if not run.conc:
                out.append("not run")
            elif "failed" in run.conc:
                out.append("failed")
            else:
                out.append(show(run.conc))
        return out

    rps, share = TARGETS["throughput_rps"], TARGETS["floor_share"]
    lines += [
        _row(
            "`/healthz` floor, requests/s",
            "–",
            *cells(lambda c: f"{c['floor']['rps']:.0f} ({c['floor']['requests']:,} requests)"),
        ),
        _row("Floor errors", "–", *cells(lambda c: _errors(c["floor"]))),
        _row("Floor latency", "–", *cells(lambda c: _latency(c["floor"]))),
        _row(
            "Mix, requests/s",
            f"≥ {rps:.0f} with no errors",
            *cells(
                lambda c: (
                    f"{c['mix']['rps']:.0f} ({c['mix']['requests']:,} requests): {verdict(_concurrent_verdicts(c)[0])}"
                )
            ),
        ),
        _row("Mix errors", "none", *cells(lambda c: _errors(c["mix"]))),
        _row("Mix latency", "–", *cells(lambda c: _latency(c["mix"]))),
        _row(
            "Mix as a share of the floor",
            f"≥ {share:.0%}",
            *cells(lambda c: f"{c['share']:.1%}: {verdict(_concurrent_verdicts(c)[1])}"),
        ),
    ]
    return lines


def report(path: Path, runs: list[SizeRun], args: Any) -> str:
    """Write the report, a column per size, then the notes, then the sections other benchmarks keep in the file."""
    m = machine()
    heads = [f"{run.children:,} children" for run in runs]
    first = runs[0].info
    lines = [
        "# Benchmarks",
        "",
        f"Run on {datetime.now().strftime('%Y-%m-%d %H:%M')} with "
        f"`python -m bench.run --sizes {','.join(str(run.children) for run in runs)}` "
        f"({args.requests} requests a page after warm-up), "
        + (
            "at each size of authority in a database of its own."
            if len(runs) > 1
            else f"at one size of authority ({heads[0]})."
        ),
        "",
        f"- Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory']} memory, Python {m['python']}, {m['os']}",
        f"- Database: {first['dialect']} {first['server_version']}",
    ]
    for run in runs:
        lines.append(
            f"- Data at {run.children:,} children: " + ", ".join(f"{k} {v:,}" for k, v in run.info["counts"].items())
        )
    generated = [
        f"{run.info['generate_s']:.0f} s at {run.children:,} children" for run in runs if "generate_s" in run.info
    ]
    if generated:
        lines.append("- Generating the data set took " + "; ".join(generated))
    for run in runs:
        if "people" in run.info:
            lines.append(f"- Measured at {run.children:,} children as {run.info['people']}")
    lines += ["", "## Targets", "", *_summary_table(runs, heads), ""]
    lines += _pages_tables(runs, heads)
    lines += ["", "## Daily alert job", "", *_job_table(runs, heads)]
    lines += ["", "## Concurrent traffic", "", *_concurrent_table(runs, heads)]
    text = "\n".join(lines) + "\n"
    notes = Path(args.notes).read_text() if args.notes and Path(args.notes).exists() else ""
    if notes:
        text += "\n" + notes
    text += _kept_sections(path, notes)
    path.write_text(text)
    return text


MARKED = re.compile(r"^<!-- ([a-z-]+):start -->$.*?^<!-- \1:end -->$\n?", flags=re.S | re.M)


def _kept_sections(path: Path, notes: str = "") -> str:
    """Sections other benchmarks write into the same report between their own markers (the
    moving-in benchmark, bench/importing.py): kept, each once, when this report is written again.
    They go after the notes, where those benchmarks first put them, so that writing the report
    again changes only the figures. A section the notes bring themselves is not kept twice."""
    if not path.exists():
        return ""
    brought = {m.group(1) for m in MARKED.finditer(notes)}
    kept: dict[str, str] = {}
    for m in MARKED.finditer(path.read_text()):
        if m.group(1) not in brought:
            kept[m.group(1)] = m.group(0) if m.group(0).endswith("\n") else m.group(0) + "\n"
    return "".join("\n" + section for section in kept.values())


def run_size(args: Any, children: int, log: Callable[[str], None]) -> SizeRun:
    """Prepare one size's database and measure its pages, the alert job and the concurrent run."""
    url = url_for_size(_url(args.database_url), children)
    log(f"{children:,} children: {sa.engine.make_url(url).render_as_string(hide_password=True)}")
    ensure_database(url)
    app = make_app(url)
    info = prepare(app, children, log)
    ctx = context_for(app)
    info["people"] = (
        f"the busiest coordinator ({ctx['coordinator']}) and a manager of their team ({ctx['manager']}), "
        f"whose overdue and due-soon list holds {ctx['overdue_listed']:,} items (last page {ctx['overdue_last_page']})"
    )
    results = []
    for scenario in scenarios(app):
        log(f"{children:,} children: measuring {scenario.name}")
        results.append(measure(app, ctx, scenario, args.requests))
    run = SizeRun(children, url, info, results)
    run.job = None if args.no_alert_job else alert_job(url, log)
    if not args.no_concurrent:
        try:
            run.conc = concurrent(url, ctx, app, args.concurrent_seconds, args.workers, log)
        except Exception as exc:  # noqa: BLE001 - the report says what failed rather than losing the rest
            log(f"the concurrent run failed: {exc}")
            run.conc = {"failed": f"{type(exc).__name__}: {exc}"}
    from ehc_tracker.extensions import db

    with app.app_context():
        db.engine.dispose()
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ehc_bench"),
        help="the name each size's database is derived from: SIZE is appended to the database's name, or to the "
        "SQLite file's (created if missing on PostgreSQL; default %(default)s)",
    )
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help="children in each authority measured, comma-separated; one column of the report each "
        "(default %(default)s)",
    )
    sizes.add_argument("--children", type=int, help="measure one size only: the same as --sizes N")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default %(default)s)")
    parser.add_argument(
        "--concurrent-seconds",
        type=int,
        default=30,
        help="length of each wrk run, the /healthz floor and the mix (default %(default)s)",
    )
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers for the concurrent run (default %(default)s)"
    )
    parser.add_argument("--no-concurrent", action="store_true", help="skip the gunicorn + wrk run")
    parser.add_argument("--no-alert-job", action="store_true", help="skip the alert job measurement")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="report file (default %(default)s)")
    parser.add_argument(
        "--notes", default=str(ROOT / "bench" / "NOTES.md"), help="text appended to the report (default %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        chosen = [args.children] if args.children else parse_sizes(args.sizes)
    except ValueError as exc:
        parser.error(f"--sizes: {exc}")

    def log(message: str) -> None:
        print(f"[bench] {message}", flush=True)

    runs = [run_size(args, children, log) for children in chosen]
    text = report(Path(args.out), runs, args)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
