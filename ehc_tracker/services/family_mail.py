"""Emails to families, written to the alerts outbox (sent, retried and never duplicated there).

No child's surname appears in a subject line; bodies name the child by first name only and
link to the family's own pages.

The news of a recorded step and of a reply comes through the workflow's signals (services.events),
subscribed to by `subscribe`, which the app factory calls: wherever the app runs (the pages, the
API, the scheduler, the commands, the tests), recording a step queues the family's email in the
same transaction.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template

from ..extensions import db
from ..models import User
from ..models.alerts import OutboxMessage
from ..models.case import Case, CaseEvent, Communication
from ..models.document import Document
from ..models.family import FamilyInvitation
from ..models.voice import FamilySurvey
from . import workflow
from .clock import today
from .events import reply_recorded, step_recorded
from .family import family_accounts_for_child


def _link(path: str) -> str:
    # Built by hand so that it works outside a request too (the scheduler, the API, commands).
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def _queue(
    *, key: str, to: str, recipient: User | None, subject: str, template: str, for_on: date, **context: object
) -> OutboxMessage | None:
    """Store the message in the outbox unless one with the same key exists already."""
    if db.session.scalar(db.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
        return None
    message = OutboxMessage(
        dedupe_key=key,
        for_on=for_on,
        recipient_id=recipient.id if recipient else None,
        to_address=to,
        subject=subject,
        body_text=render_template(f"email/family/{template}.txt", **context),
        body_html=render_template(f"email/family/{template}.html", **context),
    )
    db.session.add(message)
    db.session.flush()
    return message


def send_invitation(invitation: FamilyInvitation, token: str) -> OutboxMessage | None:
    link = _link(f"/family/invitation/{token}")
    return _queue(
        key=f"family-invitation:{invitation.id}",
        to=invitation.email,
        recipient=None,
        for_on=today(),
        subject="Follow your EHC assessment or review online",
        template="invitation",
        invitation=invitation,
        child_first_name=invitation.case.child.first_name,
        link=link,
    )


def send_survey(survey: FamilySurvey, token: str) -> OutboxMessage | None:
    """Offer the family account a feedback survey by a single-use link."""
    user = survey.user
    return _queue(
        key=f"family-survey:{survey.id}",
        to=user.email,
        recipient=user,
        for_on=today(),
        subject="Tell us how we did",
        template="survey",
        user=user,
        what=survey.point.family_words,
        expires_at=survey.expires_at,
        link=_link(f"/feedback/{token}"),
    )


def notify_step_completed(case: Case, event: CaseEvent) -> int:
    """Tell each family account of the child that a step of their case was recorded."""
    what = workflow.step(event.event_type).family_done
    if not what:
        return 0
    sent = 0
    for user in family_accounts_for_child(case.child_id):
        if not user.active:
            continue
        if _queue(
            key=f"family-step:{event.id}:{user.id}",
            to=user.email,
            recipient=user,
            for_on=event.occurred_on,
            subject="There is news about your EHC assessment or review",
            template="step",
            user=user,
            child_first_name=case.child.first_name,
            what=what,
            on=event.occurred_on,
            link=_link(f"/family/cases/{case.id}"),
        ):
            sent += 1
    return sent


def notify_reply(comm: Communication) -> OutboxMessage | None:
    """Tell the family a coordinator has replied to their message."""
    if comm.family_user_id is None:
        return None
    user = db.session.get(User, comm.family_user_id)
    if user is None or not user.active:
        return None
    return _queue(
        key=f"family-reply:{comm.id}",
        to=user.email,
        recipient=user,
        for_on=comm.responded_on or today(),
        subject="Your coordinator has replied to your message",
        template="reply",
        user=user,
        child_first_name=comm.case.child.first_name,
        link=_link(f"/family/cases/{comm.case_id}#messages"),
    )


def notify_letter(comm: Communication, document: Document, user: User) -> OutboxMessage | None:
    """Tell a family account that a letter was shared with them: a link to their page, where they
    sign in to read it (the email never carries the letter)."""
    case = comm.case
    return _queue(
        key=f"family-letter:{comm.id}:{user.id}",
        to=user.email,
        recipient=user,
        for_on=comm.received_on,
        subject="A letter about your EHC assessment or review",
        template="letter",
        user=user,
        child_first_name=case.child.first_name,
        title=document.title,
        council_name=document.supplied_by,
        link=_link(f"/family/cases/{case.id}#documents"),
    )


def _on_step_recorded(case: Case, *, event: CaseEvent, **_: object) -> None:
    notify_step_completed(case, event)


def _on_reply_recorded(comm: Communication, **_: object) -> None:
    notify_reply(comm)


def subscribe() -> None:
    """Send the family's emails when a step or a reply is recorded (connecting again changes nothing)."""
    step_recorded.connect(_on_step_recorded)
    reply_recorded.connect(_on_reply_recorded)
