"""The placeholders of a letter, filled from a case.

Every date comes from what the case records (the step's date, the request, the review meeting, the
transfer) or from the deadline engine: the milestones it stored for the case (`case.milestones`) and,
for the family's time to appeal, `statutory.appeal_milestones` counted from the letter's date. This
module formats dates in words; it never counts one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..models.case import Case, CaseEvent, CaseType, EventType, ReviewDecision
from ..models.child import ChildContact
from ..services.workflow import label
from ..statutory import appeal_milestones
from .kinds import KINDS, LetterKind
from .kinds import kind as kind_named


class LetterNotReady(Exception):
    """The case cannot have this letter yet (or at all); the message says why, for the page."""


@dataclass(frozen=True)
class LetterContext:
    """The values for a kind's placeholders (dates already in words), and each printed date."""

    kind: LetterKind
    values: dict[str, Any]
    dates: dict[str, date] = field(default_factory=dict)


def date_in_words(on: date) -> str:
    """A date as letters print it: "15 March 2027"."""
    return f"{on.day} {on:%B} {on.year}"


def available_kinds(case: Case) -> list[LetterKind]:
    """The letters the case's recorded steps call for, in the workflow's order."""
    return [k for k in KINDS.values() if _fits(case, k) and case.event(k.follows) is not None]


def _fits(case: Case, letter: LetterKind) -> bool:
    if case.case_type not in letter.case_types:
        return False
    return letter.decisions is None or case.review_decision in letter.decisions


def _step(case: Case, letter: LetterKind) -> CaseEvent:
    if case.case_type not in letter.case_types:
        raise LetterNotReady(f"A ‘{letter.title}’ letter is not written on a case of this kind.")
    if letter.decisions is not None and case.review_decision not in letter.decisions:
        wanted = " or ".join(sorted(d.value for d in letter.decisions))
        raise LetterNotReady(f"A ‘{letter.title}’ letter needs the review decision to be ‘{wanted}’.")
    event = case.event(letter.follows)
    if event is None:
        raise LetterNotReady(f"Record ‘{label(letter.follows)}’ before writing the ‘{letter.title}’ letter.")
    return event


def _milestone_due(case: Case, key: str) -> date | None:
    """The due date the engine stored for the case's milestone `key` (None if the case has none)."""
    return next((m.due_on for m in case.milestones if m.key == key and m.ref == ""), None)


def _appeal_deadline(letter_on: date) -> date:
    """The family's last day to appeal a decision sent on `letter_on`, from the engine (HESC r.20, r.12)."""
    return appeal_milestones(letter_on)[0].due_on


def _request_received_on(case: Case) -> date:
    received = case.event(EventType.REQUEST_RECEIVED)
    return received.occurred_on if received is not None else case.anchor_on


def _addressee(case: Case, contact: ChildContact | None) -> dict[str, Any]:
    child = case.child
    if child.young_person_own_requests:
        return {
            "addressee_name": child.full_name,
            "address_lines": [child.postcode] if child.postcode else [],
            "salutation": f"Dear {child.full_name}",
            "to_young_person": True,
        }
    if contact is None:
        responsible = [c for c in child.contacts if c.has_parental_responsibility]
        contact = (responsible or list(child.contacts) or [None])[0]
    if contact is None:
        return {
            "addressee_name": f"The parent or carer of {child.full_name}",
            "address_lines": [],
            "salutation": "Dear parent or carer",
            "to_young_person": False,
        }
    lines = [line.strip() for line in (contact.address or "").splitlines() if line.strip()]
    return {
        "addressee_name": contact.name,
        "address_lines": lines,
        "salutation": f"Dear {contact.name}",
        "to_young_person": False,
    }


def _detail(event: CaseEvent, name: str) -> str:
    return str((event.details or {}).get(name) or "").strip()


