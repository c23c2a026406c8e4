"""What the case page shows: each milestone's status today, and the next action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..models.case import AdviceRequest, AdviceType, Case, CaseType, EventType, Milestone
from ..statutory.status import DEFAULT_DUE_SOON_DAYS, MilestoneStatus, milestone_status
from . import disputes, workflow

TAGS = {
    MilestoneStatus.NOT_DUE: ("Not due yet", "govuk-tag--grey"),
    MilestoneStatus.DUE_SOON: ("Due soon", "govuk-tag--yellow"),
    MilestoneStatus.OVERDUE: ("Overdue", "govuk-tag--red"),
    MilestoneStatus.MET_ON_TIME: ("Done on time", "govuk-tag--green"),
    MilestoneStatus.MET_LATE: ("Done late", "govuk-tag--orange"),
    MilestoneStatus.MISSED: ("Missed", "govuk-tag--red"),
    MilestoneStatus.ENDED: ("Not needed", "govuk-tag--grey"),
}


@dataclass(frozen=True)
class TimelineRow:
    milestone: Milestone
    status: str
    tag_text: str
    tag_class: str
    detail: str


def _describe(m: Milestone, today: date, due_soon_days: int, case_open: bool) -> TimelineRow:
    if m.is_period:
        closed = today > m.due_on or not case_open
        return TimelineRow(
            m,
            "period",
            "Closed" if closed else "Open",
            "govuk-tag--grey" if closed else "govuk-tag--blue",
            f"Closes {m.due_on:%-d %B %Y}",
        )
    result = milestone_status(
        m.due_on, m.met_on, today, due_soon_days=due_soon_days, lapses_on=m.lapses_on, case_open=case_open
    )
    text, css = TAGS[result.status]
    if result.status is MilestoneStatus.ENDED:
        detail = "The duty ended when the case closed"
    elif result.status is MilestoneStatus.MISSED:
        detail = f"Not done by {m.due_on:%-d %B %Y}; it could no longer be done from {m.lapses_on:%-d %B %Y}"
    elif result.status is MilestoneStatus.OVERDUE:
        detail = f"{result.days_late} day{'s' if result.days_late != 1 else ''} overdue"
    elif result.status is MilestoneStatus.MET_LATE:
        detail = f"Done {m.met_on:%-d %B %Y}, {result.days_late} day{'s' if result.days_late != 1 else ''} late"
    elif result.status is MilestoneStatus.MET_ON_TIME:
        detail = f"Done {m.met_on:%-d %B %Y}"
    else:
        detail = f"{result.days_remaining} day{'s' if result.days_remaining != 1 else ''} left"
    if m.exception_applies:
        text, css = f"{text} – exception applies", css
    return TimelineRow(m, result.status.value, text, css, detail)


# Each kind of advice as coordinators name it (SEND Regulations 2014 reg 6(1)(b)-(e) and (h)).
ADVICE_NAMES = {
    AdviceType.EP: "Educational psychology advice",
    AdviceType.HEALTH: "Health advice",
    AdviceType.SOCIAL_CARE: "Social care advice",
    AdviceType.SALT: "Speech and language therapy advice",
    AdviceType.OT: "Occupational therapy advice",
    AdviceType.SCHOOL: "School advice",
    AdviceType.OTHER: "Advice",
}


def advice_name(advice: AdviceRequest) -> str:
    """The kind of advice and who gives it, e.g. "Health advice — Northtown Community Paediatrics":
    the name of its milestone on every page and list."""
    return f"{ADVICE_NAMES[advice.advice_type]} — {advice.provider_name}"[:200]


def open_advice_choices(case: Case) -> list[tuple[str, str]]:
    """The case's advice still awaited, as the choices of the "advice received" form, earliest due first."""
    due = {m.ref: m.due_on for m in case.milestones if m.key == "advice_due"}
    waiting = sorted(
        (a for a in case.advice_requests if a.received_on is None),
        key=lambda a: (due.get(f"advice:{a.id}") or a.requested_on, a.id),
    )
    choices = []
    for a in waiting:
        due_on = due.get(f"advice:{a.id}")
        when = f", due {due_on:%-d %B %Y}" if due_on else ""
        choices.append((str(a.id), f"{advice_name(a)}{when} (requested {a.requested_on:%-d %B %Y})"))
    return choices


