"""Writing a batch of checked children: new ones added, changed ones updated, unchanged ones left.

A batch is written in three flushes (children; their plans, cases and steps; the advice steps
and the milestones) and the caller commits it whole or rolls it back whole. The milestones are
counted by the engine through `services.milestones.apply`, the code every case change uses, from
the imported dates: a step taken late shows as late, and the compliance figures count it.

A child, plan or case is found again by its source key. Its digest says whether the file's
record changed; an unchanged one is not touched. A changed case is rebuilt from the file, unless
someone has since recorded a step on it here (then the file's change is left out and reported).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ... import access
from ...extensions import db
from ...models import Team, User
from ...models.case import (
    AdviceRequest,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseException,
    CaseStatus,
    Communication,
    EventType,
    Plan,
    PlanStatus,
    ReviewDecision,
)
from ...models.child import Child, ChildContact
from ...statutory.calendar import WorkingDayCalendar
from ...statutory.rules import StatutorySettings, due_on
from .. import audit, workflow
from .. import milestones as milestone_service
from .records import CaseIn, ChildIn, PlanIn, digest

CHILD_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "upn",
    "uln",
    "upn_unknown_reason",
    "sex",
    "ethnicity",
    "postcode",
    "primary_need",
    "secondary_need",
    "setting_name",
    "setting_urn",
    "setting_ukprn",
    "sen_setting",
    "setting_started_on",
    "setting_sen_unit",
    "setting_resourced_provision",
)


@dataclass(frozen=True)
class Holder:
    id: int
    team_ids: frozenset[int]
    can_hold: bool


@dataclass
class Lookups:
    """The teams and the people who may hold cases, read once per import (plain values)."""

    teams: dict[str, int]
    default_team_id: int | None
    holders: dict[str, Holder]

    @classmethod
    def load(cls, default_team_id: int | None) -> Lookups:
        teams = {t.name.strip().lower(): t.id for t in db.session.scalars(select(Team))}
        holders = {
            u.email.lower(): Holder(u.id, frozenset(u.team_ids), access.can_hold_cases(u))
            for u in db.session.scalars(select(User))
        }
        return cls(teams, default_team_id, holders)


@dataclass
class Placed:
    """Where a checked child goes: their team and the holder of their open cases."""

    child: ChildIn
    team_id: int
    coordinator_id: int | None
    refused: bool = False


@dataclass
class Totals:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


Note = Callable[[ChildIn, str, str, str, str], None]  # child, field, rule, message, severity


def _touched(case_ids: list[int]) -> set[int]:
    """Cases someone has worked on here since the import: a step recorded by a person (imported
    steps have no recorder), an exception proposed or a communication logged."""
    if not case_ids:
        return set()
    found = set(
        db.session.scalars(
            select(CaseEvent.case_id).where(CaseEvent.case_id.in_(case_ids), CaseEvent.recorded_by_id.is_not(None))
        )
    )
    found |= set(db.session.scalars(select(CaseException.case_id).where(CaseException.case_id.in_(case_ids))))
    found |= set(db.session.scalars(select(Communication.case_id).where(Communication.case_id.in_(case_ids))))
    return found


class BatchWriter:
    def __init__(
        self,
        *,
        import_id: int | None,
        file_name: str,
        checksum: str,
        actor_id: int | None,
        calendar: WorkingDayCalendar,
        settings: StatutorySettings,
        totals: Totals,
        note: Note,
        dry_run: bool,
    ) -> None:
        self.import_id = import_id
        self.file_name = file_name
        self.checksum = checksum
        self.actor_id = actor_id
        self.calendar = calendar
        self.settings = settings
        self.totals = totals
        self.note = note
        self.dry_run = dry_run

    # --- Classifying ---------------------------------------------------------------------------------

    def write(self, batch: list[Placed]) -> None:
        # Objects are built whole before each flush (a step half made must not be flushed).
        with db.session.no_autoflush:
            self._write(batch)

    def _write(self, batch: list[Placed]) -> None:
        keys = [p.child.key for p in batch]
        existing = {c.source_key: c for c in db.session.scalars(select(Child).where(Child.source_key.in_(keys)))}
        plan_keys = [plan.key for p in batch for plan in p.child.plans]
        case_keys = [case.key for p in batch for case in p.child.cases]
        plans = {p.source_key: p for p in db.session.scalars(select(Plan).where(Plan.source_key.in_(plan_keys)))}
        cases = {c.source_key: c for c in db.session.scalars(select(Case).where(Case.source_key.in_(case_keys)))}
        new = [p for p in batch if p.child.key not in existing]
        self._duplicates(new)
        new = [p for p in new if not p.refused]
        changed = [
            p for p in batch if p.child.key in existing and existing[p.child.key].source_hash != p.child.digest()
        ]
        self.totals.add("children_unchanged", len(batch) - len(changed) - len(new) - sum(p.refused for p in batch))
        touched = _touched([cases[c.key].id for p in changed for c in p.child.cases if c.key in cases])
        self.totals.add("children_new", len(new))
        self.totals.add("children_updated", len(changed))
        if self.dry_run:
            for p in changed:
                for c in p.child.cases:
                    found = cases.get(c.key)
                    if found is not None and found.source_hash != digest(c) and found.id in touched:
                        self.note(
                            p.child,
                            c.key,
                            "changed_here",
                            f"Case {found.id} was worked on here since it was imported",
                            "warning",
                        )
            return
        made: list[tuple[Placed, Child]] = []
        for p in new:
            child = Child(team_id=p.team_id)
            self._set_child(child, p.child)
            db.session.add(child)
            for contact in p.child.contacts:
                child.contacts.append(self._contact(contact))
            made.append((p, child))
        db.session.flush()
        for p in changed:
            child = existing[p.child.key]
            before = {name: getattr(child, name) for name in CHILD_FIELDS}
            self._set_child(child, p.child)
            names = {c.name.lower() for c in child.contacts}
            for contact in p.child.contacts:
                if contact.name.lower() not in names:
                    child.contacts.append(self._contact(contact))
            what = {
                name: {"old": _plain(before[name]), "new": _plain(getattr(child, name))}
                for name in CHILD_FIELDS
                if before[name] != getattr(child, name)
            }
            made.append((p, child))
            self._audit(
                "child_import_updated", child, p.child, f"Updated child record {child.id} from {self.file_name}", what
            )
        built: list[Case] = []
        rebuilt: list[tuple[Case, CaseIn]] = []
        for p, child in made:
            by_key = {plan.key: self._plan(child, plan, plans.get(plan.key)) for plan in p.child.plans}
            for c in p.child.cases:
                found = cases.get(c.key)
                if found is None:
                    built.append(self._case(child, p, c, by_key))
                elif found.source_hash != digest(c):
                    if found.id in touched:
                        self.note(
                            p.child,
                            c.key,
                            "changed_here",
                            f"Case {found.id} was worked on here since it was imported",
                            "warning",
                        )
                        continue
                    found.events.clear()
                    found.advice_requests.clear()
                    rebuilt.append((found, c))
                    self.totals.add("cases_updated")
        db.session.flush()
        for found, c in rebuilt:
            self._fill(found, c, {})
            built.append(found)
        db.session.flush()
        for case in built:
            self._advice_steps(case)
            if case.plan is not None and case.event(EventType.FINAL_PLAN_ISSUED) is not None:
                case.plan.issued_by_case_id = case.id
            milestone_service.apply(case, calendar=self.calendar, settings=self.settings)
        db.session.flush()
        for p, child in made[: len(new)]:
            self._audit("child_imported", child, p.child, f"Imported child record {child.id} from {self.file_name}", {})

    def _duplicates(self, new: list[Placed]) -> None:
        """A new child who may already be here: the same UPN, or the same date of birth and a similar
        name where either has no UPN."""
        from ..children import find_possible_duplicates

        upns = [p.child.upn for p in new if p.child.upn]
        by_upn = {c.upn: c for c in db.session.scalars(select(Child).where(Child.upn.in_(upns)))} if upns else {}
        births = {p.child.date_of_birth for p in new}
        # Names are compared only for children born on a day someone here was born (one query).
        shared = (
            set(db.session.scalars(select(Child.date_of_birth).where(Child.date_of_birth.in_(births))))
            if births
            else set()
        )
        for p in new:
            same = by_upn.get(p.child.upn) if p.child.upn else None
            if same is None and p.child.date_of_birth in shared:
                found = find_possible_duplicates(p.child.first_name, p.child.last_name, p.child.date_of_birth, None)
                # Two UPNs that differ are two children, however alike their names and birthdays
                # (in an authority of 30,000, about three children share each birthday).
                found = [f for f in found if not (p.child.upn and f.child.upn and f.child.upn != p.child.upn)]
                same = found[0].child if found else None
            if same is not None:
                key = f" (imported as ‘{same.source_key}’)" if same.source_key else ""
                self.note(
                    p.child,
                    "child_ref",
                    "duplicate_existing",
                    f"Child {same.id}{key} has the same {'UPN' if same.upn and same.upn == p.child.upn else 'date of birth and a similar name'}",
                    "error",
                )
                p.refused = True
                self.totals.add("children_refused")

    # --- Building ----------------------------------------------------------------------------------------

    def _set_child(self, child: Child, data: ChildIn) -> None:
        for name in CHILD_FIELDS:
            setattr(child, name, getattr(data, name))
        child.source_key = data.key
        child.source_hash = data.digest()
        child.import_id = self.import_id

    def _contact(self, data: Any) -> ChildContact:
        return ChildContact(
            name=data.name,
            relationship_to_child=data.relationship,
            email=data.email,
            phone=data.phone,
            address=data.address,
            has_parental_responsibility=data.parental_responsibility,
        )

    def _plan(self, child: Child, data: PlanIn, found: Plan | None) -> Plan:
        plan = found or Plan(child_id=child.id)
        if found is None:
            db.session.add(plan)
            self.totals.add("plans_new")
        elif found.source_hash == digest(data):
            return found
        else:
            self.totals.add("plans_updated")
        plan.issued_on = data.issued_on
        plan.named_settings = data.named_settings
        plan.ceased_on = data.ceased_on
        plan.cease_reason = data.cease_reason
        plan.status = PlanStatus.CEASED if data.ceased_on else PlanStatus.ACTIVE
        plan.source_key = data.key
        plan.source_hash = digest(data)
        plan.import_id = self.import_id
        return plan

    def _case(self, child: Child, placed: Placed, data: CaseIn, plans: dict[str, Plan]) -> Case:
        case = Case(
            child=child,
            team_id=placed.team_id,
            coordinator_id=placed.coordinator_id,
            case_type=data.case_type,
            anchor_on=data.anchor_on,
            request_source=data.source,
            status=CaseStatus.OPEN,
        )
        # A new case has none of these yet: saying so spares the engine a query for each.
        case.milestones, case.exceptions, case.communications, case.consultations = [], [], [], []
        case.advice_requests, case.events = [], []
        db.session.add(case)
        db.session.add(
            CaseAssignment(
                case=case, coordinator_id=placed.coordinator_id, assigned_by_id=self.actor_id, reason="Imported"
            )
        )
        self._fill(case, data, plans)
        self.totals.add("cases_new")
        return case

    def _fill(self, case: Case, data: CaseIn, plans: dict[str, Plan]) -> None:
        """The case's steps from the file, with what each step sets on the case (as the workflow's
        handlers set it), and the case closed where a step ends it."""
        if data.plan_key and data.plan_key in plans:
            case.plan = plans[data.plan_key]
        case.anchor_on = data.anchor_on
        case.status, case.closed_on, case.close_reason, case.review_decision = CaseStatus.OPEN, None, None, None
        case.source_key = data.key
        case.source_hash = digest(data)
        case.import_id = self.import_id
        order = list(workflow.STEPS)
        for step in sorted(data.steps, key=lambda s: (s.on, order.index(s.event_type))):
            details = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in step.details.items()}
            if step.event_type is EventType.REVIEW_MEETING_SCHEDULED:
                case.review_meeting_on = step.details["meeting_on"]
            elif step.event_type is EventType.REVIEW_MEETING_HELD:
                case.review_meeting_on = step.on
            elif step.event_type is EventType.REVIEW_DECISION_NOTIFIED:
                case.review_decision = ReviewDecision(step.details["decision"])
                if case.review_decision is ReviewDecision.CEASE and case.plan is not None:
                    case.plan.status = PlanStatus.CEASING
                    case.plan.cease_decided_on = case.plan.cease_notice_sent_on = step.on
                    case.plan.cease_appeal_ends_on = due_on("appeal_deadline", step.on)
            elif step.event_type is EventType.FINAL_PLAN_ISSUED and case.plan is not None:
                details["plan_id"] = None  # set below, once the plan has its id
            db.session.add(
                CaseEvent(case=case, event_type=step.event_type, occurred_on=step.on, details=details or None)
            )
            ending = workflow.step(step.event_type).ends
            if ending is not None and (ending.if_decision is None or ending.if_decision is case.review_decision):
                reason = (details.get(ending.reason_detail) if ending.reason_detail else None) or ending.reason
                case.status, case.closed_on, case.close_reason = ending.status, step.on, reason
        for advice in data.advice:
            db.session.add(
                AdviceRequest(
                    case=case,
                    advice_type=advice.advice_type,
                    provider=advice.provider,
                    requested_on=advice.requested_on,
                    received_on=advice.received_on,
                )
            )

    def _advice_steps(self, case: Case) -> None:
        """The advice steps, now that each advice request has its id (the steps name it)."""
        for event in case.events:
            if event.event_type is EventType.FINAL_PLAN_ISSUED and event.details and "plan_id" in event.details:
                event.details = {**event.details, "plan_id": case.plan_id}
        if any(e.event_type is EventType.ADVICE_REQUESTED for e in case.events):
            return
        for advice in case.advice_requests:
            common = {"advice_request_id": advice.id}
            db.session.add(
                CaseEvent(
                    case=case,
                    event_type=EventType.ADVICE_REQUESTED,
                    occurred_on=advice.requested_on,
                    details={**common, "advice_type": advice.advice_type.value, "provider": advice.provider},
                )
            )
            if advice.received_on is not None:
                db.session.add(
                    CaseEvent(
                        case=case, event_type=EventType.ADVICE_RECEIVED, occurred_on=advice.received_on, details=common
                    )
                )

    def _audit(self, action: str, child: Child, data: ChildIn, summary: str, changes: dict[str, Any]) -> None:
        actor = db.session.get(User, self.actor_id) if self.actor_id is not None else None
        audit.record(
            actor,
            action,
            "child",
            child.id,
            summary,
            {
                "import_id": self.import_id,
                "file": self.file_name,
                "checksum": self.checksum,
                "source_key": data.key,
                "row": data.row,
                **({"changes": changes} if changes else {}),
            },
            label=None if actor is not None else "import",
        )


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def late_milestones(import_id: int, on: date) -> tuple[int, int]:
    """Of the milestones of the cases an import wrote: how many in all, and how many late on `on`
    (met after their due date, or unmet and past it), as the engine counted them."""
    from ...models.case import Milestone

    query = select(func.count(Milestone.id)).join(Case, Case.id == Milestone.case_id).where(Case.import_id == import_id)
    total = db.session.scalar(query) or 0
    late = db.session.scalar(
        query.where(
            Milestone.is_period.is_(False),
            ((Milestone.met_on.is_not(None)) & (Milestone.met_on > Milestone.due_on))
            | ((Milestone.met_on.is_(None)) & (Milestone.due_on < on)),
        )
    )
    return total, late or 0
