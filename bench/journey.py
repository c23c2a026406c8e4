"""How much a coordinator has to do for the standard 20-week assessment: clicks, keystrokes, fields.

    .venv/bin/python -m bench.journey                 # both ways, report in bench/JOURNEY.md
    .venv/bin/python -m bench.journey --way by-hand   # one way only, report on the terminal

Drives Debian's Chromium (Playwright) through one whole new assessment, from adding the child to
the final plan, with three kinds of advice (educational psychology, health, social care) and a
school consulted, on a fresh SQLite database served in this process. Each step is recorded on the
day it happens: the service's clock is moved to that day before the step, so "today" is what a
coordinator who keeps the case up to date would see.

The same journey is walked two ways:
- "by hand": the way the first release had to be used: open the case from the caseload, press the
  step's button, type every date, ask for each advice in its own form.
- "worklist": the way the pages now allow: a row of the home worklist, or the caseload row's
  "Record" link, straight into the step's form, "Use today's date" instead of typing, all the advice in one form, advice received picked
  from the open requests.

Each step is done on its own day, and each day starts on the home page the person lands on after
signing in. Counted as a person would do it: a click for every button, link, radio or box chosen and one to
put the cursor in a text field; a keystroke for every character typed plus the Tab between the
parts of a date. Signing in is not counted. The figures are counts, not timings, so they are the
same on any machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "journey benchmark password"
EMAIL = "journey.coordinator@example.org"

# The journey's calendar: a request on Monday 5 January 2026, the final plan in week 19.
RECEIVED = date(2026, 1, 5)
STEPS: list[tuple[str, date]] = [
    ("decided_to_assess", date(2026, 2, 9)),
    ("advice_requested", date(2026, 2, 10)),
    ("advice_received:Educational Psychology", date(2026, 3, 16)),
    ("advice_received:Paediatrics", date(2026, 3, 18)),
    ("advice_received:Social Care", date(2026, 3, 20)),
    ("decided_to_issue", date(2026, 3, 30)),
    ("draft_plan_issued", date(2026, 4, 7)),
    ("school_consulted", date(2026, 4, 8)),
    ("school_responded", date(2026, 4, 21)),
    ("final_plan_issued", date(2026, 5, 18)),
]
ADVICE = [
    ("Educational psychologist", "Northtown Educational Psychology Service"),
    ("Health", "Northtown Community Paediatrics"),
    ("Social care", "Northtown Children's Social Care"),
]
SCHOOL = "Hill Primary School"


@dataclass
class Effort:
    """What the person did: clicks, keystrokes and fields filled, step by step."""

    clicks: int = 0
    keystrokes: int = 0
    fields: int = 0
    pages: int = 0
    by_step: dict[str, list[int]] = field(default_factory=dict)
    _step: str = "set-up"
    # Called with the page after every click that opens a page (the browser tests check each with axe).
    on_page: Callable[[Any], None] | None = None

    def step(self, name: str) -> None:
        self._step = name
        self.by_step.setdefault(name, [0, 0, 0])

    def _add(self, clicks: int = 0, keystrokes: int = 0, fields: int = 0) -> None:
        self.clicks += clicks
        self.keystrokes += keystrokes
        self.fields += fields
        totals = self.by_step.setdefault(self._step, [0, 0, 0])
        totals[0] += clicks
        totals[1] += keystrokes
        totals[2] += fields

    def click(self, locator: Any, *, navigates: bool = False) -> None:
        page = locator.page
        locator.click()
        self._add(clicks=1)
        if navigates:
            self.pages += 1
            if self.on_page is not None:
                page.wait_for_load_state("load")
                self.on_page(page)

    def check(self, locator: Any) -> None:
        """Choose a radio or box, unless the form has chosen it already."""
        if locator.is_checked():
            return
        locator.check()
        self._add(clicks=1)

    def type(self, locator: Any, text: str) -> None:
        locator.click()
        locator.fill(text)
        self._add(clicks=1, keystrokes=len(text), fields=1)

    def pick(self, locator: Any, text: str, *, suggestions: bool) -> None:
        """A name the field suggests (its datalist holds it): a few letters, then a click on the
        suggestion; otherwise typed in full."""
        offered = suggestions and locator.evaluate(
            "(e, text) => !!(e.list && Array.from(e.list.options).some(o => o.value === text))", text
        )
        if not offered:
            self.type(locator, text)
            return
        locator.click()
        locator.fill(text)
        self._add(clicks=2, keystrokes=min(4, len(text)), fields=1)

    def type_date(self, page: Any, prefix: str, on: date) -> None:
        """Click in the day box, type the day, Tab, the month, Tab, the year."""
        page.click(f"#{prefix}-day")
        page.fill(f"#{prefix}-day", str(on.day))
        page.fill(f"#{prefix}-month", str(on.month))
        page.fill(f"#{prefix}-year", str(on.year))
        self._add(clicks=1, keystrokes=len(str(on.day)) + len(str(on.month)) + len(str(on.year)) + 2, fields=3)


class Clock:
    """Moves the service's today (services/clock.py reads `datetime.now`) to the journey's day."""

    def __init__(self) -> None:
        from ehc_tracker.services import clock

        self.module = clock
        self.real = clock.datetime
        self.on = RECEIVED
        outer = self

        class Shifted(self.real):  # type: ignore[misc,valid-type]
            @classmethod
            def now(cls, tz: Any = None) -> Any:
                real = outer.real.now(tz)
                return real.replace(year=outer.on.year, month=outer.on.month, day=outer.on.day)

        self.shifted = Shifted

    def __enter__(self) -> Clock:
        self.module.datetime = self.shifted
        return self

    def __exit__(self, *exc: object) -> None:
        self.module.datetime = self.real


def serve(database: Path) -> Iterator[str]:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from ehc_tracker import create_app

    try:
        from ehc_tracker.demo import seed_directory
    except ImportError:  # a build from before the directory (measuring the first release)

        def seed_directory() -> int:
            return 0

    from ehc_tracker.extensions import db
    from ehc_tracker.models import Role, Team
    from ehc_tracker.services.users import create_user

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "WTF_CSRF_ENABLED": True, "LOGIN_MAX_FAILURES": 50}
    )
    with app.app_context():
        upgrade()
        team = Team(name="Journey Team")
        db.session.add(team)
        db.session.flush()
        create_user(email=EMAIL, name="Jo Journey", role=Role.COORDINATOR, password=PASSWORD, teams=[team], actor=None)
        seed_directory()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def _button(page: Any, name: str) -> Any:
    return page.get_by_role("button", name=name).or_(page.get_by_role("link", name=name)).first


def _save(page: Any, effort: Effort, name: str = "Save") -> None:
    effort.click(page.get_by_role("button", name=name).first, navigates=True)
    page.wait_for_selector(".govuk-notification-banner--success, .govuk-error-summary")
    if page.locator(".govuk-error-summary").count():
        raise RuntimeError(f"the form refused the step: {page.locator('.govuk-error-summary').inner_text()}")


def _date(page: Any, effort: Effort, prefix: str, on: date, *, shortcut: bool) -> None:
    """Use the form's "Use today's date" button when allowed and the date is today, else type it."""
    page.wait_for_load_state("load")
    today_button = page.locator(f".govuk-form-group:has(#{prefix}-day) .app-today-button")
    if shortcut and today_button.count():
        effort.click(today_button.first)
        return
    effort.type_date(page, prefix, on)


