"""The demo's quality audits and decision-making panel: the frameworks, three months of samples
(graded, some moderated, one disagreement resolved, the latest month partly still to grade), a
target trajectory from 30 % to 75 %, a panel that met with its decisions recorded on the cases,
and the next panel with waiting cases on its agenda."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from ..extensions import db
from ..models import AuditSubject, ComplianceTarget, Grade, PanelQuestion, Team, User
from ..models.case import Case, CaseStatus, CaseType
from ..services import ServiceError, panels, quality
from ..services.quality import Answer

PLAN_FRAMEWORK = """# The child's voice
The child's and family's views, interests and aspirations are clear and in their own words
# Needs and outcomes
Needs in section B are specific and match the advice
Outcomes in section E are specific, measurable and time-bound
# Provision
Provision in section F is specified and quantified for every need
Health and social care provision (sections G and H) is included where the advice asks for it
"""
ADVICE_FRAMEWORK = """# Advice
The advice describes the child's needs clearly
The advice says what provision is needed and how much
The advice is written so that the family can understand it
"""
GRADE_WEIGHTS = ((Grade.OUTSTANDING, 2), (Grade.GOOD, 5), (Grade.REQUIRES_IMPROVEMENT, 3), (Grade.INADEQUATE, 1))


def _account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _grade(rng: random.Random) -> Grade:
    return rng.choices([g for g, _ in GRADE_WEIGHTS], weights=[w for _, w in GRADE_WEIGHTS])[0]


def seed_quality(*, today: date) -> None:
    admin, manager = _account("admin@example.org"), _account("manager@example.org")
    coordinator = _account("coordinator@example.org")
    team = db.session.scalar(select(Team).where(Team.name == "North Team"))
    if admin is None or manager is None or coordinator is None or team is None:
        return
    if quality.current_framework(AuditSubject.PLAN) is None:
        quality.publish_framework(AuditSubject.PLAN, "EHC plan quality audit", PLAN_FRAMEWORK, actor=admin)
        quality.publish_framework(AuditSubject.ADVICE, "Advice quality audit", ADVICE_FRAMEWORK, actor=admin)
    quality.set_auditor(coordinator, auditor=True, actor=manager)
    _trajectory(today, manager)
    _samples(team, manager, coordinator, today)
    _panels(team, manager, today)


def _trajectory(today: date, manager: User) -> None:
    """30 % in January rising to 75 % in December: the improvement plan's trajectory."""
    for month in range(1, 13):
        month_on = date(today.year, month, 1)
        if db.session.scalar(
            select(ComplianceTarget.id).where(
                ComplianceTarget.measure == "audits_good_or_better", ComplianceTarget.month_on == month_on
            )
        ):
            continue
        target = Decimal(30) + (Decimal(45) * (month - 1) / 11).quantize(Decimal("1"))
        db.session.add(
            ComplianceTarget(
                measure="audits_good_or_better", month_on=month_on, target_percent=target, set_by_id=manager.id
            )
        )


def _samples(team: Team, manager: User, coordinator: User, today: date) -> None:
    rng = random.Random(2026)
    second = next((u for u in quality.auditors_in(team.id) if u.id not in (manager.id, coordinator.id)), coordinator)
    first_of_month = today.replace(day=1)
    for back in (3, 2, 1):
        month_on = first_of_month - relativedelta(months=back)
        if quality.sample_for(team.id, month_on) is not None:
            continue
        sample = quality.draw_sample(team, month_on, percent=50, seed=2026 + back, actor=manager, today=today)
        for n, audit_ in enumerate(sample.audits):
            if back == 1 and n == len(sample.audits) - 1:
                quality.assign(audit_, auditor=coordinator, moderator=None, actor=manager)
                continue  # the latest month: some still to grade
            moderated = n % 3 == 0 and second.id != manager.id
            quality.assign(audit_, auditor=manager, moderator=second if moderated else None, actor=manager)
            overall = _grade(rng)
            answers = {q.id: Answer(overall if rng.random() < 0.7 else _grade(rng)) for q in audit_.framework.questions}
            actions = (
                "Quantify the provision in section F and link each outcome to it." if not overall.good_or_better else ""
            )
            quality.grade(
                audit_,
                answers=answers,
                overall=overall,
                comments="Graded against the framework at the monthly audit.",
                actions=actions,
                actor=manager,
                today=min(today, month_on + relativedelta(months=1, days=5)),
            )
            if moderated:
                other = overall if n % 2 == 0 else Grade.REQUIRES_IMPROVEMENT
                quality.moderate(
                    audit_,
                    answers={q.id: Answer(other) for q in audit_.framework.questions},
                    overall=other,
                    comments="Moderated",
                    actor=second,
                    today=min(today, month_on + relativedelta(months=1, days=8)),
                )
                if audit_.final_grade is None:
                    quality.resolve(
                        audit_,
                        final=other,
                        note="Discussed at the moderation meeting: the outcomes are not measurable.",
                        actor=manager,
                        today=min(today, month_on + relativedelta(months=1, days=10)),
                    )


def _waiting(team: Team) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case)
            .where(
                Case.team_id == team.id,
                Case.status == CaseStatus.OPEN,
                Case.case_type == CaseType.ASSESSMENT,
            )
            .order_by(Case.anchor_on.desc())
        )
    )


def _panels(team: Team, manager: User, today: date) -> None:
    if panels.panels_for(manager):
        return
    met_on = today - timedelta(days=(today.weekday() - 3) % 7 or 7)  # the last Thursday before today
    next_on = met_on + timedelta(days=14)
    past = panels.create_panel(team, met_on, location="Room 2, Town Hall", chair="Head of SEND", actor=manager)
    coming = panels.create_panel(team, next_on, location="Room 2, Town Hall", chair="Head of SEND", actor=manager)
    for panel in (past, coming):
        for name, agency in (
            ("Dr Priya Patel", "Designated clinical officer (health)"),
            ("Sam Lee", "Educational psychology"),
            ("Jo Green", "Children's social care"),
            ("Head of SEND", "SEND service (chair)"),
        ):
            panels.add_member(panel, name, agency, actor=manager)
    waiting = [
        c for c in _waiting(team) if any(m.key == "decision_to_assess" and m.met_on is None for m in c.milestones)
    ]
    decided = [c for c in waiting if c.anchor_on <= met_on][:3]
    for case in decided:
        item = panels.add_item(past, case, PanelQuestion.REQUEST_TO_ASSESS, actor=manager)
        panels.set_papers(item, [d.id for d in panels.papers_available(item)][:2], actor=manager)
        try:
            panels.decide(
                item, "decided_to_assess", note="Evidence of needs that may require a plan.", actor=manager, today=today
            )
        except ServiceError:
            pass
    panels.record_attendance(past, [m.id for m in past.members][:3], actor=manager, today=today)
    for case in [c for c in waiting if c not in decided][:4]:
        panels.add_item(coming, case, PanelQuestion.REQUEST_TO_ASSESS, actor=manager)
    issuing = [
        c
        for c in _waiting(team)
        if any(m.key == "decision_not_to_issue" and m.met_on is None for m in c.milestones) and c.events
    ]
    for case in issuing[:2]:
        if any(e.event_type.value == "decided_to_assess" for e in case.events):
            panels.add_item(coming, case, PanelQuestion.DECISION_TO_ISSUE, actor=manager)
