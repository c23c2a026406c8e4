"""The case workflow in one table: every step a case can record, and what is true of it.

Each `EventType` has one `Step` here: its name on the pages, what the family page says of it,
the kinds of case it belongs to, the order the law implies (what it needs first, what it rules
out, once only), the details it takes on the page's form and in the API, the time limits it
works towards (with the family's words for each) and what recording it does to the case (closes
it, opens the next annual review).

The services, the forms, the API, the family pages and the database's once-only guard all read
this table, so a new statutory step is added here and in its handler, nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..models.case import CaseStatus, CaseType, EventType, ReviewDecision

if TYPE_CHECKING:
    from ..models.case import Case

ASSESSMENTS = frozenset({CaseType.ASSESSMENT, CaseType.REASSESSMENT})
REVIEWS = frozenset({CaseType.ANNUAL_REVIEW})
EVERY_CASE = ASSESSMENTS | REVIEWS
DISPUTES = frozenset({CaseType.DISPUTE})


@dataclass(frozen=True)
class FamilyWords:
    """How the family page names a time limit while it waits, and (for the council's own duties)
    what it says once the limit has passed without it."""

    waiting: str
    late: str | None = None


@dataclass(frozen=True)
class Ending:
    """What recording a step does to the case: closes it with this status and reason, and opens
    the plan's next annual review where the plan goes on."""

    status: CaseStatus
    reason: str
    # A detail of the step that, when given, is the reason instead.
    reason_detail: str | None = None
    # Only when the review decision is this one.
    if_decision: ReviewDecision | None = None
    opens_next_review: bool = False
    # The next review runs from the day the review decision was notified, not from this step.
    next_review_from_decision: bool = False


@dataclass(frozen=True)
class Step:
    event_type: EventType
    label: str
    # What the family page and the family's email say once it has happened.
    family_done: str
    case_types: frozenset[CaseType]
    # Recorded when the case is opened, never as a step of its own.
    opens_case: bool = False
    once: bool = False
    # Any one of these must already be recorded (and not later than this step).
    requires: tuple[EventType, ...] = ()
    # Steps that rule this one out, and it them.
    excludes: tuple[EventType, ...] = ()
    # The details it takes beyond its date: the page's form shows these fields and the API accepts them.
    fields: tuple[str, ...] = ()
    # The review decision its handler needs.
    needs_decision: ReviewDecision | None = None
    # Only on a plan transferred in from another authority (and then before the usual path).
    transfer_only: bool = False
    # Its date may come before the case's anchor (a meeting arranged before the plan's last review).
    may_predate_anchor: bool = False
    # A condition of its own for it to be offered now (its handler refuses otherwise, in its own words).
    offered_when: Callable[[Case], bool] | None = None
    # On the usual path: the step offered next until one of these is recorded.
    usual_until: tuple[EventType, ...] = ()
    # The time limits recording it works towards, in the order the next-step panel looks for an
    # unmet one; and the further ones the worklist also offers it for.
    time_limits: tuple[str, ...] = ()
    also_towards: tuple[str, ...] = ()
    # The time limits its recording meets, as the family page words them.
    family_limits: Mapping[str, FamilyWords] = field(default_factory=lambda: MappingProxyType({}))
    # The same for the council's duties after a dispute (statutory.rules.DISPUTE_RULES): the family
    # page's words for each, by its milestone key.
    family_duties: Mapping[str, FamilyWords] = field(default_factory=lambda: MappingProxyType({}))
    # A time limit of one advice request or consultation names it in its ref ("advice:12"): the
    # ref's prefix and the form field the id chooses.
    chooses: tuple[str, str] | None = None
    ends: Ending | None = None

    @property
    def recordable(self) -> bool:
        return not self.opens_case

    def belongs_to(self, case_type: CaseType) -> bool:
        return self.recordable and case_type in self.case_types


def _words(**limits: FamilyWords) -> Mapping[str, FamilyWords]:
    return MappingProxyType(limits)


# The things an order, a concession or a mediation agreement can require of the council (the limbs
# of SEND Regs 2014 regs 42, 44 and 45), in the family's words; each is the end of a milestone key
# of statutory.rules.DISPUTE_RULES ("order_amended_plan", "unopposed_amended_plan", ...).
DISPUTE_LIMBS: Mapping[str, str] = MappingProxyType(
    {
        "assessment_notice": "tell you we will assess your child's needs",
        "assessment_no_plan": "tell you if we decide, after the assessment, not to issue a plan",
        "assessment_final_plan": "send you the final EHC plan after the assessment",
        "draft_plan": "send you the draft EHC plan",
        "final_plan": "send you the final EHC plan",
        "amended_plan": "send you the amended plan",
        "school_amended_plan": "send you the plan amended to name the school or college",
        "continue_plan": "keep the EHC plan going",
        "cease_plan": "end the EHC plan",
        "other_action": "do what the mediation agreement says",
    }
)
# Whose requirement each kind of limb is, as the family page says it.
DISPUTE_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "order_": "as the tribunal ordered",
        "unopposed_": "as we told the tribunal when we did not oppose your appeal",
        "mediation_agreement_": "as the mediation agreement says",
    }
)