def add_child_and_request(page: Any, effort: Effort, *, shortcut: bool) -> None:
    effort.step("Add the child and open the case")
    effort.click(page.get_by_role("link", name="Children").first, navigates=True)
    effort.click(_button(page, "Add a child or young person"), navigates=True)
    effort.type(page.get_by_label("First name"), "Jamie")
    effort.type(page.get_by_label("Last name"), "Journey")
    effort.type_date(page, "date_of_birth", date(2016, 9, 14))
    effort.click(page.get_by_role("button", name="Add child or young person"), navigates=True)
    page.wait_for_selector("h1:has-text('Jamie Journey')")
    effort.click(_button(page, "Record a request for assessment"), navigates=True)
    _date(page, effort, "received_on", RECEIVED, shortcut=shortcut)
    effort.check(page.get_by_label("Parent or carer"))
    effort.click(page.get_by_role("button", name="Open case"), navigates=True)
    page.wait_for_selector("text=Case opened.")


def _open_case_by_hand(page: Any, effort: Effort) -> None:
    effort.click(page.get_by_role("link", name="Cases").first, navigates=True)
    effort.click(page.get_by_role("link", name="Jamie Journey").first, navigates=True)


def _open_step(page: Any, effort: Effort, event: str, label: str, *, way: str) -> None:
    """Reach the form for one step: by hand from the caseload, or from home's worklist / next-step button."""
    # Each step happens on a later day, and each day starts on the home page after signing in
    # (neither counted, for both ways).
    page.goto("/")
    if way == "worklist":
        row = page.locator(f"[data-row='step'][data-step='{event}'] a").first
        if row.count():
            effort.click(row, navigates=True)
            return
        effort.click(page.get_by_role("link", name="Cases").first, navigates=True)
        offered = page.locator(f"a[data-next-step='{event}']").first
        if offered.count():
            effort.click(offered, navigates=True)
            return
        effort.click(page.get_by_role("link", name="Jamie Journey").first, navigates=True)
    else:
        _open_case_by_hand(page, effort)
    button = page.get_by_role("button", name=f"Record: {label}").or_(page.get_by_role("link", name=f"Record: {label}"))
    if button.count():
        effort.click(button.first, navigates=True)
        return
    effort.click(page.locator("summary", has_text="Record another step").first)
    effort.click(page.locator("details").get_by_role("link", name=label, exact=True).first, navigates=True)


