"""The moving-in spreadsheet: one row per child, in a CSV file or the first sheet of an Excel
workbook, with the columns below (`flask import template` writes them out with an example row
and these notes). Read a row at a time (openpyxl's read-only mode for Excel), so a file of any
length is read in bounded memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ...models.case import AdviceType, CaseType, EventType, RequestSource
from ...sen2_rules import collection2026 as codes
from ..cases import CEASE_REASONS
from .records import (
    ADVICE_WORDS,
    REQUEST_SOURCE_WORDS,
    REVIEW_DECISIONS,
    AdviceIn,
    CaseIn,
    ChildIn,
    ContactIn,
    Fields,
    PlanIn,
    StepIn,
)

ADVICE_SLOTS = 4
EXAMPLE_REF = "EXAMPLE"


@dataclass(frozen=True)
class Column:
    name: str
    notes: str
    example: str = ""
    required: bool = False


def _codes(items: Any) -> str:
    return ", ".join(items)


COLUMNS: tuple[Column, ...] = (
    Column(
        "child_ref",
        "The child's reference in the system you are moving from: the key the import keeps, so a second run "
        "finds the child again. Empty: the UPN is the key (as for children imported from the SEN2 return).",
        "EXAMPLE",
    ),
    Column("first_name", "First name.", "Amara", True),
    Column("last_name", "Last name.", "Okafor", True),
    Column("date_of_birth", "Date of birth, YYYY-MM-DD (DD/MM/YYYY is read too). Ages 0 to 25.", "2015-03-14", True),
    Column("upn", "Unique pupil number: 13 characters, the check letter is checked.", "B801200005001"),
    Column("uln", "Unique learner number (further education): 10 digits, the check digit is checked.", ""),
    Column("upn_unknown_reason", f"Only with neither UPN nor ULN: {_codes(codes.UPN_UNKNOWN_REASONS)}.", ""),
    Column("sex", "M, F or U.", "F"),
    Column("ethnicity", f"The DfE main code: {_codes(codes.ETHNICITIES)}.", "WBRI"),
    Column("postcode", "UK postcode.", "SW1A 1AA"),
    Column("primary_need", f"SEN2 type of need: {_codes(codes.SEN_TYPES)}.", "ASD"),
    Column("secondary_need", "As primary_need, and different from it.", "SLCN"),
    Column("setting_name", "The school, college or other setting the child attends now.", "Riverside Primary"),
    Column("setting_urn", "The setting's URN, 6 digits.", "100000"),
    Column("setting_ukprn", "The setting's UKPRN, 8 digits (colleges).", ""),
    Column("sen_setting", f"For a setting with no URN or UKPRN: {_codes(codes.SEN_SETTINGS)}.", ""),
    Column("setting_started_on", "The day the child started at the setting.", "2021-09-01"),
    Column(
        "team",
        "The team responsible, by its name here (the command's --team or the page's team is used when empty).",
        "North Team",
    ),
    Column(
        "coordinator_email",
        "Who holds the child's open cases: the email address of a coordinator or manager in the team. Empty: "
        "the cases wait to be assigned.",
        "coordinator@example.org",
    ),
    Column("contact_name", "A parent or carer's name.", "Grace Okafor"),
    Column("contact_relationship", "Their relationship to the child (needed with a name), like Mother.", "Mother"),
    Column("contact_email", "Their email address.", "grace@example.org"),
    Column("contact_phone", "Their phone number.", "01632 960 001"),
    Column("contact_address", "Their postal address.", ""),
    Column("contact_parental_responsibility", "yes or no.", "yes"),
    Column(
        "plan_issued_on",
        "The day the child's EHC plan was first issued (empty: no plan). With no plan_ceased_on the plan is active "
        "and its annual reviews are tracked from here.",
        "2019-06-20",
    ),
    Column("plan_named_settings", "The settings the plan names.", "Riverside Primary"),
    Column(
        "plan_last_reviewed_on",
        "The date of the last annual review decision (empty: never reviewed). The next review is due 12 months on.",
        "2025-05-10",
    ),
    Column("plan_ceased_on", "The day an ended plan ceased (then no review is opened).", ""),
    Column("plan_cease_reason", f"SEN2 cease reason, with plan_ceased_on: {_codes(CEASE_REASONS)}.", ""),
    Column("review_meeting_on", "The day the open review's meeting is (or was) arranged for.", "2026-04-20"),
    Column("review_meeting_held_on", "The day the open review's meeting was held.", ""),
    Column("review_decision", "The open review's decision once notified: amend or cease.", ""),
    Column("review_decision_on", "The day that decision was notified.", ""),
    Column(
        "request_received_on",
        "An open assessment (or one that ended without a plan): the day the request was received.",
        "",
    ),
    Column(
        "request_source",
        "Who asked: parent, young_person, school, health, other (or the SEN2 codes 1 to 5).",
        "",
    ),
    Column("reassessment", "yes for a reassessment of the active plan.", ""),
    Column("decided_to_assess_on", "The day the family was told the council will assess.", ""),
    Column("decided_not_to_assess_on", "The day the family was told it will not (the case then ends).", ""),
    *(
        column
        for n in range(1, ADVICE_SLOTS + 1)
        for column in (
            Column(f"advice_{n}_type", f"Advice asked for: {_codes(ADVICE_WORDS)}.", ""),
            Column(f"advice_{n}_from", "Who it was asked of.", ""),
            Column(f"advice_{n}_requested_on", "The day it was asked for.", ""),
            Column(f"advice_{n}_received_on", "The day it came (empty: still awaited).", ""),
        )
    ),
    Column("decided_to_issue_on", "The day the council decided to issue a plan.", ""),
    Column("decided_not_to_issue_on", "The day it decided not to (the case then ends).", ""),
    Column("draft_plan_on", "The day the draft plan was sent.", ""),
)
NAMES = tuple(c.name for c in COLUMNS)


# --- The template ----------------------------------------------------------------------------------


def write_template(out: Path) -> list[Path]:
    """The blank template with its example row: an Excel workbook (the rows, then the field notes
    on a second sheet) or a CSV file with the notes in a second CSV beside it. Returns what was written."""
    example = [c.example for c in COLUMNS]
    notes = [("column", "required", "notes")] + [(c.name, "yes" if c.required else "", c.notes) for c in COLUMNS]
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook  # type: ignore[import-untyped]

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Children"
        sheet.append(list(NAMES))
        sheet.append(example)
        sheet.freeze_panes = "B2"
        help_sheet = book.create_sheet("Field notes")
        for line in notes:
            help_sheet.append(list(line))
        help_sheet.column_dimensions["A"].width = 32
        help_sheet.column_dimensions["C"].width = 120
        book.save(out)
        return [out]
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NAMES)
        writer.writerow(example)
    notes_path = out.with_name(f"{out.stem}-field-notes.csv")
    with notes_path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(notes)
    return [out, notes_path]


# --- Reading ---------------------------------------------------------------------------------------


def rows(content: bytes, file_name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) for each row after the header, streamed."""
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            lines = sheet.iter_rows(values_only=True)
            header = [str(h or "").strip().lower() for h in next(lines, ())]
            for number, values in enumerate(lines, start=2):
                if values and any(v not in (None, "") for v in values):
                    yield number, dict(zip(header, values))
        finally:
            book.close()
        return
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    header = [h.strip().lower() for h in next(reader, [])]
    for number, values in enumerate(reader, start=2):
        if any(v.strip() for v in values):
            yield number, dict(zip(header, values))


