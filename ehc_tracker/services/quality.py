"""Quality assurance of plans and advice returns.

- An administrator publishes the audit framework: sections and questions, each graded on the
  four-point scale (outstanding, good, requires improvement, inadequate) with a free comment.
  A published version is never changed; the next one gets the next number, and every audit keeps
  the version it was graded against.
- Each month a manager draws a team's sample: a percentage (or a number) of the plans issued or
  amended in the month, drawn at random with a seed that is kept, so the same seed over the same
  plans draws the same sample. A manager may add any other plan or advice return to it.
- An auditor (a manager, or a coordinator a manager named) grades each question and the whole.
  With a moderator named, a second auditor grades it too: the same overall grade completes the
  audit; a different one is a disagreement, which a manager resolves with a recorded note.
- The coordinator of the case sees the audit and its actions on the case and their worklist, and
  says when the actions are done.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, or_, select

from .. import access
from ..extensions import db
from ..models import Team, User
from ..models.case import AdviceRequest, Case, CaseEvent, EventType
from ..models.quality import (
    AuditAnswer,
    AuditFramework,
    AuditQuestion,
    AuditSample,
    AuditStatus,
    AuditSubject,
    Grade,
    QualityAudit,
)
from . import Forbidden, ServiceError, audit
from .reports.scope import month_start, next_month

PLAN_EVENTS = (EventType.FINAL_PLAN_ISSUED, EventType.AMENDED_PLAN_ISSUED)


# --- The framework ------------------------------------------------------------------------------


def parse_framework(text: str) -> list[tuple[str, str]]:
    """The (section, question) pairs of a framework typed as text: a line starting with '#' names
    a section, and every other line that is not blank is a question of the section above it."""
    section = ""
    found: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            section = line.lstrip("#").strip()
            continue
        if not section:
            raise ServiceError("Start with a section heading: a line beginning with #", field="questions")
        found.append((section, line))
    if not found:
        raise ServiceError("Enter at least one question", field="questions")
    return found


def framework_text(framework: AuditFramework | None) -> str:
    """A framework as the text `parse_framework` reads (to start the next version from)."""
    if framework is None:
        return ""
    lines: list[str] = []
    for section, questions in framework.sections:
        lines.append(f"# {section}")
        lines.extend(q.text for q in questions)
        lines.append("")
    return "\n".join(lines).strip()


def publish_framework(subject: AuditSubject, name: str, text: str, *, actor: User) -> AuditFramework:
    if not actor.has_role(*access.AUDIT_FRAMEWORK_EDITORS):
        raise Forbidden("Only administrators publish the audit framework")
    name = name.strip()
    if not name:
        raise ServiceError("Enter the framework's name", field="name")
    pairs = parse_framework(text)
    latest = current_framework(subject)
    framework = AuditFramework(
        subject=subject, version=(latest.version + 1) if latest else 1, name=name, created_by_id=actor.id
    )
    framework.questions = [
        AuditQuestion(position=n, section=section[:200], text=question) for n, (section, question) in enumerate(pairs)
    ]
    db.session.add(framework)
    db.session.flush()
    audit.record(
        actor,
        "audit_framework_published",
        "audit_framework",
        framework.id,
        f"Published version {framework.version} of the {subject.label.lower()} audit framework ({len(pairs)} questions)",
        {"subject": subject.value, "version": framework.version},
    )
    return framework


def current_framework(subject: AuditSubject) -> AuditFramework | None:
    return db.session.scalar(
        select(AuditFramework).where(AuditFramework.subject == subject).order_by(AuditFramework.version.desc()).limit(1)
    )


def frameworks() -> list[AuditFramework]:
    return list(
        db.session.scalars(select(AuditFramework).order_by(AuditFramework.subject, AuditFramework.version.desc()))
    )


def _framework_for(subject: AuditSubject) -> AuditFramework:
    framework = current_framework(subject)
    if framework is None:
        raise ServiceError(f"An administrator must publish the {subject.label.lower()} audit framework first")
    return framework


# --- The monthly sample ---------------------------------------------------------------------------


def plans_issued_in(team_id: int, month_on: date) -> list[CaseEvent]:
    """The plans a team issued or amended in the month: each final or amended plan recorded on
    its cases, in the order they were recorded."""
    return list(
        db.session.scalars(
            select(CaseEvent)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(
                Case.team_id == team_id,
                CaseEvent.event_type.in_(PLAN_EVENTS),
                CaseEvent.occurred_on >= month_start(month_on),
                CaseEvent.occurred_on < next_month(month_start(month_on)),
            )
            .order_by(CaseEvent.id)
        )
    )


def sample_size(population: int, *, percent: int | None, count: int | None) -> int:
    """How many of `population` plans to draw: the percentage rounded up (so any plans at all
    give at least one), or the number asked for, never more than there are."""
    if percent is not None:
        return min(population, math.ceil(population * percent / 100))
    return min(population, count or 0)


def choose(population: Sequence[int], size: int, seed: int) -> list[int]:
    """The ids drawn: the same seed over the same ids always draws the same ones."""
    return sorted(random.Random(seed).sample(sorted(population), size))


def draw_sample(
    team: Team,
    month_on: date,
    *,
    percent: int | None = None,
    count: int | None = None,
    seed: int | None = None,
    actor: User,
    today: date,
) -> AuditSample:
    """Draw the team's sample for a month that has ended, once."""
    if not access.can_manage(actor) or team.id not in actor.team_ids:
        raise Forbidden("Only a manager of the team draws its sample")
    month_on = month_start(month_on)
    if next_month(month_on) > today:
        raise ServiceError("Draw a month's sample once the month has ended", field="month")
    if (percent is None) == (count is None):
        raise ServiceError("Enter either a percentage or a number of plans", field="percent")
    if percent is not None and not 1 <= percent <= 100:
        raise ServiceError("The percentage must be between 1 and 100", field="percent")
    if count is not None and count < 1:
        raise ServiceError("The number of plans must be 1 or more", field="count")
    if sample_for(team.id, month_on) is not None:
        raise ServiceError(f"{team.name}'s sample for {month_on:%B %Y} is already drawn", field="month")
    framework = _framework_for(AuditSubject.PLAN)
    events = {e.id: e for e in plans_issued_in(team.id, month_on)}
    seed = seed if seed is not None else secrets.randbelow(2**31)
    chosen = choose(list(events), sample_size(len(events), percent=percent, count=count), seed)
    sample = AuditSample(
        team_id=team.id,
        month_on=month_on,
        percent=percent,
        count=count,
        seed=seed,
        population=len(events),
        drawn_by_id=actor.id,
    )
    db.session.add(sample)
    for event_id in chosen:
        event = events[event_id]
        sample.audits.append(_plan_audit(event, framework, month_on))
    db.session.flush()
    audit.record(
        actor,
        "audit_sample_drawn",
        "audit_sample",
        sample.id,
        f"Drew {len(chosen)} of {len(events)} plans for {team.name}'s {month_on:%B %Y} audit sample",
        {"team_id": team.id, "month": month_on.isoformat(), "seed": seed, "percent": percent, "count": count},
    )
    return sample


