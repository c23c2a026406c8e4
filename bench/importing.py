"""Moving-in benchmark: the large profile exported to the moving-in spreadsheet and imported into
an empty database, timed, with the peak memory of the import process.

    .venv/bin/python -m bench.importing [--children 30000] [--database-url URL_OF_AN_EMPTY_DB]

builds the large data set (`flask seed-demo --profile large`'s generator) in a scratch SQLite
database, writes each child as a template row (their latest plan, its open review with its
meeting and decision, an open assessment with its decisions, advice and draft), then runs
`flask import spreadsheet FILE --confirm` in its own process against the empty database (a new
SQLite file unless --database-url names one), measuring the time and peak resident memory, and
checks a second run changes nothing. The result replaces the "Moving in" section of
BENCHMARKS.md (or --out), with the floor beside each figure.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from bench.run import ROOT, _measured, make_app

FLOOR = {"seconds": 300.0, "peak_mb": 500.0}  # a few minutes, bounded memory, on this 2-core machine
START, END = "<!-- moving-in:start -->", "<!-- moving-in:end -->"


def export_template(source_url: str, children: int, out: Path, log: Any) -> dict[str, Any]:
    """Generate the large profile in `source_url` and write it to `out` as the template's rows."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from ehc_tracker.demo.large import generate
    from ehc_tracker.extensions import db
    from ehc_tracker.models import Team, User
    from ehc_tracker.models.case import Case, CaseStatus, CaseType, Plan
    from ehc_tracker.models.child import Child
    from ehc_tracker.services.clock import today
    from ehc_tracker.services.importing.sheet import NAMES, row_of

    app = make_app(source_url)
    with app.app_context():
        upgrade()
        log(f"generating {children:,} children ...")
        generate(children=children, today=today())
        teams = {t.id: t.name for t in db.session.scalars(select(Team))}
        emails = {u.id: u.email for u in db.session.scalars(select(User))}
        rows = 0
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(NAMES)
            last_id = 0
            while True:
                chunk = list(db.session.scalars(select(Child).where(Child.id > last_id).order_by(Child.id).limit(1000)))
                if not chunk:
                    break
                ids = [c.id for c in chunk]
                plans: dict[int, Plan] = {}
                for plan in db.session.scalars(select(Plan).where(Plan.child_id.in_(ids)).order_by(Plan.issued_on)):
                    plans[plan.child_id] = plan
                open_cases = list(
                    db.session.scalars(select(Case).where(Case.child_id.in_(ids), Case.status == CaseStatus.OPEN))
                )
                reviews = {c.child_id: c for c in open_cases if c.case_type is CaseType.ANNUAL_REVIEW}
                assessments = {c.child_id: c for c in open_cases if c.case_type is not CaseType.ANNUAL_REVIEW}
                for child in chunk:
                    plan = plans.get(child.id)
                    review = reviews.get(child.id) if plan is not None and plan.ceased_on is None else None
                    assessment = assessments.get(child.id)
                    holder = (review or assessment).coordinator_id if (review or assessment) else None
                    writer.writerow(
                        row_of(
                            child,
                            plan,
                            review,
                            assessment,
                            team=teams[child.team_id],
                            coordinator=emails.get(holder, "") if holder else "",
                        )
                    )
                    rows += 1
                last_id = ids[-1]
                db.session.expunge_all()
        staff = [(u.email, u.name, u.role.value, [t.name for t in u.teams]) for u in db.session.scalars(select(User))]
        db.session.remove()
        db.engine.dispose()
    return {"rows": rows, "staff": staff, "teams": sorted(teams.values())}


def _count(output: str, label: str) -> int | None:
    """A count the import printed ("  children new: 29586"), or None if it printed none."""
    found = re.search(rf"^\s*{re.escape(label)}: (\d+)$", output, flags=re.M)
    return int(found.group(1)) if found else None


