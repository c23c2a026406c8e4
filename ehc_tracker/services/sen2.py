"""The SEN2 return: the DfE's person-level collection of EHC needs assessments and plans, built
from the case records, checked against the year's schema and business rules, then written.

The year's rules are data in `ehc_tracker.sen2_rules` (one entry per collection: the XML
structure, code lists, business rules and reference period; see collection2026.py for where
each item comes from and which positions are inferred). This module reads the records.

Who is in the return, and as at when
------------------------------------
* **Requests, assessments and ended plans**: the calendar year before the census (1 January to
  31 December). A request received in that year is reported; so is one received earlier whose
  work was still open during the year (completed and ongoing work), with its outcomes. A request
  received between 1 January and the census day belongs to next year's return.
* **Active plans**: plans in force on the census date. A plan that ended between 1 January and
  the census day is in neither list (it ended after the reference year, and is not active).
* **Everything as at the census date**: a step recorded for a later day is treated as not yet
  taken (a return made in February shows January's position).
* **Historical outcomes**: RequestOutcome and AssessmentOutcome H where the decision to issue fell
  before the year (their dates are not reported); a request received earlier whose work went on
  into the year is reported with its decisions and their dates. Plans with
  no request in the year (made earlier, transferred in, or made before the service was used) are
  reported under a Requests group with both outcomes H, which carries NamedPlan and ActivePlans.

Items and where each comes from
-------------------------------
* Person: names, date of birth, sex, ethnicity, home postcode; UPN, ULN, or the recorded reason
  the UPN is not known (UN1 to UN10).
* Requests: ReceivedDate; RequestSource (2026) from the case's request source (parent or young
  person 1, school 2, health 3, other 5; the record has no "social care" source, code 4); RYA
  (the young person asked) from the same; the decision to assess and its date.
* Assessment: the decision whether to issue, its date (the day the final plan was issued),
  Week20 (1 when an approved exception applies to the 20-week limit).
* Mediation and tribunal items (1/0), from the disputes about the assessment's decisions (cases
  of type DISPUTE whose disputed case is the assessment), counting a mediation held
  (MEDIATION_HELD) or an appeal registered with the tribunal (APPEAL_REGISTERED) on or before
  the census date. Each is written only beside the outcome it is about, and left out otherwise:
  RequestMediation and RequestTribunal where RequestOutcome is N, from disputes of the refusal to
  assess; AssessmentMediation and AssessmentTribunal where AssessmentOutcome is N, from disputes
  of the refusal to issue; OtherMediation and OtherTribunal where AssessmentOutcome is Y (a plan
  was issued), from the assessment's disputes of any other kind (the plan's contents, disability
  discrimination, health and social care recommendations, ...). A dispute opened on a plan
  rather than on the assessment case is not counted.
* NamedPlan: StartDate (the day the plan was issued), PlanDetail (the setting), CeaseDate and
  CeaseReason for a plan that ended in the year. A plan whose start date is not recorded (made
  before the service was used) is reported without NamedPlan and listed under plan_start_unknown.
* ActivePlans: TransferLA (the DfE code of the authority a plan transferred in from during the
  year, read from the transfer's "previous authority" through the code list in
  sen2_rules/la_codes.csv); PlacementDetail: URN or UKPRN, or the SEN setting code for a place
  without one, rank 1, EntryDate = **the day the child started there** when recorded on the
  child's record; otherwise the day the plan naming it was issued or last amended is used and the
  record is listed under entry_date_assumed; SEN unit and resourced provision indicators from the
  child's record. SENneed: primary (rank 1) and secondary (rank 2) need. ReviewMeeting: the most
  recent review meeting held on or before the census date; ReviewOutcome: that review's decision;
  ReviewDraft (2026): the day that review's draft amended plan was issued; PhaseTransferDueDate and
  PhaseTransferFinalDate (2026): the latest phase-transfer deadline on the plan's reviews and the
  day the amended plan was issued for it; LastReview: the latest annual review decision date.
* Not written, because the record does not hold them: Exported, PlanRes, PlanWBP, personal budget
  items (PB, OA, DP), LeavingDate, Res, WBP, SENSettingOther, a second placement. No element is
  written empty.

Validation
----------
The XML is checked against the year's schema description (every error is a "schema" failure
with the element's path) and against the business rules of the year's entry. Failures are
grouped by rule with counts; each names the child (and case) to put right. The file is written
all the same.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import User
from ..models.case import AppealType, Case, CaseType, EventType, Plan, RequestSource, ReviewDecision
from ..models.child import Child
from ..models.sen2 import Sen2Settings
from ..sen2_rules import Collection as Sen2Collection
from ..sen2_rules import ReferencePeriod, census_date_for, collection_for, la_code_for
from ..sen2_rules import collection2026 as codes
from . import ServiceError, audit
from .children import upn_check_letter
from .clock import local_zone

COLLECTION = "SEN2"
SOFTWARE_CODE = "EHC Tracker"
RELEASE = "2.0"
OLDEST_AGE = 25
HEADER_FLAGS = ("Y", "N", "R")

CollectionPeriod = ReferencePeriod
REQUEST_OUTCOMES = codes.REQUEST_OUTCOMES
ASSESSMENT_OUTCOMES = codes.ASSESSMENT_OUTCOMES
SEN_SETTINGS = codes.SEN_SETTINGS
UPN_UNKNOWN_REASONS = codes.UPN_UNKNOWN_REASONS
REVIEW_OUTCOMES = {ReviewDecision.MAINTAIN: "M", ReviewDecision.AMEND: "A", ReviewDecision.CEASE: "C"}
REQUEST_SOURCE_CODES = {
    RequestSource.PARENT: "1",
    RequestSource.YOUNG_PERSON: "1",
    RequestSource.SCHOOL: "2",
    RequestSource.HEALTH: "3",
    RequestSource.OTHER: "5",
}
SCHEMA_RULE = "schema"
VALIDATION_RULES = {SCHEMA_RULE: "The file does not match the DfE's XML schema for the year", **codes.BUSINESS_RULES}

_ORDER = collection_for(2026).order()
PERSON_SEQUENCE = _ORDER["Person"]
REQUESTS_SEQUENCE = _ORDER["Requests"]
ASSESSMENT_SEQUENCE = _ORDER["Assessment"]
NAMED_PLAN_SEQUENCE = _ORDER["NamedPlan"]
PLAN_DETAIL_SEQUENCE = _ORDER["PlanDetail"]
ACTIVE_PLANS_SEQUENCE = _ORDER["ActivePlans"]
PLACEMENT_DETAIL_SEQUENCE = _ORDER["PlacementDetail"]


# --- The collection period ---------------------------------------------------------------------


def collection_period(census_date: date, *, today: date) -> ReferencePeriod:
    if census_date.month != 1:
        raise ServiceError("The SEN2 census date is in January", field="census_date")
    if census_date > today:
        raise ServiceError("The census date cannot be in the future", field="census_date")
    return collection_for(census_date.year).period(census_date)


def latest_census_date(today: date) -> date:
    this_year = census_date_for(today.year)
    return this_year if this_year <= today else census_date_for(today.year - 1)


# --- Settings and results --------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderSettings:
    la_code: str | None
    dmo: str | None
    dco: str | None
    dsco: str | None = None
    software_code: str | None = None
    serial_no: str | None = None


@dataclass(frozen=True)
class Failure:
    """A validation failure: the child (None for the header), the rule, and what to put right."""

    child_id: int | None
    rule: str
    message: str
    case_id: int | None = None


@dataclass(frozen=True)
class RuleCount:
    rule: str
    description: str
    count: int
    warning: bool


@dataclass(frozen=True)
class Sen2Return:
    period: ReferencePeriod
    xml: bytes
    failures: list[Failure]
    persons: int
    requests: int
    active_plans: int
    ceased_plans: int
    la_code: str | None
    warnings: frozenset[str] = frozenset()
    names: dict[int, str] = field(default_factory=dict)

    @property
    def census_date(self) -> date:
        return self.period.census_date

    @property
    def filename(self) -> str:
        return f"SEN2_{self.la_code or 'LA'}_{self.census_date.year}.xml"

    @property
    def schema_errors(self) -> list[Failure]:
        return [f for f in self.failures if f.rule == SCHEMA_RULE]

    @property
    def errors(self) -> list[Failure]:
        """Failures the DfE would reject or query (schema errors and business-rule errors)."""
        return [f for f in self.failures if f.rule not in self.warnings]

    def failures_by_child(self) -> dict[int | None, list[Failure]]:
        found: dict[int | None, list[Failure]] = defaultdict(list)
        for failure in self.failures:
            found[failure.child_id].append(failure)
        return dict(found)

    def counts_by_rule(self) -> list[RuleCount]:
        """One line per rule that failed: the schema first, then errors, then warnings."""
        counts = Counter(f.rule for f in self.failures)
        order = list(VALIDATION_RULES)
        rules = sorted(
            counts, key=lambda r: (r != SCHEMA_RULE, r in self.warnings, order.index(r) if r in order else len(order))
        )
        return [RuleCount(r, VALIDATION_RULES.get(r, r), counts[r], r in self.warnings) for r in rules]

    def report_csv(self, link: Callable[[Failure], str] | None = None) -> str:
        """Every failure, one a line, with the record to put right."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["rule", "severity", "rule_description", "child_id", "child_name", "case_id", "message", "record"]
        )
        for f in self.failures:
            writer.writerow(
                [
                    f.rule,
                    "warning" if f.rule in self.warnings else "error",
                    VALIDATION_RULES.get(f.rule, ""),
                    f.child_id or "",
                    self.names.get(f.child_id, "") if f.child_id else "",
                    f.case_id or "",
                    f.message,
                    link(f) if link is not None else "",
                ]
            )
        return out.getvalue()