def _limb_words(prefix: str, limbs: tuple[str, ...]) -> Mapping[str, FamilyWords]:
    source = DISPUTE_SOURCES[prefix]
    return MappingProxyType(
        {
            f"{prefix}{limb}": FamilyWords(
                f"We {DISPUTE_LIMBS[limb]}, {source}",
                f"We had to {DISPUTE_LIMBS[limb]} by {{due}}, {source}. We have not done it yet.",
            )
            for limb in limbs
        }
    )


_ORDER_LIMBS = (
    "assessment_notice",
    "assessment_no_plan",
    "assessment_final_plan",
    "draft_plan",
    "final_plan",
    "amended_plan",
    "school_amended_plan",
    "continue_plan",
    "cease_plan",
)
_UNOPPOSED_LIMBS = tuple(limb for limb in _ORDER_LIMBS if limb != "cease_plan")
_AGREEMENT_LIMBS = (*_ORDER_LIMBS, "other_action")


_E = EventType

_TABLE = (
    Step(
        _E.REQUEST_RECEIVED,
        "Request for assessment received",
        "We got the request for an assessment",
        ASSESSMENTS,
        opens_case=True,
    ),
    Step(
        _E.DECIDED_TO_ASSESS,
        "Decided to assess",
        "We decided to assess your child's needs",
        ASSESSMENTS,
        once=True,
        excludes=(_E.DECIDED_NOT_TO_ASSESS,),
        usual_until=(_E.DECIDED_TO_ASSESS, _E.DECIDED_NOT_TO_ASSESS),
        time_limits=("decision_to_assess", "reassessment_decision"),
        family_limits=_words(
            decision_to_assess=FamilyWords(
                "We decide if we will assess your child's needs",
                "We had to decide by {due} if we will assess your child's needs. We have not decided yet.",
            ),
            reassessment_decision=FamilyWords(
                "We decide if we will assess your child's needs again",
                "We had to decide by {due} if we will assess your child's needs again. We have not decided yet.",
            ),
        ),
    ),
    Step(
        _E.DECIDED_NOT_TO_ASSESS,
        "Decided not to assess",
        "We decided not to assess your child's needs",
        ASSESSMENTS,
        once=True,
        excludes=(_E.DECIDED_TO_ASSESS,),
        fields=("reason",),
        ends=Ending(CaseStatus.CLOSED, "Decided not to assess"),
    ),
    Step(
        _E.ADVICE_REQUESTED,
        "Advice requested",
        "We asked for advice about your child",
        ASSESSMENTS,
        requires=(_E.DECIDED_TO_ASSESS,),
        fields=("advice_type", "provider"),
    ),
    Step(
        _E.ADVICE_RECEIVED,
        "Advice received",
        "We got advice about your child",
        ASSESSMENTS,
        fields=("advice_request_id", "quality_note"),
        offered_when=lambda case: any(a.received_on is None for a in case.advice_requests),
        time_limits=("advice_due",),
        family_limits=_words(advice_due=FamilyWords("We get advice about your child from people who know them")),
        chooses=("advice:", "advice_request_id"),
    ),
    Step(
        _E.DECIDED_TO_ISSUE,
        "Decided to issue a plan",
        "We decided your child needs an EHC plan",
        ASSESSMENTS,
        once=True,
        requires=(_E.DECIDED_TO_ASSESS,),
        excludes=(_E.DECIDED_NOT_TO_ISSUE,),
        usual_until=(_E.DECIDED_TO_ISSUE, _E.DECIDED_NOT_TO_ISSUE),
        time_limits=("decision_not_to_issue", "final_plan", "final_plan_after_reassessment"),
        family_limits=_words(
            decision_not_to_issue=FamilyWords(
                "We decide if your child needs an EHC plan",
                "We had to tell you by {due} if your child needs an EHC plan. We have not told you yet.",
            ),
        ),
    ),
    Step(
        _E.DECIDED_NOT_TO_ISSUE,
        "Decided not to issue a plan",
        "We decided your child does not need an EHC plan",
        ASSESSMENTS,
        once=True,
        requires=(_E.DECIDED_TO_ASSESS,),
        excludes=(_E.DECIDED_TO_ISSUE,),
        fields=("reason",),
        ends=Ending(CaseStatus.CLOSED, "Decided not to issue a plan"),
    ),
    Step(
        _E.DRAFT_PLAN_ISSUED,
        "Draft plan issued",
        "We sent you the draft plan",
        ASSESSMENTS,
        once=True,
        requires=(_E.DECIDED_TO_ISSUE,),
        usual_until=(_E.DRAFT_PLAN_ISSUED,),
        time_limits=("final_plan", "final_plan_after_reassessment"),
    ),
    Step(
        _E.SCHOOL_CONSULTED,
        "School or college consulted",
        "We asked a school or college about your child",
        EVERY_CASE,
        fields=("setting_name",),
        # CFA 2014 s39(2)-(3): in an assessment the school is consulted with the draft plan.
        offered_when=lambda case: (
            case.case_type is CaseType.ANNUAL_REVIEW or case.event(EventType.DRAFT_PLAN_ISSUED) is not None
        ),
    ),
    Step(
        _E.SCHOOL_RESPONDED,
        "School or college responded",
        "A school or college replied",
        EVERY_CASE,
        fields=("consultation_id", "outcome"),
        offered_when=lambda case: any(c.responded_on is None for c in case.consultations),
        also_towards=("school_consultation_response",),
        family_limits=_words(
            school_consultation_response=FamilyWords("We ask a school or college if it can meet your child's needs"),
        ),
        chooses=("consultation:", "consultation_id"),
    ),
    Step(
        _E.FINAL_PLAN_ISSUED,
        "Final plan issued",
        "We sent you the final EHC plan",
        ASSESSMENTS,
        once=True,
        requires=(_E.DRAFT_PLAN_ISSUED,),
        fields=("named_settings", "family_confirmed_on"),
        usual_until=(_E.FINAL_PLAN_ISSUED,),
        time_limits=("final_plan", "final_plan_after_reassessment"),
        family_limits=_words(
            final_plan=FamilyWords(
                "We send you the final EHC plan", "The final plan was due by {due}. It has not been issued yet."
            ),
            final_plan_after_reassessment=FamilyWords(
                "We send you the final EHC plan after the new assessment",
                "The final plan was due by {due}. It has not been issued yet.",
            ),
        ),
        ends=Ending(CaseStatus.COMPLETED, "Final plan issued", opens_next_review=True),
    ),
    Step(
        _E.WITHDRAWN,
        "Withdrawn",
        "The request was withdrawn",
        ASSESSMENTS,
        once=True,
        fields=("reason",),
        ends=Ending(CaseStatus.WITHDRAWN, "Withdrawn", reason_detail="reason"),
    ),
    Step(
        _E.REVIEW_MEETING_SCHEDULED,
        "Review meeting scheduled",
        "We arranged the review meeting",
        REVIEWS,
        fields=("meeting_on",),
        may_predate_anchor=True,
        offered_when=lambda case: case.event(EventType.REVIEW_MEETING_HELD) is None,
        usual_until=(_E.REVIEW_MEETING_SCHEDULED, _E.REVIEW_MEETING_HELD),
        time_limits=("review_due", "transfer_in_review_due"),
    ),
    Step(
        _E.INVITATIONS_SENT,
        "Invitations and advice sent",
        "We sent the invitations to the review meeting",
        REVIEWS,
        once=True,
        requires=(_E.REVIEW_MEETING_SCHEDULED,),
        fields=("advice_circulated_on",),
        usual_until=(_E.INVITATIONS_SENT, _E.REVIEW_MEETING_HELD),
        time_limits=("invitations_by",),
        also_towards=("advice_circulated_by",),
        family_limits=_words(
            invitations_by=FamilyWords(
                "We invite you to the review meeting",
                "The invitations to the review meeting were due by {due}. They have not been sent yet.",
            ),
            advice_circulated_by=FamilyWords(
                "We send you the advice for the review meeting",
                "The advice for the review meeting was due to reach you by {due}. It has not been sent yet.",
            ),
        ),
    ),
    Step(
        _E.REVIEW_MEETING_HELD,
        "Review meeting held",
        "The review meeting took place",
        REVIEWS,
        once=True,
        usual_until=(_E.REVIEW_MEETING_HELD,),
        time_limits=("review_due", "transfer_in_review_due"),
        family_limits=_words(
            review_due=FamilyWords(
                "We hold a meeting to review the plan",
                "The review meeting was due by {due}. It has not taken place yet.",
            ),
            transfer_in_review_due=FamilyWords(
                "We hold a meeting to review the plan that moved to us",
                "The review meeting was due by {due}. It has not taken place yet.",
            ),
        ),
    ),
    Step(
        _E.REVIEW_REPORT_RECEIVED,
        "Review report received",
        "We got the report of the review meeting",
        REVIEWS,
        once=True,
        requires=(_E.REVIEW_MEETING_HELD,),
        usual_until=(_E.REVIEW_REPORT_RECEIVED,),
        time_limits=("review_report_due",),
        family_limits=_words(
            review_report_due=FamilyWords(
                "We get the report of the review meeting",
                "The report of the review meeting was due by {due}. We have not received it yet.",
            ),
        ),
    ),
    Step(
        _E.REVIEW_DECISION_NOTIFIED,
        "Review decision notified",
        "We told you what we decided after the review",
        REVIEWS,
        once=True,
        requires=(_E.REVIEW_MEETING_HELD,),
        fields=("decision",),
        usual_until=(_E.REVIEW_DECISION_NOTIFIED,),
        time_limits=("review_decision_due",),
        family_limits=_words(
            review_decision_due=FamilyWords(
                "We tell you what we decided after the review",
                "We had to tell you by {due} what we decided after the review. We have not told you yet.",
            ),
        ),
        ends=Ending(
            CaseStatus.COMPLETED, "Plan maintained", if_decision=ReviewDecision.MAINTAIN, opens_next_review=True
        ),
    ),
    Step(
        _E.AMENDMENTS_PROPOSED,
        "Proposed amendments sent",
        "We sent you the changes we want to make to the plan",
        REVIEWS,
        once=True,
        needs_decision=ReviewDecision.AMEND,
        time_limits=("review_decision_due",),
        also_towards=("amended_plan_due", "amended_plan_from_proposals_due", "phase_transfer_due"),
    ),
    Step(
        _E.AMENDED_PLAN_ISSUED,
        "Amended plan issued",
        "We sent you the changed plan",
        REVIEWS,
        once=True,
        excludes=(_E.DECIDED_NOT_TO_AMEND,),
        fields=("named_settings", "family_confirmed_on"),
        needs_decision=ReviewDecision.AMEND,
        # SEND Regulations 2014 reg 22(2): the proposed amendments first.
        offered_when=lambda case: case.event(EventType.AMENDMENTS_PROPOSED) is not None,
        time_limits=("phase_transfer_due", "amended_plan_from_proposals_due", "amended_plan_due"),
        family_limits=_words(
            amended_plan_due=FamilyWords(
                "We send you the changed plan", "The changed plan was due by {due}. It has not been issued yet."
            ),
            amended_plan_from_proposals_due=FamilyWords(
                "We send you the changed plan", "The changed plan was due by {due}. It has not been issued yet."
            ),
            phase_transfer_due=FamilyWords(
                "We name your child's next school or college in the plan",
                "The plan naming your child's next school or college was due by {due}. It has not been issued yet.",
            ),
        ),
        ends=Ending(
            CaseStatus.COMPLETED, "Amended plan issued", opens_next_review=True, next_review_from_decision=True
        ),
    ),
    Step(
        _E.DECIDED_NOT_TO_AMEND,
        "Decided not to amend the plan",
        "We told you we are keeping the plan as it is",
        REVIEWS,
        once=True,
        requires=(_E.AMENDMENTS_PROPOSED,),
        excludes=(_E.AMENDED_PLAN_ISSUED,),
        fields=("reason",),
        needs_decision=ReviewDecision.AMEND,
        also_towards=("decision_not_to_amend_due",),
        family_limits=_words(
            decision_not_to_amend_due=FamilyWords(
                "We tell you we are keeping the plan as it is, and why",
                "We had to tell you by {due} that we are keeping the plan as it is. We have not told you yet.",
            ),
        ),
        ends=Ending(
            CaseStatus.COMPLETED,
            "Decided not to amend: plan kept as it is",
            opens_next_review=True,
            next_review_from_decision=True,
        ),
    ),
    Step(
        _E.PLAN_CEASED,
        "Plan ceased",
        "The EHC plan ended",
        REVIEWS,
        once=True,
        requires=(_E.REVIEW_DECISION_NOTIFIED,),
        fields=("cease_reason", "appeal_concluded_on"),
        needs_decision=ReviewDecision.CEASE,
        ends=Ending(CaseStatus.COMPLETED, "Plan ceased"),
    ),
    Step(
        _E.TRANSFER_NOTICE_SENT,
        "Family told how the transferred plan will be reviewed",
        "We told you how we will review the plan that moved to us",
        REVIEWS,
        once=True,
        transfer_only=True,
        usual_until=(_E.TRANSFER_NOTICE_SENT,),
        time_limits=("transfer_in_notice_due",),
        family_limits=_words(
            transfer_in_notice_due=FamilyWords(
                "We tell you how we will review the plan that moved to us",
                "We had to tell you by {due} how we will review the plan. We have not told you yet.",
            ),
        ),
    ),
)

