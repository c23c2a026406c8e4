"""EHC Tracker benchmark: page and job timings at the size of the largest English authority.

    .venv/bin/python -m bench.run --database-url postgresql://postgres@127.0.0.1:5432/ehc_bench

builds (once) the large data set in that database, then measures, for each page managers and
coordinators open every day and for recording a review step, the median and 95th percentile of
the whole request (in process, through the WSGI app) and of the bare SQL that request ran,
replayed directly on the database connection, with the ratio of the two; the daily alert job
over the whole data set (a real run with --no-send, the same day again, and a dry run, each in
its own process, with time and peak memory); and, unless --no-concurrent, the throughput and
error count of a mix of coordinator and manager traffic against gunicorn with several workers,
driven by wrk. The report is written to BENCHMARKS.md (or --out), followed by bench/NOTES.md.
"""

from __future__ import annotations

import argparse
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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo-password-2026"

# Targets from the scale issue (PostgreSQL, this 2-core machine, large profile).
TARGETS = {
    "list_p95_ms": 100.0,
    "dashboard_p95_ms": 500.0,
    "list_ratio": 3.0,
    "alert_job_s": 60.0,
    "alert_job_mb": 500.0,
    "throughput_rps": 100.0,
}


@dataclass
class Scenario:
    name: str
    role: str  # "coordinator" or "manager"
    kind: str  # "list", "page", "dashboard", "action", "export"
    request: Callable[[Any, dict[str, Any]], Any]  # (client, context) -> response


@dataclass
class Result:
    name: str
    kind: str
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


def _url(database_url: str) -> str:
    sys.path.insert(0, str(ROOT))
    from config import _database_url

    return _database_url(database_url)


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


def scenarios(app: Any) -> list[Scenario]:
    rules = {r.endpoint for r in app.url_map.iter_rules()}
    found = [
        Scenario("Sign-in page", "anonymous", "page", lambda c, x: c.get("/sign-in")),
        Scenario("Coordinator's caseload", "coordinator", "list", lambda c, x: c.get("/cases/")),
        Scenario("Case page", "coordinator", "page", lambda c, x: c.get(f"/cases/{x['case_id']}")),
        Scenario(
            "Record a review step (meeting scheduled or invitations sent)", "coordinator", "action", _record_next_step
        ),
    ]
    if "reports.overdue" in rules:
        found += [
            Scenario("Team's overdue list, first page", "manager", "list", lambda c, x: c.get("/reports/overdue")),
            Scenario(
                "Team's overdue list, last page",
                "manager",
                "list",
                lambda c, x: c.get(f"/reports/overdue?page={x['overdue_last_page']}"),
            ),
        ]
    if "reports.dashboard" in rules:
        found.append(Scenario("Compliance dashboard", "manager", "dashboard", lambda c, x: c.get("/reports/dashboard")))
    if "reports.overdue_export" in rules:
        found.append(
            Scenario(
                "CSV export of all overdue items",
                "manager",
                "export",
                lambda c, x: c.get("/reports/overdue/export?format=csv"),
            )
        )
    return found


def measure(app: Any, ctx: dict[str, Any], scenario: Scenario, requests: int) -> Result:
    from ehc_tracker.extensions import db

    result = Result(scenario.name, scenario.kind)
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


