"""What a family sees once dates have passed: closed windows, missed steps and the date the
coordinator now expects, advice named by who gives it, a school's late reply kept apart from the
council's lateness, the coordinator's contact details; and the coordinator's side of it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, User
from ehc_tracker.models.case import EventType, Milestone
from ehc_tracker.models.family import FamilyInvitation, FamilyRelationship
from ehc_tracker.services import ServiceError
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import family as family_service
from ehc_tracker.services.clock import today
from tests.factories_cases import create_assessment
from tests.factories_children import create_contact
from tests.helpers import create_team, create_user

PASSWORD = "three random words here"
SERVICE_DAY = date(2025, 12, 1)


def _d(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _family(case, email: str = "parent@example.org") -> User:
    new = family_service.invite(
        case,
        name="Pat Parent",
        email=email,
        relationship=FamilyRelationship.PARENT,
        actor=case.coordinator,
        now=datetime.now(UTC),
        today=today(),
    )
    user = family_service.accept(new.token, password=PASSWORD, now=datetime.now(UTC))
    db.session.commit()
    return user


def _missed_final_plan(*, phone: str | None = None):
    """An assessment past its 20 weeks: the draft plan's window has closed, speech and language
    advice never came, one school replied late and one not at all, the final plan is not issued."""
    team = create_team()
    coordinator = create_user(
        role="coordinator", teams=[team], name="Casey Coordinator", email="casey@council.example.org"
    )
    coordinator.phone = phone
    case = create_assessment(coordinator=coordinator, received_on=date(2025, 1, 6))
    record, who = case_service.record_event, coordinator
    record(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=who, today=SERVICE_DAY)
    record(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 2, 11),
        actor=who,
        today=SERVICE_DAY,
        advice_type="salt",
        provider="Northtown NHS Trust",
    )
    record(
        case,
        EventType.ADVICE_REQUESTED,
        date(2025, 2, 11),
        actor=who,
        today=SERVICE_DAY,
        advice_type="ep",
        provider="Northtown EP Service",
    )
    ep = next(a for a in case.advice_requests if a.provider == "Northtown EP Service")
    record(case, EventType.ADVICE_RECEIVED, date(2025, 3, 14), actor=who, today=SERVICE_DAY, advice_request_id=ep.id)
    record(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=who, today=SERVICE_DAY)
    record(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=who, today=SERVICE_DAY)
    record(
        case, EventType.SCHOOL_CONSULTED, date(2025, 4, 8), actor=who, today=SERVICE_DAY, setting_name="Hill Primary"
    )
    record(case, EventType.SCHOOL_CONSULTED, date(2025, 4, 8), actor=who, today=SERVICE_DAY, setting_name="Oak Academy")
    hill = next(c for c in case.consultations if c.setting_name == "Hill Primary")
    record(
        case,
        EventType.SCHOOL_RESPONDED,
        date(2025, 5, 19),
        actor=who,
        today=SERVICE_DAY,
        consultation_id=hill.id,
        outcome="agreed",
    )
    db.session.commit()
    return case


def _final(case) -> Milestone:
    return next(m for m in case.milestones if m.key == "final_plan")


def _page(client, case, user) -> str:
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    response = client.get(f"/family/cases/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _item(html: str, key: str) -> list[str]:
    """The task-list items of one kind of step, as text."""
    found = re.findall(
        r'<li class="govuk-task-list__item" data-step="' + key + r'" data-status="(\w+)">(.*?)</li>', html, re.S
    )
    return [status + " " + " ".join(re.sub(r"<[^>]+>", " ", body).split()) for status, body in found]


# --- The family's page ---------------------------------------------------------------------


def test_a_closed_window_never_says_your_turn_and_says_what_happens_next(client):
    case = _missed_final_plan()
    user = _family(case)
    html = _page(client, case, user)
    assert "Your turn" not in html
    [window] = _item(html, "representations_close")
    assert window.startswith("period_closed")
    closed_on = next(m for m in case.milestones if m.key == "representations_close").due_on
    assert f"Your time to tell us what you think of the draft plan closed on {closed_on:%-d %B %Y}." in window
    assert "What happens next: we send you the final EHC plan." in window
    assert "The final plan was due by" in window


def test_an_open_window_is_the_familys_turn_until_it_closes(app):
    case = create_assessment(received_on=date(2025, 1, 6))
    who = case.coordinator
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=who, today=SERVICE_DAY)
    case_service.record_event(case, EventType.DECIDED_TO_ISSUE, date(2025, 3, 31), actor=who, today=SERVICE_DAY)
    case_service.record_event(case, EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7), actor=who, today=SERVICE_DAY)
    db.session.commit()
    user = _family(case)
    window = next(m for m in case.milestones if m.key == "representations_close")
    during = family_service.progress(case, today=window.due_on, viewer=user)
    assert during.your_turn is not None and during.headline.startswith("Your turn")
    after = family_service.progress(case, today=window.due_on + timedelta(days=1), viewer=user)
    assert after.your_turn is None and "Your turn" not in after.headline
    assert next(s for s in after.steps if s.key == "representations_close").status == "period_closed"


def test_a_missed_final_plan_is_said_plainly_with_we_will_tell_you_until_a_date_is_set(client):
    case = _missed_final_plan()
    user = _family(case)
    due = _final(case).due_on
    html = _page(client, case, user)
    plain = f"The final plan was due by {due:%-d %B %Y}. It has not been issued yet."
    assert plain in html
    # No date is invented: until the coordinator gives one, the family is told one will follow.
    assert "We will tell you the new date." in html
    assert "The law says this must happen by" not in html  # never a past date as if it were still ahead
    assert 'data-next-step="late"' in html


def test_the_coordinator_sets_the_expected_date_and_the_family_sees_it(client, auth):
    case = _missed_final_plan()
    user = _family(case)
    final = _final(case)
    auth.login(case.coordinator)
    view = client.get(f"/cases/{case.id}").get_data(as_text=True)
    url = f"/cases/{case.id}/milestones/{final.id}/expected"
    assert f'href="{url}"' in view and "Tell the family when you now expect this" in view

    form = client.get(url)
    assert form.status_code == 200 and "We will tell you the new date." in form.get_data(as_text=True)
    # Not before today, and not absurdly far ahead; the typing comes back with the error.
    before = client.post(url, data={"expected_on": _d(today() - timedelta(days=1)), "note": "Panel moved"})
    html = before.get_data(as_text=True)
    assert (
        before.status_code == 200
        and "govuk-error-summary" in html
        and "cannot be before today" in html
        and 'value="Panel moved"' in html
    )
    far = client.post(url, data={"expected_on": _d(today() + timedelta(days=400)), "note": ""})
    assert "must be within a year" in far.get_data(as_text=True)
    empty = client.post(url, data={"expected_on": ["", "", ""], "note": ""})
    assert "Enter the date you now expect it" in empty.get_data(as_text=True)
    db.session.refresh(final)
    assert final.expected_on is None

    expected_on = today() + timedelta(days=21)
    saved = client.post(url, data={"expected_on": _d(expected_on), "note": "  The panel meets   again next month. "})
    assert saved.status_code == 302
    db.session.refresh(final)
    assert final.expected_on == expected_on and final.expected_note == "The panel meets again next month."
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "milestone_expected_set"))
    assert entry is not None and str(entry.object_id) == str(case.id) and entry.actor_id == case.coordinator.id
    assert (
        entry.details["new"]["expected_on"] == expected_on.isoformat() and entry.details["old"]["expected_on"] is None
    )
    staff = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'data-expected-on="{expected_on.isoformat()}"' in staff
    auth.logout()

    html = _page(client, case, user)
    assert f"We now expect this by {expected_on:%A %-d %B %Y}." in html
    assert "The panel meets again next month." in html
    assert "We will tell you the new date." not in html


def test_the_expected_date_is_refused_for_a_step_not_overdue_and_for_others(client, auth):
    case = _missed_final_plan()
    window = next(m for m in case.milestones if m.key == "representations_close")
    done = next(m for m in case.milestones if m.key == "decision_to_assess")
    with_pending = create_assessment(received_on=today() - timedelta(days=3), today=today())
    not_due = next(m for m in with_pending.milestones if m.key == "final_plan")
    with_pending.coordinator = case.coordinator
    with_pending.team_id = case.team_id
    db.session.commit()
    for milestone in (done, not_due):
        try:
            family_service.set_expected(
                milestone, expected_on=today() + timedelta(days=5), note="", actor=case.coordinator, today=today()
            )
        except ServiceError as error:
            assert "overdue and not done yet" in error.message
        else:
            raise AssertionError("a new date was accepted for a step that is not overdue")
    auth.login(case.coordinator)
    assert client.get(f"/cases/{case.id}/milestones/{window.id}/expected").status_code == 404
    other = create_assessment()
    other_final = _final(other)
    assert client.get(f"/cases/{case.id}/milestones/{other_final.id}/expected").status_code == 404
    assert (
        client.get(f"/cases/{other.id}/milestones/{other_final.id}/expected").status_code == 404
    )  # another team's case
    long_note = client.post(
        f"/cases/{case.id}/milestones/{_final(case).id}/expected", data={"expected_on": _d(today()), "note": "x" * 201}
    )
    assert "200 characters or fewer" in long_note.get_data(as_text=True)
    auth.logout()
    # Another coordinator of the team may see the case but not change it; the family may not reach the page.
    colleague = create_user(role="coordinator", teams=[case.team])
    auth.login(colleague)
    assert client.get(f"/cases/{case.id}/milestones/{_final(case).id}/expected").status_code == 403
    auth.logout()


def test_a_past_expected_date_is_not_shown_as_still_ahead(app):
    case = _missed_final_plan()
    user = _family(case)
    final = _final(case)
    family_service.set_expected(
        final, expected_on=date(2025, 12, 10), note="", actor=case.coordinator, today=date(2025, 12, 1)
    )
    later = family_service.progress(case, today=date(2025, 12, 20), viewer=user)
    step = next(s for s in later.steps if s.key == "final_plan")
    assert (
        "We expected this by 10 December 2025, but it has not happened yet. We will tell you the new date."
        in step.detail
    )
    assert step.expected_on is None


def test_each_advice_is_named_by_who_gives_it(client):
    case = _missed_final_plan()
    user = _family(case)
    html = _page(client, case, user)
    advice = _item(html, "advice_due")
    assert any("Speech and language therapy advice from Northtown NHS Trust" in a for a in advice)
    assert any("Educational psychologist advice from Northtown EP Service" in a for a in advice)
    # The advice still awaited is the advice-giver's late reply, not a council time limit.
    salt = next(a for a in advice if "Northtown NHS Trust" in a)
    assert salt.startswith("their_late") and "Waiting for their reply" in salt and "was asked to reply by" in salt
    # What has happened names them too.
    assert "We asked for speech and language therapy advice from Northtown NHS Trust" in html
    assert "We got educational psychologist advice from Northtown EP Service" in html
    assert "Hill Primary replied" in html and "We asked Oak Academy if it can meet your child" in html


def test_a_schools_late_reply_is_not_the_councils_lateness(client):
    case = _missed_final_plan()
    user = _family(case)
    progress = family_service.progress(case, today=today(), viewer=user)
    # Only the council's own steps count as late: here the final plan.
    assert [s.key for s in progress.late_steps] == ["final_plan"]
    html = _page(client, case, user)
    [hill] = [s for s in _item(html, "school_consultation_response") if "Hill Primary" in s]
    [oak] = [s for s in _item(html, "school_consultation_response") if "Oak Academy" in s]
    assert hill.startswith("their_done_late") and "Replied" in hill and "Done late" not in hill
    assert "They replied on 19 May 2025, after the 23 April 2025 they were asked to reply by." in hill
    assert oak.startswith("their_late") and "The school or college was asked to reply by" in oak
    assert "not one of our own time limits" in oak and ">Late<" not in oak
    assert "One of our steps is late." in html  # one council step (the final plan), not four


def test_the_coordinators_contact_details_are_shown_and_the_phone_only_when_set(client):
    case = _missed_final_plan(phone="01632 960 001")
    db.session.commit()
    user = _family(case)
    html = _page(client, case, user)
    assert "Casey Coordinator" in html
    assert 'href="mailto:casey@council.example.org"' in html
    assert 'href="tel:01632960001"' in html and "01632 960 001" in html
    client.post("/sign-out")

    case.coordinator.phone = None
    db.session.commit()
    html = _page(client, case, user)
    assert 'href="mailto:casey@council.example.org"' in html and "tel:" not in html and ">Phone<" not in html


def test_the_list_of_cases_says_where_each_stands_without_your_turn_for_a_closed_window(client):
    case = _missed_final_plan()
    user = _family(case)
    # A second child of the same family (say, a brother), with an assessment that has just begun.
    brother = create_assessment(received_on=today() - timedelta(days=2), today=today(), coordinator=case.coordinator)
    assert _family(brother).id == user.id
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    html = client.get("/family/").get_data(as_text=True)
    assert f"The final plan was due by {_final(case).due_on:%-d %B %Y}. It has not been issued yet." in html
    assert "Your turn" not in html
    assert "Next: We decide if we will assess your child" in html
    listed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "family_cases_listed"))
    assert listed is not None and sorted(listed.details["cases"]) == sorted([case.id, brother.id])


# --- Inviting the family reuses a recorded contact ------------------------------------------


def test_inviting_picks_a_recorded_contact_or_someone_else(client, auth):
    case = create_assessment()
    mum = create_contact(
        child=case.child, name="Morgan Mum", email="morgan@example.org", relationship_to_child="Mother"
    )
    create_contact(child=case.child, name="No Email Nan", email=None, relationship_to_child="Grandmother")
    auth.login(case.coordinator)
    url = f"/cases/{case.id}/family"
    page = client.get(url).get_data(as_text=True)
    assert f'value="contact:{mum.id}"' in page and "morgan@example.org" in page and "Someone else" in page
    assert "No Email Nan" not in page  # only contacts with an email address can be invited

    nothing = client.post(url, data={"relationship": "parent"})
    assert "Select who you are inviting" in nothing.get_data(as_text=True)
    typed = client.post(url, data={"contact": "other", "name": "Sam Step", "email": "", "relationship": "parent"})
    html = typed.get_data(as_text=True)
    assert "Enter their email address" in html and 'value="Sam Step"' in html and 'value="other" checked' in html

    sent = client.post(url, data={"contact": f"contact:{mum.id}", "name": "", "email": "", "relationship": "parent"})
    assert sent.status_code == 302
    invitation = db.session.scalar(select(FamilyInvitation).where(FamilyInvitation.case_id == case.id))
    assert invitation.name == "Morgan Mum" and invitation.email == "morgan@example.org"

    other = client.post(
        url, data={"contact": "other", "name": "Sam Step", "email": "sam@example.org", "relationship": "parent"}
    )
    assert other.status_code == 302
    assert (
        db.session.scalar(select(FamilyInvitation).where(FamilyInvitation.email == "sam@example.org")).name
        == "Sam Step"
    )
    # Typing someone's details without choosing "Someone else" means them.
    typed_only = client.post(url, data={"name": "Lee Carer", "email": "lee@example.org", "relationship": "parent"})
    assert typed_only.status_code == 302
    assert (
        db.session.scalar(select(FamilyInvitation).where(FamilyInvitation.email == "lee@example.org")).name
        == "Lee Carer"
    )
    # A contact that is not this child's is not accepted.
    stranger = create_contact(child=create_assessment().child, name="Stranger", email="stranger@example.org")
    refused = client.post(url, data={"contact": f"contact:{stranger.id}", "relationship": "parent"})
    assert refused.status_code == 200 and "Select who you are inviting" in refused.get_data(as_text=True)
    assert db.session.scalar(select(FamilyInvitation).where(FamilyInvitation.email == "stranger@example.org")) is None


def test_a_staff_address_on_a_picked_contact_is_refused_on_the_choice(client, auth):
    case = create_assessment()
    contact = create_contact(child=case.child, name="Staff Parent", email=case.coordinator.email)
    auth.login(case.coordinator)
    refused = client.post(
        f"/cases/{case.id}/family", data={"contact": f"contact:{contact.id}", "relationship": "parent"}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "belongs to a staff account" in html and 'href="#contact"' in html


# --- The coordinator's phone number, kept by administrators ---------------------------------


def test_an_administrator_records_a_phone_number_loosely_checked(client, auth):
    team = create_team()
    auth.login(role="admin")
    base = {
        "name": "Pip Phone",
        "role": "coordinator",
        "teams": [str(team.id)],
        "email": "pip@council.example.org",
        "password": "a long temporary password 1",
    }
    for bad in ("0163 29", "01632 960 001 001 0", "ring 01632 960001", "01632-960-001"):
        response = client.post("/admin/users/new", data={**base, "phone": bad})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Enter a phone number like" in html, bad
    assert db.session.scalar(select(User).where(User.email == "pip@council.example.org")) is None
    assert client.post("/admin/users/new", data={**base, "phone": "+44 1632  960 001"}).status_code == 302
    pip = db.session.scalar(select(User).where(User.email == "pip@council.example.org"))
    assert pip.phone == "+44 1632 960 001"

    edit = client.get(f"/admin/users/{pip.id}").get_data(as_text=True)
    assert 'value="+44 1632 960 001"' in edit
    changed = client.post(
        f"/admin/users/{pip.id}",
        data={"name": "Pip Phone", "role": "coordinator", "teams": [str(team.id)], "phone": "01632 960 002"},
    )
    assert changed.status_code == 302
    db.session.refresh(pip)
    assert pip.phone == "01632 960 002"
    entry = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user_updated").order_by(AuditEvent.id.desc())
    ).first()
    assert entry.details["phone"] == {"old": "+44 1632 960 001", "new": "01632 960 002"}
    client.post(
        f"/admin/users/{pip.id}",
        data={"name": "Pip Phone", "role": "coordinator", "teams": [str(team.id)], "phone": ""},
    )
    db.session.refresh(pip)
    assert pip.phone is None