_DISPUTE_TABLE = (
    Step(
        _E.MEDIATION_REQUESTED,
        "Mediation requested",
        "You asked for mediation",
        DISPUTES,
        once=True,
        fields=("requested_by", "council_told_on"),
        usual_until=(_E.MEDIATION_REQUESTED, _E.MEDIATION_CERTIFICATE_ISSUED, _E.APPEAL_REGISTERED),
        # A certificate issued without mediation means the family chose not to mediate (reg 34).
        offered_when=lambda case: case.event(_E.MEDIATION_CERTIFICATE_ISSUED) is None,
    ),
    Step(
        _E.MEDIATION_CERTIFICATE_ISSUED,
        "Mediation certificate issued",
        "The mediation certificate was issued",
        DISPUTES,
        once=True,
        # After mediation (reg 39), or without it when the family told the mediation adviser they
        # did not want it (SEND Regulations 2014 reg 34).
        time_limits=("mediation_certificate_due",),
        family_limits=_words(
            mediation_certificate_due=FamilyWords(
                "You get the mediation certificate you need to appeal",
                "The mediation certificate was due by {due}. It has not been issued yet.",
            ),
        ),
    ),
    Step(
        _E.MEDIATION_HELD,
        "Mediation held",
        "The mediation took place",
        DISPUTES,
        once=True,
        requires=(_E.MEDIATION_REQUESTED,),
        fields=("mediation_outcome",),
        # Not after a certificate: the family declined mediation, or it was not held in time.
        usual_until=(_E.MEDIATION_HELD, _E.MEDIATION_CERTIFICATE_ISSUED, _E.APPEAL_REGISTERED),
        time_limits=("mediation_held_by",),
        family_limits=_words(
            mediation_held_by=FamilyWords(
                "We hold the mediation",
                "The mediation had to take place by {due}. It has not taken place yet.",
            ),
        ),
    ),
    Step(
        _E.MEDIATION_AGREEMENT_RECORDED,
        "Mediation agreement recorded",
        "We wrote down what was agreed at mediation",
        DISPUTES,
        once=True,
        requires=(_E.MEDIATION_HELD,),
        fields=("limbs",),
        offered_when=lambda case: _mediation_agreed(case),
    ),
    Step(
        _E.APPEAL_REGISTERED,
        "Appeal registered by the tribunal",
        "The tribunal registered your appeal",
        DISPUTES,
        once=True,
        fields=("tribunal_reference", "tribunal_sent_on", "response_set_on"),
        usual_until=(_E.APPEAL_REGISTERED,),
        also_towards=("appeal_deadline",),
        family_limits=_words(appeal_deadline=FamilyWords("The last day for you to appeal to the tribunal")),
    ),
    Step(
        _E.TRIBUNAL_RESPONSE_SENT,
        "Response sent to the tribunal",
        "We sent our response to the tribunal",
        DISPUTES,
        once=True,
        requires=(_E.APPEAL_REGISTERED,),
        offered_when=lambda case: case.event(EventType.APPEAL_NOT_OPPOSED) is None,
        usual_until=(_E.TRIBUNAL_RESPONSE_SENT, _E.APPEAL_NOT_OPPOSED),
        family_duties=_words(
            tribunal_response_due=FamilyWords(
                "We send our response to the tribunal",
                "Our response to the tribunal was due by {due}. We have not sent it yet.",
            ),
        ),
    ),
    Step(
        _E.APPEAL_NOT_OPPOSED,
        "Appeal not opposed",
        "We told the tribunal we will not oppose your appeal",
        DISPUTES,
        once=True,
        requires=(_E.APPEAL_REGISTERED,),
        fields=("limbs",),
        offered_when=lambda case: (
            case.event(EventType.TRIBUNAL_RESPONSE_SENT) is None and case.event(EventType.APPEAL_OUTCOME) is None
        ),
    ),
    Step(
        _E.HEARING_HELD,
        "Hearing held",
        "The tribunal hearing took place",
        DISPUTES,
        once=True,
        requires=(_E.APPEAL_REGISTERED,),
        offered_when=lambda case: case.event(EventType.APPEAL_NOT_OPPOSED) is None,
    ),
    Step(
        _E.APPEAL_OUTCOME,
        "Tribunal decision",
        "The tribunal made its decision",
        DISPUTES,
        once=True,
        requires=(_E.APPEAL_REGISTERED,),
        fields=("appeal_outcome", "limbs"),
        offered_when=lambda case: case.event(EventType.APPEAL_NOT_OPPOSED) is None,
    ),
    Step(
        _E.DISPUTE_ACTION_TAKEN,
        "Action taken under an order, concession or agreement",
        "We did what the tribunal's order, our concession or the mediation agreement required",
        DISPUTES,
        fields=("under", "limb"),
        offered_when=lambda case: any(
            m.met_on is None and m.key.startswith(tuple(DISPUTE_SOURCES)) for m in case.milestones
        ),
        family_duties=MappingProxyType(
            {
                **_limb_words("order_", _ORDER_LIMBS),
                **_limb_words("unopposed_", _UNOPPOSED_LIMBS),
                **_limb_words("mediation_agreement_", _AGREEMENT_LIMBS),
            }
        ),
    ),
    Step(
        _E.DISPUTE_CLOSED,
        "Dispute closed",
        "The disagreement came to an end",
        DISPUTES,
        once=True,
        fields=("reason",),
        ends=Ending(CaseStatus.CLOSED, "Dispute closed", reason_detail="reason"),
    ),
)


