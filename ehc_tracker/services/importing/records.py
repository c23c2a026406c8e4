"""What an import reads from a file, whichever kind: a child with their contacts, plans and cases,
each with its key in the old system, and the problems found on the way.

The readers (sheet.py, sen2_reader.py) turn a row or a Person into a `ChildIn` through a `Fields`
reader that checks each value (a real date, a known code, a UPN with the right check letter) and
notes a `Problem` with its fix for each one it refuses. `check_child` then applies the rules
across fields: dates in order and not in the future, nothing before the child was born, and each
case's steps in the order the workflow table (services/workflow.py) allows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from ...models.case import AdviceType, CaseType, EventType, RequestSource, ReviewDecision
from ...models.child import ContactMethod, Ethnicity, SenNeed, Sex
from ...sen2_rules import collection2026 as codes
from .. import ServiceError, workflow
from ..children import OLDEST_AGE_YEARS, normalise_postcode, validate_uln, validate_upn

ERROR = "error"
WARNING = "warning"

# The rules a row is checked against: code -> (what is wrong, how to put it right).
RULES: dict[str, tuple[str, str]] = {
    "required": ("A required value is missing", "Fill in the value"),
    "date_invalid": ("Not a real date", "Write the date as YYYY-MM-DD (or DD/MM/YYYY), like 2025-09-01"),
    "date_future": ("A date is in the future", "Check the date: a step cannot be recorded before it happens"),
    "before_birth": ("A date is before the child's date of birth", "Check the date and the date of birth"),
    "date_order": ("Dates out of order", "Check both dates: the later step cannot come before the earlier one"),
    "too_old": ("Over 25", "Check the date of birth: the service is for ages 0 to 25"),
    "upn_invalid": ("Not a real UPN", "Copy the UPN from the school census: 13 characters with the right check letter"),
    "uln_invalid": (
        "Not a real ULN",
        "Copy the ULN from the Learner Registration Service: 10 digits with the check digit",
    ),
    "postcode_invalid": ("Not a real postcode", "Write a UK postcode, like SW1A 1AA"),
    "code_unknown": ("A code that is not on the list", "Use one of the codes listed in the field notes"),
    "not_a_number": ("Not a number of the right shape", "Use the shape given in the field notes"),
    "team_unknown": ("No team of that name", "Use a team's name as the Teams page shows it, or add the team first"),
    "coordinator_unknown": (
        "No active coordinator or manager with that email address",
        "Use the email address of their account, or add the account first",
    ),
    "coordinator_not_in_team": (
        "The coordinator is not in the child's team",
        "Add them to the team on the account page, or choose another coordinator",
    ),
    "duplicate_in_file": (
        "The same child twice in the file",
        "Keep one row for each child and merge the others into it",
    ),
    "duplicate_existing": (
        "The child may already have a record here",
        "If it is the same child, put the key shown in child_ref (or leave the record out); if not, correct the row",
    ),
    "sequence": ("A step the workflow does not allow here", "Fill in the earlier step first, or leave this one out"),
    "changed_here": (
        "The case has been worked on here since it was imported",
        "Correct it on the case's page; the file's change is left out",
    ),
    "plan_start_assumed": (
        "The plan's start date is not in the file; the last review date is used",
        "Add the plan's start date if it is known",
    ),
    "example_row": ("The template's example row", "Delete the example row before importing"),
    "unreadable": ("The file could not be read", "Save it again in the template's format (CSV, Excel or SEN2 XML)"),
}


@dataclass
class Problem:
    row: str
    child_key: str
    field: str
    rule: str
    message: str
    severity: str = ERROR

    @property
    def fix(self) -> str:
        return RULES[self.rule][1]


@dataclass
class ContactIn:
    name: str
    relationship: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    parental_responsibility: bool = False


@dataclass
class PlanIn:
    key: str
    issued_on: date
    named_settings: str | None = None
    last_reviewed_on: date | None = None
    ceased_on: date | None = None
    cease_reason: str | None = None


@dataclass
class AdviceIn:
    advice_type: AdviceType
    provider: str
    requested_on: date
    received_on: date | None = None


@dataclass
class StepIn:
    event_type: EventType
    on: date
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseIn:
    key: str
    case_type: CaseType
    anchor_on: date
    source: RequestSource | None = None
    plan_key: str | None = None
    # From a statutory return, which gives the decisions and the plan's start but not every step
    # between (no draft date): a step may then stand without the one the workflow puts before it.
    partial: bool = False
    steps: list[StepIn] = field(default_factory=list)
    advice: list[AdviceIn] = field(default_factory=list)


@dataclass
class ChildIn:
    key: str
    row: str
    first_name: str
    last_name: str
    date_of_birth: date
    upn: str | None = None
    uln: str | None = None
    upn_unknown_reason: str | None = None
    sex: Sex | None = None
    ethnicity: Ethnicity | None = None
    postcode: str | None = None
    primary_need: SenNeed | None = None
    secondary_need: SenNeed | None = None
    setting_name: str | None = None
    setting_urn: str | None = None
    setting_ukprn: str | None = None
    sen_setting: str | None = None
    setting_started_on: date | None = None
    setting_sen_unit: bool = False
    setting_resourced_provision: bool = False
    team: str | None = None
    coordinator_email: str | None = None
    contacts: list[ContactIn] = field(default_factory=list)
    plans: list[PlanIn] = field(default_factory=list)
    cases: list[CaseIn] = field(default_factory=list)
    _digest: str | None = field(default=None, repr=False, compare=False)

    def digest(self) -> str:
        """The digest of the record (worked out once: the writer asks more than once)."""
        if self._digest is None:
            self._digest = digest(self)
        return self._digest

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def digest(record: Any) -> str:
    """A digest of what a record says (the same content, the same digest, on any run, wherever
    in the file it stands)."""
    values = asdict(record)
    values.pop("row", None)
    values.pop("_digest", None)
    text = json.dumps(_plain(values), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- Reading one row's values ---------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
YES = {"1", "y", "yes", "true"}
NO = {"", "0", "n", "no", "false"}


class Fields:
    """One row's (or one Person's) values, read and checked one at a time; each refusal is noted."""

    def __init__(self, values: Mapping[str, Any], row: str, key: str = "") -> None:
        self.values = values
        self.row = row
        self.key = key
        self.problems: list[Problem] = []

    def problem(self, name: str, rule: str, message: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(self.row, self.key, name, rule, message, severity))

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str | None:
        raw = self.values.get(name)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # a number Excel stored for a code
        value = " ".join(str(raw).split()) if raw is not None else ""
        if not value:
            if required:
                self.problem(name, "required", f"{name} is required")
            return None
        if len(value) > max_length:
            self.problem(name, "required", f"{name} must be {max_length} characters or fewer")
            return None
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        raw = self.values.get(name)
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = self.text(name, required=required)
        if text is None:
            return None
        try:
            match = _DMY.fullmatch(text)
            if match:
                return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text[:10]) and (len(text) == 10 or text[10] in "T "):
                return date.fromisoformat(text[:10])
        except ValueError:
            pass
        self.problem(name, "date_invalid", f"{name}: ‘{text}’ is not a real date")
        return None

    def code(self, name: str, allowed: Mapping[str, Any] | tuple[str, ...], *, upper: bool = True) -> str | None:
        text = self.text(name)
        if text is None:
            return None
        value = text.upper() if upper else text.lower()
        if value not in allowed:
            shown = ", ".join(list(allowed)[:14])
            self.problem(name, "code_unknown", f"{name}: ‘{text}’ is not one of {shown}")
            return None
        return value

    def flag(self, name: str) -> bool:
        text = (self.text(name) or "").lower()
        if text in YES:
            return True
        if text not in NO:
            self.problem(name, "code_unknown", f"{name}: ‘{text}’ is not yes or no")
        return False

    def checked(self, name: str, check: Callable[[str], str], rule: str) -> str | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            return check(text)
        except ServiceError as error:
            self.problem(name, rule, f"{name}: ‘{text}’: {error.message}")
            return None

    def upn(self, name: str = "upn") -> str | None:
        return self.checked(name, validate_upn, "upn_invalid")

    def uln(self, name: str = "uln") -> str | None:
        return self.checked(name, validate_uln, "uln_invalid")

    def postcode(self, name: str = "postcode") -> str | None:
        return self.checked(name, normalise_postcode, "postcode_invalid")

    def digits(self, name: str, length: int) -> str | None:
        text = self.text(name)
        if text is not None and not re.fullmatch(rf"[0-9]{{{length}}}", text):
            self.problem(name, "not_a_number", f"{name}: ‘{text}’ is not {length} digits")
            return None
        return text

    def sex(self, name: str = "sex") -> Sex | None:
        value = self.code(name, ("M", "F", "U"))
        return Sex(value) if value else None

    def ethnicity(self, name: str = "ethnicity") -> Ethnicity | None:
        value = self.code(name, codes.ETHNICITIES)
        return Ethnicity(value) if value else None

    def need(self, name: str) -> SenNeed | None:
        value = self.code(name, codes.SEN_TYPES)
        return SenNeed(value) if value else None


# Request sources: the service's words, or the SEN2 codes (1 is the parent's, or the young person's).
REQUEST_SOURCE_WORDS = {s.value: s for s in RequestSource} | {
    "1": RequestSource.PARENT,
    "2": RequestSource.SCHOOL,
    "3": RequestSource.HEALTH,
    "4": RequestSource.OTHER,
    "5": RequestSource.OTHER,
}
ADVICE_WORDS = {a.value: a for a in AdviceType}
REVIEW_DECISIONS = {d.value: d for d in ReviewDecision}
CONTACT_METHODS = {m.value: m for m in ContactMethod}


# --- Checks across fields -------------------------------------------------------------------------


def check_child(child: ChildIn, *, today: date, add: Callable[[str, str, str], None]) -> None:
    """The rules across one child's values; `add(field, rule, message)` notes each refusal."""
    born = child.date_of_birth
    if born > today:
        add("date_of_birth", "date_future", "The date of birth is in the future")
    elif born <= today - relativedelta(years=OLDEST_AGE_YEARS):
        add("date_of_birth", "too_old", f"Born {born.isoformat()}: over 25")
    if child.secondary_need is not None and child.secondary_need is child.primary_need:
        add("secondary_need", "code_unknown", "The secondary need must differ from the primary need")

    def when(name: str, on: date | None, *, not_before: tuple[str, date | None] | None = None) -> None:
        if on is None:
            return
        if on > today:
            add(name, "date_future", f"{name} ({on.isoformat()}) is in the future")
        elif on < born:
            add(name, "before_birth", f"{name} ({on.isoformat()}) is before the date of birth ({born.isoformat()})")
        elif not_before is not None and not_before[1] is not None and on < not_before[1]:
            add(
                name, "date_order", f"{name} ({on.isoformat()}) is before {not_before[0]} ({not_before[1].isoformat()})"
            )

    when("setting_started_on", child.setting_started_on)
    for plan in child.plans:
        when("plan_issued_on", plan.issued_on)
        when("plan_last_reviewed_on", plan.last_reviewed_on, not_before=("plan_issued_on", plan.issued_on))
        when("plan_ceased_on", plan.ceased_on, not_before=("plan_issued_on", plan.issued_on))
        if plan.ceased_on is not None and plan.cease_reason is None:
            add("plan_cease_reason", "required", "An ended plan needs its cease reason (1 to 9)")
    active = [p for p in child.plans if p.ceased_on is None]
    if len(active) > 1:
        add("plan_issued_on", "duplicate_in_file", f"{len(active)} plans active at once: a child has one")
    for case in child.cases:
        _check_case(child, case, today=today, add=add, when=when)
    for kind in ("assessment", "review"):
        types = (CaseType.ANNUAL_REVIEW,) if kind == "review" else (CaseType.ASSESSMENT, CaseType.REASSESSMENT)
        still_open = [c for c in child.cases if c.case_type in types and case_stays_open(c)]
        if len(still_open) > 1:
            add(
                "request_received_on", "duplicate_in_file", f"{len(still_open)} open {kind}s: a child has one at a time"
            )


