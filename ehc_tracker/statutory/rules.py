"""The statutory time limits as data (docs/statutory-timescales.md), and `due_on`, the single place
where a due date is counted from its anchor event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import Enum
from types import MappingProxyType

from .calendar import (
    ENGLAND_CALENDAR,
    WorkingDayCalendar,
    add_days,
    add_months,
    add_weeks,
    age_on,
    month_period_end,
    period_end_beginning_with,
)
from .errors import InvalidPeriod, InvalidSetting, MissingAnchor, StatutoryError, UnknownMilestone
from .status import DEFAULT_DUE_SOON_DAYS

SEND_REGS = "SEND Regulations 2014"


class Counting(Enum):
    """How `offset` is counted from the anchor date (see calendar.py)."""

    WEEKS = "weeks"  # "within N weeks of X": X + 7N days
    DAYS_BEGINNING_WITH = "days_beginning_with"  # "at least N days beginning with X": X + N − 1
    DAYS = "days"  # X + N days (N may be negative: "at least 14 days before")
    MONTH_PERIOD = "month_period"  # last day of "the period of N months starting with X"
    MONTHS = "months"  # "N months after X": corresponding date, clamped to month end
    WORKING_DAYS = "working_days"  # Nth working day after X
    FIXED_DATE = "fixed_date"  # a fixed day and month in the anchor's calendar year
    BEFORE_FIXED_DATE = "before_fixed_date"  # "before" a fixed day and month: the day before it
    # HESC Rules r.12(3)(b): N working days, leaving out 25 December to 1 January and every day in August
    TRIBUNAL_WORKING_DAYS = "tribunal_working_days"


class Process(str, Enum):
    ASSESSMENT = "assessment"
    ANNUAL_REVIEW = "annual_review"
    PHASE_TRANSFER = "phase_transfer"
    COMMUNICATION = "communication"
    DISPUTES = "disputes"
    TRANSFER_IN = "transfer_in"


class ExceptionLimb(str, Enum):
    """The circumstances in which the law excuses a missed time limit.

    Values name the circumstance, not the paragraph letter, because the letters differ between
    regulations: "(c)" is exceptional personal circumstances in reg 10(4) but a missed
    appointment in reg 8(2), and absence from the area is (c) in reg 5(4) but (d) in reg 10(4).
    A rule lists its limbs in the regulation's order, so `Rule.limb_letter` recovers the letter.
    Reg 8(2)(a) says "exceptional circumstances" where reg 5(4)/10(4) say "exceptional personal
    circumstances"; both are PERSONAL_CIRCUMSTANCES here.
    """

    SCHOOL_CLOSURE = "school_closure"
    EARLY_YEARS_CLOSURE = "early_years_closure"
    PERSONAL_CIRCUMSTANCES = "personal_circumstances"
    ABSENT_FROM_AREA = "absent_from_area"
    MISSED_APPOINTMENT = "missed_appointment"

    @property
    def description(self) -> str:
        return _LIMB_DESCRIPTIONS[self]


_LIMB_DESCRIPTIONS: Mapping[ExceptionLimb, str] = MappingProxyType(
    {
        ExceptionLimb.SCHOOL_CLOSURE: (
            "Advice was asked of a school or college head from one week before it closed for "
            "at least 4 continuous weeks until one week before it reopened"
        ),
        ExceptionLimb.EARLY_YEARS_CLOSURE: (
            "Advice was asked of an early years provider from one week before it closed for "
            "at least 4 continuous weeks until one week before it reopened"
        ),
        ExceptionLimb.PERSONAL_CIRCUMSTANCES: (
            "Exceptional personal circumstances of the child, parent or young person"
        ),
        ExceptionLimb.ABSENT_FROM_AREA: (
            "The child, parent or young person was away from the area for at least 4 continuous weeks"
        ),
        ExceptionLimb.MISSED_APPOINTMENT: (
            "The child, parent or young person did not keep an appointment for an examination or test"
        ),
    }
)

_REG_10_4_LIMBS = (
    ExceptionLimb.SCHOOL_CLOSURE,
    ExceptionLimb.EARLY_YEARS_CLOSURE,
    ExceptionLimb.PERSONAL_CIRCUMSTANCES,
    ExceptionLimb.ABSENT_FROM_AREA,
)


@dataclass(frozen=True)
class StatutorySettings:
    """Local settings a council may change (docs/statutory-timescales.md).

    review_decision_weeks / amended_plan_weeks: SEND Regulations 2014 reg 20(10) and reg 22(3)
    read with R (L, M & P) v Devon CC [2022] EWHC 493 (Admin) (4 and 4 + 8 weeks; the DfE
    consulted on changing them in 2022). under_five_review_months: SEND Code of Practice 9.178
    (review under-5s every 3 to 6 months). due_soon_days: calendar days of warning before a
    due date.
    """

    review_decision_weeks: int = 4
    amended_plan_weeks: int = 12
    under_five_review_months: int = 6
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS

    def __post_init__(self) -> None:
        limits = {
            "review_decision_weeks": 52,
            "amended_plan_weeks": 52,
            "under_five_review_months": 12,
            "due_soon_days": 366,
        }
        for name, upper in limits.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
                raise InvalidSetting(f"{name} must be a whole number from 1 to {upper}, not {value!r}.")
        if self.amended_plan_weeks <= self.review_decision_weeks:
            raise InvalidSetting(
                "amended_plan_weeks must be more than review_decision_weeks: the amended plan "
                "follows the decision to amend (reg 22(3))."
            )

    def value_of(self, name: str) -> int:
        """The value of the setting called `name` (used by rules whose offset is a setting)."""
        if name not in _SETTING_NAMES:
            raise InvalidSetting(f"There is no setting called {name!r}.")
        value: int = getattr(self, name)
        return value


_SETTING_NAMES = frozenset(f.name for f in fields(StatutorySettings))
DEFAULT_SETTINGS = StatutorySettings()


@dataclass(frozen=True)
class Anchor:
    """The event a time limit runs from: `key` is the date's field name, `label` its words."""

    key: str
    label: str

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Term:
    """One counted date: `offset` units of `counting` from the anchor's date.

    `setting` names a StatutorySettings field that replaces `offset`; `under_five_setting`
    one that replaces it when the child is under 5 on the anchor date; `fixed_on` is the
    (month, day) of a FIXED_DATE rule; `required` says whether a second term's date must be given.
    """

    anchor: Anchor
    offset: int
    counting: Counting
    setting: str | None = None
    under_five_setting: str | None = None
    fixed_on: tuple[int, int] | None = None
    required: bool = True


