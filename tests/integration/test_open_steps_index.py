"""Each milestone's copy of its case's team, coordinator and "case is open" (services.open_steps)
stays equal to the case's whatever happens to the case, and the lists read through the copies
show what the same lists read through the cases would."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from ehc_tracker.extensions import db
from ehc_tracker.models.case import Case, CaseStatus, CaseType, EventType, Milestone, RequestSource
from ehc_tracker.services import ServiceError, caseload, open_steps, worklist
from ehc_tracker.services import cases as case_service
from ehc_tracker.services.milestones import still_possible
from ehc_tracker.services.reports import OverdueFilters, Scope, overdue_ids, workload
from ehc_tracker.statutory.status import DEFAULT_DUE_SOON_DAYS
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

TODAY = date(2025, 12, 1)


# --- The reference: the lists as they were read before, through the cases -----------------------


def _old_open_steps(scope: Scope, as_at: date) -> list[Any]:
    return [
        Case.status == CaseStatus.OPEN,
        Milestone.met_on.is_(None),
        Milestone.is_period.is_(False),
        *scope.conditions(),
        still_possible(as_at),
    ]


def _old_overdue_list(scope: Scope, as_at: date, **extra: Any) -> list[int]:
    horizon = as_at + timedelta(days=DEFAULT_DUE_SOON_DAYS)
    conditions = [*_old_open_steps(scope, as_at), Milestone.due_on <= horizon]
    if extra.get("case_type") is not None:
        conditions.append(Case.case_type == extra["case_type"])
    if extra.get("show") == "overdue":
        conditions.append(Milestone.due_on < as_at)
    stmt = select(Milestone.id).join(Case, Milestone.case_id == Case.id).where(*conditions)
    return list(db.session.scalars(stmt.order_by(Milestone.due_on, Milestone.id)))


def _old_overdue_counts(scope: Scope, as_at: date) -> dict[str, int]:
    stmt = (
        select(Milestone.key, func.count())
        .join(Case, Milestone.case_id == Case.id)
        .where(*_old_open_steps(scope, as_at), Milestone.due_on < as_at)
        .group_by(Milestone.key)
    )
    return {key: int(n) for key, n in db.session.execute(stmt)}


def _old_summary(user: Any, as_at: date) -> tuple[int, int, int]:
    mine = user.role.value == "coordinator"
    whose = Case.coordinator_id == user.id if mine else Case.team_id.in_(user.team_ids or {-1})
    conditions = [
        Case.status == CaseStatus.OPEN,
        Milestone.met_on.is_(None),
        Milestone.is_period.is_(False),
        still_possible(as_at),
        whose,
    ]
    horizon = as_at + timedelta(days=DEFAULT_DUE_SOON_DAYS)
    rows = db.session.execute(
        select(Milestone.case_id, Milestone.due_on).join(Case, Milestone.case_id == Case.id).where(*conditions)
    ).all()
    late = [r for r in rows if r.due_on < as_at]
    soon = [r for r in rows if as_at <= r.due_on <= horizon]
    return len(late), len(soon), len({r.case_id for r in late})


def _old_worklist(user: Any, as_at: date) -> tuple[int, int]:
    conditions = [
        *_old_open_steps(Scope(frozenset(user.team_ids), coordinator_id=user.id), as_at),
        Milestone.due_on < as_at + timedelta(days=worklist.DAYS_AHEAD),
    ]
    dues = list(
        db.session.scalars(select(Milestone.due_on).join(Case, Milestone.case_id == Case.id).where(*conditions))
    )
    return len(dues), sum(d < as_at for d in dues)


# --- The world and the operations ----------------------------------------------------------------


class World:
    def __init__(self) -> None:
        self.teams = [create_team(), create_team()]
        a, b = self.teams
        self.coordinators = [
            create_user(role="coordinator", teams=[a], commit=False),
            create_user(role="coordinator", teams=[b], commit=False),
            create_user(role="coordinator", teams=[a, b], commit=False),
        ]
        self.manager = create_user(role="manager", teams=[a, b], commit=False)
        self.cases: list[Case] = []

    def case(self, n: int) -> Case | None:
        return self.cases[n % len(self.cases)] if self.cases else None

    def scopes(self) -> list[Scope]:
        ids = [t.id for t in self.teams]
        found = [Scope(frozenset(ids)), Scope(frozenset(ids), unassigned=True)]
        found += [Scope(frozenset({i})) for i in ids]
        found += [Scope(frozenset(ids), coordinator_id=c.id) for c in self.coordinators]
        found += [Scope(frozenset({ids[0]}), coordinator_id=c.id) for c in self.coordinators]
        return found


def _next_day(case: Case) -> date:
    latest = max([case.anchor_on, *(e.occurred_on for e in case.events)])
    return min(latest + timedelta(days=9), TODAY)


STEP_DETAILS: dict[EventType, dict[str, Any]] = {
    EventType.DECIDED_TO_ASSESS: {},
    EventType.ADVICE_REQUESTED: {"advice_type": "ep", "provider": "EP Service"},
    EventType.DECIDED_NOT_TO_ASSESS: {"reason": "Needs met at school"},
    EventType.DECIDED_TO_ISSUE: {},
    EventType.DECIDED_NOT_TO_ISSUE: {"reason": "Needs met at school"},
    EventType.DRAFT_PLAN_ISSUED: {},
}


def _do(world: World, op: tuple[Any, ...]) -> None:
    kind, n, m = op
    coordinator = world.coordinators[m % len(world.coordinators)]
    if kind == "open":
        team = world.teams[n % 2]
        holder = coordinator if team in coordinator.teams else None
        child = create_child(team=team, commit=False, date_of_birth=date(2015, 5, 1))
        world.cases.append(
            case_service.open_assessment(
                child=child,
                received_on=date(2025, 1, 6) + timedelta(days=23 * (m % 13) + n % 7),
                source=RequestSource.PARENT,
                team=team,
                coordinator=holder,
                actor=world.manager,
                today=TODAY,
            )
        )
        return
    if kind == "bulk":
        target = world.coordinators[n % len(world.coordinators)]
        try:
            case_service.reassign_many(None, target, from_coordinator=coordinator, reason="Leave", actor=world.manager)
        except ServiceError:
            pass
        return
    if kind == "flush":
        db.session.flush()
        return
    case = world.case(n)
    if case is None:
        return
    if kind == "step":
        recordable = [e for e in case_service.recordable_now(case) if e in STEP_DETAILS]
        if recordable:
            event = recordable[m % len(recordable)]
            case_service.record_event(
                case, event, _next_day(case), actor=world.manager, today=TODAY, **STEP_DETAILS[event]
            )
    elif kind == "reassign":
        try:
            case_service.reassign(case, coordinator, reason="Cover", actor=world.manager)
        except ServiceError:
            pass
    elif kind == "unassign":
        case.coordinator = None
    elif kind == "move_team":
        # By relationship or by key: either way the milestones follow in the same flush.
        other = world.teams[1] if case.team_id == world.teams[0].id else world.teams[0]
        if m % 2:
            case.team = other
        else:
            case.team_id = other.id
    elif kind == "withdraw":
        if case.is_open:
            case_service.record_event(
                case, EventType.WITHDRAWN, _next_day(case), actor=world.manager, today=TODAY, reason="Moved away"
            )
    elif kind == "close":
        case.status = CaseStatus.CLOSED
        case.closed_on = TODAY
    elif kind == "reopen":
        case.status = CaseStatus.OPEN
        case.closed_on = None


OPERATIONS = st.tuples(
    st.sampled_from(
        [
            "open",
            "open",
            "step",
            "step",
            "reassign",
            "bulk",
            "unassign",
            "move_team",
            "withdraw",
            "close",
            "reopen",
            "flush",
        ]
    ),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=20),
)


def _check(world: World) -> None:
    db.session.flush()
    # (a) In the database, and in the objects the session holds (nothing read afterwards is stale).
    assert open_steps.mismatches() == 0
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Milestone):
            case = obj.case
            assert (obj.team_id, obj.coordinator_id, obj.case_open) == (
                case.team_id,
                case.coordinator_id,
                case.status is CaseStatus.OPEN,
            )
    # (b) The lists through the copies equal the lists through the cases.
    for scope in world.scopes():
        assert list(db.session.scalars(overdue_ids(scope, OverdueFilters(as_at=TODAY)))) == _old_overdue_list(
            scope, TODAY
        )
        narrowed = OverdueFilters(as_at=TODAY, show="overdue", case_type=CaseType.ASSESSMENT, sort="child")
        assert sorted(db.session.scalars(overdue_ids(scope, narrowed))) == sorted(
            _old_overdue_list(scope, TODAY, show="overdue", case_type=CaseType.ASSESSMENT)
        )
        assert {c.key: c.count for c in workload(scope, TODAY).overdue} == _old_overdue_counts(scope, TODAY)
    for user in [*world.coordinators, world.manager]:
        found = caseload.summary(user, TODAY)
        assert (found.overdue_milestones, found.due_soon_milestones, found.cases_with_overdue) == _old_summary(
            user, TODAY
        )
    for user in world.coordinators:
        listed = worklist.coordinator_worklist(user, TODAY, limit=500)
        assert (listed.steps.total, listed.overdue) == _old_worklist(user, TODAY)
    figures = worklist.viewer_figures(world.manager, TODAY)
    every = Scope(frozenset(world.manager.team_ids))
    assert figures.overdue == sum(_old_overdue_counts(every, TODAY).values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=14))
def test_milestones_follow_their_case_and_the_lists_agree(app, operations):
    # Each example runs in one transaction, rolled back at the end: the next starts from empty.
    try:
        world = World()
        for _ in range(3):
            _do(world, ("open", len(world.cases), len(world.cases)))
        for op in operations:
            _do(world, op)
        _check(world)
    finally:
        db.session.rollback()


# --- Units -----------------------------------------------------------------------------------------


def test_a_new_milestone_takes_its_cases_values(app):
    case = create_assessment(today=TODAY)
    assert case.milestones
    for m in case.milestones:
        assert (m.team_id, m.coordinator_id, m.case_open) == (case.team_id, case.coordinator_id, True)


def test_a_case_changed_without_the_services_moves_its_milestones_in_the_same_flush(app):
    case = create_assessment(today=TODAY)
    other = create_team()
    case.team = other
    case.coordinator = None
    case.status = CaseStatus.CLOSED
    db.session.flush()
    # Without reading again: the objects in the session carry the new values...
    assert {(m.team_id, m.coordinator_id, m.case_open) for m in case.milestones} == {(other.id, None, False)}
    db.session.commit()
    db.session.expire_all()
    # ...and so do the rows.
    assert {(m.team_id, m.coordinator_id, m.case_open) for m in case.milestones} == {(other.id, None, False)}
    assert open_steps.mismatches() == 0


def test_resync_puts_right_the_rows_out_of_step_and_counts_them(app):
    first = create_assessment(today=TODAY)
    second = create_assessment(today=TODAY)
    stray = create_team()
    broken = [m.id for m in first.milestones[:2]]
    db.session.execute(
        update(Milestone.__table__).where(Milestone.id.in_(broken)).values(team_id=stray.id, case_open=False)
    )
    db.session.execute(
        update(Milestone.__table__).where(Milestone.id == second.milestones[0].id).values(coordinator_id=None)
    )
    db.session.commit()
    assert open_steps.mismatches() == 3
    assert open_steps.resync() == 3
    db.session.commit()
    assert open_steps.mismatches() == 0
    assert open_steps.resync() == 0
    for m in [*first.milestones, *second.milestones]:
        assert (m.team_id, m.coordinator_id, m.case_open) == (m.case.team_id, m.case.coordinator_id, True)


@pytest.mark.parametrize("coordinated", [True, False])
def test_a_team_s_overdue_list_reads_the_milestones_alone(app, coordinated):
    """No join to the cases: the list is read from the milestones' own columns."""
    case = create_assessment(today=TODAY)
    scope = Scope(frozenset({case.team_id}), coordinator_id=case.coordinator_id if coordinated else None)
    sql = str(overdue_ids(scope, OverdueFilters(as_at=TODAY)).compile(db.engine))
    assert "JOIN cases" not in sql and "FROM cases" not in sql
    assert list(db.session.scalars(overdue_ids(scope, OverdueFilters(as_at=TODAY)))) == _old_overdue_list(scope, TODAY)