def concurrent(
    database_url: str, ctx: dict[str, Any], app: Any, seconds: int, workers: int, log: Callable[[str], None]
) -> dict[str, Any] | None:
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk): the concurrent run is skipped")
        return None
    gunicorn = Path(sys.executable).with_name("gunicorn")
    port = _free_port()
    secret = os.urandom(24).hex()
    env = dict(
        os.environ,
        EHC_ENV="production",
        SECRET_KEY=secret,
        DATABASE_URL=database_url,
        SESSION_COOKIE_SECURE="false",
        LOGIN_MAX_FAILURES="10000",
        LOGIN_MAX_FAILURES_PER_ADDRESS="10000",
    )
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import http.cookiejar
        import urllib.parse
        import urllib.request

        base = f"http://127.0.0.1:{port}"
        # The master binds the port at once; the workers answer once they have booted.
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not answer /healthz within a minute")

        def cookie_for(email: str) -> str:
            """Sign in as a browser would (CSRF token from the form) and return the session cookie."""
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            form = opener.open(base + "/sign-in", timeout=30).read().decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
            if token is None:
                raise RuntimeError("the sign-in form has no CSRF token")
            data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)}).encode()
            landed = opener.open(base + "/sign-in", data=data, timeout=30)
            if landed.geturl().endswith("/sign-in"):
                raise RuntimeError(f"could not sign in as {email} on gunicorn")
            return "; ".join(f"{c.name}={c.value}" for c in jar)

        rules = {r.endpoint for r in app.url_map.iter_rules()}
        coordinator_paths = ["/", "/cases/", f"/cases/{ctx['case_id']}"]
        manager_paths = ["/", "/cases/?coordinator_id="]
        if "reports.overdue" in rules:
            coordinator_paths.append("/reports/overdue")
            manager_paths += ["/reports/overdue", "/reports/overdue?page=2"]
        if "reports.dashboard" in rules:
            manager_paths.append("/reports/dashboard")
        script = Path(tempfile.mkdtemp()) / "mix.lua"
        script.write_text(WRK_SCRIPT)
        command = [
            "wrk",
            "-t4",
            "-c16",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            base,
            "--",
            cookie_for(ctx["coordinator"]),
            cookie_for(ctx["manager"]),
            ",".join(coordinator_paths),
            ",".join(manager_paths),
        ]
        log("concurrent run: " + " ".join(command[:6]))
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors = re.search(r"Socket errors: (.*)", out)
        latency = {p: m for p, m in re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", out)}
        return {
            "rps": rps,
            "requests": total,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else "none",
            "latency": latency,
            "workers": workers,
            "seconds": seconds,
            "coordinator_paths": coordinator_paths,
            "manager_paths": manager_paths,
        }
    finally:
        server.terminate()
        server.wait(timeout=20)


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


def report(
    path: Path,
    info: dict[str, Any],
    results: list[Result],
    job: dict[str, Any] | None,
    conc: dict[str, Any] | None,
    args: Any,
) -> str:
    m = machine()
    lines = [
        "# Benchmarks",
        "",
        f"Run on {datetime.now().strftime('%Y-%m-%d %H:%M')} with `python -m bench.run` "
        f"({args.requests} requests a page after warm-up).",
        "",
        f"- Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory']} memory, Python {m['python']}, {m['os']}",
        f"- Database: {info['dialect']} {info['server_version']}",
        "- Data: " + ", ".join(f"{k} {v:,}" for k, v in info["counts"].items()),
    ]
    if "generate_s" in info:
        lines.append(f"- Generating the data set took {info['generate_s']:.0f} s")
    if "people" in info:
        lines.append(f"- Measured as {info['people']}")
    lines += [
        "",
        "## Pages",
        "",
        "Whole request through the WSGI app in one process (no network), and the bare SQL that request ran, "
        "replayed directly on a database connection.",
        "",
        "| page | median ms | p95 ms | SQL median ms | page/SQL | queries | target | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if not r.page_ms:
            lines.append(f"| {r.name} | – | – | – | – | – | – | not measured: no case left to record it on |")
            continue
        if r.kind == "list":
            target = f"p95 ≤ {TARGETS['list_p95_ms']:.0f} ms, ratio ≤ {TARGETS['list_ratio']:.0f}"
            ok = r.p95 <= TARGETS["list_p95_ms"] and r.ratio <= TARGETS["list_ratio"]
        elif r.kind == "page" and r.name != "Sign-in page":
            target, ok = f"p95 ≤ {TARGETS['list_p95_ms']:.0f} ms", r.p95 <= TARGETS["list_p95_ms"]
        elif r.kind == "dashboard":
            target, ok = f"p95 ≤ {TARGETS['dashboard_p95_ms']:.0f} ms", r.p95 <= TARGETS["dashboard_p95_ms"]
        else:
            target, ok = "–", True
        sql = f"{r.sql_median:.1f}" if r.sql_ms and r.queries else "–"
        ratio = f"{r.ratio:.1f}" if r.sql_ms and r.queries else "–"
        lines.append(
            f"| {r.name} | {r.median:.1f} | {r.p95:.1f} | {sql} | {ratio} | {r.queries} | {target} | {verdict(ok) if target != '–' else '–'} |"
        )
    lines += ["", "## Daily alert job", ""]
    if job:
        ok = job["seconds"] <= TARGETS["alert_job_s"] and job["peak_mb"] <= TARGETS["alert_job_mb"]
        lines.append(
            f"The job for today over the whole data set, recording every alert in the ledger and queueing the digests "
            f"(`flask alerts run --no-send`): {job['seconds']:.1f} s, peak memory {job['peak_mb']:.0f} MB "
            f"(targets ≤ {TARGETS['alert_job_s']:.0f} s, ≤ {TARGETS['alert_job_mb']:.0f} MB): {verdict(ok)}."
        )
        if job["output"]:
            lines.append(f"It reported: {job['output'][0]}")
        lines.append("")
        lines.append(
            f"Run again for the same day (nothing new to record or send): {job['repeat_seconds']:.1f} s"
            + (f"; it reported: {job['repeat_output'][0]}" if job["repeat_output"] else "")
            + "."
        )
        lines.append(
            f"As a dry run (`--dry-run`, writes nothing): {job['dry_seconds']:.1f} s, peak memory {job['dry_peak_mb']:.0f} MB."
        )
    else:
        lines.append("Not measured (--no-alert-job).")
    lines += ["", "## Concurrent traffic", ""]
    if conc and "failed" in conc:
        lines.append(
            f"The run failed: {conc['failed']}. Target ≥ {TARGETS['throughput_rps']:.0f} requests/s with no errors: {verdict(False)}."
        )
    elif conc:
        ok = conc["rps"] >= TARGETS["throughput_rps"] and conc["non_2xx"] == 0
        lines.append(
            f"gunicorn with {conc['workers']} workers, wrk with 4 threads and 16 connections for {conc['seconds']} s, "
            f"half as a coordinator ({', '.join(conc['coordinator_paths'])}) and half as a manager "
            f"({', '.join(conc['manager_paths'])})."
        )
        lines.append("")
        lines.append(
            f"{conc['rps']:.0f} requests/s ({conc['requests']:,} requests), non-2xx/3xx responses: {conc['non_2xx']}, "
            f"socket errors: {conc['socket_errors']}; latency p50 {conc['latency'].get('50', '?')}, p90 {conc['latency'].get('90', '?')}, "
            f"p99 {conc['latency'].get('99', '?')}. Target ≥ {TARGETS['throughput_rps']:.0f} requests/s with no errors: {verdict(ok)}."
        )
    else:
        lines.append("Not run (--no-concurrent, or wrk missing).")
    text = "\n".join(lines) + "\n"
    text += _kept_sections(path)
    if args.notes and Path(args.notes).exists():
        text += "\n" + Path(args.notes).read_text()
    path.write_text(text)
    return text


def _kept_sections(path: Path) -> str:
    """Sections other benchmarks write into the same report between their own markers (the
    moving-in benchmark, bench/importing.py): kept when this report is written again."""
    if not path.exists():
        return ""
    marked = re.finditer(r"<!-- ([a-z-]+):start -->.*?<!-- \1:end -->\n?", path.read_text(), flags=re.S)
    return "".join("\n" + m.group(0) for m in marked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ehc_bench"),
        help="database to fill and measure (created if missing on PostgreSQL; default %(default)s)",
    )
    parser.add_argument(
        "--children", type=int, default=30_000, help="children in the generated data set (default %(default)s)"
    )
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default %(default)s)")
    parser.add_argument(
        "--concurrent-seconds", type=int, default=30, help="length of the wrk run (default %(default)s)"
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

    def log(message: str) -> None:
        print(f"[bench] {message}", flush=True)

    url = _url(args.database_url)
    if url.startswith("postgresql"):
        target = sa.engine.make_url(url)
        admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            if not connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).scalar():
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
    app = make_app(url)
    info = prepare(app, args.children, log)
    ctx = context_for(app)
    info["people"] = (
        f"the busiest coordinator ({ctx['coordinator']}) and a manager of their team ({ctx['manager']}), "
        f"whose overdue and due-soon list holds {ctx['overdue_listed']:,} items (last page {ctx['overdue_last_page']})"
    )
    results = []
    for scenario in scenarios(app):
        log(f"measuring {scenario.name}")
        results.append(measure(app, ctx, scenario, args.requests))
    job = None if args.no_alert_job else alert_job(args.database_url, log)
    conc = None
    if not args.no_concurrent:
        try:
            conc = concurrent(args.database_url, ctx, app, args.concurrent_seconds, args.workers, log)
        except Exception as exc:  # noqa: BLE001 - the report says what failed rather than losing the rest
            log(f"the concurrent run failed: {exc}")
            conc = {"failed": f"{type(exc).__name__}: {exc}"}
    text = report(Path(args.out), info, results, job, conc, args)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
