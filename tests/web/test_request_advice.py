"""Several kinds of advice requested in one form; advice received picked from the open requests."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models.case import AdviceRequest, Case, CaseType, EventType
from ehc_tracker.models.directory import DirectoryKind
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import directory as directory_service
from ehc_tracker.services.directory import EntryDetails
from tests.factories_cases import TODAY, carry_to_final_plan, create_assessment
from tests.helpers import create_team, create_user

ASKED = ["11", "2", "2025"]


def _decided(coordinator):
    case = create_assessment(coordinator=coordinator)
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=coordinator, today=TODAY)
    db.session.commit()
    return case


def _entries():
    admin = create_user(role="admin", commit=False)
    for name, kind, urn in (
        ("Northtown Community Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS, ""),
        ("Northtown Educational Psychology Service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY, ""),
        ("Hill Primary School", DirectoryKind.SCHOOL, "123456"),
    ):
        directory_service.create_entry(EntryDetails(name=name, kind=kind.value, urn=urn), actor=admin)
    db.session.commit()


def _rows(*rows: tuple[str, str]) -> dict[str, str]:
    data: dict[str, str] = {}
    for n, (kind, provider) in enumerate(rows):
        data[f"rows-{n}-advice_type"] = kind
        data[f"rows-{n}-provider"] = provider
    return data


def _selected(html: str, field_id: str) -> str | None:
    select_html = re.search(rf'<select[^>]*id="{field_id}".*?</select>', html, re.S)
    assert select_html, field_id
    chosen = re.search(r'<option value="([^"]*)"\s+selected', select_html.group(0))
    return chosen.group(1) if chosen else None


def test_the_advice_requested_step_opens_the_form_with_a_row_for_each_statutory_kind(client, auth):
    me = auth.login(role="coordinator", teams=[create_team()])
    _entries()
    case = _decided(me)
    view = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Record: Advice requested" in view
    moved = client.get(f"/cases/{case.id}/events/advice_requested")
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"/cases/{case.id}/advice/request")
    html = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert "<title>Request advice – " in html and case.child.full_name in html
    assert [_selected(html, f"rows-{n}-advice_type") for n in range(6)] == [
        "school",
        "ep",
        "health",
        "social_care",
        None,
        None,
    ]
    assert 'id="rows-6-advice_type"' not in html
    # One list of directory names, which every row's "Requested from" offers as people type.
    assert html.count('list="advice-providers"') == 6
    options = re.search(r'<datalist id="advice-providers">(.*?)</datalist>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', options) == [
        "Hill Primary School",
        "Northtown Community Paediatrics",
        "Northtown Educational Psychology Service",
    ]
    assert "Add another row" in html
    assert (
        "data-today=" in html and "Today is " in html
    )  # the "Use today's date" shortcut, and today in words without JavaScript


def test_several_kinds_of_advice_are_requested_in_one_go(client, auth):
    me = auth.login(role="coordinator", teams=[create_team()])
    _entries()
    case = _decided(me)
    response = client.post(
        f"/cases/{case.id}/advice/request",
        data={
            "on": ASKED,
            **_rows(
                ("school", "Hill Primary School"),
                ("ep", "northtown educational psychology service"),
                ("health", "Northtown Community Paediatrics"),
                ("social_care", ""),
                ("", ""),
                ("salt", "Speech and Language Therapy Team"),
            ),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Advice requested on 11 February 2025 (4): School advice — Hill Primary School, due 25 March 2025; "
        "Educational psychology advice — Northtown Educational Psychology Service, due 25 March 2025; "
        "Health advice — Northtown Community Paediatrics, due 25 March 2025; "
        "Speech and language therapy advice — Speech and Language Therapy Team, due 25 March 2025."
    ) in html
    # The timeline names each advice milestone by its type and provider.
    names = re.findall(
        r'<tr class="govuk-table__row" data-milestone="advice_due"[^>]*>\s*<td class="govuk-table__cell">([^<]*)</td>',
        html,
    )
    assert sorted(names) == sorted(
        [
            "School advice — Hill Primary School",
            "Educational psychology advice — Northtown Educational Psychology Service",
            "Health advice — Northtown Community Paediatrics",
            "Speech and language therapy advice — Speech and Language Therapy Team",
        ]
    )
    requests = db.session.scalars(select(AdviceRequest).order_by(AdviceRequest.id)).all()
    assert [a.directory_entry_id is not None for a in requests] == [True, True, True, False]
    assert len(db.session.get(Case, case.id).events_of(EventType.ADVICE_REQUESTED)) == 4


def test_a_refused_row_comes_back_with_everything_typed_and_nothing_saved(client, auth):
    me = auth.login(role="coordinator", teams=[create_team()])
    case = _decided(me)
    data = {
        "on": ASKED,
        **_rows(("ep", "EP Service"), ("", "Dr A Shah"), ("health", "Paediatrics"), ("health", " paediatrics")),
    }
    response = client.post(f"/cases/{case.id}/advice/request", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and 'href="#rows-1-advice_type"' in html
    assert "Select the type of advice asked of Dr A Shah" in html
    assert 'value="EP Service"' in html and 'value="Dr A Shah"' in html and 'value=" paediatrics"' in html
    assert 'value="11"' in html and 'value="2025"' in html
    assert _selected(html, "rows-0-advice_type") == "ep" and _selected(html, "rows-3-advice_type") == "health"
    assert "<title>Error: Request advice" in html
    # Fixed, the duplicate row is the next thing refused, on its own field.
    data["rows-1-advice_type"] = "other"
    html = client.post(f"/cases/{case.id}/advice/request", data=data).get_data(as_text=True)
    assert 'href="#rows-3-provider"' in html and "Health advice from paediatrics is already in row 3" in html
    assert db.session.scalar(select(AdviceRequest.id)) is None


def test_the_date_is_checked(client, auth):
    me = auth.login(role="coordinator", teams=[create_team()])
    case = _decided(me)
    html = client.post(
        f"/cases/{case.id}/advice/request", data={"on": ["9", "2", "2025"], **_rows(("ep", "EP"))}
    ).get_data(as_text=True)
    assert 'href="#on"' in html and "cannot be before ‘Decided to assess’ (10 February 2025)" in html
    html = client.post(
        f"/cases/{case.id}/advice/request", data={"on": ["31", "2", "2025"], **_rows(("ep", "EP"))}
    ).get_data(as_text=True)
    assert "must be a real date" in html and 'value="EP"' in html
    html = client.post(f"/cases/{case.id}/advice/request", data=_rows(("ep", "EP"))).get_data(as_text=True)
    assert "Enter the date advice was requested" in html
    assert db.session.scalar(select(AdviceRequest.id)) is None


def test_another_row_is_added_without_javascript_keeping_the_typing_up_to_twelve(client, auth):
    me = auth.login(role="coordinator", teams=[create_team()])
    case = _decided(me)
    rows = [("school", "Hill Primary"), ("ep", ""), ("health", "Paediatrics"), ("social_care", ""), ("", ""), ("", "")]
    html = client.post(
        f"/cases/{case.id}/advice/request", data={"on": ASKED, "add_row": "Add another row", **_rows(*rows)}
    ).get_data(as_text=True)
    assert 'id="rows-6-provider"' in html and 'value="Hill Primary"' in html and 'value="Paediatrics"' in html
    assert "There is a problem" not in html
    assert db.session.scalar(select(AdviceRequest.id)) is None
    full = [("other", "") for _ in range(12)]
    html = client.post(f"/cases/{case.id}/advice/request", data={"on": ASKED, **_rows(*full)}).get_data(as_text=True)
    assert 'id="rows-11-provider"' in html and "Add another row" not in html
    crafted = [("ep", f"Service {n}") for n in range(13)]
    html = client.post(f"/cases/{case.id}/advice/request", data={"on": ASKED, **_rows(*crafted)}).get_data(as_text=True)
    assert "Request at most 12 pieces of advice at a time" in html
    assert db.session.scalar(select(AdviceRequest.id)) is None


def test_advice_cannot_be_requested_before_the_decision_to_assess_or_on_a_review(client, auth):
    me = auth.login(role="coordinator", teams=[create_team()])
    case = create_assessment(coordinator=me)
    html = client.get(f"/cases/{case.id}/advice/request").get_data(as_text=True)
    assert "Record ‘Decided to assess’ before requesting advice." in html and 'name="rows-0-provider"' not in html
    done = carry_to_final_plan(create_assessment(coordinator=me), actor=me)
    html = client.get(f"/cases/{done.id}/advice/request").get_data(as_text=True)
    assert "This case is completed, so no more advice can be requested on it." in html
    review = next(c for c in done.child.cases if c.case_type is CaseType.ANNUAL_REVIEW)
    html = client.get(f"/cases/{review.id}/advice/request").get_data(as_text=True)
    assert "Advice is requested during an EHC needs assessment" in html and 'name="rows-0-provider"' not in html


def test_only_those_who_may_change_the_case_reach_the_form(client, auth):
    team = create_team()
    holder = create_user(role="coordinator", teams=[team])
    case = _decided(holder)
    auth.login(role="coordinator", teams=[team])
    assert client.get(f"/cases/{case.id}/advice/request").status_code == 403
    assert client.post(f"/cases/{case.id}/advice/request", data={"on": ASKED, **_rows(("ep", "EP"))}).status_code == 403
    auth.logout()
    auth.login(role="coordinator", teams=[create_team()])
    assert client.get(f"/cases/{case.id}/advice/request").status_code == 404
    auth.logout()
    auth.login(role="viewer", teams=[team])
    assert client.get(f"/cases/{case.id}/advice/request").status_code == 403
    assert db.session.scalar(select(AdviceRequest.id)) is None


def test_advice_received_is_picked_from_the_open_requests(client, auth):
    me = auth.login(role="coordinator", teams=[create_team()])
    case = _decided(me)
    made = case_service.request_advice(
        case,
        date(2025, 2, 11),
        [case_service.AdviceWanted("ep", "EP Service"), case_service.AdviceWanted("health", "Paediatrics")],
        actor=me,
        today=TODAY,
    )
    db.session.commit()
    html = client.get(f"/cases/{case.id}/events/advice_received").get_data(as_text=True)
    radios = re.findall(r'<input class="govuk-radios__input"[^>]*name="advice_request_id"[^>]*value="(\d+)"', html)
    assert radios == [str(made[0].id), str(made[1].id)]
    assert "Health advice — Paediatrics, due 25 March 2025 (requested 11 February 2025)" in html
    assert 'name="provider"' not in html  # no free text for which advice arrived
    response = client.post(
        f"/cases/{case.id}/events/advice_received",
        data={"on": ["20", "3", "2025"], "advice_request_id": str(made[1].id)},
    )
    assert response.status_code == 302
    html = client.get(f"/cases/{case.id}/events/advice_received").get_data(as_text=True)
    assert "Paediatrics" not in html and "Educational psychology advice — EP Service" in html
