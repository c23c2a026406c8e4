"""A data set the size of the largest English authority, built with bulk inserts.

`flask seed-demo --profile large` makes 30,000 children and five years of history, for 40
coordinators in 6 teams. Half the children have a plan issued before those five years, so only
their reviews are here; the other half had an EHC needs assessment within them (most issued a
plan; recent ones are still open). Every plan is then reviewed about once a year, with
decisions, amendments and the odd cessation, and there are advice requests, consultations,
communications and exceptions. The milestones are computed by the same code the
services use (`services.milestones.wanted_milestones`) on objects that never enter the session,
and every table is then filled with multi-row inserts, a batch of children at a time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from ..extensions import db
from ..models import Role, Team, User
from ..models.case import (
    AdviceRequest,
    AdviceType,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseException,
    CaseStatus,
    CaseType,
    Channel,
    Communication,
    Consultation,
    EventType,
    ExceptionStatus,
    Milestone,
    Plan,
    PlanStatus,
    RequestSource,
    ReviewDecision,
)
from ..models.child import Child, Ethnicity, SenNeed, Sex
from ..services.milestones import PERIOD_KEYS, wanted_milestones
from ..services.passwords import hash_password
from ..statutory.calendar import WorkingDayCalendar
from ..statutory.rules import StatutorySettings, due_on, rule
from ..statutory.years import compulsory_school_age_ends, national_curriculum_year, school_year_start_year
from .accounts import DEMO_PASSWORD
from .cases import INFANT_SCHOOLS, setting_for

TEAMS = 6
# Children whose plan was issued before the five years of history: only their reviews are here.
HISTORICAL_SHARE = 0.5
COORDINATORS = 40
PROVIDERS = {
    AdviceType.EP: "Educational Psychology Service",
    AdviceType.HEALTH: "Community Paediatrics",
    AdviceType.SOCIAL_CARE: "Children's Social Care",
    AdviceType.SALT: "Speech and Language Therapy",
    AdviceType.SCHOOL: "Current school",
}
FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Harvey",
    "Isla",
    "Jack",
    "Kai",
    "Layla",
    "Noah",
    "Priya",
    "Ruby",
    "Zara",
]
LAST = [
    "Ahmed",
    "Bennett",
    "Clarke",
    "Davies",
    "Evans",
    "Green",
    "Hughes",
    "Khan",
    "Lewis",
    "Patel",
    "Singh",
    "Taylor",
    "Walker",
    "Young",
]


@dataclass
class Ids:
    """The next free primary key of each table (rows are inserted with explicit keys)."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Batch:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)


TABLE_ORDER = [
    Child,
    Plan,
    Case,
    CaseEvent,
    AdviceRequest,
    Consultation,
    Communication,
    CaseException,
    CaseAssignment,
    Milestone,
]


def _staff(rng: random.Random) -> tuple[list[Team], dict[int, list[User]], dict[int, User]]:
    """Teams, coordinators and managers for the large profile (reused if they exist)."""
    password = hash_password(DEMO_PASSWORD)
    teams = list(db.session.scalars(select(Team).where(Team.name.like("Area % Team")).order_by(Team.name)))
    if not teams:
        for n in range(1, TEAMS + 1):
            team = Team(name=f"Area {n} Team")
            db.session.add(team)
            teams.append(team)
            manager = User(
                email=f"manager.area{n}@example.org",
                name=f"Area {n} Manager",
                role=Role.MANAGER,
                password_hash=password,
                session_token=f"large-m{n}",
            )
            manager.teams = [team]
            db.session.add(manager)
        for n in range(1, COORDINATORS + 1):
            team = teams[(n - 1) % TEAMS]
            user = User(
                email=f"coordinator{n:02d}.area@example.org",
                name=f"Coordinator {n:02d}",
                role=Role.COORDINATOR,
                password_hash=password,
                session_token=f"large-c{n}",
            )
            user.teams = [team]
            db.session.add(user)
        db.session.flush()
    coordinators = {t.id: [u for u in t.members if u.role is Role.COORDINATOR] for t in teams}
    managers = {t.id: next(u for u in t.members if u.role is Role.MANAGER) for t in teams}
    return teams, coordinators, managers


