"""Family accounts through the real pages: invitation, acceptance, isolation, messages, codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, Role, User
from ehc_tracker.models.alerts import OutboxMessage
from ehc_tracker.models.case import Communication, EventType, Milestone
from ehc_tracker.models.family import FamilyRelationship
from ehc_tracker.services import ServiceError, api_tokens
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import today
from tests.factories_cases import create_assessment
from tests.helpers import create_team, create_user

FAMILY_PASSWORD = "three random words here"


def _d(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _family_account(case, *, email: str = "parent@example.org") -> User:
    new = family_service.invite(
        case,
        name="Pat Parent",
        email=email,
        relationship=FamilyRelationship.PARENT,
        actor=case.coordinator,
        now=datetime.now(UTC),
        today=today(),
    )
    user = family_service.accept(new.token, password=FAMILY_PASSWORD, now=datetime.now(UTC))
    db.session.commit()
    return user


def _sign_in(client, email: str, password: str = FAMILY_PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def _actions() -> list[str]:
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


# --- Invitation and acceptance ---------------------------------------------------------------


def test_coordinator_invites_the_family_from_the_case_and_the_link_works_once(client, auth):
    case = create_assessment()
    case.child.last_name = "Zebedee-Quint"
    db.session.commit()
    auth.login(case.coordinator)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/family"' in page

    form = client.get(f"/cases/{case.id}/family").get_data(as_text=True)
    assert "Invite the family to follow this case" in form
    bad = client.post(
        f"/cases/{case.id}/family", data={"name": "Pat Parent", "email": "not-an-address", "relationship": "parent"}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "govuk-error-summary" in html and 'value="Pat Parent"' in html

    response = client.post(
        f"/cases/{case.id}/family", data={"name": "Pat Parent", "email": "Pat@Example.org", "relationship": "parent"}
    )
    assert response.status_code == 302
    assert "Invitation sent to pat@example.org" in client.get(response.headers["Location"]).get_data(as_text=True)

    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "pat@example.org"))
    assert message is not None and "Zebedee" not in message.subject
    link = re.search(r"/family/invitation/([A-Za-z0-9_-]+)", message.body_text)
    assert link, message.body_text
    auth.logout()

    accept_url = link.group(0)
    page = client.get(accept_url)
    assert page.status_code == 200 and "Create a password" in page.get_data(as_text=True)
    mismatch = client.post(accept_url, data={"password": FAMILY_PASSWORD, "confirm": "something else entirely"})
    assert "The passwords do not match" in mismatch.get_data(as_text=True)
    done = client.post(accept_url, data={"password": FAMILY_PASSWORD, "confirm": FAMILY_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/family/")
    progress = client.get("/family/", follow_redirects=True)
    assert progress.status_code == 200 and case.child.first_name in progress.get_data(as_text=True)

    client.post("/sign-out")
    again = client.get(accept_url)
    assert again.status_code == 410 and "expired or has already been used" in again.get_data(as_text=True)
    assert client.post(accept_url, data={"password": FAMILY_PASSWORD, "confirm": FAMILY_PASSWORD}).status_code == 410
    user = db.session.scalar(select(User).where(User.email == "pat@example.org"))
    assert user.role is Role.FAMILY


def test_an_expired_invitation_link_is_refused(client):
    case = create_assessment()
    sent = datetime.now(UTC) - timedelta(days=8)
    new = family_service.invite(
        case,
        name="Pat",
        email="late@example.org",
        relationship=FamilyRelationship.PARENT,
        actor=case.coordinator,
        now=sent,
        today=today(),
    )
    db.session.commit()
    response = client.get(f"/family/invitation/{new.token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert (
        client.post(
            f"/family/invitation/{new.token}", data={"password": FAMILY_PASSWORD, "confirm": FAMILY_PASSWORD}
        ).status_code
        == 410
    )
    assert db.session.scalar(select(User).where(User.email == "late@example.org")) is None
    assert "family_invitation_refused" in _actions()


def test_invitations_are_rate_limited_per_case(client, auth):
    case = create_assessment()
    auth.login(case.coordinator)
    for n in range(family_service.MAX_INVITATIONS_PER_CASE_PER_DAY):
        assert (
            client.post(
                f"/cases/{case.id}/family", data={"name": "P", "email": f"p{n}@example.org", "relationship": "parent"}
            ).status_code
            == 302
        )
    refused = client.post(
        f"/cases/{case.id}/family", data={"name": "P", "email": "one-more@example.org", "relationship": "parent"}
    )
    assert refused.status_code == 200 and "Too many invitations" in refused.get_data(as_text=True)


# --- Isolation -------------------------------------------------------------------------------


def _fill(rule, value: int) -> str:
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", lambda m: str(value) if m.group(1) == "int" else "x", rule.rule)


def test_a_family_account_reaches_no_other_case_by_any_url(app, client):
    mine = create_assessment()
    theirs = create_assessment()
    db.session.commit()
    user = _family_account(mine)
    assert _sign_in(client, user.email).status_code == 302

    own = client.get(f"/family/cases/{mine.id}")
    assert own.status_code == 200 and mine.child.first_name in own.get_data(as_text=True)

    reached = []
    for value in {theirs.id, theirs.child_id}:
        for rule in app.url_map.iter_rules():
            if rule.endpoint in {
                "static",
                "assets.govuk",
                "auth.sign_in",
                "auth.sign_in_code",
                "health.healthz",
                "family.accept",
                "feedback.answer_by_link",  # public: its token is the credential (tests/web/test_voice_pages.py)
                "providers.accept",
            }:
                continue
            url = _fill(rule, value)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method)
                body = response.get_data(as_text=True)
                if response.status_code == 200 and (theirs.child.first_name in body or theirs.child.last_name in body):
                    reached.append(f"{method} {url}")
                if rule.endpoint.startswith("api.") or url.startswith("/api/"):
                    assert response.status_code in (401, 403, 404, 405), f"{method} {url}: {response.status_code}"
                elif rule.endpoint not in {
                    "family.home",
                    "main.index",
                    "auth.sign_out",
                    "auth.change_password",
                    "auth.keep_alive",
                }:
                    # (keep_alive: "Stay signed in" is for every signed-in account; its body is checked above like any page.)
                    assert response.status_code in (403, 404, 405), f"{method} {url}: {response.status_code}"
            if rule.endpoint == "auth.sign_out":
                _sign_in(client, user.email)
    assert not reached, reached

    # The family list shows only their own child; a message about another case is refused.
    assert client.post(f"/family/cases/{theirs.id}", data={"text": "hello"}).status_code == 404
    assert db.session.scalar(select(Communication).where(Communication.case_id == theirs.id)) is None


def test_a_family_account_cannot_use_the_api(client):
    case = create_assessment()
    user = _family_account(case)
    with pytest.raises(ServiceError):
        api_tokens.create_token(user, name="mine", actor=user)
    _sign_in(client, user.email)
    assert client.post("/account/tokens", data={"name": "mine"}).status_code in (403, 404, 405)
    assert client.get(f"/api/v1/cases/{case.id}").status_code in (401, 403)
    assert client.get(f"/api/v1/children/{case.child_id}").status_code in (401, 403)


def test_the_progress_page_shows_no_internal_notes_and_is_audited(client):
    case = create_assessment()
    case_service.add_note(case, "Internal: mother difficult on the phone", actor=case.coordinator)
    db.session.commit()
    user = _family_account(case)
    _sign_in(client, user.email)
    html = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    assert "mother difficult" not in html
    assert case.coordinator.name in html and "Your coordinator" in html
    assert "family_case_viewed" in _actions() and "signed_in" in _actions()


# --- Messages --------------------------------------------------------------------------------


def test_message_lands_in_the_communications_log_and_the_reply_comes_back(client, auth):
    case = create_assessment()
    user = _family_account(case)
    _sign_in(client, user.email)
    empty = client.post(f"/family/cases/{case.id}", data={"text": "   "})
    assert empty.status_code == 200 and "Write your message" in empty.get_data(as_text=True)
    sent = client.post(f"/family/cases/{case.id}", data={"text": "When is the panel meeting?"})
    assert sent.status_code == 302
    assert "Your message has been sent" in client.get(sent.headers["Location"]).get_data(as_text=True)

    comm = db.session.scalar(select(Communication).where(Communication.case_id == case.id))
    assert (
        comm.family_user_id == user.id and comm.summary == "When is the panel meeting?" and comm.received_on == today()
    )
    clock = db.session.scalar(
        select(Milestone).where(Milestone.case_id == case.id, Milestone.ref == f"communication:{comm.id}")
    )
    assert clock is not None and clock.due_on > comm.received_on  # the 5-working-day response clock
    client.post("/sign-out")

    auth.login(case.coordinator)
    staff_view = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "When is the panel meeting?" in staff_view
    replied = client.post(
        f"/cases/{case.id}/communications/{comm.id}/respond",
        data={"responded_on": _d(today()), "reply_channel": "portal", "summary": "It is on Thursday."},
    )
    assert replied.status_code == 302
    auth.logout()

    reply_mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"family-reply:{comm.id}"))
    assert reply_mail is not None and reply_mail.to_address == user.email
    _sign_in(client, user.email)
    html = client.get(f"/family/cases/{case.id}").get_data(as_text=True)
    assert "When is the panel meeting?" in html and "It is on Thursday." in html


def test_the_family_is_emailed_when_a_step_is_recorded(client, auth):
    case = create_assessment()
    user = _family_account(case)
    auth.login(case.coordinator)
    response = client.post(
        f"/cases/{case.id}/events/{EventType.DECIDED_TO_ASSESS.value}", data={"on": _d(date(2025, 2, 10))}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)))
    assert len(mails) == 1 and "/family/cases/" in mails[0].body_text and case.child.last_name not in mails[0].subject


# --- The emailed sign-in code ----------------------------------------------------------------


class TestSignInCode:
    @pytest.fixture
    def app_config(self):
        return {"FAMILY_SIGN_IN_CODE": True, "LOGIN_MAX_FAILURES": 5}

    @staticmethod
    def _code(app) -> str:
        mail = app.extensions["ehc_memory_mail"].sent[-1]
        found = re.search(r"\b(\d{6})\b", mail.text)
        assert found and mail.subject == "Your EHC Tracker sign-in code"
        return found.group(1)

    def test_family_sign_in_needs_the_emailed_code(self, app, client):
        case = create_assessment()
        user = _family_account(case)
        response = _sign_in(client, user.email)
        assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code")
        assert client.get(f"/family/cases/{case.id}").status_code == 302  # not signed in yet
        code = self._code(app)
        wrong = "000000" if code != "000000" else "111111"
        refused = client.post("/sign-in/code", data={"code": wrong})
        assert refused.status_code == 200 and "Enter the 6-digit code" in refused.get_data(as_text=True)
        ok = client.post("/sign-in/code", data={"code": code})
        assert ok.status_code == 302
        assert client.get(f"/family/cases/{case.id}").status_code == 200
        actions = _actions()
        assert "sign_in_code_sent" in actions and "sign_in_failed" in actions and actions.count("signed_in") == 1

    def test_a_code_works_once_and_not_after_it_expires(self, app, client, monkeypatch):
        case = create_assessment()
        user = _family_account(case)
        _sign_in(client, user.email)
        code = self._code(app)
        client.post("/sign-in/code", data={"code": code})
        client.post("/sign-out")
        assert client.post("/sign-in/code", data={"code": code}).headers["Location"].endswith("/sign-in")

        _sign_in(client, user.email)
        code = self._code(app)
        later = datetime.now(UTC) + timedelta(minutes=11)

        class Later(datetime):
            @classmethod
            def now(cls, tz=None):
                return later

        monkeypatch.setattr("ehc_tracker.auth.routes.datetime", Later)
        expired = client.post("/sign-in/code", data={"code": code})
        assert expired.status_code == 302 and expired.headers["Location"].endswith("/sign-in")
        assert client.get(f"/family/cases/{case.id}").status_code == 302
        assert (
            client.post("/sign-in/code", data={"code": code}).headers["Location"].endswith("/sign-in")
        )  # the state is gone

    def test_guessing_is_stopped(self, app, client):
        case = create_assessment()
        user = _family_account(case)
        _sign_in(client, user.email)
        code = self._code(app)
        wrong = [c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c != code][:5]
        for guess in wrong[:-1]:
            assert client.post("/sign-in/code", data={"code": guess}).status_code == 200
        last = client.post("/sign-in/code", data={"code": wrong[-1]})
        assert last.status_code == 302  # back to the start
        assert client.post("/sign-in/code", data={"code": code}).headers["Location"].endswith("/sign-in")
        # Five wrong codes count as failed sign-ins: the password step is throttled too.
        assert _sign_in(client, user.email).status_code == 429

    def test_staff_are_not_asked_for_a_code(self, client):
        team = create_team()
        coordinator = create_user(role="coordinator", teams=[team])
        response = client.post(
            "/sign-in", data={"email": coordinator.email, "password": "correct horse battery staple"}
        )
        assert response.status_code == 302 and not response.headers["Location"].endswith("/sign-in/code")

    def test_when_the_code_cannot_be_sent_the_person_is_told(self, app, client):
        from ehc_tracker.alerts.delivery import DeliveryError, current_backend

        case = create_assessment()
        user = _family_account(case)
        current_backend().fail_with = DeliveryError("down", server_unavailable=True)
        response = _sign_in(client, user.email)
        assert response.status_code == 503 and "could not send your sign-in code" in response.get_data(as_text=True)