def walk(page: Any, effort: Effort, clock: Clock, *, way: str) -> None:
    shortcut = way == "worklist"
    add_child_and_request(page, effort, shortcut=shortcut)
    labels = {
        "decided_to_assess": "Decided to assess",
        "advice_requested": "Advice requested",
        "decided_to_issue": "Decided to issue a plan",
        "draft_plan_issued": "Draft plan issued",
        "school_consulted": "School or college consulted",
        "school_responded": "School or college responded",
        "final_plan_issued": "Final plan issued",
    }
    for key, on in STEPS:
        clock.on = on
        event, _, which = key.partition(":")
        effort.step(key.replace("_", " ").replace(":", ": "))
        if event == "advice_requested" and not shortcut:
            for number, (kind, provider) in enumerate(ADVICE):
                if number:
                    effort.step(f"advice requested ({kind})")
                _open_step(page, effort, event, labels[event], way=way)
                advice_form(page, effort, on, [(kind, provider)], shortcut=False)
            continue
        if event == "advice_received":
            _open_step(page, effort, event, "Advice received", way=way)
            _date(page, effort, "on", on, shortcut=shortcut)
            effort.check(page.get_by_role("group", name="Which advice").get_by_label(which, exact=False).first)
            _save(page, effort)
            continue
        _open_step(page, effort, event, labels[event], way=way)
        if event == "advice_requested":
            advice_form(page, effort, on, ADVICE, shortcut=True)
            continue
        _date(page, effort, "on", on, shortcut=shortcut)
        if event in ("school_consulted", "school_responded"):
            setting = page.locator("#setting_name, #named_settings")
            if setting.count() and not setting.first.input_value():
                effort.pick(setting.first, SCHOOL, suggestions=shortcut)
        if event == "school_responded":
            school = page.get_by_role("radio", name=SCHOOL, exact=False)
            if school.count():
                effort.check(school.first)
            agreed = page.get_by_label("Agreed", exact=False)
            if agreed.count():
                effort.check(agreed.first)
        if event == "final_plan_issued":
            settings = page.locator("#named_settings")
            if settings.count() and not settings.first.input_value():
                effort.pick(settings.first, SCHOOL, suggestions=shortcut)
        _save(page, effort)


def advice_form(page: Any, effort: Effort, on: date, rows: list[tuple[str, str]], *, shortcut: bool) -> None:
    """The advice request form: one date, then a row per advice, the usual kinds already chosen."""
    _date(page, effort, "on", on, shortcut=shortcut)
    if page.locator("#provider").count():  # the first release: one advice per form
        ((kind, provider),) = rows
        effort.check(page.get_by_role("group", name="Type of advice").get_by_label(kind).first)
        effort.type(page.locator("#provider").first, provider)
        _save(page, effort)
        return
    selects = page.locator("select[id^='rows-'][id$='-advice_type']")
    chosen = [
        selects.nth(i).evaluate("e => e.options[e.selectedIndex] ? e.options[e.selectedIndex].text : ''")
        for i in range(selects.count())
    ]
    for kind, provider in rows:
        if kind in chosen:
            number = chosen.index(kind)
        else:
            number = chosen.index("") if "" in chosen else len(chosen) - 1
            selects.nth(number).select_option(label=kind)
            effort._add(clicks=2)
        chosen[number] = f"{kind} (filled)"
        effort.pick(page.locator(f"#rows-{number}-provider").first, provider, suggestions=shortcut)
    _save(page, effort, "Request advice")


