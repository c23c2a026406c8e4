"""Reading an authority's previous SEN2 return (the XML sent to the DfE), one Person at a time.

The file is streamed with `iterparse` and each Person is cleared once read, so a return of any
size is read in bounded memory. Each Person becomes a child (keyed by UPN, else ULN, else name
and date of birth); each Requests group becomes:

- an active plan (ActivePlans): the plan, from NamedPlan's StartDate where the group has one, else
  from the last review (noted); and its open annual review, from LastReview (or the plan's start),
  with the meeting held where ReviewMeeting is later than LastReview (the decision then awaited);
- an ended plan (NamedPlan with CeaseDate): the plan, ceased, with its reason;
- a request received (ReceivedDate, outcome not H): an assessment with the decisions the return
  gives (RequestOutcome and its date, AssessmentOutcome and its date) and, for a plan issued,
  the final plan on the plan's StartDate. A return carries no draft date, so the final plan is
  recorded without one (`CaseIn.partial` lets the sequence check allow it). Outcome A leaves the
  case open where it stands.

Codes are checked against the collection's code lists (sen2_rules/collection2026.py) and the
LA codes (la_codes.csv); UPN and ULN by their check characters.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from typing import Any

from ...models.case import CaseType, EventType, RequestSource
from ...sen2_rules import collection2026 as codes
from ...sen2_rules import la_codes
from .records import CaseIn, ChildIn, Fields, PlanIn, StepIn


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _values(element: ET.Element) -> dict[str, Any]:
    """The element's simple children by name (the first of each)."""
    found: dict[str, Any] = {}
    for item in element:
        name = _local(item.tag)
        if len(item) == 0 and name not in found:
            found[name] = (item.text or "").strip()
    return found


def _groups(element: ET.Element, name: str) -> list[ET.Element]:
    return [item for item in element if _local(item.tag) == name]


def people(content: bytes) -> Iterator[tuple[int, ET.Element]]:
    """(number, Person element) for each Person, each cleared after it is used."""
    number = 0
    for _event, element in ET.iterparse(io.BytesIO(content), events=("end",)):
        if _local(element.tag) == "Person":
            number += 1
            yield number, element
            element.clear()


def count_people(content: bytes) -> int:
    return sum(1 for _ in people(content))


def child_of(number: int, person: ET.Element) -> tuple[ChildIn | None, Fields]:
    values = _values(person)
    f = Fields(values, f"Person {number}")
    upn, uln = f.upn("UPN"), f.uln("UniqueLearnerNumber")
    surname = f.text("Surname", required=True, max_length=100)
    forename = f.text("Forename", required=True, max_length=100)
    born = f.date("PersonBirthDate", required=True)
    unknown = f.code("UPNunknown", tuple(codes.UPN_UNKNOWN_REASONS))
    f.key = upn or uln or (f"{surname}|{forename}|{born.isoformat()}" if surname and forename and born else "")
    if not values.get("UPN") and not values.get("UniqueLearnerNumber") and not unknown:
        f.problem("UPN", "required", "A Person needs a UPN, a ULN or a UPNunknown reason")
    child = ChildIn(
        key=f.key,
        row=f.row,
        first_name=forename or "",
        last_name=surname or "",
        date_of_birth=born or date.min,
        upn=upn,
        uln=uln,
        upn_unknown_reason=unknown if not upn and not uln else None,
        sex=f.sex("Sex"),
        ethnicity=f.ethnicity("Ethnicity"),
        postcode=f.postcode("PostCode"),
    )
    for n, group in enumerate(_groups(person, "Requests"), start=1):
        _request(f, child, group, n)
    if not f.ok or not surname or not forename or born is None:
        return None, f
    return child, f