def timeline(case: Case, today: date, *, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> list[TimelineRow]:
    return [
        _describe(m, today, due_soon_days, case.is_open)
        for m in sorted(case.milestones, key=lambda m: (m.due_on, m.id or 0))
    ]


def next_step(case: Case) -> EventType | None:
    """The workflow step to record next (None when the case is not open)."""
    if not case.is_open:
        return None
    if case.case_type is CaseType.DISPUTE and disputes.owes_a_duty(case):
        # What the tribunal ordered, the council conceded or the mediation agreed comes first.
        return EventType.DISPUTE_ACTION_TAKEN
    for usual in workflow.usual_path(case.case_type, transferred=case.transferred_on is not None):
        step = usual.event_type
        if not any(case.event(d) for d in usual.usual_until):
            if step is EventType.DECIDED_TO_ISSUE:
                # While advice is being gathered, the advice is the next thing to record.
                if not case.advice_requests:
                    return EventType.ADVICE_REQUESTED
                if any(a.received_on is None for a in case.advice_requests):
                    return EventType.ADVICE_RECEIVED
            if step is EventType.FINAL_PLAN_ISSUED and case.case_type is not CaseType.ANNUAL_REVIEW:
                # With the draft out, the school or college to be named is consulted (CFA 2014
                # s39(2) and (6) where the family asked for one, s40(3) where not) and its answer
                # awaited before the final plan names it.
                if not case.consultations:
                    return EventType.SCHOOL_CONSULTED
                if any(c.responded_on is None for c in case.consultations):
                    return EventType.SCHOOL_RESPONDED
            return step
    if case.case_type is CaseType.ANNUAL_REVIEW:
        decision = case.review_decision.value if case.review_decision else None
        if decision == "amend":
            return (
                EventType.AMENDED_PLAN_ISSUED
                if case.event(EventType.AMENDMENTS_PROPOSED)
                else EventType.AMENDMENTS_PROPOSED
            )
        if decision == "cease":
            return EventType.PLAN_CEASED
    if case.case_type is CaseType.DISPUTE:
        # Past mediation and the tribunal's response: the hearing and its outcome, unless the appeal
        # was not opposed; then, with nothing left owed, the dispute is closed.
        contested = case.event(EventType.APPEAL_REGISTERED) and not case.event(EventType.APPEAL_NOT_OPPOSED)
        if contested and not case.event(EventType.APPEAL_OUTCOME):
            return EventType.APPEAL_OUTCOME if case.event(EventType.HEARING_HELD) else EventType.HEARING_HELD
        return EventType.DISPUTE_CLOSED
    return None


@dataclass(frozen=True)
class NextAction:
    """What the case page's panel and its button both show: the step the workflow expects, the
    time limit that step meets (with its status), and, separately, the earliest overdue time
    limit when it is another one."""

    step: EventType
    milestone: TimelineRow | None
    also_overdue: TimelineRow | None


def milestone_for_step(
    case: Case, step: EventType, today: date, *, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> TimelineRow | None:
    """The still-open time limit that recording `step` meets, with its status today."""
    keys = workflow.step(step).time_limits
    rows = timeline(case, today, due_soon_days=due_soon_days)
    return next((r for r in rows if r.milestone.key in keys and r.status in ("overdue", "due_soon", "not_due")), None)


def chosen_for(step: EventType | None, ref: str) -> dict[str, int]:
    """The form field and id a milestone's `ref` picks for `step` (empty when it names none): a
    time limit of one advice request or one consultation names it in its ref, and the form for the
    step that meets it opens with that one chosen."""
    chooses = workflow.step(step).chooses if step else None
    prefix, name = chooses or ("", "")
    if prefix and ref.startswith(prefix) and ref[len(prefix) :].isdigit():
        return {name: int(ref[len(prefix) :])}
    return {}


def step_to_offer(case: Case, recordable: list[EventType]) -> EventType | None:
    """The step a page offers to record: the workflow's next step when it can be recorded now,
    else the first step that can."""
    step = next_step(case)
    if step is None or step not in recordable:
        step = recordable[0] if recordable else None
    return step


def next_action(
    case: Case, today: date, *, recordable: list[EventType], due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> NextAction | None:
    step = step_to_offer(case, recordable)
    if step is None:
        return None
    rows = [
        r for r in timeline(case, today, due_soon_days=due_soon_days) if r.status in ("overdue", "due_soon", "not_due")
    ]
    own = milestone_for_step(case, step, today, due_soon_days=due_soon_days)
    overdue = next((r for r in rows if r.status == "overdue"), None)
    return NextAction(step, own, overdue if overdue is not None and overdue is not own else None)


def next_milestone(case: Case, today: date | None = None) -> Milestone | None:
    """The earliest unmet step of an open case that can still be taken (`today` leaves out
    lapsed ones; without it, every unmet step counts)."""
    if not case.is_open:
        return None
    open_ones = [
        m
        for m in case.milestones
        if m.met_on is None and not m.is_period and (today is None or m.lapses_on is None or m.lapses_on > today)
    ]
    return min(open_ones, key=lambda m: m.due_on) if open_ones else None