def count_rows(content: bytes, file_name: str) -> int:
    return sum(1 for _ in rows(content, file_name))


def child_of(number: int, values: dict[str, Any], *, today: date) -> tuple[ChildIn | None, Fields]:
    """The child a row describes (None when a required value is refused), and the row's reader."""
    f = Fields(values, f"row {number}")
    ref = f.text("child_ref", max_length=120)
    f.key = ref or f.text("upn") or ""
    upn = f.upn()
    f.key = ref or upn or ""
    if ref == EXAMPLE_REF:
        f.problem("child_ref", "example_row", "The example row is not imported")
        return None, f
    if not f.key:
        f.problem("child_ref", "required", "child_ref is required when there is no UPN")
    first, last = (
        f.text("first_name", required=True, max_length=100),
        f.text("last_name", required=True, max_length=100),
    )
    born = f.date("date_of_birth", required=True)
    child = ChildIn(
        key=f.key,
        row=f.row,
        first_name=first or "",
        last_name=last or "",
        date_of_birth=born or date.min,
        upn=upn,
        uln=f.uln(),
        upn_unknown_reason=f.code("upn_unknown_reason", tuple(codes.UPN_UNKNOWN_REASONS)),
        sex=f.sex(),
        ethnicity=f.ethnicity(),
        postcode=f.postcode(),
        primary_need=f.need("primary_need"),
        secondary_need=f.need("secondary_need"),
        setting_name=f.text("setting_name"),
        setting_urn=f.digits("setting_urn", 6),
        setting_ukprn=f.digits("setting_ukprn", 8),
        sen_setting=f.code("sen_setting", tuple(codes.SEN_SETTINGS)),
        setting_started_on=f.date("setting_started_on"),
        team=f.text("team", max_length=100),
        coordinator_email=(f.text("coordinator_email", max_length=254) or "").lower() or None,
    )
    if child.upn or child.uln:
        child.upn_unknown_reason = None
    contact_name = f.text("contact_name")
    relationship = f.text("contact_relationship", max_length=100)
    if contact_name:
        if not relationship:
            f.problem("contact_relationship", "required", "contact_relationship is required with contact_name")
        child.contacts.append(
            ContactIn(
                name=contact_name,
                relationship=relationship or "",
                email=(f.text("contact_email", max_length=254) or "").lower() or None,
                phone=f.text("contact_phone", max_length=40),
                address=f.text("contact_address", max_length=500),
                parental_responsibility=f.flag("contact_parental_responsibility"),
            )
        )
    plan = _plan(f, child)
    review = _review(f, child, plan, today)
    if review is not None:
        child.cases.append(review)
    assessment = _assessment(f, child)
    if assessment is not None:
        child.cases.append(assessment)
    if not f.ok or not first or not last or born is None or not f.key:
        return None, f
    return child, f


