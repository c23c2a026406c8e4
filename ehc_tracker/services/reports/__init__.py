"""Oversight for managers and the Head of Service: what is overdue and who holds it, and how
compliance with the statutory time limits moves month by month against the targets managers set.

Every figure is counted by the database (COUNT, or SUM over CASE), never by loading cases into
Python. Months are date ranges, [1st of the month, 1st of the next month), so the same SQL runs
on SQLite and PostgreSQL. The lists behind the figures (the drill-downs) are built from the same
conditions as the figures, so a figure and its list cannot disagree.

A milestone is *on time* when it was met on or before its due date (met_on <= due_on). Every
figure is limited to the cases of the teams asked for (`Scope`).

The package keeps one module per part: `scope` (who may see what, the teams asked for, months),
`rows` (the rows the lists show), `overdue` (the overdue and due-soon list), `measures` (the
monthly measures, advice breakdowns and drill-downs), `workload` (open work), `targets`,
`dashboard` (the headline and the monthly report), `disputes` (mediation and appeals) and
`figure_store` (the monthly measures and advice breakdowns kept as rows per team and month,
which the measures read for every month that ended before the as-at date).
Callers import the names from the package.

Monthly measures (docs/statutory-timescales.md, "Compliance figures")
-----------------------------------------------------------------------
Measures of work *done in the month* count milestones met in the calendar month (and on or
before the as-at date), whatever has happened to the case since (a decision made before a
request was withdrawn still counts):

final_plan_20_weeks
    New EHC plans issued in the month: `final_plan` milestones (request + 20 weeks, reg 13(2))
    met in the month; % issued on or before the due date. A plan issued on 1 February that was
    due on 31 January counts, late, in February. Plans issued after a reassessment
    (`final_plan_after_reassessment`) are not new plans and are not counted. Shown *including*
    exceptions (every plan) and *excluding* exceptions (plans whose milestone is marked
    "exception applies" under reg 13(3) are removed from both the count and the on-time
    count); the headline is the figure excluding exceptions.
decision_6_weeks
    Decisions whether to assess made in the month: `decision_to_assess` (request + 6 weeks,
    reg 4(1) and 5(1)) met in the month, by a decision either way; % on time.
advice_6_weeks
    Advice received in the month: `advice_due` (advice requested + 6 weeks, reg 8(1)) met in
    the month; % on time; also by advice type and by provider over the months shown.

Measures of work *due in the month* count milestones whose due date fell in the calendar month
and before the as-at date (one due on the as-at date is not late yet). Each counts as on time
if met by its due date, otherwise as late, whether it was met late or is still outstanding.
An outstanding milestone of a case that was closed or withdrawn on or before its due date is
not counted: the duty ended with the case before it fell due.

review_decision_4_weeks
    `review_decision_due`: the review decision notified within 4 weeks of the meeting
    (reg 20(10)).
amended_plan_12_weeks
    `amended_plan_due`: the amended plan issued within 12 weeks of the meeting (reg 22(3),
    R (L, M & P) v Devon CC [2022]).
response_5_days
    `response_due`: a response within 5 working days of each communication (local standard).
dispute_duties_on_time
    Every limb of what the council must do after a tribunal's order (reg 44), after telling the
    tribunal it will not oppose an appeal (reg 45) or under a mediation agreement (reg 42(2)-(3)):
    the `order_*`, `unopposed_*` and `mediation_agreement_*` milestones (not the commissioning
    body's notice to the council, reg 42(4)).

Disputes (mediation and appeals) are counted by `disputes`, and complaints and family feedback
by `voice`: see their docstrings.

Open work at the as-at date (cases open now)
--------------------------------------------
overdue
    Milestones not met, not a period that closes, due before the as-at date, of an open case;
    counted by milestone key. The overdue list shows exactly these. Both read the milestones'
    own copies of their case's team, coordinator and status (`Scope.step_conditions`, kept in
    step by services.open_steps), so a team's open steps are one range of a partial index and
    the cases are joined only for what else of them a list shows or filters by.
longest open assessment
    Of the open assessments and reassessments started on or before the as-at date, the
    oldest: whole weeks from the request (or reassessment notice) to the as-at date.
backlog
    Open EHC needs assessments whose request was received more than 20 weeks before the
    as-at date (the final plan is overdue).
no review in 12 months
    Open annual reviews whose `review_due` (or `transfer_in_review_due`) is overdue.
caseload
    Open cases started on or before the as-at date, by coordinator.
"""

