"""Disputes: mediation and appeals to the First-tier Tribunal (SEND) about a decision of a case.

A dispute is a case of its own (`CaseType.DISPUTE`), opened on the case whose decision is disputed,
from the day the decision letter was sent (its anchor). Its steps are in the workflow table; here
are the details each step takes and the checks the table cannot say:

- a mediation agreement only after a mediation that reached one;
- a mediation certificate without a mediation request is the family choosing not to mediate
  (SEND Regs 2014 reg 34), after which mediation is not asked for on the same dispute;
- no response to the tribunal once the council has said it will not oppose the appeal, and no
  "not opposed" once the response was sent or the tribunal has decided;
- a tribunal decision that orders something names what (the limbs of SEND Regs 2014 reg 44), and
  an action taken names a limb the case owes;
- the dates a step gives (the council told of mediation, the tribunal's letters) not before the
  decision letter, nor in the future.

The time limits themselves are counted by the statutory engine (services/milestones.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import MappingProxyType
from typing import Any

from ..models.case import Case, CaseType, EventType
from ..statutory.rules import DISPUTE_RULES
from . import ServiceError
from .workflow import DISPUTE_LIMBS, DISPUTE_SOURCES

DISPUTABLE_CASE_TYPES = (CaseType.ASSESSMENT, CaseType.REASSESSMENT, CaseType.ANNUAL_REVIEW)

REQUESTED_BY = MappingProxyType({"parent": "Parent", "young_person": "Young person"})
MEDIATION_OUTCOMES = MappingProxyType({"agreement": "Agreement reached", "no_agreement": "No agreement"})
APPEAL_OUTCOMES = MappingProxyType(
    {
        "dismissed": "Dismissed",
        "upheld_in_part": "Upheld in part",
        "upheld": "Upheld",
        "withdrawn": "Withdrawn",
        "conceded": "Conceded by the council",
    }
)
# What an action is taken under: the prefix of the milestone keys of that kind of requirement.
UNDER = MappingProxyType(
    {
        "order": ("order_", "The tribunal's order"),
        "unopposed": ("unopposed_", "The council's concession (appeal not opposed)"),
        "mediation_agreement": ("mediation_agreement_", "The mediation agreement"),
    }
)
LIMB_LABELS = MappingProxyType(
    {
        "assessment_notice": "Tell the family the council will assess",
        "assessment_no_plan": "Notify a decision not to issue a plan after the assessment",
        "assessment_final_plan": "Issue the final plan after the assessment",
        "draft_plan": "Issue a draft plan",
        "final_plan": "Issue the final plan",
        "amended_plan": "Issue the amended plan (sections B and F)",
        "school_amended_plan": "Issue the amended plan (section I, the school or college)",
        "continue_plan": "Continue to maintain the plan",
        "cease_plan": "Cease the plan",
        "other_action": "Something else the mediation agreement requires",
    }
)
assert set(LIMB_LABELS) == set(DISPUTE_LIMBS)


DUTY_PREFIXES = tuple(prefix for prefix, _label in UNDER.values())
"""The milestone keys of the council's duties after an order, a concession or a mediation agreement."""


def owes_a_duty(case: Case) -> bool:
    """An open duty: a limb ordered, conceded or agreed that has not been done yet."""
    return any(m.met_on is None and m.key.startswith(DUTY_PREFIXES) for m in case.milestones)


def limbs_of(details: dict[str, Any] | None) -> list[str]:
    """The limbs a recorded step requires, as stored."""
    return list((details or {}).get("limbs") or [])


def described(details: dict[str, Any] | None) -> list[str]:
    """A dispute step's details in plain words, a line each, for the case's history."""
    d = details or {}
    lines = []
    if d.get("requested_by") in REQUESTED_BY:
        lines.append(f"Asked for by: {REQUESTED_BY[d['requested_by']].lower()}")
    if d.get("mediation_declined"):
        lines.append("Without mediation: the family told the mediation adviser they did not want it")
    if d.get("mediation_outcome") in MEDIATION_OUTCOMES:
        lines.append(MEDIATION_OUTCOMES[d["mediation_outcome"]])
    if d.get("tribunal_reference"):
        lines.append(f"Tribunal reference {d['tribunal_reference']}")
    if d.get("appeal_outcome") in APPEAL_OUTCOMES:
        lines.append(APPEAL_OUTCOMES[d["appeal_outcome"]])
    if d.get("under") in UNDER:
        lines.append(f"Under: {UNDER[d['under']][1].lower()}")
    required = [LIMB_LABELS[limb] for limb in limbs_of(d) if limb in LIMB_LABELS]
    if d.get("limb") in LIMB_LABELS:
        required.append(LIMB_LABELS[d["limb"]])
    lines += required
    return lines


