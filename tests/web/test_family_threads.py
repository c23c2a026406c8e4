"""Each family account has its own message thread; the coordinator may share a message (audited).

Separated parents, or a young person of 16 or over and a parent, each hold an account on the same
child: each sees the messages it sent and the replies to them, never the other's as "You wrote",
and another account's message only once the coordinator shares it from the case page.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, User
from ehc_tracker.models.case import Channel, Communication
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import today
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

PASSWORD = "three random words here"


def _account(case, *, name: str, email: str, relationship: FamilyRelationship = FamilyRelationship.PARENT) -> User:
    now = datetime.now(UTC)
    new = family_service.invite(
        case, name=name, email=email, relationship=relationship, actor=case.coordinator, now=now, today=today()
    )
    user = family_service.accept(new.token, password=PASSWORD, now=now)
    db.session.commit()
    return user


def _separated_parents():
    case = create_assessment()
    first = _account(case, name="Pat Parent", email="pat@example.org")
    second = _account(case, name="Sam Other", email="sam@example.org")
    return case, first, second


def _client_for(app, user: User):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return client


def _messages_part(client, case) -> str:
    response = client.get(f"/family/cases/{case.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;" not in html  # no escaped markup
    return html.split('id="messages"', 1)[1]


def _reply(case, comm, text: str) -> None:
    case_service.record_response(comm, responded_on=today(), summary=text, actor=case.coordinator, today=today())
    db.session.commit()


def _actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# --- Each account its own thread -------------------------------------------------------------


def test_a_second_family_account_does_not_see_the_first_ones_messages(app):
    case, pat, sam = _separated_parents()
    as_pat, as_sam = _client_for(app, pat), _client_for(app, sam)
    assert as_pat.post(f"/family/cases/{case.id}", data={"text": "Question from Pat"}).status_code == 302
    comm = db.session.scalar(select(Communication).where(Communication.case_id == case.id))
    _reply(case, comm, "Answer to Pat")

    pats = _messages_part(as_pat, case)
    assert "You wrote on" in pats and "Question from Pat" in pats and "Answer to Pat" in pats

    sams = _messages_part(as_sam, case)
    assert "Question from Pat" not in sams and "Answer to Pat" not in sams
    assert "You wrote" not in sams and "You have not sent any messages." in sams

    # Sam's own message is Sam's alone, and is the only one Sam's page calls "You wrote".
    assert as_sam.post(f"/family/cases/{case.id}", data={"text": "Question from Sam"}).status_code == 302
    sams = _messages_part(as_sam, case)
    assert sams.count("You wrote on") == 1 and "Question from Sam" in sams and "Question from Pat" not in sams
    assert "Question from Sam" not in _messages_part(as_pat, case)


def test_the_reply_clock_of_another_accounts_message_is_not_on_the_progress_page(app):
    case, pat, sam = _separated_parents()
    family_service.send_message(case, user=pat, text="A question", today=today(), now=datetime.now(UTC))
    db.session.commit()
    theirs = family_service.progress(case, today=today(), viewer=sam)
    mine = family_service.progress(case, today=today(), viewer=pat)
    assert "We reply to your message" not in [s.text for s in theirs.steps]
    assert "We reply to your message" in [s.text for s in mine.steps]


def test_a_young_person_and_their_parent_have_separate_threads(app):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2008, 1, 1))
    case = create_assessment(child=child, team=team, coordinator=coordinator)
    young = _account(case, name="Jo Young", email="jo@example.org", relationship=FamilyRelationship.YOUNG_PERSON)
    parent = _account(case, name="Pat Parent", email="pat@example.org")
    now = datetime.now(UTC)
    family_service.send_message(case, user=young, text="Please do not tell my parents", today=today(), now=now)
    db.session.commit()
    assert [m.text for m in family_service.thread(case, viewer=young)] == ["Please do not tell my parents"]
    assert family_service.thread(case, viewer=parent) == []


def test_staff_logged_communications_never_reach_a_family_thread(app):
    case, pat, _sam = _separated_parents()
    case_service.log_communication(
        case,
        received_on=today(),
        channel=Channel.EMAIL,
        from_name="Dr Secret",
        summary="A professional's note",
        actor=case.coordinator,
        today=today(),
    )
    db.session.commit()
    assert family_service.thread(case, viewer=pat) == []


# --- Sharing ---------------------------------------------------------------------------------


def test_the_coordinator_shares_a_message_and_its_reply_from_the_case_page(app, client, auth):
    case, pat, sam = _separated_parents()
    comm = family_service.send_message(case, user=pat, text="When is the panel?", today=today(), now=datetime.now(UTC))
    db.session.commit()
    _reply(case, comm, "It is on Thursday.")
    url = f"/cases/{case.id}/communications/{comm.id}/family-sharing"

    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "&lt;" not in page
    row = re.search(r'<td class="govuk-table__cell">Pat Parent.*?</td>', page, re.S).group(0)
    assert "Family message" in row and "Seen only by the account that sent it" in row
    assert f'action="{url}"' in row
    assert 'name="share" value="1"' in row and "Share with the family" in row

    shared = client.post(url, data={"share": "1"})
    assert shared.status_code == 302 and shared.headers["Location"].endswith(f"/cases/{case.id}#communications")
    page = client.get(shared.headers["Location"]).get_data(as_text=True)
    assert "The message from Pat Parent and its reply are now shared" in page
    row = re.search(r'<td class="govuk-table__cell">Pat Parent.*?</td>', page, re.S).group(0)
    assert "Shared with the child’s other family accounts on" in row
    assert 'name="share" value="0"' in row and "Stop sharing" in row

    db.session.expire_all()
    comm = db.session.get(Communication, comm.id)
    assert comm.shared_with_family_at is not None and comm.shared_by_id == case.coordinator.id
    [entry] = _actions("family_message_shared")
    assert entry.actor_id == case.coordinator.id and entry.object_type == "case" and entry.object_id == str(case.id)
    assert entry.details == {"communication_id": comm.id, "sender_id": pat.id, "other_accounts": [sam.id]}

    # Sam now sees it, with the reply, as Pat's shared message, never as "You wrote".
    sams = _messages_part(_client_for(app, sam), case)
    assert "When is the panel?" in sams and "It is on Thursday." in sams
    assert "Shared by your coordinator" in sams and "Pat Parent wrote on" in sams and "You wrote" not in sams
    assert 'data-message="shared"' in sams and 'data-message="mine"' not in sams
    # Pat still sees it as their own.
    pats = _messages_part(_client_for(app, pat), case)
    assert "You wrote on" in pats and "Shared by your coordinator" not in pats

    # Sharing again changes nothing and records nothing; stopping is recorded, and Sam loses it.
    again = client.post(url, data={"share": "1"}, follow_redirects=True)
    assert "Nothing was changed" in again.get_data(as_text=True) and len(_actions("family_message_shared")) == 1
    stopped = client.post(url, data={"share": "0"}, follow_redirects=True)
    assert "is now seen only by the account that sent it" in stopped.get_data(as_text=True)
    assert len(_actions("family_message_unshared")) == 1
    assert "When is the panel?" not in _messages_part(_client_for(app, sam), case)


def test_the_staff_page_still_shows_every_family_message(client, auth):
    case, pat, sam = _separated_parents()
    now = datetime.now(UTC)
    family_service.send_message(case, user=pat, text="From Pat", today=today(), now=now)
    family_service.send_message(case, user=sam, text="From Sam", today=today(), now=now)
    db.session.commit()
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "From Pat" in page and "From Sam" in page and page.count("Seen only by the account that sent it") == 2


def test_who_may_share_and_what(app, client, auth):
    case, pat, _sam = _separated_parents()
    comm = family_service.send_message(case, user=pat, text="Hello", today=today(), now=datetime.now(UTC))
    staff_note = case_service.log_communication(
        case,
        received_on=today(),
        channel=Channel.EMAIL,
        from_name="Dr Secret",
        summary="Professional",
        actor=case.coordinator,
        today=today(),
    )
    db.session.commit()
    url = f"/cases/{case.id}/communications/{comm.id}/family-sharing"

    colleague = create_user(role="coordinator", teams=[case.team])  # views the team's cases, changes only their own
    auth.login(colleague)
    assert client.post(url, data={"share": "1"}).status_code == 403
    assert "Share with the family" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    auth.logout()

    outsider = create_user(role="manager", teams=[create_team()])
    auth.login(outsider)
    assert client.post(url, data={"share": "1"}).status_code == 404
    auth.logout()

    manager = create_user(role="manager", teams=[case.team])
    auth.login(manager)
    staff_url = f"/cases/{case.id}/communications/{staff_note.id}/family-sharing"
    assert client.post(staff_url, data={"share": "1"}).status_code == 404
    assert client.post(f"/cases/{case.id}/communications/999999/family-sharing", data={"share": "1"}).status_code == 404
    assert client.post(url, data={"share": "maybe"}).status_code == 400
    assert client.post(url, data={"share": "1"}).status_code == 302  # a manager of the team may
    auth.logout()

    family_client = _client_for(app, pat)
    assert family_client.post(url, data={"share": "0"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Communication, comm.id).shared_with_family_at is not None
    assert db.session.get(Communication, staff_note.id).shared_with_family_at is None
    assert len(_actions("family_message_shared")) == 1 and not _actions("family_message_unshared")
