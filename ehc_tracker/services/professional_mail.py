"""Emails about advice requests, written to the alerts outbox (sent, retried and never twice).

To professionals: the invitation, a request addressed or moved to them; to the case's
coordinator: advice returned through the service. No email names the child: the links lead to
pages that need signing in.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template

from ..extensions import db
from ..models import User
from ..models.alerts import OutboxMessage
from ..models.case import AdviceRequest
from ..models.contribution import ProfessionalInvitation
from .clock import today
from .timeline import advice_name


def page_link(path: str) -> str:
    # Built by hand so that it works outside a request too (the alerts job, commands).
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def queue(
    *,
    key: str,
    to: str,
    recipient: User | None,
    subject: str,
    paragraphs: list[str],
    for_on: date,
    greeting: str = "",
    link: str = "",
    link_text: str = "",
) -> OutboxMessage | None:
    """Store the message in the outbox unless one with the same key exists already."""
    if db.session.scalar(db.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
        return None
    context = {"greeting": greeting, "paragraphs": paragraphs, "link": link, "link_text": link_text}
    message = OutboxMessage(
        dedupe_key=key,
        for_on=for_on,
        recipient_id=recipient.id if recipient else None,
        to_address=to,
        subject=subject,
        body_text=render_template("email/professional/message.txt", **context),
        body_html=render_template("email/professional/message.html", **context),
    )
    db.session.add(message)
    db.session.flush()
    return message


def _due_text(due: date | None) -> str:
    return f" It is due by {due:%A %-d %B %Y}." if due is not None else ""


def send_invitation(invitation: ProfessionalInvitation, token: str, *, due: date | None) -> OutboxMessage | None:
    advice = invitation.advice_request
    return queue(
        key=f"professional-invitation:{invitation.id}",
        to=invitation.email,
        recipient=None,
        for_on=today(),
        subject="You have been asked for advice for an EHC needs assessment",
        greeting=invitation.name,
        paragraphs=[
            f"The council has asked {invitation.directory_entry.name} for {advice.advice_type.label.lower()} advice "
            f"for an EHC needs assessment.{_due_text(due)}",
            "Create your account to see the request and return your advice through the service. The link works "
            f"once, until {invitation.expires_at:%-d %B %Y}.",
        ],
        link=page_link(f"/provider/invitation/{token}"),
        link_text="Create your account",
    )


def notify_addressed(advice: AdviceRequest, professional: User, *, due: date | None) -> OutboxMessage | None:
    """A request addressed or moved to a professional who already has an account."""
    return queue(
        key=f"professional-addressed:{advice.id}:{professional.id}",
        to=professional.email,
        recipient=professional,
        for_on=today(),
        subject="An advice request has been addressed to you",
        greeting=professional.name,
        paragraphs=[f"{advice_name(advice)} is now asked of you.{_due_text(due)}"],
        link=page_link(f"/provider/requests/{advice.id}"),
        link_text="See the request",
    )


def notify_returned(advice: AdviceRequest) -> OutboxMessage | None:
    """Tell the case's coordinator that the advice came back through the service."""
    coordinator = advice.case.coordinator
    if coordinator is None or not coordinator.active:
        return None
    return queue(
        key=f"advice-returned:{advice.id}",
        to=coordinator.email,
        recipient=coordinator,
        for_on=advice.received_on or today(),
        subject=f"Advice returned for case {advice.case_id}",
        greeting=coordinator.name,
        paragraphs=[
            f"{advice_name(advice)} was returned through the service on {advice.received_on:%-d %B %Y} and is "
            f"recorded on case {advice.case_id}, with the report among the case's documents."
        ],
        link=page_link(f"/cases/{advice.case_id}"),
        link_text="Open the case",
    )
