"""Demo complaints and family feedback, so the dashboard's figures and the managers' lists have
something to show: complaints over the last six months at each stage (most answered, some late,
a few still open), and family accounts for children whose plan was issued or review decided,
each offered the survey through the service and most of them answering it."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Role, User
from ..models.case import Case, EventType
from ..models.family import FamilyLink, FamilyRelationship
from ..models.voice import ComplaintCategory, ComplaintOutcome, ComplaintStage, SurveyRating
from ..services import complaints, feedback
from ..services.clock import local_zone
from ..services.users import create_user
from .accounts import DEMO_PASSWORD

COMPLAINTS = (
    (ComplaintCategory.COMMUNICATION, "Emails about the assessment went unanswered for weeks"),
    (ComplaintCategory.TIMELINESS, "The final plan was issued after the 20 weeks"),
    (ComplaintCategory.COMMUNICATION, "Nobody told us the annual review meeting had moved"),
    (ComplaintCategory.PROVISION, "Speech and language therapy in section F is not being delivered"),
    (ComplaintCategory.DECISION, "We disagree with the decision not to assess"),
    (ComplaintCategory.STAFF, "The coordinator changed three times in a term"),
    (ComplaintCategory.TIMELINESS, "The amended plan is still not issued after the review"),
    (ComplaintCategory.COMMUNICATION, "Letters went to our old address"),
)
COMMENTS = {
    SurveyRating.SATISFIED: "Our coordinator kept us informed at every step.",
    SurveyRating.PARTLY: "Good in the end, but we had to chase for news.",
    SurveyRating.NOT_SATISFIED: "The plan came late and we were left in the dark.",
}


def seed_voice(*, today: date, rng_seed: int = 2027) -> tuple[int, int]:
    """Record the complaints and surveys; return (complaints, answered surveys)."""
    rng = random.Random(rng_seed)
    cases = list(db.session.scalars(select(Case).where(Case.coordinator_id.is_not(None)).order_by(Case.id)))
    recorded = 0
    for n in range(18):
        case = rng.choice(cases)
        category, summary = COMPLAINTS[n % len(COMPLAINTS)]
        stage = ComplaintStage.STAGE_1 if n % 6 else ComplaintStage.STAGE_2
        received = today - timedelta(days=rng.randint(3, 180))
        actor = case.coordinator
        assert actor is not None
        complaint = complaints.record_complaint(
            case.child,
            case=case,
            stage=stage,
            category=category,
            received_on=received,
            summary=summary,
            actor=actor,
            today=today,
        )
        if rng.random() < 0.8:
            answered = min(today, complaint.response_due_on + timedelta(days=rng.randint(-8, 6)))
            complaints.record_response(
                complaint,
                responded_on=max(answered, received),
                outcome=rng.choice(list(ComplaintOutcome)),
                lessons="Reply to families within five working days"
                if category is ComplaintCategory.COMMUNICATION
                else None,
                actor=actor,
                today=today,
            )
        recorded += 1
    answered = 0
    steps = (EventType.FINAL_PLAN_ISSUED, EventType.REVIEW_DECISION_NOTIFIED)
    done = [
        c
        for c in cases
        if any(e.event_type in steps and e.occurred_on >= today - timedelta(days=150) for e in c.events)
    ]
    for n, case in enumerate(rng.sample(done, k=min(len(done), 24))):
        event = next(e for e in case.events if e.event_type in steps)
        email = f"family{n + 1:02d}@example.org"
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        user = create_user(
            email=email,
            name=f"Parent of {case.child.first_name}",
            role=Role.FAMILY,
            password=DEMO_PASSWORD,
            teams=[],
            actor=None,
        )
        db.session.add(
            FamilyLink(user_id=user.id, child_id=case.child_id, relationship_to_child=FamilyRelationship.PARENT)
        )
        db.session.flush()
        offered_at = datetime.combine(event.occurred_on, time(10), tzinfo=local_zone())
        for offer in feedback.offer_surveys(case, event, now=offered_at):
            if rng.random() < 0.8:
                rating = rng.choices(list(SurveyRating), weights=[5, 3, 2])[0]
                answered_on = min(today, event.occurred_on + timedelta(days=rng.randint(1, 12)))
                feedback.answer(
                    offer.survey,
                    rating=rating,
                    comment=COMMENTS[rating] if rng.random() < 0.7 else None,
                    now=datetime.combine(answered_on, time(19), tzinfo=local_zone()),
                    today=answered_on,
                )
                answered += 1
    return recorded, answered