def _plan_audit(event: CaseEvent, framework: AuditFramework, month_on: date) -> QualityAudit:
    return QualityAudit(
        month_on=month_on,
        subject=AuditSubject.PLAN,
        case_id=event.case_id,
        plan_id=event.case.plan_id,
        event_id=event.id,
        framework_id=framework.id,
    )


def sample_for(team_id: int, month_on: date) -> AuditSample | None:
    return db.session.scalar(
        select(AuditSample).where(AuditSample.team_id == team_id, AuditSample.month_on == month_start(month_on))
    )


def samples_for(user: User) -> list[AuditSample]:
    return list(
        db.session.scalars(
            select(AuditSample)
            .where(AuditSample.team_id.in_(user.team_ids or {0}))
            .order_by(AuditSample.month_on.desc(), AuditSample.team_id)
        )
    )


def _require_manager_of(sample: AuditSample, actor: User) -> None:
    if not access.can_manage(actor) or sample.team_id not in actor.team_ids:
        raise Forbidden("Only a manager of the team changes its sample")


def add_plan(sample: AuditSample, case: Case, *, actor: User) -> QualityAudit:
    """A manager adds a case's latest plan (issued or amended) to the sample."""
    _require_manager_of(sample, actor)
    if case.team_id != sample.team_id:
        raise ServiceError("That case is not one of the team's", field="case_id")
    events = [e for e in case.events if e.event_type in PLAN_EVENTS]
    if not events:
        raise ServiceError(f"Case {case.id} has no plan issued or amended", field="case_id")
    event = events[-1]
    if any(a.event_id == event.id for a in sample.audits):
        raise ServiceError("That plan is already in the sample", field="case_id")
    found = _plan_audit(event, _framework_for(AuditSubject.PLAN), sample.month_on)
    found.added_by_manager = True
    sample.audits.append(found)
    db.session.flush()
    audit.record(
        actor, "audit_added", "quality_audit", found.id, f"Added case {case.id}'s plan to the audit sample", None
    )
    return found