def check_disputable(case: Case) -> None:
    """A dispute is about the decision of an assessment, reassessment or annual review."""
    if case.case_type not in DISPUTABLE_CASE_TYPES:
        raise ServiceError(
            "Only the decision of an assessment, reassessment or annual review can be disputed", field="appeal_type"
        )


def _date(details: dict[str, Any], name: str, label: str, case: Case, today: date) -> date | None:
    value = details.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ServiceError(f"Enter {label} as a real date", field=name) from None
    if value > today:
        raise ServiceError(f"{label[0].upper()}{label[1:]} cannot be in the future", field=name)
    if value < case.anchor_on:
        raise ServiceError(
            f"{label[0].upper()}{label[1:]} cannot be before the decision letter was sent ({case.anchor_on:%-d %B %Y})",
            field=name,
        )
    return value


def _choice(details: dict[str, Any], name: str, choices: Any, message: str) -> str:
    value = details.get(name)
    if value not in choices:
        raise ServiceError(message, field=name)
    return str(value)


def _limbs(details: dict[str, Any], prefix: str, *, required: bool) -> list[str]:
    given = details.get("limbs") or []
    if isinstance(given, str):
        given = [part.strip() for part in given.split(",") if part.strip()]
    limbs = []
    for limb in given:
        if f"{prefix}{limb}" not in DISPUTE_RULES:
            raise ServiceError(f"‘{limb}’ is not something this can require", field="limbs")
        if limb not in limbs:
            limbs.append(limb)
    if required and not limbs:
        raise ServiceError("Select what it requires the council to do", field="limbs")
    return limbs