@dataclass(frozen=True)
class Rule:
    """A statutory time limit.

    The due date is `offset` `counting` units from the anchor date — or, where `later_of` is
    set, the later of that and the `later_of` term counted from a second date (appeal
    deadline; review of a transferred-in plan). `exception_limbs` lists the circumstances that
    excuse a missed limit, in the order of the regulation's lettered paragraphs
    (`limb_paragraph`); empty means the law allows none. An exception never moves the date.
    """

    key: str
    label: str
    process: Process
    anchor: Anchor
    offset: int
    counting: Counting
    source: str
    exception_limbs: tuple[ExceptionLimb, ...] = ()
    exception_source: str = ""
    limb_paragraph: str = ""
    setting: str | None = None
    under_five_setting: str | None = None
    fixed_on: tuple[int, int] | None = None
    later_of: Term | None = None
    # The source where the child is under 5 on the anchor date (CoP 9.178 beside CFA s44(1)).
    under_five_source: str = ""
    # A local standard counts the council's own closure days; a statutory limit never does
    # (reg 2(1) "working day"; HESC Rules 2008 r.1(3)).
    local_standard: bool = False
    # First-tier Tribunal (HESC) Rules 2008 r.12(2)-(3): an appeal window that ends on a day that
    # is not a working day, from 25 December to 1 January, or in August, runs on (SEN cases).
    tribunal_time: bool = False

    @property
    def exceptions_allowed(self) -> bool:
        return bool(self.exception_limbs)

    @property
    def term(self) -> Term:
        return Term(
            self.anchor,
            self.offset,
            self.counting,
            setting=self.setting,
            under_five_setting=self.under_five_setting,
            fixed_on=self.fixed_on,
        )

    def limb_letter(self, limb: ExceptionLimb) -> str:
        """The paragraph letter of `limb` in this rule's regulation ("a", "b", ...)."""
        return "abcdefgh"[self.exception_limbs.index(limb)]

    def limb_citation(self, limb: ExceptionLimb) -> str:
        """E.g. "SEND Regulations 2014 reg 10(4)(c)"."""
        return f"{self.limb_paragraph}({self.limb_letter(limb)})"

    def source_for(self, anchor_on: date, *, date_of_birth: date | None = None) -> str:
        """The source to show beside a due date: the under-5 source only where it applied."""
        if self.under_five_source and date_of_birth is not None and date_of_birth <= anchor_on:
            if age_on(date_of_birth, anchor_on) < 5:
                return self.under_five_source
        return self.source


