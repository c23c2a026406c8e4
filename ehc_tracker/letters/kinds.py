"""The letters the law requires the council to write, one kind per point in the workflow.

Each kind names the recorded step it follows (services/workflow.py), the kinds of case it belongs
to, what the letter must tell the family with the provision that says so, and the placeholders its
Word template may use. Every date a letter prints comes from the deadline engine or from what the
case records (context.py); nothing here counts a date.

A decision to cease a plan at an annual review is written once, as the cease notice: regulation
31(2)-(3) says what that notice must contain, and a second "review decision" letter saying the same
thing could disagree with it. The annual review decision letter covers the other two outcomes
(maintain, amend).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..models.case import CaseType, EventType, ReviewDecision

CFA = "Children and Families Act 2014"
REGS = "SEND Regulations 2014"
HESC = "First-tier Tribunal (HESC) Rules 2008"

ASSESSMENTS = frozenset({CaseType.ASSESSMENT, CaseType.REASSESSMENT})
REVIEWS = frozenset({CaseType.ANNUAL_REVIEW})


@dataclass(frozen=True)
class LegalPoint:
    """Something the letter must say, and the provision that requires it."""

    text: str
    source: str


# Placeholders every letter may use (context.py fills them all).
COMMON_PLACEHOLDERS = frozenset(
    {
        "council_name",
        "letter_on",
        "addressee_name",
        "address_lines",
        "salutation",
        "to_young_person",
        "child_name",
        "child_first_name",
        "child_date_of_birth",
        "child_or_you",
        "childs_or_your",
        "coordinator_name",
        "coordinator_email",
        "case_reference",
    }
)

_APPEAL_POINTS = (
    LegalPoint(
        "The right to appeal the decision to the First-tier Tribunal (Special Educational Needs and Disability)",
        f"{CFA} s51",
    ),
    LegalPoint(
        "The time limit for appealing: 2 months from the date of this letter, or 1 month from the date of a "
        "mediation certificate if that is later; an end date that is not a working day, falls between "
        "25 December and 1 January, or falls in August moves to the next working day (printed as the "
        "engine's appeal_deadline)",
        f"{HESC} r.20(1), r.12(2)-(3)",
    ),
    LegalPoint(
        "That before appealing they must contact a mediation adviser and get a mediation certificate "
        "(unless the appeal is only about the school or other institution named), and the information "
        "about mediation",
        f"{CFA} s55; {REGS} reg 32",
    ),
    LegalPoint(
        "The availability of disagreement resolution services and of information and advice about special "
        "educational needs",
        f"{CFA} s57, s32",
    ),
)


@dataclass(frozen=True)
class LetterKind:
    key: str
    title: str
    case_types: frozenset[CaseType]
    # The recorded step the letter follows (its date is the letter's date).
    follows: EventType
    # Only when the case's review decision is one of these (None: any).
    decisions: frozenset[ReviewDecision] | None
    legal_points: tuple[LegalPoint, ...]
    # The placeholders this kind adds to the common ones.
    own_placeholders: frozenset[str]

    @property
    def placeholders(self) -> frozenset[str]:
        """Every name its template may use."""
        return COMMON_PLACEHOLDERS | self.own_placeholders

    @property
    def template_name(self) -> str:
        return f"{self.key}.docx"


_KINDS = (
    LetterKind(
        "decision_to_assess",
        "Decision to carry out an EHC needs assessment",
        ASSESSMENTS,
        EventType.DECIDED_TO_ASSESS,
        None,
        (
            LegalPoint(
                "The decision whether it is necessary to secure an EHC needs assessment, within 6 weeks of the request",
                f"{REGS} reg 5(1)",
            ),
            LegalPoint(
                "For a reassessment, the decision within 15 days of the request",
                f"{REGS} reg 25(1)",
            ),
            LegalPoint(
                "When the council must decide whether to issue a plan (16 weeks from the request) and send the "
                "final plan (20 weeks from the request; 14 weeks from this notice for a reassessment)",
                f"{REGS} reg 10(1), 13(2), 27(2)",
            ),
            LegalPoint(
                "That the family will be consulted and may give views and information, and where to get "
                "information, advice and support",
                f"{REGS} reg 7, 9; {CFA} s19",
            ),
        ),
        frozenset({"is_reassessment", "request_received_on", "decision_not_to_issue_due_on", "final_plan_due_on"}),
    ),
    LetterKind(
        "decision_not_to_assess",
        "Decision not to carry out an EHC needs assessment",
        ASSESSMENTS,
        EventType.DECIDED_NOT_TO_ASSESS,
        None,
        (
            LegalPoint(
                "The decision that it is not necessary to secure an EHC needs assessment (or a reassessment), "
                "with the reasons",
                f"{REGS} reg 5(1), 25(1)",
            ),
            LegalPoint(
                "The decision can be appealed (refusal to assess; refusal to reassess)",
                f"{CFA} s51(2)(a), (d); {REGS} reg 5(3)",
            ),
            *_APPEAL_POINTS,
        ),
        frozenset({"is_reassessment", "request_received_on", "reason", "appeal_deadline_on"}),
    ),
    LetterKind(
        "draft_plan",
        "Draft EHC plan",
        ASSESSMENTS,
        EventType.DRAFT_PLAN_ISSUED,
        None,
        (
            LegalPoint(
                "At least 15 days, beginning with the day the draft was served, to make representations about "
                "its content and to ask for a meeting with an officer of the council",
                f"{REGS} reg 13(1)(a)",
            ),
            LegalPoint(
                "The right to ask for a particular school or other institution to be named in the plan",
                f"{CFA} s38(2)(b)(ii), s39; {REGS} reg 13(1)(a)(i)",
            ),
            LegalPoint(
                "Where to find information about the schools and colleges available",
                f"{REGS} reg 13(1)(b)",
            ),
            LegalPoint(
                "The right to ask for a personal budget",
                f"{CFA} s49",
            ),
            LegalPoint(
                "When the final plan is due (20 weeks from the request; 14 weeks from the notice for a reassessment)",
                f"{REGS} reg 13(2), 27(2)",
            ),
        ),
        frozenset({"representations_close_on", "final_plan_due_on", "schools_consulted"}),
    ),
    LetterKind(
        "final_plan",
        "Final EHC plan",
        ASSESSMENTS,
        EventType.FINAL_PLAN_ISSUED,
        None,
        (
            LegalPoint(
                "The finalised plan, sent to the family (and the named institution and the health body)",
                f"{REGS} reg 13(2), 14(1)",
            ),
            LegalPoint(
                "The right to appeal the needs, provision and the school or institution named (or that none "
                "is named) in the plan",
                f"{CFA} s51(2)(c); {REGS} reg 14(2)",
            ),
            *_APPEAL_POINTS,
            LegalPoint(
                "The tribunal's power to make recommendations about health and social care",
                "SEND (First-tier Tribunal Recommendations Power) Regulations 2017",
            ),
        ),
        frozenset({"named_settings", "appeal_deadline_on"}),
    ),
    LetterKind(
        "decision_not_to_issue",
        "Decision not to issue an EHC plan",
        ASSESSMENTS,
        EventType.DECIDED_NOT_TO_ISSUE,
        None,
        (
            LegalPoint(
                "The decision that a plan is not necessary, with the reasons, within 16 weeks of the request",
                f"{CFA} s36(9); {REGS} reg 10(1)",
            ),
            LegalPoint("The decision can be appealed", f"{CFA} s51(2)(b); {REGS} reg 10(3)"),
            *_APPEAL_POINTS,
        ),
        frozenset({"request_received_on", "reason", "appeal_deadline_on"}),
    ),
    LetterKind(
        "review_decision",
        "Annual review decision",
        REVIEWS,
        EventType.REVIEW_DECISION_NOTIFIED,
        frozenset({ReviewDecision.MAINTAIN, ReviewDecision.AMEND}),
        (
            LegalPoint(
                "The decision to keep the plan as it is, or to amend it, within 4 weeks of the review meeting",
                f"{REGS} reg 20(10), 21(8)",
            ),
            LegalPoint(
                "A decision to amend goes with the proposed amendments; the amended plan follows within 12 weeks "
                "of the meeting",
                f"{REGS} reg 22(2)-(3) with R (L, M & P) v Devon CC [2022] EWHC 493 (Admin)",
            ),
            LegalPoint(
                "A decision not to amend the plan after a review can be appealed (with the appeal information)",
                f"{CFA} s51(2)(e); {HESC} r.20(1)",
            ),
        ),
        frozenset({"decision", "review_meeting_on", "amended_plan_due_on", "appeal_deadline_on"}),
    ),
    LetterKind(
        "amendments_proposed",
        "Proposed amendments to the EHC plan",
        REVIEWS,
        EventType.AMENDMENTS_PROPOSED,
        frozenset({ReviewDecision.AMEND}),
        (
            LegalPoint(
                "A copy of the plan with a notice of the proposed amendments and the evidence for them",
                f"{REGS} reg 22(2)(a)",
            ),
            LegalPoint(
                "The right to ask for a particular school or other institution to be named",
                f"{REGS} reg 22(2)(b); {CFA} s38(2)(b)(ii)",
            ),
            LegalPoint(
                "At least 15 days, beginning with the day the notice was served, to make representations, ask "
                "for a school or institution, and ask for a meeting",
                f"{REGS} reg 22(2)(c)",
            ),
            LegalPoint(
                "Where to find information about the schools and colleges available",
                f"{REGS} reg 22(2)(d)",
            ),
            LegalPoint(
                "The amended plan (or a decision not to amend, with reasons) within 8 weeks of the proposals",
                f"{REGS} reg 22(3)-(4)",
            ),
        ),
        frozenset({"review_meeting_on", "representations_close_on", "amended_plan_due_on"}),
    ),
    LetterKind(
        "cease_notice",
        "Notice of the decision to cease the EHC plan",
        REVIEWS,
        EventType.REVIEW_DECISION_NOTIFIED,
        frozenset({ReviewDecision.CEASE}),
        (
            LegalPoint(
                "The decision to cease to maintain the plan",
                f"{CFA} s45; {REGS} reg 31(2)",
            ),
            LegalPoint("The decision can be appealed", f"{CFA} s51(2)(f); {REGS} reg 31(3)(a)"),
            *_APPEAL_POINTS,
            LegalPoint(
                "The plan is maintained until the time to appeal has passed or an appeal is concluded",
                f"{CFA} s45(3)-(4)",
            ),
        ),
        frozenset({"review_meeting_on", "decision_on", "appeal_deadline_on"}),
    ),
    LetterKind(
        "transfer_in_notice",
        "EHC plan transferred from another council",
        REVIEWS,
        EventType.TRANSFER_NOTICE_SENT,
        None,
        (
            LegalPoint(
                "Within 6 weeks of the transfer: that the plan has been transferred, whether the council proposes "
                "an EHC needs assessment, and when it proposes to review the plan",
                f"{REGS} reg 15(4)",
            ),
            LegalPoint(
                "The review by the later of 12 months from the plan being made or last reviewed and 3 months "
                "from the transfer",
                f"{REGS} reg 15(5)",
            ),
        ),
        frozenset({"transferred_on", "previous_authority", "review_by_on", "proposes_assessment", "named_settings"}),
    ),
)

KINDS: Mapping[str, LetterKind] = MappingProxyType({k.key: k for k in _KINDS})
"""Every letter kind by key, in the workflow's order."""


class UnknownLetterKind(KeyError):
    pass


def kind(key: str) -> LetterKind:
    try:
        return KINDS[key]
    except KeyError:
        raise UnknownLetterKind(key) from None