def _h_mediation_requested(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    certificate = case.event(EventType.MEDIATION_CERTIFICATE_ISSUED)
    if certificate is not None:
        raise ServiceError(
            f"The mediation certificate was issued on {certificate.occurred_on:%-d %B %Y} without mediation: the "
            "family chose to go straight to appeal",
            field="event_type",
        )
    by = _choice(details, "requested_by", REQUESTED_BY, "Select who asked for mediation")
    told = _date(details, "council_told_on", "the date the council was told", case, today) or on
    return {"requested_by": by, "council_told_on": told.isoformat()}


def _h_certificate(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    """Without a mediation request, the family told the mediation adviser they did not want
    mediation, and the certificate lets them appeal (reg 34)."""
    return {} if case.event(EventType.MEDIATION_REQUESTED) is not None else {"mediation_declined": True}


def _h_mediation_held(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    requested = case.event(EventType.MEDIATION_REQUESTED)
    told = (requested.details or {}).get("council_told_on") if requested else None
    if told and on < date.fromisoformat(told):
        raise ServiceError("The mediation cannot be held before the council was told of it", field="on")
    return {"mediation_outcome": _choice(details, "mediation_outcome", MEDIATION_OUTCOMES, "Select the outcome")}


def _h_mediation_agreement(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    held = case.event(EventType.MEDIATION_HELD)
    if held is None or (held.details or {}).get("mediation_outcome") != "agreement":
        raise ServiceError("The mediation reached no agreement, so there is none to record", field="event_type")
    return {"limbs": _limbs(details, "mediation_agreement_", required=True)}


def _h_appeal_registered(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    reference = " ".join(str(details.get("tribunal_reference") or "").split())
    if not reference:
        raise ServiceError("Enter the tribunal's reference", field="tribunal_reference")
    sent = _date(details, "tribunal_sent_on", "the date the tribunal sent the appeal", case, today) or on
    set_on = details.get("response_set_on")
    if isinstance(set_on, str) and set_on:
        try:
            set_on = date.fromisoformat(set_on)
        except ValueError:
            raise ServiceError("Enter the response date as a real date", field="response_set_on") from None
    if set_on and set_on < sent:
        raise ServiceError(
            "The response date the tribunal set cannot be before it sent the appeal", field="response_set_on"
        )
    return {
        "tribunal_reference": reference[:40],
        "tribunal_sent_on": sent.isoformat(),
        "response_set_on": set_on.isoformat() if set_on else None,
    }


def _h_response_sent(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    if case.event(EventType.APPEAL_NOT_OPPOSED) is not None:
        raise ServiceError(
            "The council told the tribunal it will not oppose the appeal, so no response is sent", field="event_type"
        )
    return {}


def _h_not_opposed(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    response = case.event(EventType.TRIBUNAL_RESPONSE_SENT)
    if response is not None:
        raise ServiceError(
            f"The response was sent to the tribunal on {response.occurred_on:%-d %B %Y}: record the tribunal's "
            "decision (conceded) instead",
            field="event_type",
        )
    if case.event(EventType.APPEAL_OUTCOME) is not None:
        raise ServiceError("The tribunal has already decided the appeal", field="event_type")
    return {"limbs": _limbs(details, "unopposed_", required=True)}


def _h_hearing_held(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    if case.event(EventType.APPEAL_NOT_OPPOSED) is not None:
        raise ServiceError("The appeal was not opposed, so there is no hearing", field="event_type")
    return {}


def _h_appeal_outcome(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    if case.event(EventType.APPEAL_NOT_OPPOSED) is not None:
        raise ServiceError("The appeal was not opposed: record the actions taken instead", field="event_type")
    hearing = case.event(EventType.HEARING_HELD)
    if hearing is not None and on < hearing.occurred_on:
        raise ServiceError(
            f"The tribunal's decision cannot be before the hearing ({hearing.occurred_on:%-d %B %Y})", field="on"
        )
    outcome = _choice(details, "appeal_outcome", APPEAL_OUTCOMES, "Select the tribunal's decision")
    limbs = _limbs(details, "order_", required=outcome in ("upheld", "upheld_in_part", "conceded"))
    if outcome == "withdrawn" and limbs:
        raise ServiceError("A withdrawn appeal orders nothing: leave what it requires empty", field="limbs")
    if outcome == "dismissed" and set(limbs) - {"cease_plan"}:
        raise ServiceError("A dismissed appeal can only require the plan to cease", field="limbs")
    return {"appeal_outcome": outcome, "limbs": limbs}


def _h_action_taken(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    under = _choice(details, "under", UNDER, "Select what the action was taken under")
    limb = _choice(details, "limb", LIMB_LABELS, "Select what was done")
    key = f"{UNDER[under][0]}{limb}"
    owed = next((m for m in case.milestones if m.key == key), None)
    if owed is None:
        raise ServiceError(f"{UNDER[under][1]} does not require this: select something it requires", field="limb")
    if on < owed.anchor_on:
        raise ServiceError(f"The action cannot be before what required it ({owed.anchor_on:%-d %B %Y})", field="on")
    return {"under": under, "limb": limb}


def _h_closed(case: Case, on: date, details: dict[str, Any], today: date) -> dict[str, Any]:
    reason = " ".join(str(details.get("reason") or "").split())
    if not reason:
        raise ServiceError("Enter why the dispute is closed", field="reason")
    return {"reason": reason}


HANDLERS: dict[EventType, Callable[[Case, date, dict[str, Any], date], dict[str, Any]]] = {
    EventType.MEDIATION_REQUESTED: _h_mediation_requested,
    EventType.MEDIATION_CERTIFICATE_ISSUED: _h_certificate,
    EventType.MEDIATION_HELD: _h_mediation_held,
    EventType.MEDIATION_AGREEMENT_RECORDED: _h_mediation_agreement,
    EventType.APPEAL_REGISTERED: _h_appeal_registered,
    EventType.TRIBUNAL_RESPONSE_SENT: _h_response_sent,
    EventType.APPEAL_NOT_OPPOSED: _h_not_opposed,
    EventType.HEARING_HELD: _h_hearing_held,
    EventType.APPEAL_OUTCOME: _h_appeal_outcome,
    EventType.DISPUTE_ACTION_TAKEN: _h_action_taken,
    EventType.DISPUTE_CLOSED: _h_closed,
}

assert set(DISPUTE_SOURCES) == {prefix for prefix, _ in UNDER.values()}