def prepare_target(target_url: str, teams: list[str], staff: list[tuple[str, str, str, list[str]]]) -> None:
    """The empty database, migrated, with the same teams and accounts (an authority sets these up first)."""
    from flask_migrate import upgrade

    from ehc_tracker.extensions import db
    from ehc_tracker.models import Role, Team, User

    app = make_app(target_url)
    with app.app_context():
        upgrade()
        by_name = {name: Team(name=name) for name in teams}
        db.session.add_all(by_name.values())
        for email, name, role, team_names in staff:
            user = User(email=email, name=name, role=Role(role), password_hash="!", session_token=f"bench-{email}")
            user.teams = [by_name[t] for t in team_names if t in by_name]
            db.session.add(user)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def report(result: dict[str, Any]) -> str:
    ok = result["seconds"] <= FLOOR["seconds"] and result["peak_mb"] <= FLOOR["peak_mb"]
    lines = [
        START,
        "## Moving in (import)",
        "",
        f"The large profile ({result['children']:,} children with plans and history) exported to the moving-in "
        f"spreadsheet ({result['rows']:,} rows, {result['file_mb']:.1f} MB) and imported into an empty "
        f"{result['dialect']} database with `flask import spreadsheet FILE --confirm`, in its own process "
        f"(`python -m bench.importing`, {date.today().isoformat()}).",
        "",
        "| Measure | Result | Floor | |",
        "|---|---|---|---|",
        f"| Import time | {result['seconds']:.1f} s | {FLOOR['seconds']:.0f} s | {'ok' if result['seconds'] <= FLOOR['seconds'] else 'over'} |",
        f"| Peak memory of the import process | {result['peak_mb']:.0f} MB | {FLOOR['peak_mb']:.0f} MB | {'ok' if result['peak_mb'] <= FLOOR['peak_mb'] else 'over'} |",
        f"| The same file again (nothing to change) | {result['again_seconds']:.1f} s | {FLOOR['seconds']:.0f} s | {'ok' if result['again_unchanged'] else 'changed something'} |",
        "",
        f"What the import reported: {result['summary']}.",
        "",
        *(
            [
                f"Rows refused, by rule: {result['rules']}. The large profile gives no child a UPN and draws names "
                "from short lists, so some children share a name and a birthday with no UPN to tell them apart: "
                "the import refuses them as possible duplicates for a person to decide, as it would in an "
                "authority's own file.",
                "",
            ]
            if result.get("rules")
            else []
        ),
        "Verdict: " + ("within the floor." if ok and result["again_unchanged"] else "outside the floor: see above."),
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(out: Path, section: str) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmarks\n"
    if START in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END) + r"\n?", section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=30_000)
    parser.add_argument("--database-url", help="an empty database to import into (default: a new SQLite file)")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    def log(message: str) -> None:
        print(f"[import bench] {message}", flush=True)

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        source = f"sqlite:///{folder / 'source.sqlite3'}"
        target = args.database_url or f"sqlite:///{folder / 'target.sqlite3'}"
        sheet = folder / "moving-in.csv"
        exported = export_template(source, args.children, sheet, log)
        prepare_target(target, exported["teams"], exported["staff"])
        env = dict(os.environ, EHC_ENV="development", DATABASE_URL=target)
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "import", "spreadsheet", str(sheet), "--confirm"]
        log(f"importing {exported['rows']:,} rows ...")
        seconds, peak_mb, output = _measured(command, env)
        log("the same file again ...")
        again_s, _, again = _measured(command, env)
        lines = [
            line.strip()
            for line in output.splitlines()
            if line.strip().startswith(("children", "cases", "milestones", "late", "errors"))
        ]
        # The problems by rule ("  - duplicate_existing: 414 (The child may already have a record here)").
        rules = [line.strip()[2:] for line in output.splitlines() if line.strip().startswith("- ")]
        result = {
            "children": args.children,
            "rows": exported["rows"],
            "file_mb": sheet.stat().st_size / 1e6,
            "dialect": target.split(":", 1)[0],
            "seconds": seconds,
            "peak_mb": peak_mb,
            "again_seconds": again_s,
            # Nothing new or updated the second time, and every child the first run brought in unchanged.
            "again_unchanged": _count(again, "children new") == 0
            and _count(again, "children updated") == 0
            and _count(again, "children unchanged") == _count(output, "children new") > 0,
            "summary": "; ".join(lines),
            "rules": "; ".join(rules),
        }
        log(f"imported in {seconds:.1f} s, peak {peak_mb:.0f} MB; again in {again_s:.1f} s")
        write_section(Path(args.out), report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