# --- What a Person holds, before it is written ---------------------------------------------------


@dataclass
class Placement:
    urn: str | None
    ukprn: str | None
    sen_setting: str | None = None
    entry_on: date | None = None
    entry_assumed: bool = False
    sen_unit: bool = False
    resourced_provision: bool = False


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
    # Mediation held / appeal registered about the decision not to issue (outcome N only), and
    # about anything else of the assessment once a plan was issued (outcome Y only).
    mediation: bool | None = None
    tribunal: bool | None = None
    other_mediation: bool | None = None
    other_tribunal: bool | None = None


@dataclass
class ActivePlanItem:
    placements: list[Placement]
    needs: list[tuple[str, int]]
    transfer_la: str | None = None
    transfer_from: str | None = None
    transfer_case_id: int | None = None
    review_meeting_on: date | None = None
    review_outcome: str | None = None
    review_draft_on: date | None = None
    phase_transfer_due_on: date | None = None
    phase_transfer_final_on: date | None = None
    last_review_on: date | None = None
    review_case_id: int | None = None
    plan_start_on: date | None = None


@dataclass
class RequestItem:
    case_id: int | None
    received_on: date | None
    outcome: str
    outcome_on: date | None = None
    assessment: AssessmentItem | None = None
    active_plan: ActivePlanItem | None = None
    source: str | None = None
    young_person: bool | None = None
    # Mediation held / appeal registered about the decision not to assess (outcome N only).
    mediation: bool | None = None
    tribunal: bool | None = None


