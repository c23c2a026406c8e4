"""Families following their own case: invitations, accounts, the progress page, messages.

A family account (role `family`) sees only the children it is linked to, and of their cases
only what a family should: the statutory steps in plain English with their dates, who the
coordinator is, and the messages the family itself sent with the replies. Never internal
notes, exceptions' evidence or other professionals' details.

Each family account has its own thread (separated parents, a young person of 16 or over and
their parents): it sees the messages it sent and the replies to them, and another account's
message only when the coordinator has shared it (`share_message`, audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..models import Role, User
from ..models.case import (
    AdviceRequest,
    AdviceType,
    Case,
    CaseEvent,
    CaseType,
    Channel,
    Communication,
    EventType,
    Milestone,
)
from ..models.child import ChildContact
from ..models.family import FamilyInvitation, FamilyLink, FamilyRelationship
from ..statutory.calendar import age_on
from ..statutory.rules import ExceptionLimb
from ..statutory.status import DEFAULT_DUE_SOON_DAYS, MilestoneStatus, milestone_status
from . import Forbidden, ServiceError, audit, workflow
from . import cases as case_service
from .email_addresses import valid_email_address
from .link_tokens import new_token, token_hash
from .users import create_invited_account

INVITATION_DAYS = 7
MAX_INVITATIONS_PER_CASE_PER_DAY = 5
MAX_MESSAGES_PER_DAY = 10
YOUNG_PERSON_MIN_AGE = 16


# --- Who may see what ------------------------------------------------------------------------


def linked_child_ids(user: User) -> set[int]:
    if user.role is not Role.FAMILY:
        return set()
    return set(db.session.scalars(select(FamilyLink.child_id).where(FamilyLink.user_id == user.id)))


def can_view_case(user: User, case: Case) -> bool:
    return user.role is Role.FAMILY and user.active and case.child_id in linked_child_ids(user)


def visible_cases(user: User) -> list[Case]:
    ids = linked_child_ids(user)
    if not ids:
        return []
    return list(
        db.session.scalars(select(Case).where(Case.child_id.in_(ids)).order_by(Case.anchor_on.desc(), Case.id.desc()))
    )


# --- Invitations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInvitation:
    invitation: FamilyInvitation
    token: str


def invite(
    case: Case, *, name: str, email: str, relationship: FamilyRelationship, actor: User, now: datetime, today: date
) -> NewInvitation:
    """Invite a parent, carer or young person (16+) to follow this case; returns the one-time token."""
    if not case_service.can_edit(actor, case):
        raise Forbidden("Only the case's coordinator or a manager of its team can invite the family")
    name = name.strip()
    if not name:
        raise ServiceError("Enter the name of the person to invite", field="name")
    email = valid_email_address(email, field="email")  # exactly one address: no lists, names or line breaks
    if (
        relationship is FamilyRelationship.YOUNG_PERSON
        and age_on(case.child.date_of_birth, today) < YOUNG_PERSON_MIN_AGE
    ):
        raise ServiceError(
            f"A young person can hold their own account from the age of {YOUNG_PERSON_MIN_AGE}", field="relationship"
        )
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and existing.role is not Role.FAMILY:
        raise ServiceError(
            "This email address belongs to a staff account; families need an address of their own", field="email"
        )
    recent = (
        db.session.scalar(
            select(func.count(FamilyInvitation.id)).where(
                FamilyInvitation.case_id == case.id, FamilyInvitation.created_at >= now - timedelta(days=1)
            )
        )
        or 0
    )
    if recent >= MAX_INVITATIONS_PER_CASE_PER_DAY:
        raise ServiceError(
            "Too many invitations have been sent for this case today. Try again tomorrow.", field="email"
        )
    token, hashed = new_token()
    invitation = FamilyInvitation(
        case_id=case.id,
        child_id=case.child_id,
        name=name,
        email=email,
        relationship_to_child=relationship,
        token_hash=hashed,
        expires_at=now + timedelta(days=INVITATION_DAYS),
        invited_by_id=actor.id,
        created_at=now,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        actor,
        "family_invited",
        "case",
        case.id,
        f"Invited a {relationship.value.replace('_', ' ')} to follow case {case.id}",
        {"invitation_id": invitation.id},
    )
    return NewInvitation(invitation, token)


def invitation_for(token: str, *, now: datetime) -> FamilyInvitation:
    invitation = db.session.scalar(select(FamilyInvitation).where(FamilyInvitation.token_hash == token_hash(token)))
    if invitation is None or not invitation.usable_at(now):
        raise ServiceError("This link has expired or has already been used. Ask your coordinator to send a new one.")
    return invitation


def accept(token: str, *, password: str, now: datetime) -> User:
    """Use an invitation: create the family account (or link an existing one) and spend the link."""
    invitation = invitation_for(token, now=now)
    user = db.session.scalar(select(User).where(User.email == invitation.email))
    if user is not None and user.role is not Role.FAMILY:
        raise ServiceError("This email address belongs to a staff account.")
    if user is None:
        user = create_invited_account(email=invitation.email, name=invitation.name, role=Role.FAMILY, password=password)
    if not db.session.scalar(
        select(FamilyLink.id).where(FamilyLink.user_id == user.id, FamilyLink.child_id == invitation.child_id)
    ):
        db.session.add(
            FamilyLink(
                user_id=user.id, child_id=invitation.child_id, relationship_to_child=invitation.relationship_to_child
            )
        )
    invitation.used_at = now
    audit.record(
        user,
        "family_invitation_accepted",
        "case",
        invitation.case_id,
        f"Family account {user.id} accepted invitation {invitation.id}",
        {"invitation_id": invitation.id},
    )
    db.session.flush()
    return user


def invitable_contacts(case: Case) -> list[ChildContact]:
    """The child's recorded contacts with an email address: the people a coordinator usually invites."""
    return [c for c in case.child.contacts if (c.email or "").strip()]


