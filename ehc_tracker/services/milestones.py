"""Turn a case's events into its statutory milestones, through the statutory engine.

`recompute(case)` is called after every change to a case; it keeps milestone rows (their ids
and exception marks) stable and removes those that no longer apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select, update

from ..extensions import db
from ..models.case import Case, CaseStatus, CaseType, EventType, ExceptionStatus, Milestone, ReviewDecision
from ..statutory import rules as statutory_rules
from ..statutory.calendar import WorkingDayCalendar
from ..statutory.rules import StatutorySettings
from ..statutory.years import PhaseTransfer, next_phase_transfer
from .clock import today
from .timeline import advice_name

# Milestones that mark a window closing rather than a step the council must take.
PERIOD_KEYS = frozenset({"representations_close", "amendment_representations_close", "appeal_deadline"})


def still_possible(on: date) -> ColumnElement[bool]:
    """SQL: the milestone has not lapsed by `on` (an unmet lapsed one is missed, not overdue)."""
    return or_(Milestone.lapses_on.is_(None), Milestone.lapses_on > on)


def is_still_possible(milestone: Milestone, on: date) -> bool:
    return milestone.lapses_on is None or milestone.lapses_on > on


@dataclass(frozen=True)
class Wanted:
    key: str
    ref: str
    anchor_on: date
    due_on: date
    met_on: date | None
    # Where one key has variants (the post-16 phase transfer), the variant's own words.
    label: str | None = None
    source: str | None = None
    # The day from which the step can no longer be taken (see Milestone.lapses_on).
    lapses_on: date | None = None


def _due(key: str, anchor_on: date, calendar: WorkingDayCalendar, settings: StatutorySettings) -> date:
    return statutory_rules.due_on(key, anchor_on, calendar=calendar, settings=settings)


def _event_on(case: Case, event_type: EventType) -> date | None:
    event = case.event(event_type)
    return event.occurred_on if event else None


def _assessment(case: Case, calendar: WorkingDayCalendar, settings: StatutorySettings) -> list[Wanted]:
    r = case.anchor_on
    wanted: list[Wanted] = []
    decided_yes = _event_on(case, EventType.DECIDED_TO_ASSESS)
    decided_no = _event_on(case, EventType.DECIDED_NOT_TO_ASSESS)
    if case.case_type is CaseType.ASSESSMENT:
        wanted.append(
            Wanted(
                "decision_to_assess",
                "",
                r,
                _due("decision_to_assess", r, calendar, settings),
                decided_yes or decided_no,
            )
        )
    else:
        # A reassessment: the decision whether to reassess within 15 days of the request (reg 25(1)).
        wanted.append(
            Wanted(
                "reassessment_decision",
                "",
                r,
                _due("reassessment_decision", r, calendar, settings),
                decided_yes or decided_no,
            )
        )
    if decided_no:
        return wanted
    for advice in case.advice_requests:
        wanted.append(
            Wanted(
                "advice_due",
                f"advice:{advice.id}",
                advice.requested_on,
                _due("advice_due", advice.requested_on, calendar, settings),
                advice.received_on,
                label=advice_name(advice),
            )
        )
    issue_yes = _event_on(case, EventType.DECIDED_TO_ISSUE)
    issue_no = _event_on(case, EventType.DECIDED_NOT_TO_ISSUE)
    if case.case_type is CaseType.ASSESSMENT and not issue_yes:
        wanted.append(
            Wanted("decision_not_to_issue", "", r, _due("decision_not_to_issue", r, calendar, settings), issue_no)
        )
    if issue_no:
        return wanted
    draft = _event_on(case, EventType.DRAFT_PLAN_ISSUED)
    final = _event_on(case, EventType.FINAL_PLAN_ISSUED)
    if draft:
        close = _due("representations_close", draft, calendar, settings)
        wanted.append(Wanted("representations_close", "", draft, close, None))
    for consultation in case.consultations:
        wanted.append(
            Wanted(
                "school_consultation_response",
                f"consultation:{consultation.id}",
                consultation.sent_on,
                _due("school_consultation_response", consultation.sent_on, calendar, settings),
                consultation.responded_on,
            )
        )
    if case.case_type is CaseType.ASSESSMENT:
        wanted.append(Wanted("final_plan", "", r, _due("final_plan", r, calendar, settings), final))
    elif decided_yes:
        # Reg 27(2): 14 weeks from the day the family was told the council will reassess.
        key = "final_plan_after_reassessment"
        wanted.append(Wanted(key, "", decided_yes, _due(key, decided_yes, calendar, settings), final))
    return wanted


def _review(case: Case, calendar: WorkingDayCalendar, settings: StatutorySettings) -> list[Wanted]:
    from ..statutory.milestones import review_milestones

    p = case.anchor_on
    held = _event_on(case, EventType.REVIEW_MEETING_HELD)
    review = review_milestones(p, date_of_birth=case.child.date_of_birth, settings=settings)[0]
    review_source = review.source
    if case.transferred_on is not None:
        t = case.transferred_on
        wanted = [
            Wanted(
                "transfer_in_notice_due",
                "",
                t,
                _due("transfer_in_notice_due", t, calendar, settings),
                _event_on(case, EventType.TRANSFER_NOTICE_SENT),
            ),
            Wanted(
                "transfer_in_review_due",
                "",
                t,
                statutory_rules.due_on(
                    "transfer_in_review_due",
                    t,
                    calendar=calendar,
                    settings=settings,
                    date_of_birth=case.child.date_of_birth,
                    second_anchor_on=p,
                ),
                held,
            ),
        ]
    else:
        wanted = [Wanted("review_due", "", p, review.due_on, held, source=review_source)]
    meeting = case.review_meeting_on
    if meeting:
        invitations = case.event(EventType.INVITATIONS_SENT)
        sent_on = invitations.occurred_on if invitations else None
        circulated = (invitations.details or {}).get("advice_circulated_on") if invitations else None
        # Notice of the meeting and the advice must go at least two weeks before it; once the
        # meeting day comes, neither can be given in time any more.
        wanted.append(
            Wanted(
                "invitations_by",
                "",
                meeting,
                _due("invitations_by", meeting, calendar, settings),
                sent_on,
                lapses_on=meeting,
            )
        )
        wanted.append(
            Wanted(
                "advice_circulated_by",
                "",
                meeting,
                _due("advice_circulated_by", meeting, calendar, settings),
                date.fromisoformat(circulated) if circulated else None,
                lapses_on=meeting,
            )
        )
    if held:
        decision = _event_on(case, EventType.REVIEW_DECISION_NOTIFIED)
        amended = _event_on(case, EventType.AMENDED_PLAN_ISSUED)
        not_amending = _event_on(case, EventType.DECIDED_NOT_TO_AMEND)
        proposals = _event_on(case, EventType.AMENDMENTS_PROPOSED)
        decision_met = decision
        if case.review_decision is ReviewDecision.AMEND:
            # Devon [2022]: a decision to amend is notified only when the proposed amendments go
            # with it (reg 20(10) read with reg 22(2)); the later of the two meets the 4 weeks.
            decision_met = max(decision, proposals) if decision and proposals else None
        wanted.append(
            Wanted(
                "review_report_due",
                "",
                held,
                _due("review_report_due", held, calendar, settings),
                _event_on(case, EventType.REVIEW_REPORT_RECEIVED),
            )
        )
        wanted.append(
            Wanted("review_decision_due", "", held, _due("review_decision_due", held, calendar, settings), decision_met)
        )
        if case.review_decision is ReviewDecision.AMEND:
            if not not_amending:
                wanted.append(
                    Wanted("amended_plan_due", "", held, _due("amended_plan_due", held, calendar, settings), amended)
                )
            if proposals:
                close = _due("amendment_representations_close", proposals, calendar, settings)
                wanted.append(Wanted("amendment_representations_close", "", proposals, close, None))
                if not_amending:
                    key = "decision_not_to_amend_due"
                    wanted.append(Wanted(key, "", proposals, _due(key, proposals, calendar, settings), not_amending))
                else:
                    wanted.append(
                        Wanted(
                            "amended_plan_from_proposals_due",
                            "",
                            proposals,
                            _due("amended_plan_from_proposals_due", proposals, calendar, settings),
                            amended,
                        )
                    )
    transfer = phase_transfer_for_review(case)
    if transfer is not None and transfer.amend_by <= review.due_on:
        # The transfer's reg 18 date falls within this review cycle: this review must amend the
        # plan to name the new setting by then. Once the child has moved, an unmet duty is missed.
        wanted.append(
            Wanted(
                "phase_transfer_due",
                "",
                transfer.moves_on,
                transfer.amend_by,
                _event_on(case, EventType.AMENDED_PLAN_ISSUED),
                label=f"Amend plan naming the new setting: {transfer.description}",
                source=transfer.source,
                lapses_on=transfer.moves_on,
            )
        )
    return wanted


# The steps that require actions of the council after a dispute, and the milestone keys' prefix.
_REQUIRING = (
    (EventType.APPEAL_OUTCOME, "order_"),
    (EventType.APPEAL_NOT_OPPOSED, "unopposed_"),
    (EventType.MEDIATION_AGREEMENT_RECORDED, "mediation_agreement_"),
)
_UNDER_PREFIX = {"order": "order_", "unopposed": "unopposed_", "mediation_agreement": "mediation_agreement_"}


def _detail_on(case: Case, event_type: EventType, name: str) -> date | None:
    """A date a step gave besides its own (the day the council was told, the tribunal's letters)."""
    event = case.event(event_type)
    value = (event.details or {}).get(name) if event else None
    return date.fromisoformat(value) if value else None


def _dispute(case: Case, calendar: WorkingDayCalendar, settings: StatutorySettings) -> list[Wanted]:
    """The family's time to appeal and the council's duties in mediation and appeal (SEND Regs
    2014 Part 6 and regs 42, 44, 45; HESC Rules r.20, r.21), each counted by the engine."""
    d = case.anchor_on
    certificate = _event_on(case, EventType.MEDIATION_CERTIFICATE_ISSUED)
    wanted: list[Wanted] = []
    if case.event(EventType.APPEAL_REGISTERED) is None:
        # The family's window to appeal, until they appeal: theirs, never the council's overdue step.
        due = statutory_rules.due_on(
            "appeal_deadline", d, calendar=calendar, settings=settings, second_anchor_on=certificate
        )
        wanted.append(Wanted("appeal_deadline", "", d, due, None))
    if case.event(EventType.MEDIATION_REQUESTED) is not None:
        told = _detail_on(case, EventType.MEDIATION_REQUESTED, "council_told_on") or _event_on(
            case, EventType.MEDIATION_REQUESTED
        )
        assert told is not None
        held = _event_on(case, EventType.MEDIATION_HELD)
        wanted.append(Wanted("mediation_held_by", "", told, _due("mediation_held_by", told, calendar, settings), held))
        if held:
            # Reg 39: the certificate within 3 working days of the mediation ending.
            key = "mediation_certificate_due"
            wanted.append(Wanted(key, "", held, _due(key, held, calendar, settings), certificate))
    if case.event(EventType.APPEAL_REGISTERED) is not None:
        sent = _detail_on(case, EventType.APPEAL_REGISTERED, "tribunal_sent_on") or _event_on(
            case, EventType.APPEAL_REGISTERED
        )
        assert sent is not None
        set_on = _detail_on(case, EventType.APPEAL_REGISTERED, "response_set_on")
        answered = _event_on(case, EventType.TRIBUNAL_RESPONSE_SENT) or _event_on(case, EventType.APPEAL_NOT_OPPOSED)
        rule = statutory_rules.rule("tribunal_response_due")
        wanted.append(
            Wanted(
                "tribunal_response_due",
                "",
                sent,
                # HESC r.21: the date the tribunal set, where it set one; else counted from the day it sent the appeal.
                set_on or _due("tribunal_response_due", sent, calendar, settings),
                answered,
                source=f"{rule.source}: the date the tribunal set" if set_on else None,
            )
        )
    done: dict[str, date] = {}
    for action in case.events_of(EventType.DISPUTE_ACTION_TAKEN):
        details = action.details or {}
        key = f"{_UNDER_PREFIX.get(details.get('under', ''), '?')}{details.get('limb', '')}"
        done[key] = min(done.get(key, action.occurred_on), action.occurred_on)
    for event_type, prefix in _REQUIRING:
        event = case.event(event_type)
        if event is None:
            continue
        for limb in (event.details or {}).get("limbs") or []:
            key = f"{prefix}{limb}"
            wanted.append(
                Wanted(key, "", event.occurred_on, _due(key, event.occurred_on, calendar, settings), done.get(key))
            )
    return wanted


def phase_transfer_for_review(case: Case) -> PhaseTransfer | None:
    """The phase transfer an annual review cycle looks to: the next one whose reg 18 date had not
    passed on the day the plan was made or last reviewed (its anchor). A deadline already past
    then could never be met; the case looks to the following transfer, or to none.
    """
    p = case.anchor_on
    return next_phase_transfer(
        case.child.date_of_birth,
        p,
        year_group_override=case.child.year_group_in(p),
        infant_school=case.child.attends_infant_school,
        deadline_not_before=p,
    )


_REPLY_REF = "communication:"


def communication_awaiting_reply(milestone: Milestone) -> int | None:
    """The communication a "respond" time limit waits on (its id), or None for any other limit."""
    if milestone.key == "response_due" and milestone.ref.startswith(_REPLY_REF):
        return int(milestone.ref.removeprefix(_REPLY_REF))
    return None


def _communications(case: Case, calendar: WorkingDayCalendar, settings: StatutorySettings) -> list[Wanted]:
    return [
        Wanted(
            "response_due",
            f"{_REPLY_REF}{c.id}",
            c.received_on,
            _due("response_due", c.received_on, calendar, settings),
            c.responded_on,
        )
        for c in case.communications
        if not c.outgoing  # a letter the council sent waits on no reply
    ]


def wanted_milestones(case: Case, calendar: WorkingDayCalendar, settings: StatutorySettings) -> list[Wanted]:
    if case.case_type is CaseType.ANNUAL_REVIEW:
        wanted = _review(case, calendar, settings)
    elif case.case_type is CaseType.DISPUTE:
        wanted = _dispute(case, calendar, settings)
    else:
        wanted = _assessment(case, calendar, settings)
    return wanted + _communications(case, calendar, settings)


def recompute(case: Case, *, calendar: WorkingDayCalendar, settings: StatutorySettings, on: date | None = None) -> None:
    db.session.flush()
    db.session.refresh(case)
    apply(case, calendar=calendar, settings=settings, on=on)
    db.session.flush()


def apply(case: Case, *, calendar: WorkingDayCalendar, settings: StatutorySettings, on: date | None = None) -> None:
    """Set the case's milestones from what it holds in memory now, without reading it again (an
    import builds a batch of cases and their steps, then counts them all here before one flush)."""
    wanted = wanted_milestones(case, calendar, settings)
    approved = {e.milestone_key for e in case.exceptions if e.status is ExceptionStatus.APPROVED}
    existing = {(m.key, m.ref): m for m in case.milestones}
    keep = set()
    for w in wanted:
        rule = statutory_rules.rule(w.key)
        milestone = existing.get((w.key, w.ref))
        if milestone is None:
            milestone = Milestone(case=case, key=w.key, ref=w.ref)
            db.session.add(milestone)
        milestone.label = w.label or rule.label
        milestone.source = w.source or rule.source
        milestone.anchor_on = w.anchor_on
        milestone.due_on = w.due_on
        milestone.met_on = w.met_on
        milestone.is_period = w.key in PERIOD_KEYS
        milestone.exception_applies = w.key in approved
        milestone.lapses_on = w.lapses_on
        keep.add((w.key, w.ref))
    for ident, milestone in existing.items():
        if ident not in keep:
            case.milestones.remove(milestone)  # delete-orphan: the row goes at the flush
    # The caseload's "next due" order: a step that has lapsed unmet (by `on`, today unless
    # given) is missed, not next.
    on = on or today()
    open_dues = [
        m.due_on
        for m in case.milestones
        if m.met_on is None and not m.is_period and (m.key, m.ref) in keep and is_still_possible(m, on)
    ]
    case.next_due_on = min(open_dues) if open_dues and case.status is CaseStatus.OPEN else None


def refresh_next_due(on: date) -> int:
    """Move on the cached next due date of the open cases whose next step lapsed unmet by `on`
    (run by the daily job: a lapse happens with the date, not with a change to the case); how
    many cases changed. The caller commits."""
    lapsed = (
        select(Milestone.id)
        .where(
            Milestone.case_id == Case.id,
            Milestone.met_on.is_(None),
            Milestone.is_period.is_(False),
            Milestone.lapses_on <= on,
            Milestone.due_on == Case.next_due_on,
        )
        .exists()
    )
    still_to_do = (
        select(func.min(Milestone.due_on))
        .where(
            Milestone.case_id == Case.id, Milestone.met_on.is_(None), Milestone.is_period.is_(False), still_possible(on)
        )
        .scalar_subquery()
    )
    changed = db.session.execute(
        update(Case)
        .where(Case.status == CaseStatus.OPEN, Case.next_due_on.is_not(None), lapsed)
        .values(next_due_on=still_to_do)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return int(changed or 0)