@dataclass
class PersonItem:
    child: Child
    requests: list[RequestItem] = field(default_factory=list)


# --- Reading the records as at the census date ---------------------------------------------------


def _on(case: Case, event_type: EventType, census_date: date) -> date | None:
    """The day of the step, if it was taken on or before the census date (the latest, if repeated)."""
    days = [e.occurred_on for e in case.events if e.event_type is event_type and e.occurred_on <= census_date]
    return max(days) if days else None


# What a dispute is about, as the return groups it: the decision not to assess (Requests), the
# decision not to issue (Assessment), and anything else about the assessment once its plan was
# issued (OtherMediation, OtherTribunal: the plan's contents, disability discrimination, ...).
ABOUT_ASSESSING = frozenset({AppealType.REFUSAL_TO_ASSESS})
ABOUT_ISSUING = frozenset({AppealType.REFUSAL_TO_ISSUE})
ABOUT_OTHER = frozenset(AppealType) - ABOUT_ASSESSING - ABOUT_ISSUING


def _disputed(disputes: Iterable[Case], about: frozenset[AppealType], census_date: date) -> tuple[bool, bool]:
    """Whether mediation was held, and whether an appeal was registered with the tribunal, on or
    before the census date, in any of these disputes that is about one of `about`."""
    chosen = [d for d in disputes if d.appeal_type in about]
    return (
        any(_on(d, EventType.MEDIATION_HELD, census_date) is not None for d in chosen),
        any(_on(d, EventType.APPEAL_REGISTERED, census_date) is not None for d in chosen),
    )


def _placements(child: Child, plan_named_on: date | None, census: date) -> list[Placement]:
    """The child's setting, as PlacementDetail/PlanDetail. The entry date is the day the child
    started there when recorded; otherwise the day the plan naming it took effect (assumed)."""
    if not child.setting_urn and not child.setting_ukprn and not child.sen_setting:
        return []
    started = (
        child.setting_started_on
        if child.setting_started_on is not None and child.setting_started_on <= census
        else None
    )
    return [
        Placement(
            urn=child.setting_urn or None,
            ukprn=child.setting_ukprn or None,
            sen_setting=child.sen_setting if not child.setting_urn and not child.setting_ukprn else None,
            entry_on=started or plan_named_on,
            entry_assumed=started is None,
            sen_unit=bool(child.setting_sen_unit),
            resourced_provision=bool(child.setting_resourced_provision),
        )
    ]


def _named_plan(
    child: Child, plan: Plan | None, period: ReferencePeriod, *, ceased: tuple[date, str | None] | None = None
) -> NamedPlanItem:
    start_on = None
    if plan is not None:
        start_on = plan.issued_on
        if plan.ceased_on is not None and plan.ceased_on <= period.census_date:
            ceased = (plan.ceased_on, plan.cease_reason)
    return NamedPlanItem(
        start_on=start_on,
        placements=_placements(child, start_on, period.census_date),
        cease_on=ceased[0] if ceased else None,
        cease_reason=ceased[1] if ceased else None,
    )


def _active_plan(child: Child, plan: Plan | None, reviews: list[Case], period: ReferencePeriod) -> ActivePlanItem:
    census = period.census_date
    named_on: date | None = None
    if plan is not None:
        amended = plan.last_amended_on if plan.last_amended_on is not None and plan.last_amended_on <= census else None
        named_on = amended or plan.issued_on
    needs = [(child.primary_need.value, 1)] if child.primary_need is not None else []
    if child.secondary_need is not None and child.secondary_need is not child.primary_need:
        needs.append((child.secondary_need.value, 2 if needs else 1))
    item = ActivePlanItem(
        placements=_placements(child, named_on, census), needs=needs, plan_start_on=plan.issued_on if plan else None
    )
    transfers = [c for c in reviews if c.transferred_on is not None and c.transferred_on in period]
    if transfers:
        latest_transfer = max(transfers, key=lambda c: (c.transferred_on or date.min, c.id))
        item.transfer_from = latest_transfer.previous_authority
        item.transfer_la = la_code_for(latest_transfer.previous_authority)
        item.transfer_case_id = latest_transfer.id
    meetings = [
        (held, case.id, case)
        for case in reviews
        if (held := _on(case, EventType.REVIEW_MEETING_HELD, census)) is not None
    ]
    if meetings:
        held, _, latest = max(meetings, key=lambda m: (m[0], m[1]))
        item.review_meeting_on = held
        item.review_case_id = latest.id
        if _on(latest, EventType.REVIEW_DECISION_NOTIFIED, census) is not None and latest.review_decision is not None:
            item.review_outcome = REVIEW_OUTCOMES[latest.review_decision]
        item.review_draft_on = _on(latest, EventType.AMENDMENTS_PROPOSED, census)
    decisions = [on for case in reviews if (on := _on(case, EventType.REVIEW_DECISION_NOTIFIED, census)) is not None]
    item.last_review_on = max(decisions) if decisions else None
    transfers_due = [
        m
        for case in reviews
        if case.anchor_on <= census
        for m in case.milestones
        if m.key == "phase_transfer_due" and m.due_on >= period.starts_on
    ]
    if transfers_due:
        due = max(transfers_due, key=lambda m: (m.due_on, m.id))
        item.phase_transfer_due_on = due.due_on
        item.phase_transfer_final_on = due.met_on if due.met_on is not None and due.met_on <= census else None
    return item