def invitations_for_case(case: Case) -> list[FamilyInvitation]:
    return list(
        db.session.scalars(
            select(FamilyInvitation)
            .where(FamilyInvitation.case_id == case.id)
            .order_by(FamilyInvitation.created_at.desc())
        )
    )


def family_accounts_for_child(child_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(FamilyLink, FamilyLink.user_id == User.id)
            .where(FamilyLink.child_id == child_id)
            .order_by(User.name)
        )
    )


# --- The progress page -----------------------------------------------------------------------

# Each statutory time limit in plain words (reading age about 9), as the family sees it: those a
# workflow step meets are worded in the workflow table; here the family's own windows and the
# replies to their messages.
PLAIN_STEPS = {
    **{key: words.waiting for key, words in workflow.family_words().items()},
    "representations_close": "You tell us what you think of the draft plan",
    "amendment_representations_close": "You tell us what you think of the changes",
    "response_due": "We reply to your message",
}

PLAIN_EXCEPTIONS = {
    ExceptionLimb.SCHOOL_CLOSURE: "the school or college was closed for the holidays while we needed its advice",
    ExceptionLimb.EARLY_YEARS_CLOSURE: "the nursery or early years setting was closed while we needed its advice",
    ExceptionLimb.PERSONAL_CIRCUMSTANCES: "of things happening in your family's life that the law allows us to wait for",
    ExceptionLimb.ABSENT_FROM_AREA: "you or your child were away from the area for 4 weeks or more",
    ExceptionLimb.MISSED_APPOINTMENT: "an appointment was missed",
}

PLAIN_CASE_TYPES = {
    CaseType.ASSESSMENT: "Assessment of your child's needs",
    CaseType.REASSESSMENT: "New assessment of your child's needs",
    CaseType.ANNUAL_REVIEW: "Review of your child's EHC plan",
    CaseType.DISPUTE: "Your disagreement with our decision (mediation or appeal)",
}

# Who a step waits on. A school's or an advice-giver's late reply is theirs, never shown as the
# council being late (the council's own duties come after it: the draft and final plan).
COUNCIL, SCHOOL, PROVIDER, FAMILY = "council", "school", "provider", "family"

# Once a council step's due date has passed without it, the plain words that say so.
PLAIN_MISSED = {
    **{key: words.late for key, words in workflow.family_words().items() if words.late},
    "response_due": "Our reply to your message was due by {due}. We have not replied yet.",
}
PLAIN_MISSED_OTHER = "This was due by {due}. It has not happened yet."