class _Builder:
    """Builds one child's history as transient objects, then turns them into rows."""

    def __init__(
        self, rng: random.Random, ids: Ids, today: date, calendar: WorkingDayCalendar, settings: StatutorySettings
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.today = today
        self.calendar = calendar
        self.settings = settings

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def child(self, team: Team, batch: Batch) -> Child:
        rng = self.rng
        date_of_birth = self.today - timedelta(days=rng.randint(6 * 365, 19 * 365))
        setting = setting_for(rng, national_curriculum_year(date_of_birth, school_year_start_year(self.today)))
        child = Child(
            id=self.ids.take("children"),
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            date_of_birth=date_of_birth,
            sex=rng.choice([Sex.MALE, Sex.FEMALE]),
            ethnicity=rng.choice(list(Ethnicity)),
            primary_need=rng.choice(
                [SenNeed.ASD, SenNeed.ASD, SenNeed.SLCN, SenNeed.SEMH, SenNeed.MLD, SenNeed.SPLD, SenNeed.PD]
            ),
            setting_name=setting,
            team_id=team.id,
            attends_infant_school=setting in INFANT_SCHOOLS,
            looked_after=rng.random() < 0.05,
            young_person_own_requests=False,
        )
        batch.add("children", _row(child))
        return child

    def case(self, child: Child, case_type: CaseType, anchor_on: date, coordinator: User, **kw: Any) -> Case:
        return Case(
            id=self.ids.take("cases"),
            child=child,
            child_id=child.id,
            team_id=child.team_id,
            coordinator_id=coordinator.id,
            case_type=case_type,
            anchor_on=anchor_on,
            status=CaseStatus.OPEN,
            **kw,
        )

    def event(self, case: Case, kind: EventType, on: date, coordinator: User, **details: Any) -> bool:
        if on > self.today:
            return False
        CaseEvent(
            id=self.ids.take("case_events"),
            case=case,
            event_type=kind,
            occurred_on=on,
            details=details or None,
            recorded_by_id=coordinator.id,
        )
        return True

    def assessment(self, child: Child, coordinator: User, batch: Batch) -> tuple[Case, Plan | None]:
        rng = self.rng
        received = self.today - timedelta(days=rng.randint(14, 5 * 365 + 140))
        sources = list(RequestSource)
        if received <= compulsory_school_age_ends(child.date_of_birth):
            sources.remove(RequestSource.YOUNG_PERSON)  # a child's request is the parent's (CFA s83(2))
        case = self.case(child, CaseType.ASSESSMENT, received, coordinator, request_source=rng.choice(sources))
        self.event(case, EventType.REQUEST_RECEIVED, received, coordinator)
        slow = rng.random() < 0.5
        plan = None
        decided = received + self.days(21, 56 if slow else 41)
        if rng.random() < 0.08:
            if self.event(case, EventType.DECIDED_NOT_TO_ASSESS, decided, coordinator):
                _close(case, CaseStatus.CLOSED, decided, "Decided not to assess")
            return case, None
        if not self.event(case, EventType.DECIDED_TO_ASSESS, decided, coordinator):
            return case, None
        for kind in rng.sample(list(PROVIDERS), k=3):
            requested = decided + self.days(0, 5)
            if requested > self.today:
                continue
            received_on = requested + self.days(25, 60 if slow else 42)
            AdviceRequest(
                id=self.ids.take("advice_requests"),
                case=case,
                advice_type=kind,
                provider=PROVIDERS[kind],
                requested_on=requested,
                received_on=received_on if received_on <= self.today else None,
            )
        issue_on = decided + self.days(35, 70)
        if not self.event(case, EventType.DECIDED_TO_ISSUE, issue_on, coordinator):
            return case, None
        draft_on = issue_on + self.days(3, 21 if slow else 10)
        if not self.event(case, EventType.DRAFT_PLAN_ISSUED, draft_on, coordinator):
            return case, None
        school = setting_for(rng, national_curriculum_year(child.date_of_birth, school_year_start_year(draft_on)))
        sent = draft_on + self.days(0, 3)
        if sent <= self.today:
            replied = sent + self.days(7, 30)
            Consultation(
                id=self.ids.take("consultations"),
                case=case,
                setting_name=school,
                sent_on=sent,
                responded_on=replied if replied <= self.today else None,
                outcome="agreed" if replied <= self.today else None,
            )
        final_on = max(draft_on + timedelta(days=15), received + timedelta(weeks=rng.randint(16, 28 if slow else 20)))
        if self.event(case, EventType.FINAL_PLAN_ISSUED, final_on, coordinator, named_settings=school):
            plan = Plan(
                id=self.ids.take("plans"),
                child_id=child.id,
                issued_on=final_on,
                named_settings=school,
                status=PlanStatus.ACTIVE,
                issued_by_case_id=case.id,
            )
            case.plan_id = plan.id
            _close(case, CaseStatus.COMPLETED, final_on, "Final plan issued")
        if rng.random() < 0.05 and received + timedelta(weeks=4) <= self.today:
            CaseException(
                id=self.ids.take("case_exceptions"),
                case=case,
                milestone_key="final_plan",
                limb="personal_circumstances",
                starts_on=received + timedelta(weeks=4),
                reason="Child in hospital",
                status=ExceptionStatus.APPROVED,
                proposed_by_id=coordinator.id,
            )
        return case, plan

    def historical_plan(self, child: Child) -> tuple[Plan, date]:
        """A plan issued before the five years of history, and its last review before them."""
        issued = self.today - timedelta(days=self.rng.randint(5 * 365 + 30, 9 * 365))
        issued = max(issued, child.date_of_birth + timedelta(days=400))
        plan = Plan(
            id=self.ids.take("plans"),
            child_id=child.id,
            issued_on=issued,
            named_settings=child.setting_name,
            status=PlanStatus.ACTIVE,
        )
        last_review = self.today - timedelta(days=5 * 365 + self.rng.randint(0, 360))
        return plan, max(last_review, issued)

    def reviews(self, child: Child, plan: Plan, coordinator: User, *, from_on: date | None = None) -> list[Case]:
        rng = self.rng
        cases = []
        last = from_on or plan.issued_on
        while True:
            case = self.case(child, CaseType.ANNUAL_REVIEW, last, coordinator, plan_id=plan.id)
            cases.append(case)
            late = rng.random() < 0.35
            meeting = last + timedelta(days=rng.randint(300, 400 if late else 360))
            if not self.event(
                case,
                EventType.REVIEW_MEETING_SCHEDULED,
                min(meeting - self.days(20, 45), self.today),
                coordinator,
                meeting_on=meeting.isoformat(),
            ):
                break
            case.review_meeting_on = meeting
            self.event(
                case,
                EventType.INVITATIONS_SENT,
                meeting - timedelta(days=rng.randint(8, 20) if late else rng.randint(15, 25)),
                coordinator,
            )
            if not self.event(case, EventType.REVIEW_MEETING_HELD, meeting, coordinator):
                break
            self.event(case, EventType.REVIEW_REPORT_RECEIVED, meeting + self.days(5, 25 if late else 14), coordinator)
            decided = meeting + self.days(14, 45 if late else 28)
            decision = rng.choices(
                [ReviewDecision.MAINTAIN, ReviewDecision.AMEND, ReviewDecision.CEASE], weights=[40, 57, 3]
            )[0]
            if not self.event(case, EventType.REVIEW_DECISION_NOTIFIED, decided, coordinator, decision=decision.value):
                break
            case.review_decision = decision
            if decision is ReviewDecision.MAINTAIN:
                _close(case, CaseStatus.COMPLETED, decided, "Plan maintained")
            elif decision is ReviewDecision.AMEND:
                proposals = decided + self.days(1, 10)
                if not self.event(case, EventType.AMENDMENTS_PROPOSED, proposals, coordinator):
                    break
                amended = proposals + self.days(30, 100 if late else 50)
                if not self.event(case, EventType.AMENDED_PLAN_ISSUED, amended, coordinator):
                    break
                plan.last_amended_on = amended
                _close(case, CaseStatus.COMPLETED, amended, "Amended plan issued")
            else:
                # The plan is maintained until the family's time to appeal has passed (CFA s45).
                appeal_ends = due_on("appeal_deadline", decided)
                ceased = appeal_ends + self.days(1, 30)
                plan.status = PlanStatus.CEASING
                plan.cease_decided_on = decided
                plan.cease_notice_sent_on = decided
                plan.cease_appeal_ends_on = appeal_ends
                if not self.event(case, EventType.PLAN_CEASED, ceased, coordinator, cease_reason="2"):
                    break
                plan.status = PlanStatus.CEASED
                plan.ceased_on = ceased
                plan.cease_reason = "2"
                _close(case, CaseStatus.COMPLETED, ceased, "Plan ceased")
                break
            last = decided
        return cases

    def communications(self, case: Case, coordinator: User) -> None:
        for _ in range(self.rng.randint(0, 2)):
            received = self.today - self.days(0, 60)
            if received < case.anchor_on:
                continue
            responded = received + self.days(1, 10)
            Communication(
                id=self.ids.take("communications"),
                case=case,
                received_on=received,
                channel=self.rng.choice(list(Channel)),
                from_name="Parent",
                summary="Asking for an update",
                responded_on=responded if responded <= self.today and self.rng.random() < 0.8 else None,
                recorded_by_id=coordinator.id,
            )

    def rows_of(self, case: Case, batch: Batch) -> None:
        """Milestones through the services' own rules, then every row of the case."""
        approved = {e.milestone_key for e in case.exceptions if e.status is ExceptionStatus.APPROVED}
        open_dues = []
        for w in wanted_milestones(case, self.calendar, self.settings):
            r = rule(w.key)
            is_period = w.key in PERIOD_KEYS
            batch.add(
                "milestones",
                {
                    "id": self.ids.take("milestones"),
                    "case_id": case.id,
                    "key": w.key,
                    "ref": w.ref,
                    "label": w.label or r.label,
                    "source": w.source or r.source,
                    "anchor_on": w.anchor_on,
                    "due_on": w.due_on,
                    "met_on": w.met_on,
                    "is_period": is_period,
                    "exception_applies": w.key in approved,
                    "lapses_on": w.lapses_on,
                    # The case's copies (services.open_steps): rows written here pass no listener.
                    "team_id": case.team_id,
                    "coordinator_id": case.coordinator_id,
                    "case_open": case.status is CaseStatus.OPEN,
                },
            )
            if w.met_on is None and not is_period and (w.lapses_on is None or w.lapses_on > self.today):
                open_dues.append(w.due_on)
        case.next_due_on = min(open_dues) if open_dues and case.status is CaseStatus.OPEN else None
        batch.add("cases", _row(case))
        batch.add(
            "case_assignments",
            {
                "id": self.ids.take("case_assignments"),
                "case_id": case.id,
                "coordinator_id": case.coordinator_id,
                "assigned_by_id": None,
                "reason": "Imported",
            },
        )
        for table, items in (
            ("case_events", case.events),
            ("advice_requests", case.advice_requests),
            ("consultations", case.consultations),
            ("communications", case.communications),
            ("case_exceptions", case.exceptions),
        ):
            for item in items:
                row = _row(item)
                row["case_id"] = case.id
                batch.add(table, row)


def _close(case: Case, status: CaseStatus, on: date, reason: str) -> None:
    case.status = status
    case.closed_on = on
    case.close_reason = reason


def _row(obj: Any) -> dict[str, Any]:
    """The column values of a transient model instance (defaults filled in)."""
    table = obj.__table__
    row = {}
    for column in table.columns:
        value = getattr(obj, column.key, None)
        if value is None and column.default is not None and not column.nullable:
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg
        row[column.key] = value
    return row


def _next_ids() -> Ids:
    ids = Ids()
    for model in TABLE_ORDER:
        ids.next[model.__tablename__] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    return ids


def _insert(batch: Batch) -> int:
    copy = _copy_rows if db.engine.dialect.name == "postgresql" and db.engine.dialect.driver == "psycopg" else None
    count = 0
    for model in TABLE_ORDER:
        rows = batch.rows.get(model.__tablename__, [])
        if copy is not None and rows:
            copy(model.__table__, rows)
        else:
            for start in range(0, len(rows), 2000):
                db.session.execute(insert(model), rows[start : start + 2000])
        count += len(rows)
    return count


def _copy_rows(table: Any, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY the rows in (an order of magnitude faster than row-by-row inserts).

    Each value goes through its column type's bind processor first, as an INSERT would, so
    enums are stored by name and JSON as JSON.
    """
    dialect = db.engine.dialect
    columns = list(table.columns)
    processors = [column.type.bind_processor(dialect) for column in columns]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {dialect.identifier_preparer.quote(table.name)} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for column, process in zip(columns, processors):
                value = row[column.key] if column.key in row else _default(column)
                values.append(value if process is None or value is None else process(value))
            copy.write_row(values)


def _default(column: Any) -> Any:
    """What an INSERT leaving the column out would store (Python-side defaults only)."""
    default = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def _fix_sequences() -> None:
    """PostgreSQL serial sequences do not move for explicit keys; move them past the data."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in TABLE_ORDER:
        name = model.__tablename__
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {name}))")
        )


