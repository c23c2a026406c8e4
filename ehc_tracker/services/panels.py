"""The multi-agency decision-making panel.

A manager sets the team's panel dates, puts cases on each agenda (a request to assess, whether to
issue a plan, a placement or a funding question) with papers chosen from the case's documents,
lists the members and who attended, and records one decision per item. A decision that is a step
of the case (decided to assess or not, decided to issue or not) is recorded through
`cases.record_event` on the panel's date, so the workflow's guard rails, the once-only rule and
the deadline engine apply as if it had been recorded on the case; when the case refuses it, the
item stays undecided and the refusal is shown beside it.

A case waiting for a decision to assess or to issue shows the next panel (the one whose agenda it
is on, else the team's next date), with a warning when that date falls after the statutory due
date of the decision (`decision_to_assess`, `reassessment_decision`, `decision_not_to_issue`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from .. import access
from ..extensions import db
from ..models import Document, Team, User
from ..models.case import Case, CaseType, EventType, Milestone
from ..models.panel import Panel, PanelItem, PanelMember, PanelQuestion
from ..statutory.rules import rule
from . import Forbidden, ServiceError, audit
from .cases import record_event

# The decisions each kind of item may record: the case's events first, then the panel's own words.
DECISIONS: dict[PanelQuestion, tuple[str, ...]] = {
    PanelQuestion.REQUEST_TO_ASSESS: (
        EventType.DECIDED_TO_ASSESS.value,
        EventType.DECIDED_NOT_TO_ASSESS.value,
        "deferred",
    ),
    PanelQuestion.DECISION_TO_ISSUE: (
        EventType.DECIDED_TO_ISSUE.value,
        EventType.DECIDED_NOT_TO_ISSUE.value,
        "deferred",
    ),
    PanelQuestion.PLACEMENT: ("agreed", "not_agreed", "deferred"),
    PanelQuestion.FUNDING: ("agreed", "not_agreed", "deferred"),
}
DECISION_LABELS = {
    "decided_to_assess": "Assess",
    "decided_not_to_assess": "Do not assess",
    "decided_to_issue": "Issue a plan",
    "decided_not_to_issue": "Do not issue a plan",
    "agreed": "Agreed",
    "not_agreed": "Not agreed",
    "deferred": "Deferred to a later panel",
}
# The milestones a case waits on the panel for, and the agenda item each asks for.
WAITING_KEYS: dict[str, PanelQuestion] = {
    "decision_to_assess": PanelQuestion.REQUEST_TO_ASSESS,
    "reassessment_decision": PanelQuestion.REQUEST_TO_ASSESS,
    "decision_not_to_issue": PanelQuestion.DECISION_TO_ISSUE,
}


def _require_runner(team_id: int, actor: User) -> None:
    if not access.can_run_panel(actor, team_id):
        raise Forbidden("Only a manager of the team runs its panel")


def create_panel(team: Team, meets_on: date, *, location: str, chair: str, actor: User) -> Panel:
    _require_runner(team.id, actor)
    if db.session.scalar(select(Panel.id).where(Panel.team_id == team.id, Panel.meets_on == meets_on)):
        raise ServiceError(f"{team.name} already has a panel on {meets_on:%-d %B %Y}", field="meets_on")
    panel = Panel(
        team_id=team.id,
        meets_on=meets_on,
        location=location.strip() or None,
        chair=chair.strip() or None,
        created_by_id=actor.id,
    )
    db.session.add(panel)
    db.session.flush()
    audit.record(actor, "panel_created", "panel", panel.id, f"Set a {team.name} panel on {meets_on:%-d %B %Y}", None)
    return panel


def panels_for(user: User) -> list[Panel]:
    return list(
        db.session.scalars(
            select(Panel).where(Panel.team_id.in_(user.team_ids or {0})).order_by(Panel.meets_on.desc(), Panel.id)
        )
    )


def add_item(panel: Panel, case: Case, question: PanelQuestion, *, actor: User) -> PanelItem:
    _require_runner(panel.team_id, actor)
    if case.team_id != panel.team_id or not access.can_view_case(actor, case):
        raise ServiceError("That case is not one of the team's", field="case_id")
    if not case.is_open:
        raise ServiceError(f"Case {case.id} is {case.status.value}", field="case_id")
    if question in (PanelQuestion.REQUEST_TO_ASSESS, PanelQuestion.DECISION_TO_ISSUE) and case.case_type not in (
        CaseType.ASSESSMENT,
        CaseType.REASSESSMENT,
    ):
        raise ServiceError(f"‘{question.label}’ is asked about an assessment", field="question")
    if any(i.case_id == case.id and i.question is question for i in panel.items):
        raise ServiceError(f"Case {case.id} is already on the agenda for ‘{question.label}’", field="case_id")
    item = PanelItem(case_id=case.id, question=question, position=len(panel.items) + 1)
    panel.items.append(item)
    db.session.flush()
    audit.record(
        actor,
        "panel_item_added",
        "panel",
        panel.id,
        f"Put case {case.id} on the {panel.meets_on:%-d %B %Y} agenda: {question.label}",
        {"case_id": case.id, "question": question.value},
    )
    return item


def remove_item(item: PanelItem, *, actor: User) -> None:
    _require_runner(item.panel.team_id, actor)
    if item.decision is not None:
        raise ServiceError("A decided item stays on the agenda")
    panel = item.panel
    panel.items.remove(item)
    for n, other in enumerate(panel.items, start=1):
        other.position = n
    db.session.flush()
    audit.record(actor, "panel_item_removed", "panel", panel.id, f"Took case {item.case_id} off the agenda", None)


def papers_available(item: PanelItem) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.case_id == item.case_id, Document.deleted_at.is_(None))
            .order_by(Document.dated_on, Document.id)
        )
    )


def set_papers(item: PanelItem, document_ids: Iterable[int], *, actor: User) -> None:
    _require_runner(item.panel.team_id, actor)
    available = {d.id: d for d in papers_available(item)}
    wanted = set(document_ids)
    if wanted - set(available):
        raise ServiceError("Choose papers from the case's own documents", field="papers")
    item.papers = [available[i] for i in sorted(wanted)]
    db.session.flush()
    audit.record(
        actor,
        "panel_papers_set",
        "panel",
        item.panel_id,
        f"Chose {len(wanted)} paper(s) for case {item.case_id}",
        {"document_ids": sorted(wanted)},
    )


def add_member(panel: Panel, name: str, agency: str, *, actor: User) -> PanelMember:
    _require_runner(panel.team_id, actor)
    if not name.strip():
        raise ServiceError("Enter the member's name", field="name")
    if not agency.strip():
        raise ServiceError("Enter the member's agency or role", field="agency")
    member = PanelMember(name=name.strip(), agency=agency.strip())
    panel.members.append(member)
    db.session.flush()
    audit.record(actor, "panel_member_added", "panel", panel.id, f"Added {member.name} to the panel", None)
    return member


def record_attendance(panel: Panel, attended_ids: Iterable[int], *, actor: User, today: date) -> None:
    _require_runner(panel.team_id, actor)
    if panel.meets_on > today:
        raise ServiceError("Record who attended once the panel has met")
    present = set(attended_ids)
    for member in panel.members:
        member.attended = member.id in present
    db.session.flush()
    audit.record(
        actor,
        "panel_attendance_recorded",
        "panel",
        panel.id,
        f"Recorded attendance: {len(present)} of {len(panel.members)} members",
        None,
    )


def decide(item: PanelItem, decision: str, *, note: str, actor: User, today: date) -> PanelItem:
    """Record the panel's decision on one item, once. A decision that is a step of the case is
    recorded on the case on the panel's date, inside a savepoint: when the case refuses it, nothing
    of this item changes and the refusal is raised for the page to show beside the item."""
    panel = item.panel
    _require_runner(panel.team_id, actor)
    if item.decision is not None:
        raise ServiceError(f"The panel's decision on case {item.case_id} is already recorded")
    if decision not in DECISIONS[item.question]:
        raise ServiceError("Select the panel's decision", field=f"decision_{item.id}")
    if panel.meets_on > today:
        raise ServiceError("Record decisions once the panel has met", field=f"decision_{item.id}")
    note = note.strip()
    if decision in EventType._value2member_map_:
        event_type = EventType(decision)
        details = {"reason": note or None} if decision.startswith("decided_not_") else {}
        with db.session.begin_nested():
            event = record_event(item.case, event_type, panel.meets_on, actor=actor, today=today, **details)
        item.event_id = event.id
    item.decision = decision
    item.decision_note = note or None
    item.decided_by_id = actor.id
    item.decided_at = datetime.now(UTC)
    db.session.flush()
    audit.record(
        actor,
        "panel_decision_recorded",
        "panel",
        panel.id,
        f"Panel of {panel.meets_on:%-d %B %Y}, case {item.case_id}: {DECISION_LABELS[decision]}",
        {"case_id": item.case_id, "decision": decision, "question": item.question.value},
    )
    return item


# --- The next panel on a waiting case --------------------------------------------------------------


@dataclass(frozen=True)
class PanelOutlook:
    """What a waiting case is waiting for, the next panel that could decide it, and whether that
    panel meets after the decision's statutory due date."""

    question: PanelQuestion
    due_on: date
    due_label: str
    panel: Panel | None
    on_agenda: bool

    @property
    def too_late(self) -> bool:
        return self.panel is not None and self.panel.meets_on > self.due_on