def _is_active(plan: Plan, census_date: date) -> bool:
    return plan.issued_on <= census_date and (plan.ceased_on is None or plan.ceased_on > census_date)


def _source(case: Case) -> tuple[str | None, bool | None]:
    if case.request_source is None:
        return None, None
    return REQUEST_SOURCE_CODES.get(case.request_source), case.request_source is RequestSource.YOUNG_PERSON


def _assessment_request(
    case: Case,
    child: Child,
    plans: dict[int, Plan],
    reviews: dict[int, list[Case]],
    period: ReferencePeriod,
    disputes: Collection[Case] = (),
) -> RequestItem:
    census, start = period.census_date, period.starts_on
    source, young_person = _source(case)
    assess_yes = _on(case, EventType.DECIDED_TO_ASSESS, census)
    assess_no = _on(case, EventType.DECIDED_NOT_TO_ASSESS, census)
    withdrawn = _on(case, EventType.WITHDRAWN, census)

    def item(outcome: str, outcome_on: date | None = None) -> RequestItem:
        return RequestItem(case.id, case.anchor_on, outcome, outcome_on, source=source, young_person=young_person)

    issue_yes = _on(case, EventType.DECIDED_TO_ISSUE, census)
    if assess_yes is not None:
        # Historical only where the decision to issue fell before the year: a request whose work
        # went on into the year is reported with its decision to assess, whenever that was.
        historical = issue_yes is not None and issue_yes < start
        request = item("H" if historical else "Y", None if historical else assess_yes)
    elif assess_no is not None:
        refused = item("N", assess_no)
        refused.mediation, refused.tribunal = _disputed(disputes, ABOUT_ASSESSING, census)
        return refused
    elif withdrawn is not None:
        return item("W")
    else:
        return item("A")
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
            assessment.named_plan = _named_plan(child, plan, period)
            if _is_active(plan, census):
                request.active_plan = _active_plan(child, plan, reviews.get(plan.id, []), period)
        if assessment.outcome == "Y":
            assessment.other_mediation, assessment.other_tribunal = _disputed(disputes, ABOUT_OTHER, census)
    elif issue_no is not None:
        assessment = AssessmentItem("N", issue_no)
        assessment.mediation, assessment.tribunal = _disputed(disputes, ABOUT_ISSUING, census)
    elif withdrawn is not None:
        assessment = AssessmentItem("W")
    else:
        assessment = AssessmentItem("A")
    request.assessment = assessment
    return request


def _historical_request(
    child: Child,
    plan: Plan | None,
    reviews: list[Case],
    period: ReferencePeriod,
    *,
    received_on: date | None,
    case_id: int | None,
    ceased: tuple[date, str | None] | None = None,
    active: bool,
) -> RequestItem:
    named = _named_plan(child, plan, period, ceased=ceased)
    request = RequestItem(case_id, received_on, "H", assessment=AssessmentItem("H", named_plan=named))
    if active:
        request.active_plan = _active_plan(child, plan, reviews, period)
    return request


# --- Building the return --------------------------------------------------------------------------