def case_stays_open(case: CaseIn) -> bool:
    """Whether no step of the case ends it (the workflow table says which steps do)."""
    decision = next(
        (
            ReviewDecision(s.details["decision"])
            for s in case.steps
            if s.event_type is EventType.REVIEW_DECISION_NOTIFIED
        ),
        None,
    )
    for step in case.steps:
        ending = workflow.step(step.event_type).ends
        if ending is not None and (ending.if_decision is None or ending.if_decision is decision):
            return False
    return True


_FIELD_OF = {
    EventType.REQUEST_RECEIVED: "request_received_on",
    EventType.DECIDED_TO_ASSESS: "decided_to_assess_on",
    EventType.DECIDED_NOT_TO_ASSESS: "decided_not_to_assess_on",
    EventType.DECIDED_TO_ISSUE: "decided_to_issue_on",
    EventType.DECIDED_NOT_TO_ISSUE: "decided_not_to_issue_on",
    EventType.DRAFT_PLAN_ISSUED: "draft_plan_on",
    EventType.FINAL_PLAN_ISSUED: "plan_issued_on",
    EventType.WITHDRAWN: "withdrawn_on",
    EventType.REVIEW_MEETING_SCHEDULED: "review_meeting_on",
    EventType.REVIEW_MEETING_HELD: "review_meeting_held_on",
    EventType.REVIEW_DECISION_NOTIFIED: "review_decision_on",
}


