"""Family accounts: invitations (single use, expiry, limits), isolation, progress, messages."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Role
from ehc_tracker.models.case import Channel, EventType
from ehc_tracker.models.family import FamilyLink, FamilyRelationship
from ehc_tracker.services import Forbidden, ServiceError
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import family as family
from tests.factories_cases import TODAY, create_assessment
from tests.helpers import create_team, create_user

NOW = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
GOOD_PASSWORD = "three random words here"


def _invite(case, *, email="parent@example.org", relationship=FamilyRelationship.PARENT, now=NOW):
    return family.invite(
        case, name="Pat Parent", email=email, relationship=relationship, actor=case.coordinator, now=now, today=TODAY
    )


def test_invitation_creates_an_account_that_sees_only_its_child(app):
    case = create_assessment()
    other = create_assessment()
    new = _invite(case)
    assert new.invitation.token_hash != new.token and len(new.token) > 30
    user = family.accept(new.token, password=GOOD_PASSWORD, now=NOW + timedelta(hours=1))
    assert user.role is Role.FAMILY and user.email == "parent@example.org"
    assert family.can_view_case(user, case) and not family.can_view_case(user, other)
    assert [c.id for c in family.visible_cases(user)] == [case.id]
    assert not case_service.can_view(user, case)  # staff rules never admit a family account
    actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert "family_invited" in actions and "family_invitation_accepted" in actions


def test_invitation_is_single_use(app):
    case = create_assessment()
    new = _invite(case)
    family.accept(new.token, password=GOOD_PASSWORD, now=NOW)
    with pytest.raises(ServiceError, match="expired or has already been used"):
        family.accept(new.token, password=GOOD_PASSWORD, now=NOW)


def test_invitation_expires_after_seven_days(app):
    case = create_assessment()
    new = _invite(case)
    with pytest.raises(ServiceError, match="expired"):
        family.accept(new.token, password=GOOD_PASSWORD, now=NOW + timedelta(days=7, seconds=1))
    user = family.accept(
        _invite(case, now=NOW + timedelta(days=7)).token, password=GOOD_PASSWORD, now=NOW + timedelta(days=13)
    )
    assert user.role is Role.FAMILY


def test_unknown_token_is_refused(app):
    with pytest.raises(ServiceError):
        family.invitation_for("not-a-real-token", now=NOW)


def test_weak_password_refused_and_link_still_usable(app):
    case = create_assessment()
    new = _invite(case)
    db.session.commit()
    with pytest.raises(ServiceError, match="12 characters"):
        family.accept(new.token, password="short", now=NOW)
    db.session.rollback()
    assert family.accept(new.token, password=GOOD_PASSWORD, now=NOW).role is Role.FAMILY


def test_second_invitation_links_an_existing_family_account(app):
    first = create_assessment()
    user = family.accept(_invite(first).token, password=GOOD_PASSWORD, now=NOW)
    sibling = create_assessment(team=first.team, coordinator=first.coordinator)
    family.accept(_invite(sibling).token, password="", now=NOW)
    assert {c.id for c in family.visible_cases(user)} == {first.id, sibling.id}
    assert db.session.scalars(select(FamilyLink).where(FamilyLink.user_id == user.id)).all().__len__() == 2


def test_invitation_rules(app):
    case = create_assessment()
    staff = create_user(role="coordinator", email="staff@example.org", teams=[case.team])
    with pytest.raises(ServiceError, match="staff account"):
        _invite(case, email=staff.email)
    with pytest.raises(ServiceError, match="correct format"):
        _invite(case, email="not an email")
    with pytest.raises(ServiceError, match="from the age of 16"):
        _invite(case, relationship=FamilyRelationship.YOUNG_PERSON)  # the child is 10
    colleague = create_user(role="coordinator", teams=[case.team])
    with pytest.raises(Forbidden):
        family.invite(
            case,
            name="X",
            email="x@example.org",
            relationship=FamilyRelationship.PARENT,
            actor=colleague,
            now=NOW,
            today=TODAY,
        )
    for n in range(family.MAX_INVITATIONS_PER_CASE_PER_DAY):
        _invite(case, email=f"p{n}@example.org")
    with pytest.raises(ServiceError, match="Too many invitations"):
        _invite(case, email="one.more@example.org")
    assert _invite(case, email="tomorrow@example.org", now=NOW + timedelta(days=1, minutes=1))


def test_young_person_over_16_can_hold_their_own_account(app):
    from tests.factories_children import create_child

    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2008, 1, 1))
    case = create_assessment(child=child, team=team, coordinator=coordinator)
    new = _invite(case, email="yp@example.org", relationship=FamilyRelationship.YOUNG_PERSON)
    assert family.accept(new.token, password=GOOD_PASSWORD, now=NOW).role is Role.FAMILY


def test_message_lands_in_the_communications_log_with_a_clock_and_the_reply_comes_back(app):
    case = create_assessment(received_on=date(2025, 1, 6))
    user = family.accept(_invite(case).token, password=GOOD_PASSWORD, now=NOW)
    comm = family.send_message(case, user=user, text="When is the next meeting?", today=date(2025, 12, 19), now=NOW)
    assert comm.channel is Channel.PORTAL and comm.family_user_id == user.id and comm.from_name == "Pat Parent"
    due = next(m for m in case.milestones if m.ref == f"communication:{comm.id}")
    assert due.key == "response_due" and due.due_on == date(2025, 12, 30)
    case_service.record_response(
        comm,
        responded_on=date(2025, 12, 22),
        summary="It is on 5 January.",
        actor=case.coordinator,
        today=date(2025, 12, 22),
    )
    [message] = family.messages(case)
    assert message.response_summary == "It is on 5 January." and message.responded_on == date(2025, 12, 22)


def test_messages_are_limited_and_need_text(app):
    case = create_assessment()
    user = family.accept(_invite(case).token, password=GOOD_PASSWORD, now=NOW)
    with pytest.raises(ServiceError, match="Write your message"):
        family.send_message(case, user=user, text="  ", today=TODAY, now=NOW)
    for n in range(family.MAX_MESSAGES_PER_DAY):
        family.send_message(case, user=user, text=f"Message {n}", today=TODAY, now=NOW)
    with pytest.raises(ServiceError, match="a lot of messages"):
        family.send_message(case, user=user, text="One more", today=TODAY, now=NOW)
    other = create_assessment()
    with pytest.raises(Forbidden):
        family.send_message(other, user=user, text="Hello", today=TODAY, now=NOW)


def test_progress_in_plain_english_without_internal_details(app):
    case = create_assessment(received_on=date(2025, 1, 6))
    manager = create_user(role="manager", teams=[case.team])
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 3, 3), actor=case.coordinator, today=TODAY)
    case_service.record_event(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 3, 4),
        actor=case.coordinator,
        today=TODAY,
        advice_type="ep",
        provider="Dr Secret Psychologist",
    )
    case_service.add_note(case, "Internal: family difficult", actor=case.coordinator)
    exc = case_service.propose_exception(
        case,
        milestone_key="final_plan",
        limb="personal_circumstances",
        starts_on=date(2025, 3, 1),
        ends_on=None,
        reason="Mother in hospital",
        evidence="Discharge letter",
        actor=case.coordinator,
        today=TODAY,
    )
    case_service.decide_exception(exc, approve=True, note="", actor=manager)
    case_service.log_communication(
        case,
        received_on=date(2025, 3, 5),
        channel=Channel.EMAIL,
        from_name="Dr Secret Psychologist",
        summary="Professional query",
        actor=case.coordinator,
        today=TODAY,
    )
    user = family.accept(_invite(case).token, password=GOOD_PASSWORD, now=NOW)
    view = family.progress(case, today=date(2025, 4, 1), viewer=user)
    texts = [s.text for s in view.steps]
    assert "We decide if we will assess your child's needs" in texts
    decision = next(s for s in view.steps if s.text.startswith("We decide if we will assess"))
    assert decision.status == "done_late" and decision.done_on == date(2025, 3, 3)
    final = next(s for s in view.steps if s.text == "We send you the final EHC plan")
    assert final.exception and "things happening in your family's life" in final.exception
    assert "We reply to your message" not in texts  # the professional's email is not theirs
    assert view.coordinator_name == case.coordinator.name
    # The next step is the council's own (the advice is the professional's to give, named by who gives it).
    assert (
        view.next_step is not None
        and view.next_step.key == "decision_not_to_issue"
        and view.next_step.due_on == date(2025, 4, 28)
    )
    advice = next(s for s in view.steps if s.key == "advice_due")
    assert advice.whose != "council" and "Dr Secret Psychologist" in advice.text and advice.due_on == date(2025, 4, 15)
    flat = repr(view)
    for secret in ("Professional query", "Internal", "Mother in hospital", "Discharge letter"):
        assert secret not in flat