def _team_filter(team_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if team_ids is None else [Child.team_id.in_(sorted(team_ids) or [-1])]


def gather(period: ReferencePeriod, *, team_ids: Collection[int] | None = None) -> list[PersonItem]:
    """Each child in the return, with their Requests groups (see the module docstring)."""
    census, start, end = period.census_date, period.starts_on, period.ends_on
    teams = _team_filter(team_ids)
    assessments = list(
        db.session.scalars(
            select(Case)
            .join(Child, Case.child_id == Child.id)
            .where(
                Case.case_type == CaseType.ASSESSMENT,
                Case.anchor_on <= end,
                or_(Case.closed_on.is_(None), Case.closed_on >= start),
                *teams,
            )
            .options(selectinload(Case.events), selectinload(Case.milestones))
            .order_by(Case.anchor_on, Case.id)
        )
    )
    # The disputes about the decisions of these assessments (mediation, appeals), in one query.
    disputes: dict[int, list[Case]] = defaultdict(list)
    for dispute in db.session.scalars(
        select(Case)
        .where(Case.case_type == CaseType.DISPUTE, Case.disputed_case_id.in_([c.id for c in assessments] or [-1]))
        .options(selectinload(Case.events))
        .order_by(Case.anchor_on, Case.id)
    ):
        if dispute.disputed_case_id is not None:
            disputes[dispute.disputed_case_id].append(dispute)
    plans = {
        p.id: p
        for p in db.session.scalars(
            select(Plan)
            .join(Child, Plan.child_id == Child.id)
            .where(Plan.issued_on <= census, or_(Plan.ceased_on.is_(None), Plan.ceased_on >= start), *teams)
            .order_by(Plan.issued_on, Plan.id)
        )
        # Active on the census date, or ended in the reference year.
        if _is_active(p, census) or (p.ceased_on is not None and p.ceased_on in period)
    }
    reviews: dict[int, list[Case]] = defaultdict(list)
    legacy: dict[int, list[Case]] = defaultdict(list)
    review_cases = db.session.scalars(
        select(Case)
        .join(Child, Case.child_id == Child.id)
        .where(
            Case.case_type == CaseType.ANNUAL_REVIEW,
            or_(Case.plan_id.in_(list(plans) or [-1]), Case.plan_id.is_(None)),
            *teams,
        )
        .options(selectinload(Case.events), selectinload(Case.milestones))
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
        item = _assessment_request(case, children[case.child_id], plans, reviews, period, disputes.get(case.id, []))
        if item.assessment is not None and item.assessment.named_plan is not None and case.plan_id is not None:
            used.add(case.plan_id)
        person(case.child_id).requests.append(item)

    unused = [p for p in plans.values() if p.id not in used]
    issuing = {
        ident: anchor
        for ident, anchor in db.session.execute(
            select(Case.id, Case.anchor_on).where(
                Case.id.in_([p.issued_by_case_id for p in unused if p.issued_by_case_id] or [-1])
            )
        )
    }
    for plan in unused:
        person(plan.child_id).requests.append(
            _historical_request(
                children[plan.child_id],
                plan,
                reviews.get(plan.id, []),
                period,
                received_on=issuing.get(plan.issued_by_case_id) if plan.issued_by_case_id else None,
                case_id=plan.issued_by_case_id,
                active=_is_active(plan, census),
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
            if on not in period:
                continue
            event = case.event(EventType.PLAN_CEASED)
            reason = (event.details or {}).get("cease_reason") if event is not None else None
            ceased = (on, str(reason) if reason else None)
        person(child_id).requests.append(
            _historical_request(
                children[child_id],
                None,
                cases,
                period,
                received_on=None,
                case_id=cases[-1].id,
                ceased=ceased,
                active=ceased is None,
            )
        )

    for someone in people.values():
        someone.requests.sort(key=lambda r: (r.received_on is None, r.received_on or date.min, r.case_id or 0))
    return [people[k] for k in sorted(people)]


# --- Business rules ----------------------------------------------------------------------------------


def _age_on(born: date, on: date) -> int:
    return relativedelta(on, born).years


_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
_UPN_SHAPE = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$")


def validate_header(header: HeaderSettings) -> list[Failure]:
    failures = []
    if not header.la_code or not re.fullmatch(r"[0-9]{3}", header.la_code):
        failures.append(Failure(None, "la_code", "Set the authority's 3-digit LA code on the SEN2 settings page"))
    for name, value in (("dmo", header.dmo), ("dco", header.dco), ("dsco", header.dsco)):
        if value not in HEADER_FLAGS:
            failures.append(Failure(None, name, f"Set the {name.upper()} item to Y, N or R on the SEN2 settings page"))
    return failures


def _fmt(on: date) -> str:
    return f"{on:%-d %B %Y}"


def _plan_failures(
    child: Child,
    request: RequestItem,
    plan: NamedPlanItem | None,
    active: ActivePlanItem | None,
    period: ReferencePeriod,
) -> list[Failure]:
    found: list[Failure] = []

    def fail(rule: str, message: str, case_id: int | None = None) -> None:
        found.append(Failure(child.id, rule, message, case_id or request.case_id))

    if plan is not None:
        if plan.start_on is None:
            fail(
                "plan_start_unknown",
                "The plan was made before the service was used and its start date is not recorded: "
                "record the plan (its issue date) so that NamedPlan can be reported",
            )
        elif request.received_on is not None and plan.start_on < request.received_on:
            fail(
                "plan_before_received",
                f"The plan starts on {_fmt(plan.start_on)}, before the request was received ({_fmt(request.received_on)})",
            )
        if plan.cease_on is not None:
            if plan.start_on is not None and plan.cease_on < plan.start_on:
                fail(
                    "cease_before_start",
                    f"The plan ended on {_fmt(plan.cease_on)}, before it started ({_fmt(plan.start_on)})",
                )
            if plan.cease_reason not in codes.CEASE_REASONS:
                fail(
                    "cease_reason_missing",
                    f"The plan ended on {_fmt(plan.cease_on)} but the reason it ended is not recorded",
                )
    if (plan is not None and not plan.placements and active is None) or (active is not None and not active.placements):
        fail(
            "placement_missing",
            "No placement: record the setting's URN or UKPRN on the child's record, or the SEN setting code for a place without one",
        )
    if active is not None:
        for placement in active.placements:
            if placement.entry_on is None:
                fail(
                    "entry_date_assumed",
                    "The day the child started at the setting is not recorded, and no plan date is known to use instead: record it on the child's record",
                )
            elif placement.entry_assumed:
                fail(
                    "entry_date_assumed",
                    f"The day the child started at the setting is not recorded; {_fmt(placement.entry_on)}, the day the plan named it, is reported instead",
                )
            if placement.entry_on is not None and placement.entry_on < child.date_of_birth:
                fail(
                    "entry_before_birth",
                    f"The placement starts on {_fmt(placement.entry_on)}, before the date of birth",
                )
        if not active.needs:
            fail("need_missing", "No type of need: record the child's primary need")
        if child.primary_need is not None and child.secondary_need is child.primary_need:
            fail(
                "need_duplicate",
                f"The primary and secondary needs are both {child.primary_need.value}: clear the secondary need or correct it",
            )
        if active.transfer_from is not None and active.transfer_la is None:
            fail(
                "transfer_la_unknown",
                f"The plan transferred in from '{active.transfer_from}', which is not an English authority on the DfE's list: "
                "enter the authority's name as the DfE lists it, or its 3-digit code",
                active.transfer_case_id,
            )
    return found


def validate(people: Iterable[PersonItem], period: ReferencePeriod) -> list[Failure]:
    """The business rules of the year (see the collection's BUSINESS_RULES), per child."""
    failures: list[Failure] = []
    people = list(people)
    upns = Counter(p.child.upn for p in people if p.child.upn)
    for person in people:
        child = person.child

        def fail(rule: str, message: str, case_id: int | None = None) -> None:
            failures.append(Failure(child.id, rule, message, case_id))

        if not child.upn and not child.uln and not child.upn_unknown_reason:
            fail(
                "upn_missing", "No UPN or ULN is recorded: record one, or the reason the UPN is not known (UN1 to UN10)"
            )
        if child.upn:
            if not _UPN_SHAPE.match(child.upn) or upn_check_letter(child.upn[1:]) != child.upn[0]:
                fail("upn_invalid", f"The UPN {child.upn} is not a valid UPN (its check letter or format is wrong)")
            if upns[child.upn] > 1:
                fail("upn_duplicate", f"Another child in the return has the UPN {child.upn}")
        if child.uln and not re.fullmatch(r"\d{10}", child.uln):
            fail("uln_invalid", f"The ULN {child.uln} is not 10 digits")
        if child.sex is None:
            fail("sex_missing", "Record the child's sex (M, F, or U if not known)")
        if child.ethnicity is None:
            fail("ethnicity_missing", "Record the child's ethnicity (NOBT if not yet obtained, REFU if refused)")
        if not child.postcode:
            fail("postcode_missing", "Record the child's home postcode")
        elif not _POSTCODE.match(child.postcode.upper()):
            fail("postcode_invalid", f"'{child.postcode}' is not a valid UK postcode")
        if child.date_of_birth > period.census_date:
            fail("age_under_0", "The date of birth is after the census date")
        has_active = any(r.active_plan is not None for r in person.requests)
        if has_active and _age_on(child.date_of_birth, period.census_date) > OLDEST_AGE:
            fail(
                "age_over_25",
                f"Aged {_age_on(child.date_of_birth, period.census_date)} on the census date with an active plan: check the plan has ended",
            )
        for request in person.requests:
            if request.received_on is not None and request.received_on < child.date_of_birth:
                fail(
                    "received_before_birth",
                    f"The request was received on {_fmt(request.received_on)}, before the date of birth",
                    request.case_id,
                )
            if (
                request.received_on is not None
                and request.outcome_on is not None
                and request.outcome_on < request.received_on
            ):
                fail(
                    "outcome_before_received",
                    f"The decision whether to assess ({_fmt(request.outcome_on)}) is before the request was received",
                    request.case_id,
                )
            if request.received_on is not None and request.received_on in period and request.source is None:
                fail("request_source_missing", "Record who made the request (the request source)", request.case_id)
            assessment = request.assessment
            if (
                assessment is not None
                and assessment.outcome_on is not None
                and request.outcome_on is not None
                and assessment.outcome_on < request.outcome_on
            ):
                fail(
                    "assessment_before_request_outcome",
                    f"The assessment outcome ({_fmt(assessment.outcome_on)}) is before the decision to assess",
                    request.case_id,
                )
            failures.extend(
                _plan_failures(
                    child, request, assessment.named_plan if assessment else None, request.active_plan, period
                )
            )
    return failures


def _review_order_failures(period: ReferencePeriod, team_ids: Collection[int] | None) -> list[Failure]:
    """Review decisions dated before their meeting (only possible in records corrected by hand)."""
    found = []
    census = period.census_date
    cases = db.session.scalars(
        select(Case)
        .join(Child, Case.child_id == Child.id)
        .where(
            Case.case_type == CaseType.ANNUAL_REVIEW,
            Case.anchor_on <= census,
            or_(Case.closed_on.is_(None), Case.closed_on >= period.starts_on),
            *_team_filter(team_ids),
        )
        .options(selectinload(Case.events))
    )
    for case in cases:
        held = _on(case, EventType.REVIEW_MEETING_HELD, census)
        decided = _on(case, EventType.REVIEW_DECISION_NOTIFIED, census)
        if held is not None and decided is not None and decided < held:
            found.append(
                Failure(
                    case.child_id,
                    "review_decision_before_meeting",
                    f"The review decision ({_fmt(decided)}) is dated before the meeting ({_fmt(held)})",
                    case.id,
                )
            )
    return found


# --- Writing the XML -----------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all (control characters other than tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, value: str | date | None) -> None:
    """Add an element only when there is a value (the return carries no empty elements)."""
    if value is None:
        return
    text = value.isoformat() if isinstance(value, date) else _text(value).strip()
    if text == "":
        return
    ET.SubElement(parent, tag).text = text


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _optional_flag(value: bool | None) -> str | None:
    """An optional yes/no item: 1 or 0 where it applies, left out (None) where it does not."""
    return None if value is None else _flag(value)


def _placement(parent: ET.Element, tag: str, placement: Placement, *, with_entry: bool) -> None:
    element = ET.SubElement(parent, tag)
    _add(element, "URN", placement.urn)
    _add(element, "UKPRN", placement.ukprn)
    _add(element, "SENSetting", placement.sen_setting)
    _add(element, "PlacementRank", "1")
    if with_entry:
        _add(element, "EntryDate", placement.entry_on)
    _add(element, "SENunitIndicator", _flag(placement.sen_unit))
    _add(element, "ResourcedProvisionIndicator", _flag(placement.resourced_provision))


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
    _add(element, "UPNunknown", child.upn_unknown_reason if not child.upn and not child.uln else None)
    for request in person.requests:
        group = ET.SubElement(element, "Requests")
        _add(group, "ReceivedDate", request.received_on)
        _add(group, "RequestSource", request.source)
        _add(group, "RYA", _optional_flag(request.young_person))
        _add(group, "RequestOutcomeDate", request.outcome_on)
        _add(group, "RequestOutcome", request.outcome)
        _add(group, "RequestMediation", _optional_flag(request.mediation))
        _add(group, "RequestTribunal", _optional_flag(request.tribunal))
        if request.assessment is not None:
            assessment = ET.SubElement(group, "Assessment")
            _add(assessment, "AssessmentOutcome", request.assessment.outcome)
            _add(assessment, "AssessmentOutcomeDate", request.assessment.outcome_on)
            for tag, value in (
                ("AssessmentMediation", request.assessment.mediation),
                ("AssessmentTribunal", request.assessment.tribunal),
                ("OtherMediation", request.assessment.other_mediation),
                ("OtherTribunal", request.assessment.other_tribunal),
            ):
                _add(assessment, tag, _optional_flag(value))
            _add(assessment, "Week20", _optional_flag(request.assessment.week20))
            plan = request.assessment.named_plan
            # NamedPlan needs its StartDate: a plan whose start is not recorded is left out (and reported).
            if plan is not None and plan.start_on is not None:
                named = ET.SubElement(assessment, "NamedPlan")
                _add(named, "StartDate", plan.start_on)
                for placement in plan.placements:
                    _placement(named, "PlanDetail", placement, with_entry=False)
                _add(named, "CeaseDate", plan.cease_on)
                _add(
                    named,
                    "CeaseReason",
                    plan.cease_reason if plan.cease_on and plan.cease_reason in codes.CEASE_REASONS else None,
                )
        active_plan = request.active_plan
        if active_plan is not None:
            active = ET.SubElement(group, "ActivePlans")
            _add(active, "TransferLA", active_plan.transfer_la)
            for placement in active_plan.placements:
                _placement(active, "PlacementDetail", placement, with_entry=True)
            for code, rank in active_plan.needs:
                need = ET.SubElement(active, "SENneed")
                _add(need, "SENtype", code)
                _add(need, "SENtypeRank", str(rank))
            _add(active, "ReviewMeeting", active_plan.review_meeting_on)
            _add(active, "ReviewOutcome", active_plan.review_outcome)
            _add(active, "ReviewDraft", active_plan.review_draft_on)
            _add(active, "PhaseTransferDueDate", active_plan.phase_transfer_due_on)
            _add(active, "PhaseTransferFinalDate", active_plan.phase_transfer_final_on)
            _add(active, "LastReview", active_plan.last_review_on)


Progress = Callable[[int, int], None]


def write_xml(
    people: Iterable[PersonItem],
    period: ReferencePeriod,
    header: HeaderSettings,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> bytes:
    people = list(people)
    message = ET.Element("Message")
    head = ET.SubElement(message, "Header")
    details = ET.SubElement(head, "CollectionDetails")
    _add(details, "Collection", COLLECTION)
    _add(details, "Year", str(period.census_date.year))
    _add(details, "ReferenceDate", period.census_date)
    source = ET.SubElement(head, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", header.la_code if header.la_code and re.fullmatch(r"[0-9]{3}", header.la_code) else None)
    _add(source, "SoftwareCode", header.software_code or SOFTWARE_CODE)
    _add(source, "Release", RELEASE)
    _add(
        source,
        "SerialNo",
        header.serial_no if header.serial_no and re.fullmatch(r"\d{3,}", header.serial_no) else "001",
    )
    _add(source, "DateTime", now.astimezone(local_zone()).replace(tzinfo=None, microsecond=0).isoformat())
    for name, value in (("DMO", header.dmo), ("DCO", header.dco), ("DSCO", header.dsco)):
        _add(source, name, value if value in HEADER_FLAGS else None)
    persons = ET.SubElement(message, "Persons")
    for done, person in enumerate(people, start=1):
        _person_element(persons, person)
        if progress is not None and (done % 50 == 0 or done == len(people)):
            progress(done, len(people))
    ET.indent(message, space="  ")
    written: bytes = ET.tostring(message, encoding="utf-8", xml_declaration=True)
    return written + b"\n"


def schema_failures(xml: bytes, people: list[PersonItem], collection: Sen2Collection) -> list[Failure]:
    """The schema errors in the written file, each tied to its child where it is in a Person."""
    found = []
    for error in collection.validate(xml):
        index = error.person_index
        person = people[index - 1] if index is not None and 0 < index <= len(people) else None
        path = re.sub(r"^Message/Persons/Person\[\d+\]/?", "", error.path) or "Person"
        case_id = None
        if (
            person is not None
            and (group := re.match(r"Requests\[(\d+)\]", path))
            and int(group.group(1)) <= len(person.requests)
        ):
            case_id = person.requests[int(group.group(1)) - 1].case_id
        found.append(
            Failure(
                person.child.id if person else None,
                SCHEMA_RULE,
                f"{path}: {error.message}" if person else str(error),
                case_id,
            )
        )
    return found


def build_return(
    census_date: date,
    *,
    header: HeaderSettings,
    today: date,
    now: datetime,
    team_ids: Collection[int] | None = None,
    progress: Progress | None = None,
) -> Sen2Return:
    """Validate and write the return for `census_date` (of the children of `team_ids`, or of
    every team). The failures are reported; the XML is written whatever they are."""
    period = collection_period(census_date, today=today)
    collection = collection_for(census_date.year)
    people = gather(period, team_ids=team_ids)
    xml = write_xml(people, period, header, now=now, progress=progress)
    failures = (
        validate_header(header)
        + schema_failures(xml, people, collection)
        + validate(people, period)
        + _review_order_failures(period, team_ids)
    )
    order = list(VALIDATION_RULES)
    failures.sort(
        key=lambda f: (
            f.child_id is not None,
            f.child_id or 0,
            order.index(f.rule) if f.rule in order else 99,
            f.case_id or 0,
        )
    )
    requests = [r for p in people for r in p.requests]
    return Sen2Return(
        period=period,
        xml=xml,
        failures=failures,
        persons=len(people),
        requests=len(requests),
        active_plans=sum(1 for r in requests if r.active_plan is not None),
        ceased_plans=sum(
            1 for r in requests if r.assessment and r.assessment.named_plan and r.assessment.named_plan.cease_on
        ),
        la_code=header.la_code,
        warnings=collection.warnings,
        names={p.child.id: p.child.full_name for p in people},
    )


def record_export(result: Sen2Return, *, actor: User | None, how: str, team_ids: Collection[int] | None) -> None:
    """Audit a return that was produced (it carries every child's personal data)."""
    audit.record(
        actor,
        "sen2_exported" if how != "checked" else "sen2_checked",
        "sen2_return",
        result.census_date.isoformat(),
        f"SEN2 return for census date {result.census_date.isoformat()} {how}: {result.persons} children, "
        f"{result.requests} requests, {len(result.schema_errors)} schema errors, {len(result.failures)} validation failures",
        {
            "census_date": result.census_date.isoformat(),
            "persons": result.persons,
            "requests": result.requests,
            "active_plans": result.active_plans,
            "ceased_plans": result.ceased_plans,
            "schema_errors": len(result.schema_errors),
            "failures": len(result.failures),
            "teams": sorted(team_ids) if team_ids is not None else "all",
            "how": how,
        },
        label=None if actor is not None else "flask sen2 export",
    )


# --- The header settings an administrator keeps -----------------------------------------------------

HEADER_ITEMS = ("la_code", "dmo", "dco", "dsco", "software_code", "serial_no")


def saved_header() -> Sen2Settings | None:
    return db.session.get(Sen2Settings, 1)


def save_header(
    *,
    actor: User,
    la_code: str | None,
    dmo: str | None,
    dco: str | None,
    dsco: str | None,
    software_code: str | None,
    serial_no: str | None,
) -> Sen2Settings:
    """Save the header items (audited with what changed)."""
    values = {
        "la_code": (la_code or "").strip() or None,
        "dmo": dmo or None,
        "dco": dco or None,
        "dsco": dsco or None,
        "software_code": (software_code or "").strip() or None,
        "serial_no": (serial_no or "").strip() or None,
    }
    if values["la_code"] is not None and not re.fullmatch(r"\d{3}", values["la_code"]):
        raise ServiceError("Enter the LA code as 3 digits, like 383", field="la_code")
    if values["serial_no"] is not None and not re.fullmatch(r"\d{3,6}", values["serial_no"]):
        raise ServiceError("Enter the serial number as 3 to 6 digits, like 001", field="serial_no")
    for name in ("dmo", "dco", "dsco"):
        if values[name] is not None and values[name] not in HEADER_FLAGS:
            raise ServiceError("Select Y, N or R", field=name)
    settings = saved_header()
    if settings is None:
        settings = Sen2Settings(id=1)
        db.session.add(settings)
    changed = {
        name: {"from": getattr(settings, name), "to": value}
        for name, value in values.items()
        if getattr(settings, name) != value
    }
    for name, value in values.items():
        setattr(settings, name, value)
    settings.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "sen2_settings_changed",
        "sen2_settings",
        1,
        "Changed the SEN2 header settings: " + (", ".join(sorted(changed)) or "no change"),
        {"changed": changed},
    )
    return settings