_R = Anchor("request_received_on", "request received")
_REASSESSMENT_REQUEST = Anchor("reassessment_requested_on", "request for a reassessment received")
_MEETING = Anchor("review_meeting_on", "review meeting")
_PROPOSALS = Anchor("amendments_sent_on", "proposed amendments sent")
_REVIEWED = Anchor("last_reviewed_on", "plan made or last reviewed")
_TRANSFERRED = Anchor("transferred_on", "plan transferred from another local authority")
_TRANSFER_DAY = Anchor("transfer_on", "transfer between phases (1 September)")

_RULE_LIST: tuple[Rule, ...] = (
    Rule(
        "decision_to_assess",
        "Decide whether to assess",
        Process.ASSESSMENT,
        _R,
        6,
        Counting.WEEKS,
        f"{SEND_REGS} reg 4(1), 5(1)",
        # Reg 5(4) has no early-years limb: (a) school closure, (b) personal, (c) absent.
        (ExceptionLimb.SCHOOL_CLOSURE, ExceptionLimb.PERSONAL_CIRCUMSTANCES, ExceptionLimb.ABSENT_FROM_AREA),
        f"{SEND_REGS} reg 5(4)",
        f"{SEND_REGS} reg 5(4)",
    ),
    Rule(
        "advice_due",
        "Receive requested advice",
        Process.ASSESSMENT,
        Anchor("advice_requested_on", "advice requested"),
        6,
        Counting.WEEKS,
        f"{SEND_REGS} reg 8(1)",
        (ExceptionLimb.PERSONAL_CIRCUMSTANCES, ExceptionLimb.ABSENT_FROM_AREA, ExceptionLimb.MISSED_APPOINTMENT),
        f"{SEND_REGS} reg 8(2)",
        f"{SEND_REGS} reg 8(2)",
    ),
    Rule(
        "decision_not_to_issue",
        "Notify decision not to issue a plan",
        Process.ASSESSMENT,
        _R,
        16,
        Counting.WEEKS,
        f"{SEND_REGS} reg 10(1)",
        _REG_10_4_LIMBS,
        f"{SEND_REGS} reg 10(4)",
        f"{SEND_REGS} reg 10(4)",
    ),
    Rule(
        "representations_close",
        "Representations on draft plan close",
        Process.ASSESSMENT,
        Anchor("draft_served_on", "draft plan served"),
        15,
        Counting.DAYS_BEGINNING_WITH,
        f"{SEND_REGS} reg 13(1)",
    ),
    Rule(
        # CFA s39(4) asks for the school's view; the Code (9.83) says it "should respond within
        # 15 days". Guidance, not a regulation: the due date is C + 15.
        "school_consultation_response",
        "School or college responds to consultation",
        Process.ASSESSMENT,
        Anchor("consultation_sent_on", "consultation sent"),
        15,
        Counting.DAYS,
        "Children and Families Act 2014 s39(4); SEND Code of Practice 9.83 (guidance: within 15 days)",
    ),
    Rule(
        "final_plan",
        "Issue final EHC plan",
        Process.ASSESSMENT,
        _R,
        20,
        Counting.WEEKS,
        f"{SEND_REGS} reg 13(2)",
        _REG_10_4_LIMBS,
        f"{SEND_REGS} reg 13(3)",
        f"{SEND_REGS} reg 10(4)",
    ),
    Rule(
        # Reg 25(1): notify the decision whether to reassess "within 15 days of receiving a
        # request" (calendar days; the day of receipt not counted).
        "reassessment_decision",
        "Decide whether to reassess",
        Process.ASSESSMENT,
        _REASSESSMENT_REQUEST,
        15,
        Counting.DAYS,
        f"{SEND_REGS} reg 25(1)",
    ),
    Rule(
        # Reg 27(2): 14 weeks "of the notification under regulation 25(1)" that the council will
        # reassess, not of the request.
        "final_plan_after_reassessment",
        "Issue final EHC plan after reassessment",
        Process.ASSESSMENT,
        Anchor("reassessment_notified_on", "family told the council will reassess"),
        14,
        Counting.WEEKS,
        f"{SEND_REGS} reg 27(2)",
        _REG_10_4_LIMBS,
        f"{SEND_REGS} reg 27(3)",
        f"{SEND_REGS} reg 27(3)",
    ),
    Rule(
        "review_due",
        "Review the EHC plan",
        Process.ANNUAL_REVIEW,
        _REVIEWED,
        12,
        Counting.MONTH_PERIOD,
        "Children and Families Act 2014 s44(1)",
        under_five_setting="under_five_review_months",
        under_five_source="Children and Families Act 2014 s44(1); SEND Code of Practice 9.178 (under 5)",
    ),
    Rule(
        "invitations_by",
        "Send review meeting invitations",
        Process.ANNUAL_REVIEW,
        _MEETING,
        -14,
        Counting.DAYS,
        f"{SEND_REGS} reg 20(3), 21(3)",
    ),
    Rule(
        "advice_circulated_by",
        "Circulate advice for review meeting",
        Process.ANNUAL_REVIEW,
        _MEETING,
        -14,
        Counting.DAYS,
        f"{SEND_REGS} reg 20(4), 21(4)",
    ),
    Rule(
        "review_report_due",
        "Send review meeting report",
        Process.ANNUAL_REVIEW,
        _MEETING,
        14,
        Counting.DAYS,
        f"{SEND_REGS} reg 20(7), 21(7)",
    ),
    Rule(
        # Reg 20(10) (child at a school or other institution) and 21(8) (not attending one).
        # With Devon [2022], a decision to amend is notified only when the proposed amendments
        # go with it (reg 22(2)).
        "review_decision_due",
        "Notify annual review decision",
        Process.ANNUAL_REVIEW,
        _MEETING,
        4,
        Counting.WEEKS,
        f"{SEND_REGS} reg 20(10), 21(8)",
        setting="review_decision_weeks",
    ),
    Rule(
        "amended_plan_due",
        "Issue amended EHC plan after review",
        Process.ANNUAL_REVIEW,
        _MEETING,
        12,
        Counting.WEEKS,
        f"{SEND_REGS} reg 22(3) with R (L, M & P) v Devon CC [2022] EWHC 493 (Admin)",
        setting="amended_plan_weeks",
    ),
    Rule(
        # Reg 22(2)(c): at least 15 days beginning with the day the notice was served; counted
        # from the day it was sent (the date the council knows), which is never later.
        "amendment_representations_close",
        "Representations on proposed amendments close",
        Process.ANNUAL_REVIEW,
        _PROPOSALS,
        15,
        Counting.DAYS_BEGINNING_WITH,
        f"{SEND_REGS} reg 22(2)",
    ),
    Rule(
        "amended_plan_from_proposals_due",
        "Issue amended EHC plan after proposals",
        Process.ANNUAL_REVIEW,
        _PROPOSALS,
        8,
        Counting.WEEKS,
        f"{SEND_REGS} reg 22(3)",
    ),
    Rule(
        # Reg 22(4): a decision not to amend after all is notified, with reasons, within 8 weeks
        # of sending the proposed amendments.
        "decision_not_to_amend_due",
        "Notify decision not to amend the plan",
        Process.ANNUAL_REVIEW,
        _PROPOSALS,
        8,
        Counting.WEEKS,
        f"{SEND_REGS} reg 22(4)",
    ),
    Rule(
        # Reg 18(1)(b): "before 15 February": the last compliant day is 14 February. The Code's
        # "by 15 February" (9.179) is guidance and cannot extend the regulation.
        "phase_transfer_due",
        "Review and amend plan for phase transfer",
        Process.PHASE_TRANSFER,
        _TRANSFER_DAY,
        0,
        Counting.BEFORE_FIXED_DATE,
        f"{SEND_REGS} reg 18(1)(b) (before 15 February)",
        fixed_on=(2, 15),
    ),
    Rule(
        "response_due",
        "Respond to communication",
        Process.COMMUNICATION,
        Anchor("communication_received_on", "communication received"),
        5,
        Counting.WORKING_DAYS,
        "Local standard: 5-working-day response to all communications (action 2.1.q)",
        local_standard=True,
    ),
    Rule(
        "appeal_deadline",
        "Last day to appeal to the Tribunal",
        Process.DISPUTES,
        Anchor("decision_sent_on", "decision letter sent"),
        2,
        Counting.MONTHS,
        "First-tier Tribunal (HESC) Rules 2008 r.20(1) with r.12(2)-(3); Children and Families Act 2014 s55",
        later_of=Term(
            Anchor("mediation_certificate_on", "mediation certificate issued"),
            1,
            Counting.MONTHS,
            required=False,
        ),
        tribunal_time=True,
    ),
    Rule(
        "mediation_certificate_due",
        "Issue mediation certificate",
        Process.DISPUTES,
        Anchor("mediation_adviser_informed_on", "mediation adviser informed, or mediation ended"),
        3,
        Counting.WORKING_DAYS,
        f"{SEND_REGS} reg 34 (no mediation), 39 (after mediation)",
    ),
    Rule(
        "mediation_held_by",
        "Hold mediation",
        Process.DISPUTES,
        Anchor("mediation_requested_on", "local authority told the family wants mediation"),
        30,
        Counting.DAYS,
        f"{SEND_REGS} reg 37",
    ),
    Rule(
        "transfer_in_notice_due",
        "Notify family after plan transferred in",
        Process.TRANSFER_IN,
        _TRANSFERRED,
        6,
        Counting.WEEKS,
        f"{SEND_REGS} reg 15",
    ),
    Rule(
        "transfer_in_review_due",
        "Review transferred-in plan",
        Process.TRANSFER_IN,
        _TRANSFERRED,
        3,
        Counting.MONTHS,
        f"{SEND_REGS} reg 15",
        later_of=Term(_REVIEWED, 12, Counting.MONTH_PERIOD, under_five_setting="under_five_review_months"),
    ),
)