def _kind_values(case: Case, letter: LetterKind, event: CaseEvent, proposes_assessment: bool) -> dict[str, Any]:
    """The values of the kind's own placeholders (dates as `date`s or None)."""
    key = letter.key
    reassessment = case.case_type is CaseType.REASSESSMENT
    final_key = "final_plan_after_reassessment" if reassessment else "final_plan"
    if key == "decision_to_assess":
        return {
            "is_reassessment": reassessment,
            "request_received_on": _request_received_on(case),
            "decision_not_to_issue_due_on": _milestone_due(case, "decision_not_to_issue"),
            "final_plan_due_on": _milestone_due(case, final_key),
        }
    if key in ("decision_not_to_assess", "decision_not_to_issue"):
        values: dict[str, Any] = {
            "request_received_on": _request_received_on(case),
            "reason": _detail(event, "reason"),
            "appeal_deadline_on": _appeal_deadline(event.occurred_on),
        }
        if key == "decision_not_to_assess":
            values["is_reassessment"] = reassessment
        return values
    if key == "draft_plan":
        return {
            "representations_close_on": _milestone_due(case, "representations_close"),
            "final_plan_due_on": _milestone_due(case, final_key),
            "schools_consulted": ", ".join(c.setting_name for c in case.consultations),
        }
    if key == "final_plan":
        named = _detail(event, "named_settings") or (case.plan.named_settings if case.plan else None) or ""
        return {
            "named_settings": named,
            "appeal_deadline_on": _appeal_deadline(event.occurred_on),
        }
    held = case.event(EventType.REVIEW_MEETING_HELD)
    meeting_on = held.occurred_on if held is not None else case.review_meeting_on
    if key == "review_decision":
        amend = case.review_decision is ReviewDecision.AMEND
        return {
            "decision": case.review_decision.value if case.review_decision else "",
            "review_meeting_on": meeting_on,
            "amended_plan_due_on": _milestone_due(case, "amended_plan_due") if amend else None,
            # A decision not to amend after a review can be appealed (CFA 2014 s51(2)(e)).
            "appeal_deadline_on": None if amend else _appeal_deadline(event.occurred_on),
        }
    if key == "amendments_proposed":
        return {
            "review_meeting_on": meeting_on,
            "representations_close_on": _milestone_due(case, "amendment_representations_close"),
            "amended_plan_due_on": _milestone_due(case, "amended_plan_from_proposals_due"),
        }
    if key == "cease_notice":
        plan = case.plan
        decided_on = (plan.cease_decided_on if plan else None) or event.occurred_on
        sent_on = (plan.cease_notice_sent_on if plan else None) or event.occurred_on
        # The service stored the engine's date when the decision was recorded; the engine again otherwise.
        appeal_on = (plan.cease_appeal_ends_on if plan else None) or _appeal_deadline(sent_on)
        return {"review_meeting_on": meeting_on, "decision_on": decided_on, "appeal_deadline_on": appeal_on}
    if key == "transfer_in_notice":
        return {
            "transferred_on": case.transferred_on,
            "previous_authority": case.previous_authority or "",
            "review_by_on": _milestone_due(case, "transfer_in_review_due"),
            "proposes_assessment": proposes_assessment,
            "named_settings": (case.plan.named_settings if case.plan else None) or "",
        }
    raise LetterNotReady(f"There is no letter called {key!r}.")  # pragma: no cover - every kind is listed


def _letter_on(case: Case, letter: LetterKind, event: CaseEvent) -> date:
    """The letter's date: the day the step it records was taken (the notice the step records)."""
    if letter.key == "cease_notice" and case.plan is not None and case.plan.cease_notice_sent_on is not None:
        return case.plan.cease_notice_sent_on
    return event.occurred_on


def build_context(
    case: Case,
    letter: LetterKind | str,
    *,
    council_name: str,
    contact: ChildContact | None = None,
    proposes_assessment: bool = False,
) -> LetterContext:
    """The placeholders of `letter` for `case`. `contact` chooses the addressee (default: the young
    person who makes their own decisions, else the first contact with parental responsibility);
    `proposes_assessment` is the council's answer for the transfer-in notice (reg 15(4)(b)).
    """
    letter = kind_named(letter) if isinstance(letter, str) else letter
    event = _step(case, letter)
    if not council_name.strip():
        raise LetterNotReady("The council's name is not set (COUNCIL_NAME): letters need it.")
    coordinator = case.coordinator
    if coordinator is None:
        raise LetterNotReady("Assign a coordinator to the case: the letter names them as the contact.")
    child = case.child
    addressee = _addressee(case, contact)
    young_person = addressee["to_young_person"]
    raw: dict[str, Any] = {
        "council_name": council_name.strip(),
        "letter_on": _letter_on(case, letter, event),
        **addressee,
        "child_name": child.full_name,
        "child_first_name": child.first_name,
        "child_date_of_birth": child.date_of_birth,
        "child_or_you": "you" if young_person else child.first_name,
        "childs_or_your": "your" if young_person else f"{child.first_name}’s",
        "coordinator_name": coordinator.name,
        "coordinator_email": coordinator.email,
        "case_reference": str(case.id),
        **_kind_values(case, letter, event, proposes_assessment),
    }
    return _worded(letter, raw)


def _worded(letter: LetterKind, raw: dict[str, Any]) -> LetterContext:
    missing = letter.placeholders - raw.keys()
    extra = raw.keys() - letter.placeholders
    if missing or extra:  # pragma: no cover - a test keeps kinds.py and this module in step
        raise AssertionError(f"{letter.key}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    values: dict[str, Any] = {}
    dates: dict[str, date] = {}
    for name, value in raw.items():
        if isinstance(value, date):
            dates[name] = value
            values[name] = date_in_words(value)
        elif value is None:
            values[name] = ""
        else:
            values[name] = value
    return LetterContext(letter, values, dates)


# Example values for checking that an uploaded template renders (templates_store.validate_template).
_SAMPLE_DATE = date(2027, 3, 15)


def sample_context(letter: LetterKind) -> LetterContext:
    """Every placeholder of `letter` with an example value (not a real case's dates)."""
    examples: dict[str, Any] = {
        "council_name": "Example Council",
        "addressee_name": "Sam Example",
        "address_lines": ["1 Example Street", "Exampletown", "EX1 1EX"],
        "salutation": "Dear Sam Example",
        "to_young_person": False,
        "child_name": "Alex Example",
        "child_first_name": "Alex",
        "child_or_you": "Alex",
        "childs_or_your": "Alex’s",
        "coordinator_name": "Jo Coordinator",
        "coordinator_email": "jo.coordinator@example.org",
        "case_reference": "1",
        "is_reassessment": False,
        "proposes_assessment": False,
        "decision": "maintain",
        "reason": "Example reason.",
        "schools_consulted": "Example Primary School",
        "named_settings": "Example Primary School",
        "previous_authority": "Another Council",
    }
    raw = {
        name: (_SAMPLE_DATE if name.endswith("_on") or name == "child_date_of_birth" else examples[name])
        for name in letter.placeholders
    }
    return _worded(letter, raw)