def add_advice(sample: AuditSample, advice: AdviceRequest, *, actor: User) -> QualityAudit:
    """A manager adds an advice return (advice received) to the sample."""
    _require_manager_of(sample, actor)
    if advice.case.team_id != sample.team_id:
        raise ServiceError("That advice is not for one of the team's cases", field="advice_request_id")
    if advice.received_on is None:
        raise ServiceError("That advice has not been received yet", field="advice_request_id")
    if any(a.advice_request_id == advice.id for a in sample.audits):
        raise ServiceError("That advice is already in the sample", field="advice_request_id")
    found = QualityAudit(
        month_on=sample.month_on,
        subject=AuditSubject.ADVICE,
        case_id=advice.case_id,
        advice_request_id=advice.id,
        framework_id=_framework_for(AuditSubject.ADVICE).id,
        added_by_manager=True,
    )
    sample.audits.append(found)
    db.session.flush()
    audit.record(
        actor,
        "audit_added",
        "quality_audit",
        found.id,
        f"Added advice {advice.id} on case {advice.case_id} to the audit sample",
        None,
    )
    return found


def auditors_in(team_id: int) -> list[User]:
    team = db.session.get(Team, team_id)
    return [u for u in (team.members if team else []) if access.can_audit(u)]


def assign(audit_: QualityAudit, *, auditor: User | None, moderator: User | None, actor: User) -> None:
    """A manager names who grades the audit and, for moderation, who grades it a second time."""
    team_id = audit_.case.team_id
    if not access.can_manage(actor) or team_id not in actor.team_ids:
        raise Forbidden("Only a manager of the team assigns audits")
    if audit_.status is AuditStatus.COMPLETE:
        raise ServiceError("This audit is complete")
    for person, field in ((auditor, "auditor_id"), (moderator, "moderator_id")):
        if person is not None and not access.can_audit_in(person, team_id):
            raise ServiceError(f"{person.name} is not an auditor of the team", field=field)
    if auditor is not None and moderator is not None and auditor.id == moderator.id:
        raise ServiceError("The moderator must be a second auditor", field="moderator_id")
    if audit_.grade is not None and auditor is not None and auditor.id != audit_.auditor_id:
        raise ServiceError("The audit is graded: its auditor stays", field="auditor_id")
    audit_.auditor_id = auditor.id if auditor else audit_.auditor_id
    audit_.moderator_id = moderator.id if moderator else None
    if audit_.grade is not None and moderator is not None and audit_.moderator_grade is None:
        audit_.status = AuditStatus.AWAITING_MODERATION
    db.session.flush()
    audit.record(
        actor,
        "audit_assigned",
        "quality_audit",
        audit_.id,
        f"Assigned audit {audit_.id}"
        + (f" to {auditor.name}" if auditor else "")
        + (f", moderated by {moderator.name}" if moderator else ""),
        {"auditor_id": audit_.auditor_id, "moderator_id": audit_.moderator_id},
    )