RULES: Mapping[str, Rule] = MappingProxyType({r.key: r for r in _RULE_LIST})
"""Every rule by key, in the order of docs/statutory-timescales.md (phase transfer after reviews)."""

HESC_RULES = "First-tier Tribunal (HESC) Rules 2008"
_ORDER = Anchor("order_made_on", "tribunal order made")
_NOT_OPPOSED = Anchor("not_opposing_notified_on", "tribunal told the council will not oppose the appeal")
_AGREEMENT = Anchor("mediation_agreement_on", "mediation agreement made")
_APPEAL_SENT = Anchor("appeal_sent_on", "tribunal sent the appeal to the council")


def _order_rule(key: str, label: str, weeks: int, paragraph: str) -> Rule:
    """A duty under reg 44(2): `weeks` calendar weeks "of the order being made" (0: "immediately").

    Reg 44 counts from the day the order was MADE, not the day the tribunal sent it (the tribunal's
    leaflet SEND18 says "from the day we send out the order"; the regulation governs). Weeks are
    calendar weeks and are never moved off a weekend or holiday: r.12 of the HESC Rules governs
    times set by those Rules and the tribunal's directions, not the council's duties under reg 44.
    """
    counting = Counting.WEEKS if weeks else Counting.DAYS
    return Rule(key, label, Process.DISPUTES, _ORDER, weeks, counting, paragraph)


