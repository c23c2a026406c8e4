"""The family's voice in figures: complaints by month and category against the target, and the
share of family feedback answers "satisfied" by month and by team.

Each figure is one grouped query (SUM over CASE by month), limited to the teams of the `Scope`
(a complaint counts in the team of its child when recorded; an answer in the team of its case when
the survey was offered). Months are date ranges [1st, 1st of the next month), so the same SQL runs
on SQLite and PostgreSQL. The managers' lists behind the figures read the same conditions
(services.complaints.complaint_conditions, services.feedback.answers), so they cannot disagree.

complaints received
    Complaints received in the month (at any stage: a complaint taken to stage 2 or the ombudsman
    is counted again at its new stage), by category; those about communication against the
    improvement plan's aim of fewer than COMPLAINTS_COMMUNICATION_MONTHLY_TARGET a month.
responses on time
    Of the complaints whose response fell due in the months shown (before the as-at date), those
    responded to on or before the day it was due.
open and overdue
    Complaints received on or before the as-at date with no response by it, and those of them
    whose response was due before it.
satisfied
    Of the surveys answered in the month, the share answered "satisfied" (the best answer offered:
    "satisfied or better"); also by team over the months shown, with the target
    FEEDBACK_SATISFIED_TARGET_PERCENT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from ...extensions import db
from ...models import Team
from ...models.voice import Complaint, ComplaintCategory, FamilySurvey, SurveyRating
from .scope import Scope, month_of, month_start, next_month


def _teams(scope: Scope, column: Any) -> Any:
    return column.in_(scope.team_ids) if scope.team_ids else column.is_(None)


def _in_month(column: Any, month_on: date) -> Any:
    return and_(column >= month_on, column < next_month(month_on))


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class ComplaintMonth:
    month_on: date
    counts: dict[ComplaintCategory, int]
    partial: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def communication(self) -> int:
        return self.counts[ComplaintCategory.COMMUNICATION]


@dataclass(frozen=True)
class ComplaintFigures:
    first_month: date
    last_month: date
    as_at: date
    months: list[ComplaintMonth]
    # Fewer complaints about communication than this a month is the aim.
    communication_target: int
    responses_due: int
    responses_on_time: int
    open_now: int
    overdue_now: int

    @property
    def categories(self) -> list[ComplaintCategory]:
        return list(ComplaintCategory)

    def total(self, category: ComplaintCategory | None = None) -> int:
        if category is None:
            return sum(m.total for m in self.months)
        return sum(m.counts[category] for m in self.months)

    def meets_target(self, month: ComplaintMonth) -> bool:
        return month.communication < self.communication_target

    @property
    def months_meeting_target(self) -> int:
        return sum(1 for m in self.months if self.meets_target(m))

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.responses_on_time / self.responses_due, 1) if self.responses_due else None

    @property
    def empty(self) -> bool:
        return not self.total() and not self.open_now and not self.responses_due


def complaint_figures(scope: Scope, months: Sequence[date], as_at: date) -> ComplaintFigures:
    months = sorted(months)
    start, end = months[0], next_month(months[-1])
    received = (
        select(
            Complaint.category,
            *[_sum(and_(_in_month(Complaint.received_on, m), Complaint.received_on <= as_at)) for m in months],
        )
        .where(_teams(scope, Complaint.team_id), Complaint.received_on >= start, Complaint.received_on < end)
        .group_by(Complaint.category)
    )
    counts = [dict.fromkeys(ComplaintCategory, 0) for _ in months]
    for category, *by_month in db.session.execute(received):
        for n, count in enumerate(by_month):
            counts[n][category] += int(count)
    due_in_months = and_(
        Complaint.response_due_on >= start, Complaint.response_due_on < end, Complaint.response_due_on < as_at
    )
    answered_by_due = and_(Complaint.responded_on.is_not(None), Complaint.responded_on <= Complaint.response_due_on)
    unanswered = and_(
        Complaint.received_on <= as_at, or_(Complaint.responded_on.is_(None), Complaint.responded_on > as_at)
    )
    due, on_time, open_now, overdue_now = db.session.execute(
        select(
            _sum(due_in_months),
            _sum(and_(due_in_months, answered_by_due)),
            _sum(unanswered),
            _sum(and_(unanswered, Complaint.response_due_on < as_at)),
        ).where(_teams(scope, Complaint.team_id))
    ).one()
    current = month_start(as_at)
    return ComplaintFigures(
        first_month=months[0],
        last_month=months[-1],
        as_at=as_at,
        months=[ComplaintMonth(m, counts[n], m == current) for n, m in enumerate(months)],
        communication_target=int(current_app.config["COMPLAINTS_COMMUNICATION_MONTHLY_TARGET"]),
        responses_due=int(due),
        responses_on_time=int(on_time),
        open_now=int(open_now),
        overdue_now=int(overdue_now),
    )


@dataclass(frozen=True)
class Satisfaction:
    answered: int
    satisfied: int
    partly: int
    not_satisfied: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.satisfied / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class FeedbackMonth:
    month_on: date
    figure: Satisfaction
    partial: bool


@dataclass(frozen=True)
class TeamSatisfaction:
    team_id: int
    name: str
    figure: Satisfaction


@dataclass(frozen=True)
class FeedbackFigures:
    first_month: date
    last_month: date
    as_at: date
    months: list[FeedbackMonth]
    by_team: list[TeamSatisfaction]
    overall: Satisfaction
    target_percent: int

    @property
    def empty(self) -> bool:
        return not self.overall.answered


def _satisfaction(row: Any) -> Satisfaction:
    answered, satisfied, partly, not_satisfied = (int(v) for v in row)
    return Satisfaction(answered, satisfied, partly, not_satisfied)


def feedback_figures(scope: Scope, months: Sequence[date], as_at: date) -> FeedbackFigures:
    """One query grouped by team, month and answer (a handful of rows), added up here: a
    column per month and answer made a statement PostgreSQL took longer to plan than to run."""
    months = sorted(months)
    start, end = months[0], next_month(months[-1])
    month = month_of(FamilySurvey.answered_on)
    rows = db.session.execute(
        select(Team.id, Team.name, month, FamilySurvey.rating, func.count())
        .join(FamilySurvey, FamilySurvey.team_id == Team.id)
        .where(
            _teams(scope, FamilySurvey.team_id),
            FamilySurvey.answered_on.is_not(None),
            FamilySurvey.answered_on >= start,
            FamilySurvey.answered_on < end,
            FamilySurvey.answered_on <= as_at,
        )
        .group_by(Team.id, Team.name, month, FamilySurvey.rating)
    ).all()
    order = (SurveyRating.SATISFIED, SurveyRating.PARTLY, SurveyRating.NOT_SATISFIED)

    def tally(chosen: Sequence[Any]) -> Satisfaction:
        by_rating = {rating: sum(int(r[4]) for r in chosen if r[3] == rating) for rating in order}
        return _satisfaction([sum(by_rating.values()), *(by_rating[rating] for rating in order)])

    def month_on(value: Any) -> date:
        return value if isinstance(value, date) else date.fromisoformat(str(value))

    overall = tally(rows)
    by_month = [tally([r for r in rows if month_on(r[2]) == m]) for m in months]
    names = sorted({(r[1], r[0]) for r in rows})
    teams = [(team_id, name, tally([r for r in rows if r[0] == team_id])) for name, team_id in names]
    current = month_start(as_at)
    return FeedbackFigures(
        first_month=months[0],
        last_month=months[-1],
        as_at=as_at,
        months=[FeedbackMonth(m, by_month[n], m == current) for n, m in enumerate(months)],
        by_team=[TeamSatisfaction(team_id, name, figures) for team_id, name, figures in teams],
        overall=overall,
        target_percent=int(current_app.config["FEEDBACK_SATISFIED_TARGET_PERCENT"]),
    )