def step_field(event_type: EventType) -> str:
    return _FIELD_OF.get(event_type, event_type.value)


def _check_case(
    child: ChildIn,
    case: CaseIn,
    *,
    today: date,
    add: Callable[[str, str, str], None],
    when: Callable[..., None],
) -> None:
    """The case's steps in the order the workflow table allows (what each requires and excludes,
    the once-only steps), none before the case began, none in the future or before birth."""
    anchor_field = "request_received_on" if case.case_type is not CaseType.ANNUAL_REVIEW else "plan_last_reviewed_on"
    when(anchor_field, case.anchor_on)
    seen: dict[EventType, date] = {}
    for step in sorted(case.steps, key=lambda s: s.on):
        name = step_field(step.event_type)
        rules = workflow.step(step.event_type)
        label = rules.label
        if case.case_type not in rules.case_types or (rules.opens_case and step.on != case.anchor_on):
            add(name, "sequence", f"‘{label}’ does not belong to a {case.case_type.label.lower()}")
            continue
        if rules.once and step.event_type in seen:
            add(name, "sequence", f"‘{label}’ twice")
        for other in rules.excludes:
            if other in seen or any(s.event_type is other for s in case.steps):
                add(name, "sequence", f"‘{label}’ and ‘{workflow.label(other)}’ cannot both be recorded")
                break
        needed = rules.requires
        if needed and not case.partial and not any(any(s.event_type is n for s in case.steps) for n in needed):
            add(name, "sequence", f"‘{label}’ needs ‘{workflow.label(needed[0])}’ first ({step_field(needed[0])})")
        for n in needed:
            prior = next((s for s in case.steps if s.event_type is n), None)
            if prior is not None and step.on < prior.on:
                add(
                    name,
                    "date_order",
                    f"‘{label}’ ({step.on.isoformat()}) is before ‘{workflow.label(n)}’ ({prior.on.isoformat()})",
                )
        if step.on < case.anchor_on and not rules.may_predate_anchor:
            add(
                name,
                "date_order",
                f"‘{label}’ ({step.on.isoformat()}) is before the case began ({case.anchor_on.isoformat()})",
            )
        when(name, step.on)
        seen.setdefault(step.event_type, step.on)
    decided = seen.get(EventType.DECIDED_TO_ASSESS)
    for number, advice in enumerate(case.advice, start=1):
        prefix = f"advice_{number}"
        if decided is None:
            add(
                f"{prefix}_requested_on",
                "sequence",
                "Advice is asked for once the council has decided to assess (decided_to_assess_on)",
            )
        elif advice.requested_on < decided:
            add(
                f"{prefix}_requested_on",
                "date_order",
                f"Advice requested ({advice.requested_on.isoformat()}) before the decision to assess ({decided.isoformat()})",
            )
        when(f"{prefix}_requested_on", advice.requested_on)
        when(f"{prefix}_received_on", advice.received_on, not_before=(f"{prefix}_requested_on", advice.requested_on))
    if case.case_type is CaseType.ANNUAL_REVIEW:
        decision = next((s for s in case.steps if s.event_type is EventType.REVIEW_DECISION_NOTIFIED), None)
        if decision is not None and decision.details.get("decision") == ReviewDecision.MAINTAIN.value:
            add(
                "review_decision",
                "sequence",
                "A review whose decision was to maintain the plan is finished: put the decision date in "
                "plan_last_reviewed_on and leave the review's columns empty",
            )
    if case.case_type is CaseType.REASSESSMENT and not any(p.ceased_on is None for p in child.plans):
        add("reassessment", "sequence", "A reassessment is of a plan: fill in plan_issued_on, or answer no")
    if (
        case.case_type is CaseType.ASSESSMENT
        and any(p.ceased_on is None and p.issued_on <= case.anchor_on for p in child.plans)
        and case_stays_open(case)
    ):
        add("reassessment", "sequence", "The child already has a plan: a new request is a reassessment (answer yes)")