_ORDER_RULE_LIST: tuple[Rule, ...] = (
    # Reg 44(2)(a): "dismisses an appeal against a determination to cease an EHC Plan, the local
    # authority shall cease to maintain the EHC Plan immediately".
    _order_rule("order_cease_plan", "Cease the plan (cease appeal dismissed)", 0, f"{SEND_REGS} reg 44(2)(a)"),
    # Reg 44(2)(b): "within 2 weeks of the order being made notify ... that it shall make the
    # assessment or reassessment"; (i) no plan: "within 10 weeks of the date of the First-tier
    # Tribunal's order"; (ii) "send the finalised plan ... within 14 weeks of the date of the ... order".
    _order_rule(
        "order_assessment_notice", "Tell the family the council will assess (order)", 2, f"{SEND_REGS} reg 44(2)(b)"
    ),
    _order_rule(
        "order_assessment_no_plan", "Notify decision not to issue a plan (order)", 10, f"{SEND_REGS} reg 44(2)(b)(i)"
    ),
    _order_rule(
        "order_assessment_final_plan", "Issue final EHC plan (assessment order)", 14, f"{SEND_REGS} reg 44(2)(b)(ii)"
    ),
    # Reg 44(2)(c): "(i) issue a draft EHC Plan within 5 weeks of the order being made; and (ii) send a
    # copy of the finalised EHC plan ... within 11 weeks of the" order.
    _order_rule("order_draft_plan", "Issue draft EHC plan (order to make a plan)", 5, f"{SEND_REGS} reg 44(2)(c)(i)"),
    _order_rule("order_final_plan", "Issue final EHC plan (order to make a plan)", 11, f"{SEND_REGS} reg 44(2)(c)(ii)"),
    # An order to amend the needs or provision (sections B and F): the amended plan within 5 weeks of
    # the order being made; an order to amend only the school or type of school (section I): within
    # 2 weeks. Letters (e) and (f) as IPSEA's note of R (BA) v Nottinghamshire CC [2021] EWHC 1348 (Admin)
    # cites them; the amended text of reg 44(2) itself is still to be read.
    _order_rule("order_amended_plan", "Issue amended EHC plan (order to amend B/F)", 5, f"{SEND_REGS} reg 44(2)(e)"),
    _order_rule(
        "order_school_amended_plan", "Issue amended EHC plan (order to amend I)", 2, f"{SEND_REGS} reg 44(2)(f)"
    ),
    # An order to continue to maintain the plan: at once (an order to amend as well runs on the 5 weeks
    # of order_amended_plan). The paragraph letter was not read from the amended text: cited as reg 44(2).
    _order_rule("order_continue_plan", "Continue to maintain the plan (order)", 0, f"{SEND_REGS} reg 44(2)"),
)