@dataclass(frozen=True)
class Answer:
    grade: Grade | None
    comment: str = ""


def _store_answers(audit_: QualityAudit, role: str, answers: Mapping[int, Answer]) -> None:
    questions = audit_.framework.questions
    missing = [q for q in questions if answers.get(q.id) is None or answers[q.id].grade is None]
    if missing:
        raise ServiceError(f"Grade every question (“{missing[0].text}” has no grade)", field=f"q{missing[0].id}")
    for q in questions:
        given = answers[q.id]
        assert given.grade is not None
        audit_.answers.append(
            AuditAnswer(question_id=q.id, role=role, grade=given.grade, comment=given.comment.strip() or None)
        )


def grade(
    audit_: QualityAudit,
    *,
    answers: Mapping[int, Answer],
    overall: Grade | None,
    comments: str,
    actions: str,
    actor: User,
    today: date,
) -> None:
    """The auditor grades each question and the whole, and says what the coordinator should do."""
    if not access.can_audit_in(actor, audit_.case.team_id):
        raise Forbidden("Only an auditor of the team grades its audits")
    if audit_.auditor_id is not None and audit_.auditor_id != actor.id:
        raise Forbidden("This audit is assigned to someone else")
    if audit_.moderator_id == actor.id:
        raise ServiceError("You are this audit's moderator: a second auditor grades it first")
    if audit_.grade is not None:
        raise ServiceError("This audit is already graded")
    if overall is None:
        raise ServiceError("Select the overall grade", field="overall")
    _store_answers(audit_, "auditor", answers)
    audit_.auditor_id = actor.id
    audit_.grade = overall
    audit_.comments = comments.strip() or None
    audit_.actions = actions.strip() or None
    audit_.graded_on = today
    if audit_.moderator_id is None:
        _complete(audit_, overall, today)
    else:
        audit_.status = AuditStatus.AWAITING_MODERATION
    db.session.flush()
    audit.record(
        actor,
        "audit_graded",
        "quality_audit",
        audit_.id,
        f"Graded audit {audit_.id} of case {audit_.case_id}: {overall.label}",
        {"grade": overall.value, "case_id": audit_.case_id},
    )


def _complete(audit_: QualityAudit, final: Grade, today: date) -> None:
    audit_.final_grade = final
    audit_.completed_on = today
    audit_.status = AuditStatus.COMPLETE


def moderate(
    audit_: QualityAudit,
    *,
    answers: Mapping[int, Answer],
    overall: Grade | None,
    comments: str,
    actor: User,
    today: date,
) -> None:
    """The moderator grades the same plan without changing the auditor's grades: agreeing on the
    overall grade completes the audit, disagreeing leaves it for a manager to resolve."""
    if audit_.status is not AuditStatus.AWAITING_MODERATION:
        raise ServiceError("This audit is not waiting for moderation")
    if actor.id != audit_.moderator_id or not access.can_audit_in(actor, audit_.case.team_id):
        raise Forbidden("Only the audit's moderator moderates it")
    if overall is None:
        raise ServiceError("Select the overall grade", field="overall")
    _store_answers(audit_, "moderator", answers)
    audit_.moderator_grade = overall
    audit_.moderator_comments = comments.strip() or None
    audit_.moderated_on = today
    agreed = overall is audit_.grade
    if agreed:
        assert audit_.grade is not None
        _complete(audit_, audit_.grade, today)
    else:
        audit_.status = AuditStatus.DISAGREED
    db.session.flush()
    audit.record(
        actor,
        "audit_moderated",
        "quality_audit",
        audit_.id,
        f"Moderated audit {audit_.id}: {overall.label} ("
        + ("agrees" if agreed else f"the auditor said {audit_.grade.label if audit_.grade else '-'}")
        + ")",
        {"moderator_grade": overall.value, "auditor_grade": audit_.grade.value if audit_.grade else None},
    )