def _plan(f: Fields, child: ChildIn) -> PlanIn | None:
    issued = f.date("plan_issued_on")
    reviewed = f.date("plan_last_reviewed_on")
    ceased = f.date("plan_ceased_on")
    reason = f.code("plan_cease_reason", tuple(CEASE_REASONS))
    named = f.text("plan_named_settings", max_length=500)
    if issued is None:
        for name, value in (("plan_last_reviewed_on", reviewed), ("plan_ceased_on", ceased)):
            if value is not None:
                f.problem("plan_issued_on", "required", f"plan_issued_on is required with {name}")
        return None
    plan = PlanIn(
        key=f"{child.key}/plan/{issued.isoformat()}",
        issued_on=issued,
        named_settings=named,
        last_reviewed_on=reviewed,
        ceased_on=ceased,
        cease_reason=reason,
    )
    child.plans.append(plan)
    return plan


def _review(f: Fields, child: ChildIn, plan: PlanIn | None, today: date) -> CaseIn | None:
    meeting = f.date("review_meeting_on")
    held = f.date("review_meeting_held_on")
    decision = f.code("review_decision", REVIEW_DECISIONS, upper=False)
    decided = f.date("review_decision_on")
    if plan is None or plan.ceased_on is not None:
        if meeting or held or decision or decided:
            f.problem("plan_issued_on", "required", "An open review needs an active plan: fill in plan_issued_on")
        return None
    anchor = plan.last_reviewed_on or plan.issued_on
    case = CaseIn(
        key=f"{child.key}/review/{anchor.isoformat()}",
        case_type=CaseType.ANNUAL_REVIEW,
        anchor_on=anchor,
        plan_key=plan.key,
    )
    if meeting is not None:
        # The day it was arranged is not in the file: the meeting day, or today for one still to come.
        arranged = max(anchor, min(meeting, held or meeting, today))
        case.steps.append(StepIn(EventType.REVIEW_MEETING_SCHEDULED, arranged, {"meeting_on": meeting}))
    if held is not None:
        case.steps.append(StepIn(EventType.REVIEW_MEETING_HELD, held))
    if (decision is None) != (decided is None):
        f.problem("review_decision", "required", "review_decision and review_decision_on go together")
    elif decision is not None and decided is not None:
        case.steps.append(StepIn(EventType.REVIEW_DECISION_NOTIFIED, decided, {"decision": decision}))
    return case