def _unopposed_rule(key: str, label: str, weeks: int, paragraph: str) -> Rule:
    """A duty under reg 45: `weeks` calendar weeks "of the date it notified the First-tier Tribunal"
    that it will not oppose the appeal (0: at once). Not moved off non-working days.
    """
    counting = Counting.WEEKS if weeks else Counting.DAYS
    cited = f"reg 45{paragraph} (as substituted by SI 2015/359)" if paragraph else "reg 45 (paragraph to verify)"
    return Rule(key, label, Process.DISPUTES, _NOT_OPPOSED, weeks, counting, f"{SEND_REGS} {cited}")


_UNOPPOSED_RULE_LIST: tuple[Rule, ...] = (
    # Reg 45(3): appeal under CFA s51(2)(a) or (d): "within 2 weeks of the date it notified the
    # First-tier Tribunal under paragraph (1), notify ... that it must make the EHC needs assessment or
    # reassessment"; (3A)(a) no plan: "within 10 weeks"; (3A)(b) finalised plan: "within 14 weeks".
    _unopposed_rule("unopposed_assessment_notice", "Tell the family the council will assess (not opposed)", 2, "(3)"),
    _unopposed_rule("unopposed_assessment_no_plan", "Notify decision not to issue a plan (not opposed)", 10, "(3A)(a)"),
    _unopposed_rule("unopposed_assessment_final_plan", "Issue final EHC plan (assessment not opposed)", 14, "(3A)(b)"),
    # Reg 45(4): appeal under s51(2)(c)(i) or (ii), or (e) (needs, provision; refusal to amend): "issue
    # the amended EHC plan ... within 5 weeks of the date it notified the First-tier Tribunal".
    _unopposed_rule("unopposed_amended_plan", "Issue amended EHC plan (B/F not opposed)", 5, "(4)"),
    # The later paragraphs (school; refusal to issue a plan; cease) were not read in the substituted
    # text: the periods are those of the matching order (reg 44), counted from the notification, and
    # the paragraph is left uncited until checked.
    _unopposed_rule("unopposed_school_amended_plan", "Issue amended EHC plan (I not opposed)", 2, ""),
    _unopposed_rule("unopposed_draft_plan", "Issue draft EHC plan (refusal to issue not opposed)", 5, ""),
    _unopposed_rule("unopposed_final_plan", "Issue final EHC plan (refusal to issue not opposed)", 11, ""),
    _unopposed_rule("unopposed_continue_plan", "Continue to maintain the plan (cease not opposed)", 0, ""),
)


def _as_mediation_agreement(order: Rule) -> Rule:
    """Reg 42(2): on a matter the family could appeal, the council "shall comply with the time limits
    set out in regulation 44, as if the mediation agreement were an order of the First-tier Tribunal":
    the order's period counted from the date of the agreement.
    """
    base, what = order.label.rsplit(" (", 1)
    what = what.rstrip(")").replace("order to ", "").replace("order", "").strip()
    what = "" if what.endswith("dismissed") else what
    return Rule(
        order.key.replace("order_", "mediation_agreement_", 1),
        f"{base} (mediation agreement{': ' + what if what else ''})",
        Process.DISPUTES,
        _AGREEMENT,
        order.offset,
        order.counting,
        f"{SEND_REGS} reg 42(2) with {order.source.removeprefix(SEND_REGS + ' ')}",
    )