# A window of the family's own, and the council steps that follow it when it closes.
PERIOD_NEXT = {
    "representations_close": ("final_plan", "final_plan_after_reassessment"),
    "amendment_representations_close": ("amended_plan_from_proposals_due", "decision_not_to_amend_due"),
}
PLAIN_PERIOD_CLOSED = {
    "representations_close": "Your time to tell us what you think of the draft plan closed on {due}.",
    "amendment_representations_close": "Your time to tell us what you think of the changes closed on {due}.",
    "appeal_deadline": "Your time to appeal to the tribunal closed on {due}.",
}
# While a window of the family's own is open: what they can do until when.
PLAIN_PERIOD_OPEN = {
    "appeal_deadline": "You can appeal to the tribunal until {due}.",
}

# How long ahead a coordinator may say they now expect a missed step: within a year of today.
MAX_EXPECTED_DAYS = 365
MAX_EXPECTED_NOTE = 200


def _long(on: date) -> str:
    return f"{on:%-d %B %Y}"


@dataclass(frozen=True)
class Step:
    text: str
    due_on: date
    done_on: date | None
    # "done", "done_late", "late" (the council's), "due_soon", "to_do", "period" (the family's
    # window, open), "period_closed", "missed", "ended", and for a school's or an advice-giver's
    # reply: "their_late" (waiting, past the date they were asked for) and "their_done_late".
    status: str
    exception: str | None
    key: str = ""
    whose: str = COUNCIL
    # The plain sentences under the step: when it is late, that it is and what happens now.
    detail: str = ""
    expected_on: date | None = None
    expected_note: str | None = None


@dataclass(frozen=True)
class Happened:
    text: str
    on: date


@dataclass(frozen=True)
class Progress:
    title: str
    is_open: bool
    coordinator_name: str | None
    steps: list[Step]
    next_step: Step | None
    late_steps: list[Step]
    happened: list[Happened]
    coordinator_email: str | None = None
    coordinator_phone: str | None = None
    # The family's own window while it is open ("Your turn"), else None.
    your_turn: Step | None = None
    # One line for the list of cases: where things stand.
    headline: str = ""


def _advice_name(advice: AdviceRequest) -> str:
    """ "Speech and language therapy advice from Northtown NHS Trust"."""
    kind = "Advice" if advice.advice_type is AdviceType.OTHER else f"{advice.advice_type.label} advice"
    return f"{kind} from {advice.provider}"


def _who_and_what(m: Milestone, case: Case) -> tuple[str, str]:
    """Whose step it is, and its name in plain words (advice and consultations by who gives them)."""
    if m.key == "advice_due":
        advice = next((a for a in case.advice_requests if f"advice:{a.id}" == m.ref), None)
        if advice is not None:
            return PROVIDER, _advice_name(advice)
        return PROVIDER, PLAIN_STEPS["advice_due"]
    if m.key == "school_consultation_response":
        consultation = next((c for c in case.consultations if f"consultation:{c.id}" == m.ref), None)
        if consultation is not None:
            return SCHOOL, f"We ask {consultation.setting_name} if it can meet your child's needs"
        return SCHOOL, PLAIN_STEPS["school_consultation_response"]
    if m.is_period:
        return FAMILY, PLAIN_STEPS.get(m.key, m.label)
    return COUNCIL, PLAIN_STEPS.get(m.key, m.label)


def _expected_words(m: Milestone, today: date) -> str:
    """What the family is told of the new date. With none set, the default is to say one will
    follow (never a date the coordinator has not given)."""
    if m.expected_on is None:
        return "We will tell you the new date."
    if m.expected_on < today:
        return (
            f"We expected this by {_long(m.expected_on)}, but it has not happened yet. We will tell you the new date."
        )
    return f"We now expect this by {m.expected_on:%A %-d %B %Y}."