def generate(
    *, children: int, today: date, seed: int = 20, batch_size: int = 500, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Create `children` children with five years of history; return the row count of each table."""
    rng = random.Random(seed)
    teams, coordinators, _managers = _staff(rng)
    db.session.commit()
    ids = _next_ids()
    from ..services import table_statistics
    from ..services.calendar import working_day_calendar
    from ..services.reports import figure_store

    builder = _Builder(rng, ids, today, working_day_calendar(), StatutorySettings())
    made = 0
    while made < children:
        batch = Batch()
        for n in range(made, min(children, made + batch_size)):
            team = teams[n % len(teams)]
            coordinator = rng.choice(coordinators[team.id])
            child = builder.child(team, batch)
            if rng.random() < HISTORICAL_SHARE:
                plan, last_review = builder.historical_plan(child)
                cases = builder.reviews(child, plan, coordinator, from_on=last_review)
                batch.add("plans", _row(plan))
            else:
                assessment, found = builder.assessment(child, coordinator, batch)
                cases = [assessment]
                if found is not None:
                    cases += builder.reviews(child, found, coordinator)
                    batch.add("plans", _row(found))
            for case in cases:
                if case.status is CaseStatus.OPEN:
                    builder.communications(case, coordinator)
                builder.rows_of(case, batch)
        # Plans go in before the cases that refer to them.
        _insert(batch)
        db.session.commit()
        step = min(batch_size, children - made)
        made += step
        if progress:
            progress(step)
    _fix_sequences()
    # The rows went in without the ORM, so the stored monthly figures are counted once at the end.
    figure_store.rebuild()
    db.session.commit()
    # The planner's statistics before anyone opens a page (services.table_statistics).
    table_statistics.refresh()
    return {model.__tablename__: db.session.scalar(select(func.count(model.id))) or 0 for model in TABLE_ORDER}
