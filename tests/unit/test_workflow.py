"""The workflow table (services/workflow.py): one step for each event, and the table agrees with
itself, with the forms, the API and the database's once-only guard."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ehc_tracker.models.case import ONCE_ONLY_EVENTS, CaseType, EventType
from ehc_tracker.services import workflow
from ehc_tracker.services.workflow import STEPS
from ehc_tracker.statutory.rules import RULES

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def _migration_once_only() -> tuple[str, ...]:
    """The list of steps the latest migration that built the unique index wrote into its WHERE clause
    (the migrations' file names sort in the order they run)."""
    found: tuple[str, ...] = ()
    for path in sorted(MIGRATIONS.glob("*.py")):
        module = ast.parse(path.read_text())
        names = {
            t.id: node.value
            for node in module.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        if "ONCE_ONLY_EVENTS" in names:
            found = _literal_events(names["ONCE_ONLY_EVENTS"], names)
    assert found, "no migration lists ONCE_ONLY_EVENTS"
    return found


def _literal_events(node: ast.expr, names: dict[str, ast.expr]) -> tuple[str, ...]:
    """A tuple of strings, where `*NAME` spreads another tuple assigned in the same migration."""
    assert isinstance(node, ast.Tuple)
    events: list[str] = []
    for item in node.elts:
        if isinstance(item, ast.Starred) and isinstance(item.value, ast.Name):
            events.extend(_literal_events(names[item.value.id], names))
        else:
            events.append(ast.literal_eval(item))
    return tuple(events)


def test_every_event_has_one_step_in_the_vocabulary_order():
    assert list(STEPS) == list(EventType)
    for event_type, step in STEPS.items():
        assert step.event_type is event_type


def test_the_once_only_steps_are_exactly_those_the_database_guards():
    once = tuple(t.value for t, s in STEPS.items() if s.once)
    assert once == workflow.ONCE_ONLY_EVENT_VALUES == ONCE_ONLY_EVENTS
    # The migration created the partial unique index with this list: its WHERE clause must not change.
    assert once == _migration_once_only()


def test_names_and_family_wording_are_given_and_distinct():
    labels = [s.label for s in STEPS.values()]
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)
    assert all(s.family_done.strip() for s in STEPS.values())


@pytest.mark.parametrize("step", list(STEPS.values()), ids=lambda s: s.event_type.value)
def test_each_step_is_consistent_with_the_rest_of_the_table(step):
    assert step.case_types, "a step belongs to at least one kind of case"
    assert step.event_type not in step.requires and step.event_type not in step.excludes
    assert not set(step.requires) & set(step.excludes)
    for other in (*step.requires, *step.excludes):
        assert STEPS[other].recordable or other is EventType.REQUEST_RECEIVED
        assert step.case_types & STEPS[other].case_types, (
            f"{step.event_type.value} refers to {other.value}, of other cases"
        )
    for other in step.excludes:
        assert step.event_type in STEPS[other].excludes, "steps rule each other out both ways"
        assert step.once and STEPS[other].once, "an either-or decision is made once"
    if step.opens_case:
        assert not step.once and not step.requires and not step.fields and step.ends is None
    if step.usual_until:
        assert step.event_type in step.usual_until
        assert all(step.case_types & STEPS[t].case_types for t in step.usual_until)
    if step.transfer_only or step.needs_decision is not None:
        assert step.case_types == workflow.REVIEWS
    if step.chooses is not None:
        assert step.chooses[1] in step.fields
    if step.ends is not None:
        assert step.ends.reason
        if step.ends.reason_detail is not None:
            assert step.ends.reason_detail in step.fields
        if step.ends.next_review_from_decision:
            assert step.ends.opens_next_review and step.case_types == workflow.REVIEWS
        if step.ends.if_decision is not None:
            assert "decision" in step.fields
    for key in (*step.time_limits, *step.also_towards, *step.family_limits):
        assert key in RULES, f"{key} is not a statutory time limit"
    for key in step.family_limits:
        assert key in step.time_limits or key in step.also_towards, (
            f"{step.event_type.value} words {key} but does not work towards it"
        )
    assert not set(step.time_limits) & set(step.also_towards)


def test_each_time_limit_is_worded_for_the_family_by_one_step_at_most():
    worded = [key for s in STEPS.values() for key in s.family_limits]
    assert len(worded) == len(set(worded))
    for key in worded:
        step = workflow.step_meeting(key)
        assert step is not None and key in step.family_limits


def test_the_forms_and_the_api_take_the_same_details_for_each_step():
    from ehc_tracker.api.schemas import EVENT_DETAILS, EVENT_FIELDS, RECORDABLE_EVENTS
    from ehc_tracker.cases.forms import EVENT_FIELDS as PAGE_FIELDS
    from ehc_tracker.cases.forms import EventForm

    api_details = {f.name for f in EVENT_DETAILS}
    for step in STEPS.values():
        for name in step.fields:
            assert hasattr(EventForm, name), f"the step form has no field {name}"
            assert name in api_details, f"the API takes no detail {name}"
    assert EVENT_FIELDS == {t.value: s.fields for t, s in STEPS.items() if s.fields}
    assert PAGE_FIELDS == {name: list(fields) for name, fields in EVENT_FIELDS.items()}
    assert RECORDABLE_EVENTS == tuple(t.value for t in EventType if t is not EventType.REQUEST_RECEIVED)


def test_each_kind_of_case_has_its_steps_and_usual_path():
    assessment = {s.event_type for s in workflow.steps_for(CaseType.ASSESSMENT)}
    assert assessment == {s.event_type for s in workflow.steps_for(CaseType.REASSESSMENT)}
    assert EventType.REQUEST_RECEIVED not in assessment  # recorded when the case opens
    assert EventType.FINAL_PLAN_ISSUED in assessment and EventType.REVIEW_MEETING_HELD not in assessment
    review = {s.event_type for s in workflow.steps_for(CaseType.ANNUAL_REVIEW)}
    assert EventType.SCHOOL_CONSULTED in assessment & review
    assert [s.event_type for s in workflow.usual_path(CaseType.ASSESSMENT, transferred=False)] == [
        EventType.DECIDED_TO_ASSESS,
        EventType.DECIDED_TO_ISSUE,
        EventType.DRAFT_PLAN_ISSUED,
        EventType.FINAL_PLAN_ISSUED,
    ]
    transferred = [s.event_type for s in workflow.usual_path(CaseType.ANNUAL_REVIEW, transferred=True)]
    assert transferred[0] is EventType.TRANSFER_NOTICE_SENT
    assert transferred[1:] == [s.event_type for s in workflow.usual_path(CaseType.ANNUAL_REVIEW, transferred=False)]