def _assessment(f: Fields, child: ChildIn) -> CaseIn | None:
    received = f.date("request_received_on")
    source_text = (f.text("request_source") or "").lower()
    reassessment = f.flag("reassessment")
    dated = {
        EventType.DECIDED_TO_ASSESS: f.date("decided_to_assess_on"),
        EventType.DECIDED_NOT_TO_ASSESS: f.date("decided_not_to_assess_on"),
        EventType.DECIDED_TO_ISSUE: f.date("decided_to_issue_on"),
        EventType.DECIDED_NOT_TO_ISSUE: f.date("decided_not_to_issue_on"),
        EventType.DRAFT_PLAN_ISSUED: f.date("draft_plan_on"),
    }
    advice = []
    for n in range(1, ADVICE_SLOTS + 1):
        kind = f.code(f"advice_{n}_type", ADVICE_WORDS, upper=False)
        provider = f.text(f"advice_{n}_from")
        requested = f.date(f"advice_{n}_requested_on")
        got = f.date(f"advice_{n}_received_on")
        if kind is None and provider is None and requested is None and got is None:
            continue
        if kind is None or requested is None or provider is None:
            missing = "type" if kind is None else "requested_on" if requested is None else "from"
            if not any(p.field == f"advice_{n}_{missing}" for p in f.problems):
                f.problem(f"advice_{n}_{missing}", "required", f"advice_{n}_{missing} is required for advice {n}")
            continue
        advice.append(AdviceIn(AdviceType(kind), provider, requested, got))
    if received is None:
        if any(dated.values()) or advice or source_text:
            f.problem("request_received_on", "required", "request_received_on is required with the assessment's steps")
        return None
    source = REQUEST_SOURCE_WORDS.get(source_text) if source_text else RequestSource.PARENT
    if source is None:
        f.problem(
            "request_source",
            "code_unknown",
            f"request_source: ‘{source_text}’ is not one of {', '.join(REQUEST_SOURCE_WORDS)}",
        )
        source = RequestSource.OTHER
    case = CaseIn(
        key=f"{child.key}/assessment/{received.isoformat()}",
        case_type=CaseType.REASSESSMENT if reassessment else CaseType.ASSESSMENT,
        anchor_on=received,
        source=source,
        plan_key=child.plans[0].key if reassessment and child.plans else None,
        advice=advice,
    )
    case.steps.append(StepIn(EventType.REQUEST_RECEIVED, received, {"source": source.value}))
    for event_type, on in dated.items():
        if on is not None:
            details = (
                {"reason": "Recorded before the service was used"}
                if event_type
                in (
                    EventType.DECIDED_NOT_TO_ASSESS,
                    EventType.DECIDED_NOT_TO_ISSUE,
                )
                else {}
            )
            case.steps.append(StepIn(event_type, on, details))
    return case


def row_of(child: Any, plan: Any, review: Any, assessment: Any, *, team: str, coordinator: str) -> list[Any]:
    """A record already here written as a template row (the benchmark's export of the large data set)."""
    values: dict[str, Any] = {name: "" for name in NAMES}
    values.update(
        child_ref=f"C{child.id}",
        first_name=child.first_name,
        last_name=child.last_name,
        date_of_birth=child.date_of_birth,
        upn=child.upn or "",
        sex=child.sex.value if child.sex else "",
        ethnicity=child.ethnicity.value if child.ethnicity else "",
        primary_need=child.primary_need.value if child.primary_need else "",
        setting_name=child.setting_name or "",
        team=team,
        coordinator_email=coordinator,
    )
    if plan is not None:
        values.update(
            plan_issued_on=plan.issued_on,
            plan_named_settings=plan.named_settings or "",
            plan_ceased_on=plan.ceased_on or "",
            plan_cease_reason=plan.cease_reason or "",
        )
    if review is not None:
        values["plan_last_reviewed_on"] = (
            review.anchor_on if review.anchor_on != getattr(plan, "issued_on", None) else ""
        )
        for event in review.events:
            if event.event_type is EventType.REVIEW_MEETING_SCHEDULED:
                values["review_meeting_on"] = (event.details or {}).get("meeting_on", "")
            elif event.event_type is EventType.REVIEW_MEETING_HELD:
                values["review_meeting_held_on"] = event.occurred_on
            elif (
                event.event_type is EventType.REVIEW_DECISION_NOTIFIED
                and (event.details or {}).get("decision") != "maintain"
            ):
                values["review_decision"] = (event.details or {}).get("decision", "")
                values["review_decision_on"] = event.occurred_on
    if assessment is not None:
        values.update(
            request_received_on=assessment.anchor_on,
            request_source=assessment.request_source.value if assessment.request_source else "",
            reassessment="yes" if assessment.case_type is CaseType.REASSESSMENT else "",
        )
        fields = {
            EventType.DECIDED_TO_ASSESS: "decided_to_assess_on",
            EventType.DECIDED_NOT_TO_ASSESS: "decided_not_to_assess_on",
            EventType.DECIDED_TO_ISSUE: "decided_to_issue_on",
            EventType.DECIDED_NOT_TO_ISSUE: "decided_not_to_issue_on",
            EventType.DRAFT_PLAN_ISSUED: "draft_plan_on",
        }
        for event in assessment.events:
            if event.event_type in fields:
                values[fields[event.event_type]] = event.occurred_on
        for n, advice in enumerate(assessment.advice_requests[:ADVICE_SLOTS], start=1):
            values[f"advice_{n}_type"] = advice.advice_type.value
            values[f"advice_{n}_from"] = advice.provider
            values[f"advice_{n}_requested_on"] = advice.requested_on
            values[f"advice_{n}_received_on"] = advice.received_on or ""
    return [values[name].isoformat() if isinstance(values[name], date) else values[name] for name in NAMES]
