"""The SEN2 return: the DfE's person-level collection of EHC needs assessments and plans,
built from the case records as they stood on the census date, with the checks the DfE runs.

What follows which source
-------------------------
* **XML structure, element names and order, code lists**: the SEN2 2024 XML schema as
  replicated in Social Finance's open-source `liia-tools` (liiatools/spec/sen2/
  SEN2_schema_2024.xsd) and its mock-up return: `Message` → `Header` (`CollectionDetails`,
  `Source`) and `Persons` → `Person` → `Requests` → `Assessment` → `NamedPlan` →
  `PlanDetail`, and `Requests` → `ActivePlans` → `PlacementDetail`, `SENneed`,
  `ReviewMeeting`, `ReviewOutcome`, `LastReview`. Elements are written in the schema's
  sequence; yes/no items as 1/0. The DfE publishes a new specification each year: check
  this module against the current year's schema before submitting.
* **Meaning of the items** (`sen2-reference.csv`, the DfE guide text as replicated by the
  data-to-insight standard safeguarding dataset): RequestOutcome Y/N/A/W/H and its date (the
  day the requester was told the decision to assess); AssessmentOutcome Y/N/A/W/H and its
  date (the day the plan was issued, or the person told it would not be); the assessment's
  `Week20` item, "20-week time limit exceptions apply" (1/0); NamedPlan StartDate, CeaseDate
  (the day the plan ended, not the decision) and CeaseReason 1–9 (the same codes as
  services.cases.CEASE_REASONS); LastReview (the day the authority wrote with its decision
  after the review meeting, not the meeting); SENtype with rank 1 (primary) and 2 (secondary).
* **Who is in the return** (the brief for this feature, and the DfE's published
  methodology): the census date is in January; requests received in the 12 months ending
  on the census date; active plans on the census date. Following the DfE's "summary of cases
  to be included" (completed work and ongoing work), an assessment received earlier is also
  reported when it was still open at any time in those 12 months, so that decisions and
  plans issued in the period are reported with their request. Plans that ended in the period
  are reported with their CeaseDate and CeaseReason. The DfE's methodology describes the
  period as the calendar year before the census; the 12 months to the census date used here
  include it.
* **Everything is as at the census date**: a step recorded for a day after it is treated as
  not yet taken (a return made in February shows January's position).

What is assumed, or left out because the record does not hold it
----------------------------------------------------------------
* Reassessments are not reported as new requests (their plan is already active, and is
  reported under ActivePlans); DfE statistics count new plans only.
* A decision made before the 12 months is Historical (RequestOutcome or AssessmentOutcome
  H), and its date is not reported; plans with no request in the period (made earlier,
  transferred in, or made before the service was used) are reported under a Requests group
  with RequestOutcome H and AssessmentOutcome H, which carries the NamedPlan and ActivePlans.
* The placement (PlanDetail and PlacementDetail) is the child's current setting, by its URN
  and UKPRN, ranked 1; its EntryDate is the day the plan naming it was issued, or last
  amended. SENSetting is written only for settings without a URN or UKPRN, and the record
  holds no SENSetting code, so such plans are reported as failing "placement_missing".
  SENunitIndicator and ResourcedProvisionIndicator (required by the schema) are written as 0:
  the record does not say whether a place is in a SEN unit or resourced provision.
* Not written (optional, not recorded): RYA, mediation and tribunal indicators, Exported,
  TransferLA, PlanRes, PlanWBP, PB, OA, DP, LeavingDate, Res, WBP, UPNunknown.
  The record has no field for the UPN-unknown reason (UN1–UN10), so a child with neither a
  UPN nor a ULN fails "upn_missing" until one is recorded.
* SENtype DS (Down syndrome, added to the school census from 2024/25) is passed through; the
  2024 schema replica does not list it.
* The header's LA code, DMO and DCO items come from the settings (SEN2_LA_CODE, SEN2_DMO,
  SEN2_DCO) or the command's options; when missing they are left out and reported.

The validation rules (`VALIDATION_RULES`) are of the kind the DfE's collection system applies:
identifiers present, required person details present, dates in order, every active plan
with a placement and a type of need. Failures are listed per child (child id, rule,
message) so that staff can put the records right; the file is written all the same.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import User
from ..models.case import Case, CaseType, EventType, Plan, ReviewDecision
from ..models.child import Child
from . import ServiceError, audit
from .cases import CEASE_REASONS
from .clock import LONDON

COLLECTION = "SEN2"
SOFTWARE_CODE = "EHC Tracker"
RELEASE = "1.0"
OLDEST_AGE = 25

REQUEST_OUTCOMES = {
    "Y": "The authority proceeded with an assessment",
    "N": "The authority decided not to assess",
    "A": "Decision yet to be made",
    "W": "Request withdrawn or ceased before the decision to assess",
    "H": "Historical: the decision to assess was made before the collection period",
}
ASSESSMENT_OUTCOMES = {
    "Y": "It was decided an EHC plan would be issued",
    "N": "It was decided an EHC plan would not be issued",
    "A": "Decision not yet made",
    "W": "Request withdrawn or ceased before the decision whether to issue",
    "H": "Historical: the decision to issue was made before the collection period, or the plan transferred in",
}
REVIEW_OUTCOMES = {ReviewDecision.MAINTAIN: "M", ReviewDecision.AMEND: "A", ReviewDecision.CEASE: "C"}
# SENSetting codes (for a placement with no URN or UKPRN); the record holds none of them yet.
SEN_SETTINGS = {
    "OLA": "Other arrangements made by the local authority",
    "OPA": "Other arrangements made by parents",
    "EHE": "Elective home education",
    "EYP": "Early years provider with no URN",
    "NEET": "Not in education, employment or training",
    "NIEC": "Not in education: ceased",
    "NIEO": "Not in education: other",
    "OTH": "Other",
}
HEADER_FLAGS = ("Y", "N", "R")

VALIDATION_RULES = {
    "la_code": "The header needs the authority's 3-digit LA code",
    "dmo": "The header needs the DMO item (Y, N or R)",
    "dco": "The header needs the DCO item (Y, N or R)",
    "upn_missing": "A child needs a UPN, a ULN (young people in further education) or a reason the UPN is not known",
    "upn_duplicate": "Two children in the return have the same UPN",
    "sex_missing": "Sex is required",
    "ethnicity_missing": "Ethnicity is required",
    "postcode_missing": "Postcode is required",
    "age_over_25": "A child with an active plan must be 25 or younger on the census date",
    "received_before_birth": "A request cannot be received before the date of birth",
    "outcome_before_received": "The request outcome date cannot be before the request was received",
    "assessment_before_request_outcome": "The assessment outcome date cannot be before the request outcome date",
    "plan_before_received": "A plan cannot start before the request was received",
    "cease_before_start": "A plan cannot end before it started",
    "cease_reason_missing": "An ended plan needs a cease reason (1 to 9)",
    "plan_start_unknown": "A plan needs its start date",
    "placement_missing": "A plan needs a placement: the setting's URN or UKPRN",
    "need_missing": "An active plan needs at least the primary type of need",
    "review_decision_before_meeting": "A review decision cannot be before the review meeting",
}

# The schema's element order, used by the writer (and by the tests).
PERSON_SEQUENCE = ("Surname", "Forename", "PersonBirthDate", "Sex", "Ethnicity", "PostCode", "UPN", "UniqueLearnerNumber", "UPNunknown", "Requests")
REQUESTS_SEQUENCE = ("ReceivedDate", "RYA", "RequestOutcomeDate", "RequestOutcome", "RequestMediation", "RequestTribunal", "Exported", "Assessment", "ActivePlans")
ASSESSMENT_SEQUENCE = ("AssessmentOutcome", "AssessmentOutcomeDate", "AssessmentMediation", "AssessmentTribunal", "OtherMediation", "OtherTribunal", "Week20", "NamedPlan")
NAMED_PLAN_SEQUENCE = ("StartDate", "PlanDetail", "PlanRes", "PlanWBP", "PB", "OA", "DP", "CeaseDate", "CeaseReason")
PLAN_DETAIL_SEQUENCE = ("URN", "UKPRN", "SENSetting", "SENSettingOther", "PlacementRank", "SENunitIndicator", "ResourcedProvisionIndicator")
ACTIVE_PLANS_SEQUENCE = ("TransferLA", "PlacementDetail", "SENneed", "ReviewMeeting", "ReviewOutcome", "LastReview")
PLACEMENT_DETAIL_SEQUENCE = (
    "URN", "UKPRN", "SENSetting", "SENSettingOther", "PlacementRank", "EntryDate", "LeavingDate",
    "SENunitIndicator", "ResourcedProvisionIndicator", "Res", "WBP",
)


# --- The collection period ---------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionPeriod:
    """The 12 months ending on the census date (both days included)."""

    census_date: date
    starts_on: date

    def __contains__(self, on: object) -> bool:
        return isinstance(on, date) and self.starts_on <= on <= self.census_date


def collection_period(census_date: date, *, today: date) -> CollectionPeriod:
    if census_date.month != 1:
        raise ServiceError("The SEN2 census date is in January", field="census_date")
    if census_date > today:
        raise ServiceError("The census date cannot be in the future", field="census_date")
    return CollectionPeriod(census_date, census_date - relativedelta(years=1) + timedelta(days=1))


def census_date_for(year: int) -> date:
    """The third Thursday of January, the DfE's usual census day."""
    first = date(year, 1, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(weeks=2)


def latest_census_date(today: date) -> date:
    this_year = census_date_for(today.year)
    return this_year if this_year <= today else census_date_for(today.year - 1)


# --- Settings and results --------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderSettings:
    la_code: str | None
    dmo: str | None
    dco: str | None
    serial_no: str = "001"


@dataclass(frozen=True)
class Failure:
    """A validation failure: the child (None for the header), the rule, and what to put right."""

    child_id: int | None
    rule: str
    message: str
    case_id: int | None = None


@dataclass(frozen=True)
class Sen2Return:
    period: CollectionPeriod
    xml: bytes
    failures: list[Failure]
    persons: int
    requests: int
    active_plans: int
    ceased_plans: int
    la_code: str | None

    @property
    def census_date(self) -> date:
        return self.period.census_date

    @property
    def filename(self) -> str:
        return f"SEN2_{self.la_code or 'LA'}_{self.census_date.year}.xml"

    def failures_by_child(self) -> dict[int | None, list[Failure]]:
        found: dict[int | None, list[Failure]] = defaultdict(list)
        for failure in self.failures:
            found[failure.child_id].append(failure)
        return dict(found)


# --- What a Person holds, before it is written ---------------------------------------------------


@dataclass
class Placement:
    urn: str | None
    ukprn: str | None
    entry_on: date | None = None


@dataclass
class NamedPlanItem:
    start_on: date | None
    placements: list[Placement]
    cease_on: date | None = None
    cease_reason: str | None = None


@dataclass
class AssessmentItem:
    outcome: str
    outcome_on: date | None = None
    week20: bool | None = None
    named_plan: NamedPlanItem | None = None


@dataclass
class ActivePlanItem:
    placements: list[Placement]
    needs: list[tuple[str, int]]
    review_meeting_on: date | None = None
    review_outcome: str | None = None
    last_review_on: date | None = None


@dataclass
class RequestItem:
    case_id: int | None
    received_on: date | None
    outcome: str
    outcome_on: date | None = None
    assessment: AssessmentItem | None = None
    active_plan: ActivePlanItem | None = None


@dataclass
class PersonItem:
    child: Child
    requests: list[RequestItem] = field(default_factory=list)


# --- Reading the records as at the census date ---------------------------------------------------


def _on(case: Case, event_type: EventType, census_date: date) -> date | None:
    """The day of the step, if it was taken on or before the census date (the latest, if repeated)."""
    days = [e.occurred_on for e in case.events if e.event_type is event_type and e.occurred_on <= census_date]
    return max(days) if days else None


def _placements(child: Child, entry_on: date | None) -> list[Placement]:
    if not child.setting_urn and not child.setting_ukprn:
        return []
    return [Placement(child.setting_urn, child.setting_ukprn, entry_on)]


def _named_plan(child: Child, plan: Plan | None, census_date: date, *, start_on: date | None = None, ceased: tuple[date, str | None] | None = None) -> NamedPlanItem:
    if plan is not None:
        start_on = plan.issued_on
        if plan.ceased_on is not None and plan.ceased_on <= census_date:
            ceased = (plan.ceased_on, plan.cease_reason)
    return NamedPlanItem(
        start_on=start_on,
        placements=_placements(child, None),
        cease_on=ceased[0] if ceased else None,
        cease_reason=ceased[1] if ceased else None,
    )


def _active_plan(child: Child, plan: Plan | None, reviews: list[Case], period: CollectionPeriod) -> ActivePlanItem:
    census = period.census_date
    entry_on: date | None = None
    if plan is not None:
        amended = plan.last_amended_on if plan.last_amended_on is not None and plan.last_amended_on <= census else None
        entry_on = amended or plan.issued_on
    needs = [(need.value, rank) for need, rank in ((child.primary_need, 1), (child.secondary_need, 2)) if need is not None]
    item = ActivePlanItem(placements=_placements(child, entry_on), needs=needs)
    meetings = [(held, case.id, case) for case in reviews if (held := _on(case, EventType.REVIEW_MEETING_HELD, census)) is not None]
    if meetings:
        held, _, latest = max(meetings, key=lambda m: (m[0], m[1]))
        if held in period:
            item.review_meeting_on = held
            if _on(latest, EventType.REVIEW_DECISION_NOTIFIED, census) is not None and latest.review_decision is not None:
                item.review_outcome = REVIEW_OUTCOMES[latest.review_decision]
    decisions = [on for case in reviews if (on := _on(case, EventType.REVIEW_DECISION_NOTIFIED, census)) is not None]
    item.last_review_on = max(decisions) if decisions else None
    return item


def _is_active(plan: Plan, census_date: date) -> bool:
    return plan.issued_on <= census_date and (plan.ceased_on is None or plan.ceased_on > census_date)


def _assessment_request(case: Case, child: Child, plans: dict[int, Plan], reviews: dict[int, list[Case]], period: CollectionPeriod) -> RequestItem:
    census, start = period.census_date, period.starts_on
    assess_yes = _on(case, EventType.DECIDED_TO_ASSESS, census)
    assess_no = _on(case, EventType.DECIDED_NOT_TO_ASSESS, census)
    withdrawn = _on(case, EventType.WITHDRAWN, census)
    if assess_yes is not None:
        request = RequestItem(case.id, case.anchor_on, "H" if assess_yes < start else "Y", assess_yes if assess_yes >= start else None)
    elif assess_no is not None:
        return RequestItem(case.id, case.anchor_on, "N", assess_no)
    elif withdrawn is not None:
        return RequestItem(case.id, case.anchor_on, "W")
    else:
        return RequestItem(case.id, case.anchor_on, "A")
    issue_yes = _on(case, EventType.DECIDED_TO_ISSUE, census)
    issue_no = _on(case, EventType.DECIDED_NOT_TO_ISSUE, census)
    final = _on(case, EventType.FINAL_PLAN_ISSUED, census)
    if issue_yes is not None:
        assessment = AssessmentItem("H" if issue_yes < start else "Y")
        if assessment.outcome == "Y" and final is not None:
            assessment.outcome_on = final
            final_milestone = next((m for m in case.milestones if m.key == "final_plan"), None)
            assessment.week20 = bool(final_milestone and final_milestone.exception_applies)
        plan = plans.get(case.plan_id) if case.plan_id is not None and final is not None else None
        if plan is not None:
            assessment.named_plan = _named_plan(child, plan, census)
            if _is_active(plan, census):
                request.active_plan = _active_plan(child, plan, reviews.get(plan.id, []), period)
    elif issue_no is not None:
        assessment = AssessmentItem("N", issue_no)
    elif withdrawn is not None:
        assessment = AssessmentItem("W")
    else:
        assessment = AssessmentItem("A")
    request.assessment = assessment
    return request


def _historical_request(child: Child, plan: Plan | None, reviews: list[Case], period: CollectionPeriod, *, received_on: date | None, case_id: int | None,
                        ceased: tuple[date, str | None] | None = None, active: bool) -> RequestItem:
    named = _named_plan(child, plan, period.census_date, ceased=ceased)
    request = RequestItem(case_id, received_on, "H", assessment=AssessmentItem("H", named_plan=named))
    if active:
        request.active_plan = _active_plan(child, plan, reviews, period)
    return request


# --- Building the return --------------------------------------------------------------------------


def _team_filter(team_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if team_ids is None else [Child.team_id.in_(sorted(team_ids) or [-1])]


def gather(period: CollectionPeriod, *, team_ids: Collection[int] | None = None) -> list[PersonItem]:
    """Each child in the return, with their Requests groups (see the module docstring)."""
    census, start = period.census_date, period.starts_on
    teams = _team_filter(team_ids)
    assessments = list(
        db.session.scalars(
            select(Case).join(Child, Case.child_id == Child.id)
            .where(
                Case.case_type == CaseType.ASSESSMENT, Case.anchor_on <= census,
                or_(Case.closed_on.is_(None), Case.closed_on >= start), *teams,
            )
            .options(selectinload(Case.events), selectinload(Case.milestones))
            .order_by(Case.anchor_on, Case.id)
        )
    )
    plans = {
        p.id: p
        for p in db.session.scalars(
            select(Plan).join(Child, Plan.child_id == Child.id)
            .where(Plan.issued_on <= census, or_(Plan.ceased_on.is_(None), Plan.ceased_on >= start), *teams)
            .order_by(Plan.issued_on, Plan.id)
        )
    }
    reviews: dict[int, list[Case]] = defaultdict(list)
    legacy: dict[int, list[Case]] = defaultdict(list)
    review_cases = db.session.scalars(
        select(Case).join(Child, Case.child_id == Child.id)
        .where(Case.case_type == CaseType.ANNUAL_REVIEW, or_(Case.plan_id.in_(list(plans) or [-1]), Case.plan_id.is_(None)), *teams)
        .options(selectinload(Case.events))
        .order_by(Case.anchor_on, Case.id)
    )
    for review in review_cases:
        if review.plan_id is not None:
            reviews[review.plan_id].append(review)
        else:
            legacy[review.child_id].append(review)

    children_ids = {c.child_id for c in assessments} | {p.child_id for p in plans.values()} | set(legacy)
    children = {c.id: c for c in db.session.scalars(select(Child).where(Child.id.in_(sorted(children_ids) or [-1])))}
    people: dict[int, PersonItem] = {}

    def person(child_id: int) -> PersonItem:
        if child_id not in people:
            people[child_id] = PersonItem(children[child_id])
        return people[child_id]

    used: set[int] = set()
    for case in assessments:
        item = _assessment_request(case, children[case.child_id], plans, reviews, period)
        if item.assessment is not None and item.assessment.named_plan is not None and case.plan_id is not None:
            used.add(case.plan_id)
        person(case.child_id).requests.append(item)

    unused = [p for p in plans.values() if p.id not in used]
    issuing = {
        ident: anchor
        for ident, anchor in db.session.execute(
            select(Case.id, Case.anchor_on).where(Case.id.in_([p.issued_by_case_id for p in unused if p.issued_by_case_id] or [-1]))
        )
    }
    for plan in unused:
        person(plan.child_id).requests.append(
            _historical_request(
                children[plan.child_id], plan, reviews.get(plan.id, []), period,
                received_on=issuing.get(plan.issued_by_case_id) if plan.issued_by_case_id else None,
                case_id=plan.issued_by_case_id, active=_is_active(plan, census),
            )
        )

    # Plans made before the service was used: known only by their annual reviews.
    for child_id, cases in legacy.items():
        if any(_is_active(p, census) for p in plans.values() if p.child_id == child_id):
            continue
        if min(c.anchor_on for c in cases) > census:
            continue
        ceased_cases = [(on, c) for c in cases if (on := _on(c, EventType.PLAN_CEASED, census)) is not None]
        ceased: tuple[date, str | None] | None = None
        if ceased_cases:
            on, case = max(ceased_cases, key=lambda pair: pair[0])
            if on < period.starts_on:
                continue
            event = case.event(EventType.PLAN_CEASED)
            reason = (event.details or {}).get("cease_reason") if event is not None else None
            ceased = (on, str(reason) if reason else None)
        person(child_id).requests.append(
            _historical_request(children[child_id], None, cases, period, received_on=None, case_id=None, ceased=ceased, active=ceased is None)
        )

    for someone in people.values():
        someone.requests.sort(key=lambda r: (r.received_on is None, r.received_on or date.min, r.case_id or 0))
    return [people[k] for k in sorted(people)]


# --- Validation -------------------------------------------------------------------------------------


def _age_on(born: date, on: date) -> int:
    return relativedelta(on, born).years


def validate_header(header: HeaderSettings) -> list[Failure]:
    failures = []
    if not header.la_code or not re.fullmatch(r"[0-9]{3}", header.la_code):
        failures.append(Failure(None, "la_code", "Set the authority's 3-digit LA code (SEN2_LA_CODE, or --la-code)"))
    for name, value in (("dmo", header.dmo), ("dco", header.dco)):
        if value not in HEADER_FLAGS:
            failures.append(Failure(None, name, f"Set the {name.upper()} item to Y, N or R (SEN2_{name.upper()}, or --{name})"))
    return failures


def _plan_failures(child: Child, request: RequestItem, plan: NamedPlanItem | None, active: ActivePlanItem | None) -> list[Failure]:
    found: list[Failure] = []

    def fail(rule: str, message: str) -> None:
        found.append(Failure(child.id, rule, message, request.case_id))

    if plan is not None:
        if plan.start_on is None:
            fail("plan_start_unknown", "The plan was made before the service was used and its start date is not recorded")
        elif request.received_on is not None and plan.start_on < request.received_on:
            fail("plan_before_received", f"The plan starts on {plan.start_on:%-d %B %Y}, before the request was received ({request.received_on:%-d %B %Y})")
        if plan.cease_on is not None:
            if plan.start_on is not None and plan.cease_on < plan.start_on:
                fail("cease_before_start", f"The plan ended on {plan.cease_on:%-d %B %Y}, before it started ({plan.start_on:%-d %B %Y})")
            if plan.cease_reason not in CEASE_REASONS:
                fail("cease_reason_missing", f"The plan ended on {plan.cease_on:%-d %B %Y} but the reason it ended is not recorded")
    if (plan is not None and not plan.placements and active is None) or (active is not None and not active.placements):
        fail("placement_missing", "No placement: record the URN or UKPRN of the setting named in the plan on the child's record")
    if active is not None and not active.needs:
        fail("need_missing", "No type of need: record the child's primary need")
    return found


def validate(people: Iterable[PersonItem], period: CollectionPeriod) -> list[Failure]:
    """The DfE-style checks, per child (see VALIDATION_RULES)."""
    failures: list[Failure] = []
    people = list(people)
    upns = Counter(p.child.upn for p in people if p.child.upn)
    for person in people:
        child = person.child

        def fail(rule: str, message: str, case_id: int | None = None) -> None:
            failures.append(Failure(child.id, rule, message, case_id))

        if not child.upn and not child.uln:
            fail("upn_missing", "No UPN or ULN is recorded, and the record has no field for the reason a UPN is not known (UN1 to UN10)")
        if child.upn and upns[child.upn] > 1:
            fail("upn_duplicate", f"Another child in the return has the UPN {child.upn}")
        if child.sex is None:
            fail("sex_missing", "Record the child's sex (M, F, or U if not known)")
        if child.ethnicity is None:
            fail("ethnicity_missing", "Record the child's ethnicity (NOBT if not yet obtained, REFU if refused)")
        if not child.postcode:
            fail("postcode_missing", "Record the child's home postcode")
        has_active = any(r.active_plan is not None for r in person.requests)
        if has_active and _age_on(child.date_of_birth, period.census_date) > OLDEST_AGE:
            fail("age_over_25", f"Aged {_age_on(child.date_of_birth, period.census_date)} on the census date with an active plan: check the plan has ended")
        for request in person.requests:
            if request.received_on is not None and request.received_on < child.date_of_birth:
                fail("received_before_birth", f"The request was received on {request.received_on:%-d %B %Y}, before the date of birth", request.case_id)
            if request.received_on is not None and request.outcome_on is not None and request.outcome_on < request.received_on:
                fail("outcome_before_received", f"The decision whether to assess ({request.outcome_on:%-d %B %Y}) is before the request was received", request.case_id)
            assessment = request.assessment
            if assessment is not None and assessment.outcome_on is not None and request.outcome_on is not None and assessment.outcome_on < request.outcome_on:
                fail("assessment_before_request_outcome", f"The assessment outcome ({assessment.outcome_on:%-d %B %Y}) is before the decision to assess", request.case_id)
            failures.extend(_plan_failures(child, request, assessment.named_plan if assessment else None, request.active_plan))
    return failures


def _review_order_failures(period: CollectionPeriod, team_ids: Collection[int] | None) -> list[Failure]:
    """Review decisions dated before their meeting (only possible in records corrected by hand)."""
    found = []
    census = period.census_date
    cases = db.session.scalars(
        select(Case).join(Child, Case.child_id == Child.id)
        .where(Case.case_type == CaseType.ANNUAL_REVIEW, Case.anchor_on <= census, or_(Case.closed_on.is_(None), Case.closed_on >= period.starts_on), *_team_filter(team_ids))
        .options(selectinload(Case.events))
    )
    for case in cases:
        held = _on(case, EventType.REVIEW_MEETING_HELD, census)
        decided = _on(case, EventType.REVIEW_DECISION_NOTIFIED, census)
        if held is not None and decided is not None and decided < held:
            found.append(Failure(case.child_id, "review_decision_before_meeting", f"The review decision ({decided:%-d %B %Y}) is dated before the meeting ({held:%-d %B %Y})", case.id))
    return found


# --- Writing the XML -----------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all (control characters other than tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, value: str | date | None) -> None:
    if value is None:
        return
    element = ET.SubElement(parent, tag)
    element.text = value.isoformat() if isinstance(value, date) else _text(value)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _placement(parent: ET.Element, tag: str, placement: Placement, *, with_entry: bool) -> None:
    element = ET.SubElement(parent, tag)
    _add(element, "URN", placement.urn)
    _add(element, "UKPRN", placement.ukprn)
    _add(element, "PlacementRank", "1")
    if with_entry:
        _add(element, "EntryDate", placement.entry_on)
    _add(element, "SENunitIndicator", _flag(False))
    _add(element, "ResourcedProvisionIndicator", _flag(False))


def _person_element(parent: ET.Element, person: PersonItem) -> None:
    child = person.child
    element = ET.SubElement(parent, "Person")
    _add(element, "Surname", child.last_name)
    _add(element, "Forename", child.first_name)
    _add(element, "PersonBirthDate", child.date_of_birth)
    _add(element, "Sex", child.sex.value if child.sex else None)
    _add(element, "Ethnicity", child.ethnicity.value if child.ethnicity else None)
    _add(element, "PostCode", child.postcode)
    _add(element, "UPN", child.upn)
    _add(element, "UniqueLearnerNumber", child.uln)
    for request in person.requests:
        group = ET.SubElement(element, "Requests")
        _add(group, "ReceivedDate", request.received_on)
        _add(group, "RequestOutcomeDate", request.outcome_on)
        _add(group, "RequestOutcome", request.outcome)
        if request.assessment is not None:
            assessment = ET.SubElement(group, "Assessment")
            _add(assessment, "AssessmentOutcome", request.assessment.outcome)
            _add(assessment, "AssessmentOutcomeDate", request.assessment.outcome_on)
            if request.assessment.week20 is not None:
                _add(assessment, "Week20", _flag(request.assessment.week20))
            plan = request.assessment.named_plan
            if plan is not None:
                named = ET.SubElement(assessment, "NamedPlan")
                _add(named, "StartDate", plan.start_on)
                for placement in plan.placements:
                    _placement(named, "PlanDetail", placement, with_entry=False)
                _add(named, "CeaseDate", plan.cease_on)
                _add(named, "CeaseReason", plan.cease_reason if plan.cease_on else None)
        if request.active_plan is not None:
            active = ET.SubElement(group, "ActivePlans")
            for placement in request.active_plan.placements:
                _placement(active, "PlacementDetail", placement, with_entry=True)
            for code, rank in request.active_plan.needs:
                need = ET.SubElement(active, "SENneed")
                _add(need, "SENtype", code)
                _add(need, "SENtypeRank", str(rank))
            _add(active, "ReviewMeeting", request.active_plan.review_meeting_on)
            _add(active, "ReviewOutcome", request.active_plan.review_outcome)
            _add(active, "LastReview", request.active_plan.last_review_on)


def write_xml(people: Iterable[PersonItem], period: CollectionPeriod, header: HeaderSettings, *, now: datetime) -> bytes:
    message = ET.Element("Message")
    head = ET.SubElement(message, "Header")
    details = ET.SubElement(head, "CollectionDetails")
    _add(details, "Collection", COLLECTION)
    _add(details, "Year", str(period.census_date.year))
    _add(details, "ReferenceDate", period.census_date)
    source = ET.SubElement(head, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", header.la_code if header.la_code and re.fullmatch(r"[0-9]{3}", header.la_code) else None)
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "Release", RELEASE)
    _add(source, "SerialNo", header.serial_no)
    _add(source, "DateTime", now.astimezone(LONDON).replace(tzinfo=None, microsecond=0).isoformat())
    _add(source, "DMO", header.dmo if header.dmo in HEADER_FLAGS else None)
    _add(source, "DCO", header.dco if header.dco in HEADER_FLAGS else None)
    persons = ET.SubElement(message, "Persons")
    for person in people:
        _person_element(persons, person)
    ET.indent(message, space="  ")
    written: bytes = ET.tostring(message, encoding="utf-8", xml_declaration=True)
    return written + b"\n"


def build_return(
    census_date: date, *, header: HeaderSettings, today: date, now: datetime, team_ids: Collection[int] | None = None
) -> Sen2Return:
    """Validate and write the return for `census_date` (of the children of `team_ids`, or of
    every team). The failures are reported; the XML is written whatever they are."""
    period = collection_period(census_date, today=today)
    people = gather(period, team_ids=team_ids)
    failures = validate_header(header) + validate(people, period) + _review_order_failures(period, team_ids)
    failures.sort(key=lambda f: (f.child_id is not None, f.child_id or 0, f.rule, f.case_id or 0))
    requests = [r for p in people for r in p.requests]
    return Sen2Return(
        period=period,
        xml=write_xml(people, period, header, now=now),
        failures=failures,
        persons=len(people),
        requests=len(requests),
        active_plans=sum(1 for r in requests if r.active_plan is not None),
        ceased_plans=sum(1 for r in requests if r.assessment and r.assessment.named_plan and r.assessment.named_plan.cease_on),
        la_code=header.la_code,
    )


def record_export(result: Sen2Return, *, actor: User | None, how: str, team_ids: Collection[int] | None) -> None:
    """Audit a return that was produced (it carries every child's personal data)."""
    audit.record(
        actor,
        "sen2_exported" if how != "checked" else "sen2_checked",
        "sen2_return",
        result.census_date.isoformat(),
        f"SEN2 return for census date {result.census_date.isoformat()} {how}: {result.persons} children, "
        f"{result.requests} requests, {len(result.failures)} validation failures",
        {
            "census_date": result.census_date.isoformat(),
            "persons": result.persons,
            "requests": result.requests,
            "active_plans": result.active_plans,
            "ceased_plans": result.ceased_plans,
            "failures": len(result.failures),
            "teams": sorted(team_ids) if team_ids is not None else "all",
            "how": how,
        },
        label=None if actor is not None else "flask sen2 export",
    )