from __future__ import annotations

from ...statutory.status import DEFAULT_DUE_SOON_DAYS
from . import figure_store  # noqa: F401  (keeps the stored figures in step: see its docstring)
from .dashboard import (
    PUBLISHED_NATIONAL,
    Headline,
    HeadlinePeriod,
    MonthlyLine,
    NationalAverage,
    PublishedFigure,
    headline,
    monthly_report,
    national_average,
)
from .disputes import (
    DRILL_OUTCOMES,
    FIGURE_TITLES,
    MONTHLY_FIGURES,
    OUTCOME_LABELS,
    DisputeDrillDown,
    DisputeFigures,
    dispute_figures,
    dispute_ids,
)
from .measures import (
    MEASURE_BY_KEY,
    MEASURES,
    Basis,
    BreakdownRow,
    DrillDown,
    Figure,
    Measure,
    MeasureSeries,
    MonthFigures,
    Outcome,
    advice_breakdown,
    advice_breakdowns,
    drilldown_ids,
    measure_conditions,
    monthly_figures,
    targets_for,
)
from .overdue import (
    OverdueFilters,
    OverdueSort,
    Show,
    open_milestone_conditions,
    overdue_ids,
    overdue_rows,
)
from .rows import (
    CaseRow,
    MilestoneRow,
    case_rows,
    milestone_rows,
    page_of_ids,
)
from .scope import (
    ASSESSMENT_TYPES,
    FINAL_PLAN_WEEKS,
    NAME_ROLES,
    REPORT_ROLES,
    REVIEW_KEYS,
    Scope,
    can_see_child_names,
    coordinator_in_scope,
    month_start,
    months_ending,
    next_month,
    parse_month,
    scope_for,
)
from .targets import (
    MonthTarget,
    all_targets,
    grid_field,
    save_year_targets,
    set_target,
    year_targets,
)
from .voice import (
    ComplaintFigures,
    ComplaintMonth,
    FeedbackFigures,
    FeedbackMonth,
    Satisfaction,
    TeamSatisfaction,
    complaint_figures,
    feedback_figures,
)
from .workload import (
    WORKLOAD_TITLES,
    CaseloadCount,
    OverdueCount,
    Workload,
    WorkloadList,
    workload,
    workload_ids,
)

__all__ = [
    "ASSESSMENT_TYPES",
    "Basis",
    "BreakdownRow",
    "CaseRow",
    "CaseloadCount",
    "ComplaintFigures",
    "ComplaintMonth",
    "FeedbackFigures",
    "FeedbackMonth",
    "Satisfaction",
    "TeamSatisfaction",
    "complaint_figures",
    "feedback_figures",
    "DEFAULT_DUE_SOON_DAYS",
    "DRILL_OUTCOMES",
    "DisputeDrillDown",
    "DisputeFigures",
    "FIGURE_TITLES",
    "DrillDown",
    "FINAL_PLAN_WEEKS",
    "Figure",
    "Headline",
    "HeadlinePeriod",
    "MEASURES",
    "MEASURE_BY_KEY",
    "MONTHLY_FIGURES",
    "OUTCOME_LABELS",
    "Measure",
    "MeasureSeries",
    "MilestoneRow",
    "MonthFigures",
    "MonthTarget",
    "MonthlyLine",
    "NAME_ROLES",
    "NationalAverage",
    "Outcome",
    "OverdueCount",
    "OverdueFilters",
    "OverdueSort",
    "PUBLISHED_NATIONAL",
    "PublishedFigure",
    "REPORT_ROLES",
    "REVIEW_KEYS",
    "Scope",
    "Show",
    "WORKLOAD_TITLES",
    "Workload",
    "WorkloadList",
    "advice_breakdown",
    "advice_breakdowns",
    "all_targets",
    "can_see_child_names",
    "case_rows",
    "coordinator_in_scope",
    "dispute_figures",
    "dispute_ids",
    "drilldown_ids",
    "grid_field",
    "headline",
    "measure_conditions",
    "milestone_rows",
    "month_start",
    "monthly_figures",
    "monthly_report",
    "months_ending",
    "national_average",
    "next_month",
    "open_milestone_conditions",
    "overdue_ids",
    "overdue_rows",
    "page_of_ids",
    "parse_month",
    "save_year_targets",
    "scope_for",
    "set_target",
    "targets_for",
    "workload",
    "workload_ids",
    "year_targets",
]