_MEDIATION_AGREEMENT_RULE_LIST: tuple[Rule, ...] = (
    *(_as_mediation_agreement(order) for order in _ORDER_RULE_LIST),
    # Reg 42(3): a thing the family has no right of appeal about "must [be done] within two weeks of
    # the date of the mediation agreement". Reg 42(5): the parties may agree in writing a different time.
    Rule(
        "mediation_agreement_other_action",
        "Do what the mediation agreement requires (not appealable)",
        Process.DISPUTES,
        _AGREEMENT,
        2,
        Counting.WEEKS,
        f"{SEND_REGS} reg 42(3)",
    ),
    # Reg 42(4): where the council was not a party, the responsible commissioning body "must notify
    # the local authority of the mediation agreement within 1 week of the date of that agreement".
    Rule(
        "mediation_agreement_notice_to_council",
        "Commissioning body tells the council of the agreement",
        Process.DISPUTES,
        _AGREEMENT,
        1,
        Counting.WEEKS,
        f"{SEND_REGS} reg 42(4)",
    ),
)

TRIBUNAL_RESPONSE_RULE = Rule(
    # HESC r.21: the response is due by the date the tribunal sets (in the registration letter), else
    # 30 working days after the tribunal sent the appeal; r.12(3)(b) leaves 25 December to 1 January
    # and August out of the count in SEN cases. r.1(3) "working day" never counts local closure days.
    # The count always ends on a working day, so r.12(2) has nothing to move; `tribunal_time`
    # (r.12(3)(a)) is for starting an appeal and stays off.
    "tribunal_response_due",
    "Send the council's response to the Tribunal",
    Process.DISPUTES,
    _APPEAL_SENT,
    30,
    Counting.TRIBUNAL_WORKING_DAYS,
    f"{HESC_RULES} r.21 with r.12(3)(b)",
)

DISPUTE_RULES: Mapping[str, Rule] = MappingProxyType(
    {
        r.key: r
        for r in (*_ORDER_RULE_LIST, *_UNOPPOSED_RULE_LIST, *_MEDIATION_AGREEMENT_RULE_LIST, TRIBUNAL_RESPONSE_RULE)
    }
)
"""The council's duties after an appeal is made or mediation agreed (regs 42, 44, 45; HESC r.21), by
key: kept beside RULES, whose keys are the original design list plus the law's extras.
"""

PHASE_TRANSFER_POST16_RULE = Rule(
    "phase_transfer_due",
    "Review and amend plan for move to post-16",
    Process.PHASE_TRANSFER,
    _TRANSFER_DAY,
    0,
    Counting.BEFORE_FIXED_DATE,
    f"{SEND_REGS} reg 18(1)(a) (before 31 March)",
    fixed_on=(3, 31),
)
"""Secondary school → post-16 institution: before 31 March of the transfer year, so by 30 March
(reg 18(1)(a))."""

POST16_MOVE_RULE = Rule(
    "phase_transfer_due",
    "Review and amend plan before move between post-16 institutions",
    Process.PHASE_TRANSFER,
    Anchor("transfer_on", "move between post-16 institutions"),
    -5,
    Counting.MONTHS,
    f"{SEND_REGS} reg 18(2)",
)
"""A move between post-16 institutions at another time: at least 5 months before (reg 18(2))."""


def rule(key: str) -> Rule:
    """The rule with this milestone key; `UnknownMilestone` if there is none."""
    try:
        return RULES[key] if key in RULES else DISPUTE_RULES[key]
    except KeyError:
        raise UnknownMilestone(f"There is no statutory milestone called {key!r}.") from None


def phase_transfer_rule(*, post16: bool) -> Rule:
    """The reg 18(1) rule for a September phase transfer (31 March when `post16`, else 15 Feb)."""
    return PHASE_TRANSFER_POST16_RULE if post16 else RULES["phase_transfer_due"]