def outlook(case: Case, today: date) -> PanelOutlook | None:
    """None unless the case is an open assessment waiting for a decision the panel makes."""
    if not case.is_open or case.case_type not in (CaseType.ASSESSMENT, CaseType.REASSESSMENT):
        return None
    waiting = [m for m in case.milestones if m.key in WAITING_KEYS and m.met_on is None]
    if not waiting:
        return None
    first: Milestone = min(waiting, key=lambda m: m.due_on)
    question = WAITING_KEYS[first.key]
    listed = db.session.scalar(
        select(Panel)
        .join(PanelItem, PanelItem.panel_id == Panel.id)
        .where(
            PanelItem.case_id == case.id,
            PanelItem.question == question,
            PanelItem.decision.is_(None),
            Panel.meets_on >= today,
        )
        .order_by(Panel.meets_on)
        .limit(1)
    )
    panel = listed or db.session.scalar(
        select(Panel).where(Panel.team_id == case.team_id, Panel.meets_on >= today).order_by(Panel.meets_on).limit(1)
    )
    return PanelOutlook(
        question=question,
        due_on=first.due_on,
        due_label=rule(first.key).label,
        panel=panel,
        on_agenda=listed is not None,
    )


def items_of_case(case: Case) -> list[PanelItem]:
    return list(
        db.session.scalars(
            select(PanelItem).join(Panel).where(PanelItem.case_id == case.id).order_by(Panel.meets_on, PanelItem.id)
        )
    )
