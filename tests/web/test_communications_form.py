"""A communication names the child's recorded contact it came from (or someone else), its time of
day, and how the reply went; errors keep what was typed."""

from datetime import date, time

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import Case, Channel, Communication
from ehc_tracker.services import ServiceError
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import children as children_service
from tests.factories_cases import create_assessment
from tests.factories_children import create_child, create_contact
from tests.helpers import create_team


def _d(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _setup(auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    pat = create_contact(child=case.child, name="Pat Brown", relationship_to_child="Father")
    create_contact(child=case.child, name="Kim Brown", relationship_to_child="Mother")
    return me, case, pat


def _only_comm(case_id):
    db.session.expire_all()
    return db.session.get(Case, case_id).communications[0]


def test_from_picks_a_recorded_contact_and_the_case_page_names_them_with_time_and_reply_method(client, auth):
    me, case, pat = _setup(auth)
    form = client.get(f"/cases/{case.id}/communications/new").get_data(as_text=True)
    assert f'name="contact" type="radio" value="{pat.id}"' in form and "Pat Brown" in form and "Father" in form
    assert 'name="contact" type="radio" value="other"' in form and "Someone else" in form
    assert "If someone else: their name and role" in form and 'name="from_name"' in form
    assert "data-aria-controls" not in form  # no conditional reveal: axe refuses aria-expanded on a radio

    response = client.post(
        f"/cases/{case.id}/communications/new",
        data={
            "contact": str(pat.id),
            "received_on": _d(date(2025, 12, 19)),
            "received_at": "14:05",
            "channel": "phone",
            "summary": "Any news?",
        },
    )
    assert response.status_code == 302
    comm = _only_comm(case.id)
    assert (comm.contact_id, comm.from_name, comm.received_at, comm.channel) == (
        pat.id,
        "Pat Brown",
        time(14, 5),
        Channel.PHONE,
    )
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "communication_logged")).one()
    assert logged.details["contact_id"] == pat.id and logged.details["received_at"] == "14:05"

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Communication from Pat Brown (Father) logged." in page
    assert '<td class="govuk-table__cell">Pat Brown (Father)' in page
    assert '<span class="govuk-body-s" data-received-at>14:05</span>' in page

    reply_form = client.get(f"/cases/{case.id}/communications/{comm.id}/respond").get_data(as_text=True)
    assert "How the reply was sent" in reply_form and "Through the service" in reply_form and "In person" in reply_form
    response = client.post(
        f"/cases/{case.id}/communications/{comm.id}/respond",
        data={"responded_on": _d(date(2025, 12, 22)), "reply_channel": "letter"},
    )
    assert response.status_code == 302
    assert _only_comm(case.id).reply_channel is Channel.LETTER
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert '<span class="govuk-body-s" data-reply-channel>Letter</span>' in page
    answered = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "communication_responded")).one()
    assert answered.details["reply_channel"] == "letter"


def test_someone_else_needs_a_name_and_errors_keep_the_typing(client, auth):
    me, case, pat = _setup(auth)
    html = client.post(
        f"/cases/{case.id}/communications/new",
        data={
            "contact": "other",
            "from_name": "",
            "received_on": _d(date(2025, 12, 19)),
            "received_at": "09:30",
            "channel": "email",
            "summary": "Asked about the panel date",
        },
    ).get_data(as_text=True)
    assert "There is a problem" in html and "Enter who it was from" in html
    assert 'value="09:30"' in html and "Asked about the panel date" in html and 'value="other" checked' in html
    assert not db.session.scalars(select(Communication)).all()

    html = client.post(
        f"/cases/{case.id}/communications/new",
        data={
            "received_on": _d(date(2025, 12, 19)),
            "channel": "email",
            "summary": "Asked about the panel date",
        },
    ).get_data(as_text=True)
    assert "Select who it is from" in html

    response = client.post(
        f"/cases/{case.id}/communications/new",
        data={
            "contact": "other",
            "from_name": "Hill Primary SENCo",
            "received_on": _d(date(2025, 12, 19)),
            "channel": "email",
            "summary": "Report",
        },
    )
    assert response.status_code == 302
    comm = _only_comm(case.id)
    assert (comm.contact_id, comm.from_name, comm.received_at) == (None, "Hill Primary SENCo", None)