def _happened_text(event: CaseEvent, case: Case) -> str:
    """What happened in plain words, naming the advice or the school or college it was about."""
    details = event.details or {}
    if event.event_type in (EventType.ADVICE_REQUESTED, EventType.ADVICE_RECEIVED):
        advice = next((a for a in case.advice_requests if a.id == details.get("advice_request_id")), None)
        if advice is not None:
            name = _advice_name(advice)
            name = name[0].lower() + name[1:]  # mid-sentence: "We got speech and language therapy advice from …"
            return f"We asked for {name}" if event.event_type is EventType.ADVICE_REQUESTED else f"We got {name}"
    if event.event_type in (EventType.SCHOOL_CONSULTED, EventType.SCHOOL_RESPONDED):
        consultation = next((c for c in case.consultations if c.id == details.get("consultation_id")), None)
        if consultation is not None:
            if event.event_type is EventType.SCHOOL_CONSULTED:
                return f"We asked {consultation.setting_name} if it can meet your child's needs"
            return f"{consultation.setting_name} replied"
    return workflow.step(event.event_type).family_done


def progress(case: Case, *, today: date, viewer: User) -> Progress:
    """The case as its family sees it."""
    exceptions = {}
    for x in case.exceptions:
        if x.status.value == "approved":
            exceptions[x.milestone_key] = (
                "The law allows this step to take longer because " + PLAIN_EXCEPTIONS[ExceptionLimb(x.limb)] + "."
            )
    # The reply clocks of the viewer's own messages only: another account's are not theirs.
    mine = {f"communication:{c.id}" for c in case.communications if c.family_user_id == viewer.id}
    by_key = {m.key: m for m in case.milestones if not m.ref}
    steps = []
    for m in sorted(case.milestones, key=lambda m: (m.due_on, m.id or 0)):
        if m.key == "response_due" and m.ref not in mine:
            continue  # replies owed to professionals are not the family's business
        if m.key == "tribunal_response_due" and case.event(EventType.APPEAL_NOT_OPPOSED):
            continue  # not opposing the appeal took the place of a response: "what has happened" says so
        whose, text = _who_and_what(m, case)
        detail = ""
        expected_on = expected_note = None
        if m.is_period:
            followers = [by_key[k] for k in PERIOD_NEXT.get(m.key, ()) if k in by_key]
            ended_by = next((f for f in followers if f.met_on is not None), None)
            closed = not case.is_open or today > m.due_on or ended_by is not None
            status = "period_closed" if closed else "period"
            if closed:
                closed_on = min(m.due_on, ended_by.met_on) if ended_by is not None and ended_by.met_on else m.due_on
                detail = PLAIN_PERIOD_CLOSED.get(m.key, "This closed on {due}.").format(due=_long(closed_on))
                follower = followers[0] if followers else None
                if ended_by is not None and ended_by.met_on is not None:
                    detail += f" {_done_words(ended_by.key)} on {_long(ended_by.met_on)}."
                elif follower is not None and case.is_open:
                    then = PLAIN_STEPS.get(follower.key, follower.label)
                    if follower.due_on < today:
                        late = PLAIN_MISSED.get(follower.key, PLAIN_MISSED_OTHER).format(due=_long(follower.due_on))
                        detail += f" What happens next: {then[0].lower() + then[1:]}. {late} {_expected_words(follower, today)}"
                    else:
                        detail += f" What happens next: {then[0].lower() + then[1:]}, by {_long(follower.due_on)}."
            else:
                detail = PLAIN_PERIOD_OPEN.get(m.key, "You can tell us what you think until {due}.").format(
                    due=f"{m.due_on:%A %-d %B %Y}"
                )
        else:
            result = milestone_status(
                m.due_on,
                m.met_on,
                today,
                due_soon_days=DEFAULT_DUE_SOON_DAYS,
                lapses_on=m.lapses_on,
                case_open=case.is_open,
            )
            status = {
                MilestoneStatus.MET_ON_TIME: "done",
                MilestoneStatus.MET_LATE: "done_late",
                MilestoneStatus.OVERDUE: "late",
                MilestoneStatus.DUE_SOON: "due_soon",
                MilestoneStatus.NOT_DUE: "to_do",
                MilestoneStatus.MISSED: "missed",
                MilestoneStatus.ENDED: "ended",
            }[result.status]
            if whose in (SCHOOL, PROVIDER) and status in ("late", "done_late"):
                status = "their_" + status
            if status == "late":
                detail = (
                    PLAIN_MISSED.get(m.key, PLAIN_MISSED_OTHER).format(due=_long(m.due_on))
                    + " "
                    + _expected_words(m, today)
                )
                if m.expected_on is not None and m.expected_on >= today:
                    expected_on, expected_note = m.expected_on, m.expected_note
            elif status == "their_late":
                asked = "The school or college" if whose == SCHOOL else "The person giving this advice"
                detail = (
                    f"{asked} was asked to reply by {_long(m.due_on)}. We are still waiting for the reply. "
                    "This is their reply, not one of our own time limits."
                )
            elif status == "their_done_late":
                detail = f"They replied on {_long(m.met_on)}, after the {_long(m.due_on)} they were asked to reply by."  # type: ignore[arg-type]
        steps.append(
            Step(
                text,
                m.due_on,
                m.met_on,
                status,
                exceptions.get(m.key) if m.exception_applies else None,
                key=m.key,
                whose=whose,
                detail=detail,
                expected_on=expected_on,
                expected_note=expected_note,
            )
        )
    open_steps = [s for s in steps if s.status in ("late", "due_soon", "to_do", "their_late")] if case.is_open else []
    # The council's next step first: a school's late reply is not what the family waits on us for.
    council_open = [s for s in open_steps if s.whose == COUNCIL] or open_steps
    next_step = min(council_open, key=lambda s: s.due_on) if council_open else None
    your_turn = next((s for s in steps if s.status == "period"), None)
    happened = [
        Happened(_happened_text(e, case), e.occurred_on) for e in case.events if workflow.step(e.event_type).family_done
    ]
    late_steps = [s for s in steps if s.status == "late"]
    coordinator = case.coordinator
    if not case.is_open:
        headline = "Finished"
    elif your_turn is not None:
        headline = f"Your turn: {your_turn.detail}"
    elif next_step is not None and next_step.status == "late":
        headline = next_step.detail
    elif next_step is not None:
        headline = f"Next: {next_step.text}, by {_long(next_step.due_on)}."
    else:
        headline = "Nothing is waiting."
    return Progress(
        title=PLAIN_CASE_TYPES[case.case_type],
        is_open=case.is_open,
        coordinator_name=coordinator.name if coordinator else None,
        steps=steps,
        next_step=next_step,
        late_steps=late_steps,
        happened=sorted(happened, key=lambda h: h.on, reverse=True),
        coordinator_email=coordinator.email if coordinator else None,
        coordinator_phone=(coordinator.phone or None) if coordinator else None,
        your_turn=your_turn,
        headline=headline,
    )


