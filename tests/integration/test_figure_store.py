"""The stored monthly figures (services/reports/figure_store.py) agree with a count from scratch
after any sequence of changes, on SQLite and PostgreSQL; and the figures read from them equal
the live count for every month before the as-at date."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ehc_tracker.extensions import db
from ehc_tracker.models import MonthlyFigure
from ehc_tracker.models.case import AdviceRequest, AdviceType, Case, Milestone
from ehc_tracker.models.directory import DirectoryEntry, DirectoryKind
from ehc_tracker.services import reports as oversight
from ehc_tracker.services.reports import figure_store
from ehc_tracker.services.reports.measures import _live_advice, _live_counts
from tests.factories_cases import carry_to_final_plan, create_assessment
from tests.factories_reports import add_advice, add_milestone, make_case
from tests.helpers import create_team, create_user

FIRST = date(2025, 1, 1)
# Keys the measures count, one of each basis and the exception measure, and one they do not.
KEYS = ["final_plan", "decision_to_assess", "response_due", "order_issue_plan", "review_due"]
AS_AT = date(2026, 1, 15)

days = st.integers(min_value=0, max_value=330)
maybe_days = st.one_of(st.none(), days)

step_spec = st.tuples(st.sampled_from(KEYS), days, maybe_days, st.booleans())
advice_spec = st.tuples(st.sampled_from(list(AdviceType)), st.integers(0, 3), days, maybe_days)
case_spec = st.tuples(
    st.integers(0, 2), maybe_days, st.lists(step_spec, min_size=1, max_size=5), st.lists(advice_spec, max_size=3)
)

operation = st.one_of(
    st.tuples(st.just("case"), st.integers(0, 2), maybe_days),
    st.tuples(st.just("step"), st.integers(0, 50), step_spec),
    st.tuples(st.just("meet"), st.integers(0, 200), maybe_days),
    st.tuples(st.just("due"), st.integers(0, 200), days),
    st.tuples(st.just("exception"), st.integers(0, 200)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("close"), st.integers(0, 50), maybe_days),
    st.tuples(st.just("remove"), st.integers(0, 200)),
    st.tuples(st.just("commit")),
    st.tuples(st.just("rollback")),
    st.tuples(st.just("savepoint_rollback"), st.integers(0, 200), maybe_days),
    st.tuples(st.just("advice"), st.integers(0, 50), advice_spec),
    st.tuples(st.just("retype"), st.integers(0, 50), st.sampled_from(list(AdviceType)), st.integers(0, 3)),
)
PROVIDERS = ["EP Service", "Community Paediatrics"]

_refs = itertools.count()


def _entry(name: str) -> DirectoryEntry:
    entry = DirectoryEntry(name=name, name_key=name.lower(), kind=DirectoryKind.EDUCATIONAL_PSYCHOLOGY)
    db.session.add(entry)
    db.session.flush()
    return entry


def _on(n: int | None) -> date | None:
    return None if n is None else FIRST + timedelta(days=n)


def _add_step(case: Case, spec: tuple) -> None:
    key, due, met, exception = spec
    ref = f"step:{next(_refs)}"
    add_milestone(case, key, due_on=_on(due), met_on=_on(met), exception=exception, ref=ref)


def _steps(cases: list[Case]) -> list[Milestone]:
    ids = [c.id for c in cases]
    return list(db.session.scalars(select(Milestone).where(Milestone.case_id.in_(ids)).order_by(Milestone.id)))


def _provide(request: AdviceRequest, n: int, entries: list[DirectoryEntry]) -> None:
    """Providers 0-1 are typed names; 2-3 are directory entries."""
    request.provider = (PROVIDERS + [e.name for e in entries])[n]
    request.directory_entry_id = entries[n - 2].id if n >= 2 else None


def _add_advice(case: Case, spec: tuple, entries: list[DirectoryEntry]) -> None:
    advice_type, provider, due, met = spec
    step = add_advice(
        case,
        advice_type=advice_type,
        provider="typed",
        requested_on=_on(due) - timedelta(weeks=6),
        due_on=_on(due),
        received_on=_on(met),
    )
    _provide(db.session.get(AdviceRequest, int(step.ref.split(":")[1])), provider, entries)


def _apply(op: tuple, teams: list, cases: list[Case], entries: list[DirectoryEntry]) -> None:
    kind = op[0]
    steps = _steps(cases)
    requests = list(
        db.session.scalars(
            select(AdviceRequest).where(AdviceRequest.case_id.in_([c.id for c in cases])).order_by(AdviceRequest.id)
        )
    )
    if kind == "case":
        cases.append(make_case(team=teams[op[1]], closed_on=_on(op[2])))
    elif kind == "step" and cases:
        _add_step(cases[op[1] % len(cases)], op[2])
    elif kind == "meet" and steps:
        steps[op[1] % len(steps)].met_on = _on(op[2])
    elif kind == "due" and steps:
        steps[op[1] % len(steps)].due_on = _on(op[2])
    elif kind == "exception" and steps:
        step = steps[op[1] % len(steps)]
        step.exception_applies = not step.exception_applies
    elif kind == "move" and cases:
        cases[op[1] % len(cases)].team_id = teams[op[2]].id
    elif kind == "close" and cases:
        cases[op[1] % len(cases)].closed_on = _on(op[2])
    elif kind == "remove" and steps:
        step = steps[op[1] % len(steps)]
        db.session.refresh(step.case, ["milestones"])
        step.case.milestones.remove(step)  # delete-orphan, as the engine removes a step
    elif kind == "commit":
        db.session.commit()
    elif kind == "rollback":
        db.session.rollback()
        kept = set(db.session.scalars(select(Case.id).where(Case.id.in_([c.id for c in cases if c.id]))))
        cases[:] = [db.session.get(Case, i) for i in sorted(kept)]
    elif kind == "savepoint_rollback" and steps:
        savepoint = db.session.begin_nested()
        steps[op[1] % len(steps)].met_on = _on(op[2])
        db.session.flush()
        savepoint.rollback()
    elif kind == "advice" and cases:
        _add_advice(cases[op[1] % len(cases)], op[2], entries)
    elif kind == "retype" and requests:
        _, i, advice_type, provider = op
        request = requests[i % len(requests)]
        request.advice_type = advice_type
        _provide(request, provider, entries)
    if kind != "rollback":
        db.session.flush()


def _live_equals_read(team_ids: frozenset[int]) -> None:
    scope = oversight.Scope(team_ids)
    months = oversight.months_ending(AS_AT, 14)
    read = {
        (s.measure.key, m.month_on): (m.including.counted, m.including.on_time)
        for s in oversight.monthly_figures(scope, months, AS_AT)
        for m in s.months
    }
    live = _live_counts(scope, months, AS_AT, list(oversight.MEASURES))
    assert read == {key: live.get(key, (0, 0))[:2] for key in read}
    assert set(live) <= set(read)
    start, end = months[0], oversight.next_month(months[-1])
    breakdowns = oversight.advice_breakdowns(scope, start, end, AS_AT)
    by_type: dict[str, tuple[int, int]] = {}
    by_provider: dict[str, tuple[int, int]] = {}
    for advice_type, provider, counted, on_time in _live_advice(scope, start, end, AS_AT):
        for found, key in ((by_type, AdviceType(advice_type).value), (by_provider, provider)):
            before = found.get(key, (0, 0))
            found[key] = (before[0] + counted, before[1] + on_time)
    assert {r.value: (r.figure.counted, r.figure.on_time) for r in breakdowns["type"]} == by_type
    assert {r.value: (r.figure.counted, r.figure.on_time) for r in breakdowns["provider"]} == by_provider


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(starting=st.lists(case_spec, min_size=1, max_size=5), operations=st.lists(operation, min_size=1, max_size=20))
def test_the_stored_figures_equal_a_count_from_scratch_after_any_changes(app, starting, operations):
    teams = [create_team() for _ in range(3)]
    entries = [_entry(f"Provider {next(_refs)}") for _ in range(2)]
    cases: list[Case] = []
    for team, closed, steps, advice in starting:
        cases.append(make_case(team=teams[team], closed_on=_on(closed)))
        for spec in steps:
            _add_step(cases[-1], spec)
        for spec in advice:
            _add_advice(cases[-1], spec, entries)
    db.session.commit()
    assert figure_store.differences() == []
    for op in operations:
        _apply(op, teams, cases, entries)
    # Read within the transaction (before it commits) ...
    _live_equals_read(frozenset(t.id for t in teams))
    db.session.commit()
    # ... and after it.
    assert figure_store.differences() == []
    _live_equals_read(frozenset(t.id for t in teams))


def test_recording_steps_through_the_workflow_keeps_the_figures(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    case = create_assessment(coordinator=coordinator, team=team)
    carry_to_final_plan(case, actor=coordinator)
    stored = db.session.scalars(
        select(MonthlyFigure).where(MonthlyFigure.team_id == team.id, MonthlyFigure.measure == "final_plan_20_weeks")
    ).all()
    assert [(f.month_on, f.counted, f.on_time) for f in stored] == [(date(2025, 5, 1), 1, 1)]
    assert figure_store.differences() == []


def test_a_rolled_back_change_leaves_the_figures_as_they_were(app):
    case = make_case(team=create_team())
    step = add_milestone(case, "final_plan", due_on=date(2025, 3, 3), met_on=date(2025, 3, 1))
    db.session.commit()
    before = db.session.scalar(select(func.sum(MonthlyFigure.counted)))
    step.met_on = date(2025, 4, 9)
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.sum(MonthlyFigure.counted))) == before == 1
    assert figure_store.differences() == []


def test_rebuild_recounts_a_table_that_was_damaged(app):
    case = make_case(team=create_team())
    add_milestone(case, "decision_to_assess", due_on=date(2025, 3, 3), met_on=date(2025, 3, 10))
    add_milestone(case, "response_due", due_on=date(2025, 2, 3))
    db.session.commit()
    db.session.execute(MonthlyFigure.__table__.update().values(on_time=7))
    db.session.execute(
        MonthlyFigure.__table__.insert().values(
            team_id=case.team_id,
            month_on=date(2020, 1, 1),
            measure="x",
            counted=1,
            on_time=0,
            counted_kept=1,
            on_time_kept=0,
        )
    )
    assert len(figure_store.differences()) == 3
    assert figure_store.rebuild() == 2
    db.session.commit()
    assert figure_store.differences() == []


def test_a_figure_for_one_coordinator_is_counted_live(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    mine = make_case(team=team, coordinator=coordinator)
    theirs = make_case(team=team)
    add_milestone(mine, "final_plan", due_on=date(2025, 3, 3), met_on=date(2025, 3, 1))
    add_milestone(theirs, "final_plan", due_on=date(2025, 3, 3), met_on=date(2025, 3, 20))
    db.session.commit()
    march = date(2025, 3, 1)
    whole = oversight.monthly_figures(oversight.Scope(frozenset({team.id})), [march], AS_AT)[0].months[0]
    one = oversight.monthly_figures(
        oversight.Scope(frozenset({team.id}), coordinator_id=coordinator.id), [march], AS_AT
    )[0].months[0]
    assert (whole.including.counted, whole.including.on_time) == (2, 1)
    assert (one.including.counted, one.including.on_time) == (1, 1)


def test_the_read_model_commands_find_and_mend_a_damaged_figure(app, runner):
    case = make_case(team=create_team())
    add_milestone(case, "final_plan", due_on=date(2025, 3, 3), met_on=date(2025, 3, 1))
    db.session.commit()
    assert runner.invoke(args=["read-model", "check"]).exit_code == 0
    db.session.execute(MonthlyFigure.__table__.update().values(on_time=0))
    db.session.commit()
    damaged = runner.invoke(args=["read-model", "check"])
    assert damaged.exit_code == 1
    assert "2025-03\tfinal_plan_20_weeks\tstored (1, 0, 1, 1)\tcounted (1, 1, 1, 1)" in damaged.output
    assert "1 stored figures differ" in damaged.output
    mended = runner.invoke(args=["read-model", "rebuild"])
    assert mended.exit_code == 0 and "Counted 1 stored figures again and corrected 0 milestones" in mended.output
    assert runner.invoke(args=["read-model", "check"]).exit_code == 0
    # A milestone whose copy of its case's team was changed behind the application's back.
    db.session.execute(Milestone.__table__.update().values(case_open=False))
    db.session.commit()
    stale = runner.invoke(args=["read-model", "check"])
    assert stale.exit_code == 1 and "1 milestones carry a team, coordinator or open status" in stale.output
    assert "corrected 1 milestones" in runner.invoke(args=["read-model", "rebuild"]).output
    assert "every milestone with its case" in runner.invoke(args=["read-model", "check"]).output


def test_a_request_given_another_type_or_provider_moves_its_advice_figure(app):
    case = make_case(team=create_team())
    entry = _entry("Northshire EP Service")
    step = add_advice(
        case,
        advice_type=AdviceType.EP,
        provider="EP (typed)",
        requested_on=date(2025, 1, 6),
        due_on=date(2025, 2, 17),
        received_on=date(2025, 2, 10),
    )
    db.session.commit()
    request = db.session.get(AdviceRequest, int(step.ref.split(":")[1]))
    request.advice_type = AdviceType.HEALTH
    request.directory_entry_id = entry.id
    db.session.commit()
    assert figure_store.differences() == []
    found = oversight.advice_breakdowns(
        oversight.Scope(frozenset({case.team_id})), date(2025, 2, 1), date(2025, 3, 1), AS_AT
    )
    assert [(r.value, r.figure.counted) for r in found["type"]] == [("health", 1)]
    assert [(r.value, r.figure.counted) for r in found["provider"]] == [("Northshire EP Service", 1)]