def _request(f: Fields, child: ChildIn, group: ET.Element, n: int) -> None:
    r = Fields(_values(group), f.row, f.key)
    received = r.date("ReceivedDate")
    source_code = r.code("RequestSource", tuple(codes.REQUEST_SOURCES))
    young_person = r.text("RYA") == "1"
    outcome_on = r.date("RequestOutcomeDate")
    outcome = r.code("RequestOutcome", tuple(codes.REQUEST_OUTCOMES))
    r.code("Exported", tuple(la_codes()))
    assessment = next(iter(_groups(group, "Assessment")), None)
    a = Fields(_values(assessment) if assessment is not None else {}, f.row, f.key)
    a_outcome = a.code("AssessmentOutcome", tuple(codes.ASSESSMENT_OUTCOMES))
    a_outcome_on = a.date("AssessmentOutcomeDate")
    named = next(iter(_groups(assessment, "NamedPlan")), None) if assessment is not None else None
    p = Fields(_values(named) if named is not None else {}, f.row, f.key)
    start = p.date("StartDate", required=named is not None)
    cease_on = p.date("CeaseDate")
    cease_reason = p.code("CeaseReason", tuple(codes.CEASE_REASONS))
    if named is not None:
        for detail in _groups(named, "PlanDetail"):
            _placement(Fields(_values(detail), f.row, f.key), child, set_child=False)
    active = next(iter(_groups(group, "ActivePlans")), None)
    plan: PlanIn | None = None
    if start is not None:
        plan = PlanIn(
            key=f"{child.key}/plan/{start.isoformat()}", issued_on=start, ceased_on=cease_on, cease_reason=cease_reason
        )
    if active is not None:
        plan = _active(f, child, active, plan)
    if plan is not None and not any(existing.key == plan.key for existing in child.plans):
        child.plans.append(plan)
    for reader in (r, a, p):
        for problem in reader.problems:
            problem.field = f"Requests[{n}]/{problem.field}"
        f.problems.extend(reader.problems)
    if received is None or outcome == "H":
        return
    source = RequestSource.YOUNG_PERSON if source_code == "1" and young_person else None
    if source is None and source_code is not None:
        source = {
            "1": RequestSource.PARENT,
            "2": RequestSource.SCHOOL,
            "3": RequestSource.HEALTH,
        }.get(source_code, RequestSource.OTHER)
    case = CaseIn(
        key=f"{child.key}/assessment/{received.isoformat()}",
        case_type=CaseType.ASSESSMENT,
        anchor_on=received,
        source=source or RequestSource.PARENT,
        partial=True,
    )
    case.steps.append(
        StepIn(EventType.REQUEST_RECEIVED, received, {"source": case.source.value if case.source else None})
    )
    decided = outcome_on or received
    if outcome == "Y":
        case.steps.append(StepIn(EventType.DECIDED_TO_ASSESS, decided))
    elif outcome == "N":
        case.steps.append(
            StepIn(EventType.DECIDED_NOT_TO_ASSESS, decided, {"reason": "From the SEN2 return (outcome N)"})
        )
    elif outcome == "W":
        case.steps.append(StepIn(EventType.WITHDRAWN, decided, {"reason": "From the SEN2 return (outcome W)"}))
    if outcome == "Y" and a_outcome is not None:
        on = a_outcome_on or decided
        if a_outcome == "Y":
            case.steps.append(StepIn(EventType.DECIDED_TO_ISSUE, on))
            if plan is not None:
                case.plan_key = plan.key
                case.steps.append(
                    StepIn(
                        EventType.FINAL_PLAN_ISSUED,
                        plan.issued_on,
                        {"named_settings": plan.named_settings or "As named in the plan"},
                    )
                )
        elif a_outcome == "N":
            case.steps.append(
                StepIn(EventType.DECIDED_NOT_TO_ISSUE, on, {"reason": "From the SEN2 return (outcome N)"})
            )
        elif a_outcome == "W":
            case.steps.append(StepIn(EventType.WITHDRAWN, on, {"reason": "From the SEN2 return (outcome W)"}))
    child.cases.append(case)


def _placement(f: Fields, child: ChildIn, *, set_child: bool) -> str | None:
    urn, ukprn = f.digits("URN", 6), f.digits("UKPRN", 8)
    setting = f.code("SENSetting", tuple(codes.SEN_SETTINGS))
    entry = f.date("EntryDate")
    rank = f.text("PlacementRank")
    if set_child and rank in (None, "1"):
        child.setting_urn, child.setting_ukprn, child.sen_setting = urn, ukprn, setting
        child.setting_started_on = entry
        child.setting_sen_unit = f.text("SENunitIndicator") == "1"
        child.setting_resourced_provision = f.text("ResourcedProvisionIndicator") == "1"
    return urn or ukprn or setting


def _active(f: Fields, child: ChildIn, active: ET.Element, plan: PlanIn | None) -> PlanIn | None:
    x = Fields(_values(active), f.row, f.key)
    x.code("TransferLA", tuple(la_codes()))
    for detail in _groups(active, "PlacementDetail"):
        d = Fields(_values(detail), f.row, f.key)
        _placement(d, child, set_child=True)
        x.problems.extend(d.problems)
    for need in _groups(active, "SENneed"):
        n = Fields(_values(need), f.row, f.key)
        kind = n.need("SENtype")
        if n.text("SENtypeRank") == "2":
            child.secondary_need = kind
        else:
            child.primary_need = kind
        x.problems.extend(n.problems)
    meeting = x.date("ReviewMeeting")
    x.code("ReviewOutcome", tuple(codes.REVIEW_OUTCOMES))
    last_review = x.date("LastReview")
    for problem in x.problems:
        problem.field = f"ActivePlans/{problem.field}"
    f.problems.extend(x.problems)
    if plan is None:
        start = last_review or meeting
        if start is None:
            f.problem(
                "ActivePlans/LastReview",
                "required",
                "An active plan with no NamedPlan StartDate needs its LastReview date",
            )
            return None
        f.problem(
            "ActivePlans/LastReview",
            "plan_start_assumed",
            f"The plan's start date is not in the return; {start.isoformat()} is used",
            severity="warning",
        )
        plan = PlanIn(key=f"{child.key}/plan/{start.isoformat()}", issued_on=start)
    plan.ceased_on = None
    plan.last_reviewed_on = last_review if last_review and last_review > plan.issued_on else None
    anchor = plan.last_reviewed_on or plan.issued_on
    review = CaseIn(
        key=f"{child.key}/review/{anchor.isoformat()}",
        case_type=CaseType.ANNUAL_REVIEW,
        anchor_on=anchor,
        plan_key=plan.key,
    )
    if meeting is not None and meeting > anchor:
        # Met since the last decision: the decision is awaited (the engine counts its 4 weeks).
        review.steps.append(StepIn(EventType.REVIEW_MEETING_SCHEDULED, meeting, {"meeting_on": meeting}))
        review.steps.append(StepIn(EventType.REVIEW_MEETING_HELD, meeting))
    child.cases.append(review)
    return plan