def resolve(audit_: QualityAudit, *, final: Grade | None, note: str, actor: User, today: date) -> None:
    """A manager settles a disagreement between auditor and moderator, saying why."""
    if not access.can_manage(actor) or audit_.case.team_id not in actor.team_ids:
        raise Forbidden("Only a manager of the team resolves a disagreement")
    if audit_.status is not AuditStatus.DISAGREED:
        raise ServiceError("Only a disagreement between auditor and moderator is resolved")
    if final is None:
        raise ServiceError("Select the grade agreed", field="final")
    if not note.strip():
        raise ServiceError("Say how the disagreement was resolved", field="note")
    audit_.resolved_by_id = actor.id
    audit_.resolution_note = note.strip()
    _complete(audit_, final, today)
    db.session.flush()
    audit.record(
        actor,
        "audit_resolved",
        "quality_audit",
        audit_.id,
        f"Resolved the moderation of audit {audit_.id}: {final.label}",
        {"final_grade": final.value, "note": audit_.resolution_note},
    )


def actions_done(audit_: QualityAudit, *, actor: User, today: date) -> None:
    """The coordinator (or a manager) says the audit's actions are done."""
    if not access.can_edit_case(actor, audit_.case):
        raise Forbidden("Only whoever holds the case says its audit actions are done")
    if audit_.status is not AuditStatus.COMPLETE or not audit_.actions:
        raise ServiceError("This audit has no actions to do")
    if audit_.actions_done_on is not None:
        raise ServiceError("The actions are already marked done")
    audit_.actions_done_on = today
    db.session.flush()
    audit.record(actor, "audit_actions_done", "quality_audit", audit_.id, f"Actions of audit {audit_.id} done", None)


def set_auditor(person: User, *, auditor: bool, actor: User) -> None:
    """A manager names a coordinator of their teams as an auditor, or stops."""
    if not access.can_manage(actor) or not (person.team_ids & actor.team_ids):
        raise Forbidden("Only a manager of the person's team names auditors")
    if not access.is_staff_editor(person) or access.can_manage(person):
        raise ServiceError("Only coordinators are named as auditors; managers audit anyway")
    if person.auditor == auditor:
        return
    person.auditor = auditor
    db.session.flush()
    audit.record(
        actor,
        "auditor_named" if auditor else "auditor_removed",
        "user",
        person.id,
        f"{'Named' if auditor else 'Stopped'} {person.name} as an auditor",
        None,
    )


# --- Lists ---------------------------------------------------------------------------------------


def audits_of_case(case: Case) -> list[QualityAudit]:
    return list(
        db.session.scalars(select(QualityAudit).where(QualityAudit.case_id == case.id).order_by(QualityAudit.id))
    )


def to_do_for(user: User) -> list[QualityAudit]:
    """The audits waiting for the user: to grade (theirs, or unassigned in their teams when they
    audit), to moderate, and, for a manager, disagreements to resolve."""
    if not access.can_audit(user):
        return []
    teams = user.team_ids or {0}
    mine: list[ColumnElement[bool]] = [
        (QualityAudit.status == AuditStatus.TO_DO)
        & or_(QualityAudit.auditor_id == user.id, QualityAudit.auditor_id.is_(None)),
        (QualityAudit.status == AuditStatus.AWAITING_MODERATION) & (QualityAudit.moderator_id == user.id),
    ]
    if access.can_manage(user):
        mine.append(QualityAudit.status == AuditStatus.DISAGREED)
    return list(
        db.session.scalars(
            select(QualityAudit)
            .join(Case, Case.id == QualityAudit.case_id)
            .where(Case.team_id.in_(teams), or_(*mine))
            .order_by(QualityAudit.month_on, QualityAudit.id)
        )
    )


def actions_for(user: User) -> list[QualityAudit]:
    """Completed audits of the coordinator's cases whose actions are not done yet."""
    return list(
        db.session.scalars(
            select(QualityAudit)
            .join(Case, Case.id == QualityAudit.case_id)
            .where(
                Case.coordinator_id == user.id,
                QualityAudit.status == AuditStatus.COMPLETE,
                QualityAudit.actions.is_not(None),
                QualityAudit.actions_done_on.is_(None),
            )
            .order_by(QualityAudit.completed_on, QualityAudit.id)
        )
    )