@pytest.mark.parametrize(
    "typed", ["24:00", "12:60", "9.30", "930", "9:5", "09:30:00", "noon", "9:30am", "-1:30", "١٢:٣٠"]
)
def test_a_time_not_on_the_24_hour_clock_is_refused(client, auth, typed):
    me, case, pat = _setup(auth)
    html = client.post(
        f"/cases/{case.id}/communications/new",
        data={
            "contact": str(pat.id),
            "received_on": _d(date(2025, 12, 19)),
            "received_at": typed,
            "channel": "email",
            "summary": "Any news?",
        },
    ).get_data(as_text=True)
    assert "Enter the time on the 24-hour clock as hours and minutes, for example 09:30 or 14:05" in html
    assert not db.session.scalars(select(Communication)).all()


@pytest.mark.parametrize(
    ("typed", "expected"), [("9:05", time(9, 5)), ("00:00", time(0, 0)), (" 23:59 ", time(23, 59))]
)
def test_times_on_the_24_hour_clock_are_read(typed, expected):
    assert case_service.parse_time_of_day(typed) == expected


def test_a_child_without_contacts_is_asked_only_for_a_name(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(coordinator=me, team=team)
    form = client.get(f"/cases/{case.id}/communications/new").get_data(as_text=True)
    assert 'name="contact"' not in form and "No contacts are recorded for" in form
    html = client.post(
        f"/cases/{case.id}/communications/new",
        data={
            "received_on": _d(date(2025, 12, 19)),
            "channel": "email",
            "summary": "Any news?",
        },
    ).get_data(as_text=True)
    assert "Enter who it was from" in html
    response = client.post(
        f"/cases/{case.id}/communications/new",
        data={
            "from_name": "Grandmother",
            "received_on": _d(date(2025, 12, 19)),
            "channel": "letter",
            "summary": "Any news?",
        },
    )
    assert response.status_code == 302 and _only_comm(case.id).from_name == "Grandmother"


def test_the_reply_method_is_required(client, auth):
    me, case, pat = _setup(auth)
    comm = case_service.log_communication(
        case,
        received_on=date(2025, 12, 19),
        channel=Channel.EMAIL,
        contact=pat,
        from_name="",
        summary="Any news?",
        actor=me,
        today=date(2025, 12, 19),
    )
    db.session.commit()
    html = client.post(
        f"/cases/{case.id}/communications/{comm.id}/respond",
        data={"responded_on": _d(date(2025, 12, 22)), "summary": "Rang back"},
    ).get_data(as_text=True)
    assert "Select how the reply was sent" in html and "Rang back" in html
    assert _only_comm(case.id).responded_on is None


def test_a_contact_of_another_child_is_refused(client, auth):
    me, case, pat = _setup(auth)
    stranger = create_contact(child=create_child(team=case.team), name="Not Theirs")
    with pytest.raises(ServiceError, match="Select one of this child's contacts"):
        case_service.log_communication(
            case,
            received_on=date(2025, 12, 19),
            channel=Channel.EMAIL,
            contact=stranger,
            from_name="",
            summary="Any news?",
            actor=me,
            today=date(2025, 12, 19),
        )
    db.session.rollback()
    html = client.post(
        f"/cases/{case.id}/communications/new",
        data={
            "contact": str(stranger.id),
            "received_on": _d(date(2025, 12, 19)),
            "channel": "email",
            "summary": "Any news?",
        },
    ).get_data(as_text=True)
    assert "Not a valid choice" in html
    assert not db.session.scalars(select(Communication)).all()


def test_removing_the_contact_keeps_the_communication_and_its_name(client, auth):
    me, case, pat = _setup(auth)
    comm = case_service.log_communication(
        case,
        received_on=date(2025, 12, 19),
        channel=Channel.EMAIL,
        contact=pat,
        from_name="",
        summary="Any news?",
        actor=me,
        today=date(2025, 12, 19),
    )
    db.session.commit()
    children_service.remove_contact(pat, actor=me)
    db.session.commit()
    db.session.expire_all()
    comm = db.session.get(Communication, comm.id)
    assert comm.contact_id is None and comm.from_name == "Pat Brown" and comm.from_text == "Pat Brown"
    assert "Pat Brown" in client.get(f"/cases/{case.id}").get_data(as_text=True)
