"""Moving in: an authority's children, plans and open cases from its previous SEN2 return or the
moving-in spreadsheet, checked first, then imported in batches, repeatably.

`start(...)` records an `Import` (the file, its checksum, dry run or not); `run(...)` reads the
file a child at a time (sen2_reader.py, sheet.py), checks each one (records.py: real dates in
order, UPN and ULN check characters, the SEN2 code lists, the team and coordinator known, the
same child twice in the file, a child who may already be here), notes every problem with its fix,
and, unless it is a dry run, writes the good ones in batches (writer.py) that the caller commits
one at a time (`commit`). The totals and the per-row report are kept on the Import.

Running the same file again changes nothing (each record is found by its source key and its
digest compared); a corrected file updates only the rows that changed. Every child written is
audited as an import, with the file's name and checksum.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from ...extensions import db
from ...models import Import, ImportStatus, User
from ...models.types import utcnow
from .. import ServiceError, audit, table_statistics
from ..calendar import working_day_calendar
from ..cases import settings_for_cases
from . import sen2_reader, sheet
from .records import RULES, WARNING, ChildIn, Fields, Problem, check_child
from .writer import BatchWriter, Lookups, Placed, Totals, late_milestones

KINDS = {"sen2": "Previous SEN2 return (XML)", "spreadsheet": "Moving-in spreadsheet (CSV or Excel)"}
BATCH_SIZE = 500
REPORT_HEADER = ("row", "child_key", "severity", "field", "rule", "problem", "fix")

# What a file that is not what it says raises, part way or at once: reported, not a failure.
UNREADABLE = (ParseError, BadZipFile, UnicodeDecodeError, csv.Error, OSError)

Progress = Callable[[int, int | None], None]


def kind_of(file_name: str) -> str:
    lower = file_name.lower()
    if lower.endswith(".xml"):
        return "sen2"
    if lower.endswith((".csv", ".xlsx", ".xlsm")):
        return "spreadsheet"
    raise ServiceError("Choose a SEN2 return (.xml) or the moving-in spreadsheet (.csv or .xlsx)", field="file")


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def start(
    *, content: bytes, file_name: str, kind: str | None, dry_run: bool, default_team_id: int | None, actor: User | None
) -> Import:
    """Record an import of this file (checked with a dry run, or confirmed); the caller commits."""
    if not content:
        raise ServiceError("The file is empty", field="file")
    kind = kind or kind_of(file_name)
    if kind not in KINDS:
        raise ServiceError("Choose the kind of file", field="kind")
    imp = Import(
        kind=kind,
        file_name=file_name[-255:],
        checksum=checksum(content),
        dry_run=dry_run,
        content=content,
        default_team_id=default_team_id,
        requested_by_id=actor.id if actor else None,
        status=ImportStatus.QUEUED,
    )
    db.session.add(imp)
    db.session.flush()
    audit.record(
        actor,
        "import_checked" if dry_run else "import_started",
        "import",
        imp.id,
        f"{'Checked' if dry_run else 'Started importing'} {imp.file_name} ({KINDS[kind].lower()})",
        {"file": imp.file_name, "checksum": imp.checksum, "dry_run": dry_run},
        label=None if actor else "command line",
    )
    return imp


def confirm(checked: Import, *, actor: User | None) -> Import:
    """The import of a file already checked by a dry run (the same bytes, so the same checksum)."""
    if not checked.dry_run or checked.status is not ImportStatus.DONE or checked.content is None:
        raise ServiceError("Only a finished check of a file can be confirmed", field="import")
    imp = start(
        content=checked.content,
        file_name=checked.file_name,
        kind=checked.kind,
        dry_run=False,
        default_team_id=checked.default_team_id,
        actor=actor,
    )
    imp.checked_import_id = checked.id
    return imp


def _children(imp: Import, content: bytes, today: date) -> Iterator[tuple[ChildIn | None, Fields]]:
    if imp.kind == "sen2":
        for number, person in sen2_reader.people(content):
            yield sen2_reader.child_of(number, person)
    else:
        for number, values in sheet.rows(content, imp.file_name):
            yield sheet.child_of(number, values, today=today)


def count(imp: Import) -> int:
    content = imp.content or b""
    return sen2_reader.count_people(content) if imp.kind == "sen2" else sheet.count_rows(content, imp.file_name)


class Report:
    """The per-row report: every problem, with its fix, as CSV (kept on the Import)."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        self.writer.writerow(REPORT_HEADER)
        self.errors = 0
        self.warnings = 0
        self.by_rule: dict[str, int] = {}

    def add(self, problem: Problem) -> None:
        self.writer.writerow(
            (
                problem.row,
                problem.child_key,
                problem.severity,
                problem.field,
                problem.rule,
                problem.message,
                problem.fix,
            )
        )
        if problem.severity == WARNING:
            self.warnings += 1
        else:
            self.errors += 1
        self.by_rule[problem.rule] = self.by_rule.get(problem.rule, 0) + 1