def _done_words(key: str) -> str:
    """The council step that ended a family's window early (met the time limit `key`), in plain words."""
    step = workflow.step_meeting(key)
    return step.family_done if step is not None else "The next step was done"


# --- The date a coordinator now expects a missed step ---------------------------------------


def set_expected(milestone: Milestone, *, expected_on: date, note: str, actor: User, today: date) -> bool:
    """Record the day the coordinator now expects an overdue step, told to the family with an
    optional short note. Refused before today or more than a year ahead, for a step that is done,
    not yet due or a window of the family's own. Returns False when nothing changed."""
    case = milestone.case
    if not case_service.can_edit(actor, case):
        raise Forbidden("Only the case's coordinator or a manager of its team can change this case")
    if not case.is_open:
        raise ServiceError("The case is closed: there is nothing to tell the family about this step")
    if milestone.is_period or milestone.met_on is not None or milestone.due_on >= today:
        raise ServiceError("You can only give a new date for a step that is overdue and not done yet")
    note = " ".join(note.split())
    if len(note) > MAX_EXPECTED_NOTE:
        raise ServiceError(f"The note must be {MAX_EXPECTED_NOTE} characters or fewer", field="note")
    if expected_on < today:
        raise ServiceError(f"The date you now expect it cannot be before today ({_long(today)})", field="expected_on")
    latest = today + timedelta(days=MAX_EXPECTED_DAYS)
    if expected_on > latest:
        raise ServiceError(f"The date you now expect it must be within a year, by {_long(latest)}", field="expected_on")
    before = {
        "expected_on": milestone.expected_on.isoformat() if milestone.expected_on else None,
        "note": milestone.expected_note,
    }
    after = {"expected_on": expected_on.isoformat(), "note": note or None}
    if before == after:
        return False
    milestone.expected_on = expected_on
    milestone.expected_note = note or None
    audit.record(
        actor,
        "milestone_expected_set",
        "case",
        case.id,
        f"Told the family that {milestone.label} (due {milestone.due_on:%-d %B %Y}) is now expected by {expected_on:%-d %B %Y}",
        {"milestone_id": milestone.id, "key": milestone.key, "old": before, "new": after},
    )
    db.session.flush()
    return True