def run(way: str, *, on_page: Callable[[Any], None] | None = None, browser: Any = None) -> Effort:
    """Walk the journey one way on a fresh database. `browser`: a Playwright browser already
    running (the browser tests pass theirs; Playwright's sync API allows one at a time)."""
    effort = Effort(on_page=on_page)
    with tempfile.TemporaryDirectory() as folder, Clock() as clock:
        server = serve(Path(folder) / "journey.sqlite3")
        url = next(server)
        try:
            if browser is not None:
                _walk_in(browser, url, effort, clock, way=way, on_page=on_page)
            else:
                from playwright.sync_api import sync_playwright

                with sync_playwright() as p:
                    launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                    _walk_in(launched, url, effort, clock, way=way, on_page=on_page)
                    launched.close()
        finally:
            next(server, None)
    return effort


def _walk_in(
    browser: Any, url: str, effort: Effort, clock: Clock, *, way: str, on_page: Callable[[Any], None] | None
) -> None:
    # bypass_csp lets the browser tests inject axe-core through `on_page`.
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, bypass_csp=on_page is not None)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/sign-in")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        walk(page, effort, clock, way=way)
    finally:
        context.close()


def report(results: dict[str, Effort], *, when: datetime) -> str:
    lines = [
        "# The standard assessment journey: what it takes",
        "",
        f"Counted on {when:%Y-%m-%d %H:%M} with `python -m bench.journey`: one new assessment from adding the child to the final plan,",
        "three kinds of advice and a school consulted, each step recorded on the day it happens (see the script's docstring for the rules).",
        "",
        "| way | clicks | keystrokes | fields typed | pages opened |",
        "|---|---|---|---|---|",
    ]
    for way, effort in results.items():
        lines.append(f"| {way} | {effort.clicks} | {effort.keystrokes} | {effort.fields} | {effort.pages} |")
    before = results.get("first release, by hand") or results.get("by hand")
    after = results.get("worklist")
    if before and after:
        lines += [
            "",
            f"The worklist way takes {1 - after.clicks / before.clicks:.0%} fewer clicks, {1 - after.keystrokes / before.keystrokes:.0%} fewer "
            f"keystrokes and {1 - after.fields / before.fields:.0%} fewer typed fields than "
            f"{'the first release' if 'first release, by hand' in results else 'the same build by hand'} (aim: at least a third fewer).",
        ]
    lines += [
        "",
        "## Step by step (clicks / keystrokes / fields)",
        "",
        "| step | " + " | ".join(results) + " |",
        "|---|" + "---|" * len(results),
    ]
    steps = list(dict.fromkeys(name for effort in results.values() for name in effort.by_step))
    for name in steps:
        cells = [
            ("/".join(str(n) for n in effort.by_step[name]) if name in effort.by_step else "–")
            for effort in results.values()
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _first_release(folder: str) -> Effort:
    """Walk the journey by hand on another checkout (the first release), with this script."""
    script = Path(folder) / "bench" / "journey_measure.py"
    script.write_text(Path(__file__).read_text())
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.journey_measure", "--way", "by-hand", "--json"],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": folder},
        )
    finally:
        script.unlink()
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Effort(
        clicks=data["clicks"],
        keystrokes=data["keystrokes"],
        fields=data["fields"],
        pages=data["pages"],
        by_step=data["by_step"],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.journey", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--way", choices=("by-hand", "worklist", "both"), default="both", help="which way to walk (default %(default)s)"
    )
    parser.add_argument(
        "--first-release",
        metavar="DIR",
        help="a checkout of the first release (git worktree add DIR 7faad89, with ehc_tracker/static/govuk linked from "
        "this one): also walk it by hand there, as the 'before' figure",
    )
    parser.add_argument("--json", action="store_true", help="print one way's counts as JSON (used by --first-release)")
    parser.add_argument(
        "--out",
        default=str(ROOT / "bench" / "JOURNEY.md"),
        help="report file when both ways are walked (default %(default)s)",
    )
    args = parser.parse_args(argv)
    ways = ["by hand", "worklist"] if args.way == "both" else [args.way.replace("-", " ")]
    results = {}
    if args.first_release:
        results["first release, by hand"] = _first_release(args.first_release)
    results.update({way: run("by-hand" if way == "by hand" else way) for way in ways})
    if args.json:
        effort = results[ways[-1]]
        print(
            json.dumps(
                {
                    "clicks": effort.clicks,
                    "keystrokes": effort.keystrokes,
                    "fields": effort.fields,
                    "pages": effort.pages,
                    "by_step": effort.by_step,
                }
            )
        )
        return 0
    text = report(results, when=datetime.now())
    print(text)
    if args.way == "both":
        Path(args.out).write_text(text)
        print(f"Written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