def _place(child: ChildIn, lookups: Lookups, add: Callable[[str, str, str], None]) -> Placed | None:
    team_id = lookups.teams.get(child.team.lower()) if child.team else lookups.default_team_id
    if team_id is None:
        if child.team:
            add("team", "team_unknown", f"team: no team called ‘{child.team}’")
        else:
            add("team", "required", "team is required (or choose a team for the whole file)")
        return None
    coordinator_id = None
    if child.coordinator_email:
        holder = lookups.holders.get(child.coordinator_email)
        if holder is None or not holder.can_hold:
            add(
                "coordinator_email",
                "coordinator_unknown",
                f"coordinator_email: ‘{child.coordinator_email}’ is not an active coordinator or manager",
            )
            return None
        if team_id not in holder.team_ids:
            add("coordinator_email", "coordinator_not_in_team", f"{child.coordinator_email} is not in the child's team")
            return None
        coordinator_id = holder.id
    return Placed(child, team_id, coordinator_id)


def run(
    imp: Import,
    *,
    actor: User | None,
    today: date,
    commit: Callable[[], None] = lambda: None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> dict[str, Any]:
    """Check (and unless a dry run, import) the file of `imp`; returns the totals, also kept on it.

    Each batch of children is written and then `commit` is called, so each commits whole; after
    the last, the import's totals and report are set (the caller commits them too)."""
    content = imp.content or b""
    import_id, dry_run = imp.id, imp.dry_run
    file_name, digest_of_file = imp.file_name, imp.checksum
    actor_id = actor.id if actor is not None else None
    lookups = Lookups.load(imp.default_team_id)
    totals = Totals()
    report = Report()
    writer = BatchWriter(
        import_id=import_id,
        file_name=file_name,
        checksum=digest_of_file,
        actor_id=actor_id,
        calendar=working_day_calendar(),
        settings=settings_for_cases(),
        totals=totals,
        note=lambda child, field, rule, message, severity: report.add(
            Problem(child.row, child.key, field, rule, message, severity)
        ),
        dry_run=dry_run,
    )
    total = None
    if progress is not None:
        total = count(imp)
        progress(0, total)
    seen_keys: set[str] = set()
    seen_upns: dict[str, str] = {}
    batch: list[Placed] = []
    read = 0

    def flush_batch() -> None:
        writer.write(batch)
        if not dry_run:
            commit()
            db.session.expunge_all()  # bounded memory: each batch's objects go with it
        batch.clear()
        if progress is not None:
            progress(read, total)

    try:
        for child, fields in _children(imp, content, today):
            read += 1
            totals.add("rows")
            problems = list(fields.problems)

            def add(field: str, rule: str, message: str, row: str = fields.row, key: str = fields.key) -> None:
                problems.append(Problem(row, key, field, rule, message))

            placed = None
            if child is not None:
                check_child(child, today=today, add=add)
                if child.key in seen_keys:
                    add("child_ref", "duplicate_in_file", f"‘{child.key}’ is already in the file above")
                elif child.upn and child.upn in seen_upns:
                    add("upn", "duplicate_in_file", f"UPN {child.upn} is already in the file ({seen_upns[child.upn]})")
                if not any(p.severity != WARNING for p in problems):
                    placed = _place(child, lookups, add)
            for problem in problems:
                report.add(problem)
            refused = placed is None or any(p.severity != WARNING for p in problems)
            if refused:
                if not any(p.rule == "example_row" for p in problems):
                    totals.add("children_refused")
                continue
            assert child is not None and placed is not None
            seen_keys.add(child.key)
            if child.upn:
                seen_upns[child.upn] = child.row
            batch.append(placed)
            if len(batch) >= batch_size:
                flush_batch()
        if batch:
            flush_batch()
    except UNREADABLE as error:
        report.add(Problem("file", "", "file", "unreadable", f"{type(error).__name__}: {error}"))
        totals.add("unreadable")
    if not dry_run and db.engine.dialect.name == "postgresql":
        table_statistics.analyze("children", "plans", "cases", "case_events", "advice_requests", "milestones")
    counts: dict[str, Any] = dict(totals.counts)
    counts.update(errors=report.errors, warnings=report.warnings, by_rule=report.by_rule)
    imp = db.session.get(Import, import_id) or imp
    if not dry_run:
        counts["milestones"], counts["late_milestones"] = late_milestones(import_id, today)
        imp.content = None  # imported: the file's personal data is not kept beyond its records
    imp.counts = counts
    imp.report_csv = report.buffer.getvalue()
    imp.done, imp.total = read, read
    imp.status = ImportStatus.DONE
    imp.finished_at = utcnow()
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    audit.record(
        actor,
        "import_checked" if dry_run else "import_finished",
        "import",
        import_id,
        f"{'Checked' if dry_run else 'Imported'} {file_name}: {counts.get('children_new', 0)} new, "
        f"{counts.get('children_updated', 0)} changed, {counts.get('children_unchanged', 0)} unchanged, "
        f"{counts.get('children_refused', 0)} refused",
        {"file": file_name, "checksum": digest_of_file, "dry_run": dry_run, "counts": counts},
        label=None if actor else "command line",
    )
    db.session.flush()
    return counts


__all__ = ["KINDS", "RULES", "checksum", "confirm", "count", "kind_of", "run", "start"]