# --- Messages --------------------------------------------------------------------------------


def messages(case: Case) -> list[Communication]:
    """Every message families sent about this case, with the replies (the staff side's view)."""
    return [c for c in case.communications if c.family_user_id is not None]


@dataclass(frozen=True)
class ThreadMessage:
    """One message as a family account sees it: only what the family page shows."""

    communication_id: int
    sent_on: date
    text: str
    mine: bool
    from_name: str  # the sender's name, shown only on a message another account sent and the coordinator shared
    replied_on: date | None
    reply: str | None


def thread(case: Case, *, viewer: User) -> list[ThreadMessage]:
    """What `viewer` (a family account) sees of the case's messages: the ones they sent with the
    replies, and another account's only if the coordinator shared it. Never labelled "You wrote"
    unless they wrote it."""
    found = []
    for c in sorted(case.communications, key=lambda c: (c.received_on, c.id)):
        if c.family_user_id is None:
            continue  # logged by staff: professionals' messages are not the family's business
        mine = c.family_user_id == viewer.id
        if not mine and c.shared_with_family_at is None:
            continue
        found.append(
            ThreadMessage(c.id, c.received_on, c.summary, mine, c.from_name, c.responded_on, c.response_summary)
        )
    return found


def can_share(actor: User, case: Case) -> bool:
    return access.can_edit_case(actor, case)


def share_message(comm: Communication, *, share: bool, actor: User, now: datetime) -> bool:
    """Share a family message and its reply with the child's other family accounts, or stop
    sharing it. Returns False when it was already so (nothing recorded)."""
    case = comm.case
    if not can_share(actor, case):
        raise Forbidden("Only the case's coordinator or a manager of its team can share a family message")
    if comm.family_user_id is None:
        raise ServiceError("Only a message a family sent through the service can be shared with the family")
    if (comm.shared_with_family_at is not None) == share:
        return False
    comm.shared_with_family_at = now if share else None
    comm.shared_by_id = actor.id if share else None
    others = [u.id for u in family_accounts_for_child(case.child_id) if u.id != comm.family_user_id]
    message = f"family message {comm.id} (from family account {comm.family_user_id})"
    if share:
        summary = f"Shared {message} with the child's other family accounts"
    else:
        summary = f"Stopped sharing {message} with the child's other family accounts"
    audit.record(
        actor,
        "family_message_shared" if share else "family_message_unshared",
        "case",
        case.id,
        summary,
        {"communication_id": comm.id, "sender_id": comm.family_user_id, "other_accounts": others},
    )
    db.session.flush()
    return True


def send_message(case: Case, *, user: User, text: str, today: date, now: datetime) -> Communication:
    """A family message lands in the case's communications log with its 5-working-day clock."""
    if not can_view_case(user, case):
        raise Forbidden("You cannot send messages about this case")
    text = text.strip()
    if not text:
        raise ServiceError("Write your message", field="text")
    if len(text) > 4000:
        raise ServiceError("Your message must be 4,000 characters or fewer", field="text")
    sent_today = (
        db.session.scalar(
            select(func.count(Communication.id)).where(
                Communication.family_user_id == user.id, Communication.recorded_at >= now - timedelta(days=1)
            )
        )
        or 0
    )
    if sent_today >= MAX_MESSAGES_PER_DAY:
        raise ServiceError(
            "You have sent a lot of messages today. Your coordinator will reply; you can send more tomorrow.",
            field="text",
        )
    comm = Communication(
        case=case,
        received_on=today,
        channel=Channel.PORTAL,
        from_name=user.name,
        summary=text,
        recorded_by_id=user.id,
        family_user_id=user.id,
        recorded_at=now,
    )
    db.session.add(comm)
    db.session.flush()
    audit.record(
        user,
        "family_message_sent",
        "case",
        case.id,
        f"Family account {user.id} sent a message about case {case.id}",
        {"communication_id": comm.id},
    )
    case_service.recompute_case(case)
    return comm