def _count(
    term: Term,
    anchor_on: date,
    calendar: WorkingDayCalendar,
    settings: StatutorySettings,
    date_of_birth: date | None,
) -> date:
    amount = term.offset
    if term.setting is not None:
        amount = settings.value_of(term.setting)
    if term.under_five_setting is not None and date_of_birth is not None and age_on(date_of_birth, anchor_on) < 5:
        amount = settings.value_of(term.under_five_setting)
    match term.counting:
        case Counting.WEEKS:
            return add_weeks(anchor_on, amount)
        case Counting.DAYS:
            return add_days(anchor_on, amount)
        case Counting.DAYS_BEGINNING_WITH:
            return period_end_beginning_with(anchor_on, amount)
        case Counting.MONTH_PERIOD:
            return month_period_end(anchor_on, amount)
        case Counting.MONTHS:
            return add_months(anchor_on, amount)
        case Counting.WORKING_DAYS:
            return calendar.add_working_days(anchor_on, amount)
        case Counting.TRIBUNAL_WORKING_DAYS:
            return tribunal_working_days_after(anchor_on, amount, calendar)
        case Counting.FIXED_DATE | Counting.BEFORE_FIXED_DATE:
            assert term.fixed_on is not None, "a fixed-date rule needs fixed_on"
            month, day = term.fixed_on
            fixed = date(anchor_on.year, month, day)
            return fixed - timedelta(days=1) if term.counting is Counting.BEFORE_FIXED_DATE else fixed


def _tribunal_closed(day: date) -> bool:
    """HESC Rules r.12(3)(b): 25 December to 1 January and every day in August (SEN cases)."""
    return (day.month, day.day) >= (12, 25) or (day.month, day.day) == (1, 1) or day.month == 8


def tribunal_working_days_after(start_on: date, days: int, calendar: WorkingDayCalendar = ENGLAND_CALENDAR) -> date:
    """The `days`th working day after `start_on`, leaving out 25 December to 1 January and August
    (HESC Rules r.12(3)(b)) as well as weekends and bank holidays (r.1(3)). The start day never counts.
    """
    if days < 1:
        raise InvalidPeriod(f"Count at least 1 working day, not {days}.")
    statutory = calendar.without_local_days()
    day = start_on
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if statutory.is_working_day(day) and not _tribunal_closed(day):
            remaining -= 1
    return day


def tribunal_time_end(end_on: date, calendar: WorkingDayCalendar = ENGLAND_CALENDAR) -> date:
    """The last day to start an SEN appeal whose window ends on `end_on` (HESC Rules 2008 r.12).

    r.12(3)(a): an end from 25 December to 1 January inclusive moves to the first working day
    after 1 January, and an end in August to the first working day after 31 August. Otherwise
    r.12(2): an end on a day that is not a working day moves to the next working day. "Working
    day" (r.1(3)) excludes weekends, Christmas Day, Good Friday and bank holidays, never a
    council's own closure days.
    """
    statutory = calendar.without_local_days()
    if (end_on.month, end_on.day) >= (12, 25) or (end_on.month, end_on.day) == (1, 1):
        year = end_on.year + 1 if end_on.month == 12 else end_on.year
        return statutory.add_working_days(date(year, 1, 1), 1)
    if end_on.month == 8:
        return statutory.add_working_days(date(end_on.year, 8, 31), 1)
    if not statutory.is_working_day(end_on):
        return statutory.add_working_days(end_on, 1)
    return end_on


def due_on(
    rule_key: str | Rule,
    anchor_on: date,
    *,
    calendar: WorkingDayCalendar = ENGLAND_CALENDAR,
    settings: StatutorySettings = DEFAULT_SETTINGS,
    date_of_birth: date | None = None,
    second_anchor_on: date | None = None,
) -> date:
    """The due date of one rule, counted from its anchor date.

    `date_of_birth` selects the under-5 review period (review_due, transfer_in_review_due).
    `second_anchor_on` is the date of a rule's `later_of` term: the mediation certificate for
    appeal_deadline (optional), the plan's last review for transfer_in_review_due (required).
    A `Rule` may be passed instead of a key (the phase-transfer variants share one key).
    """
    the_rule = rule_key if isinstance(rule_key, Rule) else rule(rule_key)
    if not the_rule.local_standard:
        # A statutory limit counts only the days the law names (reg 2(1)).
        calendar = calendar.without_local_days()
    due = _count(the_rule.term, anchor_on, calendar, settings, date_of_birth)
    later = the_rule.later_of
    if later is None:
        if second_anchor_on is not None:
            raise StatutoryError(f"{the_rule.label!r} is counted from one date only.")
    elif second_anchor_on is None:
        if later.required:
            raise MissingAnchor(f"{the_rule.label!r} also needs the date of {later.anchor.label}.")
    else:
        due = max(due, _count(later, second_anchor_on, calendar, settings, date_of_birth))
    return tribunal_time_end(due, calendar) if the_rule.tribunal_time else due
