"""A milestone's copy of its case's team, coordinator and "case is open", kept in step.

The overdue list, the open-work counts and the home pages ask for the steps still to take of a
team's (or a coordinator's) open cases. Each milestone carries `team_id`, `coordinator_id` and
`case_open` so that those lists are one range of a partial index on the milestones
(`ix_milestones_open_team_due`, `ix_milestones_open_coordinator_due`) rather than a walk over
the team's open cases.

The copies are kept here, once, whatever code changes a case, by listening to every session:

- a milestone takes its case's values when it is inserted (or moved to another case);
- when a case's team, coordinator or status changes, one UPDATE in the same flush sets its
  milestones' copies from the case, and the milestones already in the session are given the
  same values, so that nothing read afterwards in the session is stale.

Code that writes cases or milestones without the ORM must fill the copies itself (the large
demo data set does). `mismatches()` counts the milestones out of step and `resync()` puts them
right.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, event, false, func, or_, select, true, update
from sqlalchemy.orm import Mapper, Session, attributes
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from ..models.case import Case, CaseStatus, Milestone

# The case attributes the copies follow (the relationships too: a case given a team or a
# coordinator by object has its foreign key set only during the flush).
_FOLLOWED = ("team_id", "team", "coordinator_id", "coordinator", "status")
_milestones = Milestone.__table__
_cases = Case.__table__


def _case_is_open(status: Any) -> bool:
    return status is CaseStatus.OPEN or status == CaseStatus.OPEN.value


def _values_of(case: Case) -> dict[str, Any]:
    return {"team_id": case.team_id, "coordinator_id": case.coordinator_id, "case_open": _case_is_open(case.status)}


def _case_values(connection: Connection, milestone: Milestone) -> dict[str, Any] | None:
    """The case's values as the flush has written them so far (cases are written before their
    milestones): from the case object when the session holds it, else from the database."""
    case = milestone.__dict__.get("case")
    if case is None and milestone.case_id is not None:
        session = attributes.instance_state(milestone).session
        if session is not None:
            case = session.identity_map.get(identity_key(Case, milestone.case_id))
    if case is not None and case.team_id is not None:
        return _values_of(case)
    case_id = case.id if case is not None else milestone.case_id
    if case_id is None:
        return None
    row = connection.execute(
        select(_cases.c.team_id, _cases.c.coordinator_id, _cases.c.status).where(_cases.c.id == case_id)
    ).one_or_none()
    if row is None:
        return None
    return {"team_id": row.team_id, "coordinator_id": row.coordinator_id, "case_open": _case_is_open(row.status)}


def _fill(connection: Connection, milestone: Milestone) -> None:
    found = _case_values(connection, milestone)
    if found is not None:
        for name, value in found.items():
            setattr(milestone, name, value)


@event.listens_for(Milestone, "before_insert")
def _new_milestone(mapper: Mapper[Any], connection: Connection, target: Milestone) -> None:
    _fill(connection, target)


@event.listens_for(Milestone, "before_update")
def _moved_milestone(mapper: Mapper[Any], connection: Connection, target: Milestone) -> None:
    state = attributes.instance_state(target)
    if state.attrs.case_id.history.has_changes() or state.attrs.case.history.has_changes():
        _fill(connection, target)


def _changed_cases(session: Session) -> list[Case]:
    """The cases of this flush whose team, coordinator or status changed (new cases have no
    milestones in the database yet: theirs take the values when inserted)."""
    found = []
    for obj in session.dirty:
        if isinstance(obj, Case):
            state = attributes.instance_state(obj)
            if any(state.attrs[name].history.has_changes() for name in _FOLLOWED):
                found.append(obj)
    return found


@event.listens_for(Session, "after_flush")
def _follow_cases(session: Session, flush_context: object) -> None:
    changed = {case.id: _values_of(case) for case in _changed_cases(session) if case.id is not None}
    if not changed:
        return
    session.connection().execute(_correct(_milestones.c.case_id.in_(list(changed))))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Milestone) and obj.case_id in changed:
            for name, value in changed[obj.case_id].items():
                attributes.set_committed_value(obj, name, value)


# --- Reading -----------------------------------------------------------------------------------


def open_step() -> list[ColumnElement[bool]]:
    """A step still to take (not met, not a period that closes) of an open case: the WHERE of
    the partial indexes, written so that each database matches the query to them."""
    return [Milestone.met_on.is_(None), Milestone.is_period == false(), Milestone.case_open == true()]


# --- Checking and putting right -----------------------------------------------------------------


def _from_case(column: str) -> Any:
    return select(_cases.c[column]).where(_cases.c.id == _milestones.c.case_id).scalar_subquery()


def _open_from_case() -> Any:
    return (
        select(_cases.c.status == CaseStatus.OPEN.value).where(_cases.c.id == _milestones.c.case_id).scalar_subquery()
    )


def _correct(where: ColumnElement[bool]) -> Any:
    """An UPDATE setting the copies of the milestones `where` from their cases."""
    return (
        update(_milestones)
        .where(where)
        .values(team_id=_from_case("team_id"), coordinator_id=_from_case("coordinator_id"), case_open=_open_from_case())
    )


def _out_of_step() -> ColumnElement[bool]:
    """A milestone whose copies differ from its case's (correlated with `milestones`)."""
    case_open = _cases.c.status == CaseStatus.OPEN.value
    differs = or_(
        _cases.c.team_id != _milestones.c.team_id,
        _cases.c.coordinator_id.is_distinct_from(_milestones.c.coordinator_id),
        _milestones.c.case_open.is_distinct_from(case_open),
    )
    return select(_cases.c.id).where(_cases.c.id == _milestones.c.case_id, differs).exists()


def mismatches() -> int:
    """How many milestones carry a team, coordinator or "case is open" other than their case's."""
    return int(db.session.scalar(select(func.count()).select_from(_milestones).where(_out_of_step())) or 0)


def resync() -> int:
    """Set every milestone's copies from its case where they differ; how many rows changed.

    The caller commits. Milestones held in the session are expired, to be read again.
    """
    changed = db.session.execute(_correct(_out_of_step())).rowcount  # type: ignore[attr-defined]
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Milestone):
            db.session.expire(obj, ["team_id", "coordinator_id", "case_open"])
    return int(changed or 0)