def _mediation_agreed(case: Case) -> bool:
    held = case.event(EventType.MEDIATION_HELD)
    return held is not None and (held.details or {}).get("mediation_outcome") == "agreement"


# Every step, in the workflow's order (the order of the event vocabulary).
STEPS: Mapping[EventType, Step] = MappingProxyType(
    {s.event_type: s for s in sorted(_TABLE + _DISPUTE_TABLE, key=lambda s: list(EventType).index(s.event_type))}
)

# The steps a case records at most once, as stored: the database's unique index covers exactly these.
ONCE_ONLY_EVENT_VALUES: tuple[str, ...] = tuple(t.value for t, s in STEPS.items() if s.once)


def step(event_type: EventType) -> Step:
    return STEPS[event_type]


def label(event_type: EventType) -> str:
    return STEPS[event_type].label


def labels() -> dict[EventType, str]:
    """Each step's name on the pages, in the workflow's order."""
    return {t: s.label for t, s in STEPS.items()}


def steps_for(case_type: CaseType) -> list[Step]:
    """The steps that can be recorded on a case of this type, in the workflow's order."""
    return [s for s in STEPS.values() if s.belongs_to(case_type)]


def recordable_values() -> tuple[str, ...]:
    """Every step that can be recorded (all but the request that opens a case), as stored."""
    return tuple(t.value for t, s in STEPS.items() if s.recordable)


def fields_by_step() -> dict[str, tuple[str, ...]]:
    """The details each step takes beyond its date, by its stored name (steps taking none left out)."""
    return {t.value: s.fields for t, s in STEPS.items() if s.fields}


def usual_path(case_type: CaseType, *, transferred: bool) -> list[Step]:
    """The steps a case of this type usually goes through, in order; a plan transferred in first
    has its notice to the family."""
    path = [s for s in steps_for(case_type) if s.usual_until]
    return [s for s in path if s.transfer_only and transferred] + [s for s in path if not s.transfer_only]


def steps_towards(key: str) -> tuple[EventType, ...]:
    """The steps that (lead to) meeting the time limit `key`, in the workflow's order."""
    return tuple(t for t, s in STEPS.items() if key in s.time_limits or key in s.also_towards or key in s.family_duties)


def step_meeting(key: str) -> Step | None:
    """The step whose recording meets the time limit `key` (the one that words it for the family)."""
    return next((s for s in STEPS.values() if key in s.family_limits or key in s.family_duties), None)


def family_words() -> dict[str, FamilyWords]:
    """The family's words for every time limit a step meets, by the time limit's key."""
    return {key: words for s in STEPS.values() for key, words in (*s.family_limits.items(), *s.family_duties.items())}
