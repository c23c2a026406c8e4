"""Every milestone of each statutory process, counted from the process's anchor date.

Each function returns the process's milestones in the order they fall due (ties in the
order of docs/statutory-timescales.md). All counting is done by `rules.due_on`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .calendar import ENGLAND_CALENDAR, WorkingDayCalendar
from .errors import InvalidDateOrder, StatutoryError
from .rules import DEFAULT_SETTINGS, Rule, StatutorySettings, due_on, phase_transfer_rule, rule
from .years import PhaseTransfer, next_phase_transfer

__all__ = [
    "Milestone",
    "advice_milestones",
    "amendment_milestones",
    "appeal_milestones",
    "assessment_milestones",
    "communication_milestones",
    "consultation_milestones",
    "draft_plan_milestones",
    "mediation_agreement_milestones",
    "mediation_milestones",
    "order_milestones",
    "phase_transfer_milestone",
    "reassessment_milestones",
    "review_meeting_milestones",
    "review_milestones",
    "transfer_in_milestones",
    "tribunal_response_milestones",
    "unopposed_milestones",
]

ORDER_KINDS: dict[str, tuple[str, ...]] = {
    "cease": ("cease_plan",),
    "assessment": ("assessment_notice", "assessment_no_plan", "assessment_final_plan"),
    "plan": ("draft_plan", "final_plan"),
    "amend": ("amended_plan",),
    "school": ("school_amended_plan",),
    "continue": ("continue_plan",),
}
"""What an order (or an unopposed appeal, or a mediation agreement) requires, and the duties each
brings: `order_` + a suffix is a reg 44 rule, `unopposed_` + it a reg 45 rule. An order to continue
a plan and amend it is "continue" and "amend" together; one amending B/F and I, "amend" and "school".
"""
UNOPPOSED_KINDS = {kind: suffixes for kind, suffixes in ORDER_KINDS.items() if kind != "cease"}
MEDIATION_AGREEMENT_KINDS = {**ORDER_KINDS, "other": ("other_action", "notice_to_council")}


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    due_on: date
    source: str
    exceptions_allowed: bool


def _milestone(
    key_or_rule: str | Rule,
    anchor_on: date,
    *,
    calendar: WorkingDayCalendar = ENGLAND_CALENDAR,
    settings: StatutorySettings = DEFAULT_SETTINGS,
    date_of_birth: date | None = None,
    second_anchor_on: date | None = None,
) -> Milestone:
    the_rule = key_or_rule if isinstance(key_or_rule, Rule) else rule(key_or_rule)
    return Milestone(
        key=the_rule.key,
        label=the_rule.label,
        due_on=due_on(
            the_rule,
            anchor_on,
            calendar=calendar,
            settings=settings,
            date_of_birth=date_of_birth,
            second_anchor_on=second_anchor_on,
        ),
        source=the_rule.source_for(anchor_on, date_of_birth=date_of_birth),
        exceptions_allowed=the_rule.exceptions_allowed,
    )


def _not_before(later_on: date, later_name: str, earlier_on: date, earlier_name: str) -> None:
    if later_on < earlier_on:
        raise InvalidDateOrder(
            f"The {later_name} ({later_on.isoformat()}) is before the {earlier_name} ({earlier_on.isoformat()})."
        )


def assessment_milestones(received_on: date) -> list[Milestone]:
    """EHC needs assessment from the day the request is received (reg 5(1), 10(1), 13(2)).

    decision_not_to_issue applies only if the council decides not to issue a plan.
    """
    return [
        _milestone("decision_to_assess", received_on),
        _milestone("decision_not_to_issue", received_on),
        _milestone("final_plan", received_on),
    ]


def advice_milestones(requested_on: date) -> list[Milestone]:
    """One advice request, from the day it was sent (reg 8(1))."""
    return [_milestone("advice_due", requested_on)]


def draft_plan_milestones(served_on: date) -> list[Milestone]:
    """Draft plan served: at least 15 days for representations (reg 13(1))."""
    return [_milestone("representations_close", served_on)]


def consultation_milestones(sent_on: date) -> list[Milestone]:
    """Consultation with a school or college about being named (CFA s39; CoP 9.83)."""
    return [_milestone("school_consultation_response", sent_on)]


def reassessment_milestones(requested_on: date, *, notified_on: date | None = None) -> list[Milestone]:
    """Reassessment: the decision within 15 days of the request (reg 25(1)); the final plan within
    14 weeks of the day the family was told the council will reassess (reg 27(2)), once it has.
    """
    milestones = [_milestone("reassessment_decision", requested_on)]
    if notified_on is not None:
        _not_before(notified_on, "reassessment notice", requested_on, "request")
        milestones.append(_milestone("final_plan_after_reassessment", notified_on))
    return milestones


def review_milestones(
    last_reviewed_on: date,
    *,
    date_of_birth: date | None = None,
    settings: StatutorySettings = DEFAULT_SETTINGS,
) -> list[Milestone]:
    """The next review, from the day the plan was made or last reviewed (CFA s44(1)).

    Within 12 months, or `settings.under_five_review_months` when the child is under 5 on
    `last_reviewed_on` (CoP 9.178).
    """
    if date_of_birth is not None:
        _not_before(last_reviewed_on, "review date", date_of_birth, "date of birth")
    return [_milestone("review_due", last_reviewed_on, settings=settings, date_of_birth=date_of_birth)]


def review_meeting_milestones(meeting_on: date, *, settings: StatutorySettings = DEFAULT_SETTINGS) -> list[Milestone]:
    """Around the annual review meeting (reg 20, 21, 22(3); Devon [2022]).

    amended_plan_due applies only when the decision is to amend.
    """
    keys = (
        "invitations_by",
        "advice_circulated_by",
        "review_report_due",
        "review_decision_due",
        "amended_plan_due",
    )
    return sorted((_milestone(key, meeting_on, settings=settings) for key in keys), key=lambda m: m.due_on)


def amendment_milestones(proposals_sent_on: date) -> list[Milestone]:
    """Proposed amendments sent: representations, then the amended plan (reg 22(2), 22(3))."""
    return [
        _milestone("amendment_representations_close", proposals_sent_on),
        _milestone("amended_plan_from_proposals_due", proposals_sent_on),
    ]


def communication_milestones(received_on: date, *, calendar: WorkingDayCalendar = ENGLAND_CALENDAR) -> list[Milestone]:
    """A communication from a parent or professional: reply within 5 working days."""
    return [_milestone("response_due", received_on, calendar=calendar)]


def appeal_milestones(decision_sent_on: date, *, mediation_certificate_on: date | None = None) -> list[Milestone]:
    """The family's last day to appeal: the later of 2 months after the decision letter was
    sent and 1 month after a mediation certificate (Tribunal Rules r.20; CFA s55).
    """
    if mediation_certificate_on is not None:
        _not_before(mediation_certificate_on, "mediation certificate", decision_sent_on, "decision letter")
    return [_milestone("appeal_deadline", decision_sent_on, second_anchor_on=mediation_certificate_on)]


def mediation_milestones(
    told_on: date,
    *,
    ended_on: date | None = None,
    calendar: WorkingDayCalendar = ENGLAND_CALENDAR,
) -> list[Milestone]:
    """Mediation, from the day the council (or mediation adviser) is told of the family's choice.

    mediation_held_by: within 30 days of the council being told the family wants mediation
    (reg 37). mediation_certificate_due: 3 working days after the adviser is told the family
    does not want mediation (reg 34) — or, when `ended_on` is given, after mediation ended
    (reg 39). Without `ended_on` both are counted from `told_on` and the caller keeps the one
    that fits the family's choice.
    """
    if ended_on is not None:
        _not_before(ended_on, "end of mediation", told_on, "request for mediation")
    certificate = _milestone("mediation_certificate_due", ended_on or told_on, calendar=calendar)
    held_by = _milestone("mediation_held_by", told_on)
    return sorted((certificate, held_by), key=lambda m: m.due_on)


def transfer_in_milestones(
    transferred_on: date,
    *,
    last_reviewed_on: date,
    date_of_birth: date | None = None,
    settings: StatutorySettings = DEFAULT_SETTINGS,
) -> list[Milestone]:
    """A plan transferred from another council (reg 15): tell the family within 6 weeks;
    review by the later of the plan's usual review date and 3 months after the transfer.
    """
    _not_before(transferred_on, "transfer", last_reviewed_on, "last review")
    if date_of_birth is not None:
        _not_before(last_reviewed_on, "last review", date_of_birth, "date of birth")
    return sorted(
        (
            _milestone("transfer_in_notice_due", transferred_on),
            _milestone(
                "transfer_in_review_due",
                transferred_on,
                settings=settings,
                date_of_birth=date_of_birth,
                second_anchor_on=last_reviewed_on,
            ),
        ),
        key=lambda m: m.due_on,
    )


def phase_transfer_milestone(
    date_of_birth: date,
    today: date,
    *,
    year_group_override: int | None = None,
    infant_school: bool = False,
    middle_school_transfers: tuple[int, ...] = (),
) -> tuple[PhaseTransfer, Milestone] | None:
    """The next phase transfer and its phase_transfer_due milestone (reg 18(1)), or None
    when no September transfer is left (see `years.next_phase_transfer`).
    """
    transfer = next_phase_transfer(
        date_of_birth,
        today,
        year_group_override=year_group_override,
        infant_school=infant_school,
        middle_school_transfers=middle_school_transfers,
    )
    if transfer is None:
        return None
    return transfer, _milestone(phase_transfer_rule(post16=transfer.to_post16), transfer.moves_on)


def _kind_milestones(
    prefix: str, kinds: dict[str, tuple[str, ...]], anchor_on: date, chosen: tuple[str, ...]
) -> list[Milestone]:
    for kind in chosen:
        if kind not in kinds:
            raise StatutoryError(f"{kind!r} is not one of: {', '.join(kinds)}.")
    picked = chosen or tuple(kinds)
    keys = [f"{prefix}_{suffix}" for kind in kinds if kind in picked for suffix in kinds[kind]]
    return sorted((_milestone(key, anchor_on) for key in keys), key=lambda m: m.due_on)


def order_milestones(made_on: date, *, kinds: tuple[str, ...] = ()) -> list[Milestone]:
    """The council's duties under a tribunal order (reg 44(2)), counted from the day it was made.

    `kinds` (see ORDER_KINDS) picks what the order requires; none gives every limb. The assessment
    limbs after the notice are alternatives: no plan within 10 weeks, or the final plan within 14.
    """
    return _kind_milestones("order", ORDER_KINDS, made_on, kinds)


def unopposed_milestones(notified_on: date, *, kinds: tuple[str, ...] = ()) -> list[Milestone]:
    """The council told the tribunal it will not oppose the appeal (reg 45): the same duties as the
    matching order, counted from the day of that notification.
    """
    return _kind_milestones("unopposed", UNOPPOSED_KINDS, notified_on, kinds)


def mediation_agreement_milestones(agreed_on: date, *, kinds: tuple[str, ...] = ()) -> list[Milestone]:
    """A mediation agreement (reg 42): appealable matters as if it were an order (reg 42(2)); other
    actions within 2 weeks (reg 42(3)), the commissioning body telling the council within 1 week
    (reg 42(4)). A different time agreed in writing replaces these (reg 42(5)).
    """
    return _kind_milestones("mediation_agreement", MEDIATION_AGREEMENT_KINDS, agreed_on, kinds)


def tribunal_response_milestones(
    appeal_sent_on: date, *, response_set_on: date | None = None, calendar: WorkingDayCalendar = ENGLAND_CALENDAR
) -> list[Milestone]:
    """The council's response to an appeal (HESC Rules r.21): the date the tribunal set, moved to the
    next working day if it is not one (r.12(2)); else 30 working days after the tribunal sent the
    appeal, 25 December-1 January and August left out (r.12(3)(b)).
    """
    the_rule = rule("tribunal_response_due")
    if response_set_on is None:
        return [_milestone(the_rule, appeal_sent_on, calendar=calendar)]
    _not_before(response_set_on, "response date set by the tribunal", appeal_sent_on, "appeal sent")
    statutory = calendar.without_local_days()
    due = response_set_on
    if not statutory.is_working_day(due):
        due = statutory.add_working_days(due, 1)
    return [
        Milestone(
            key=the_rule.key,
            label=the_rule.label,
            due_on=due,
            source=f"{the_rule.source.split(' with ')[0]} (date set by the Tribunal) with r.12(2)",
            exceptions_allowed=False,
        )
    ]
