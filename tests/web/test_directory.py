"""The directory pages (administrators) and its names offered as people type in the case forms."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.case import EventType
from ehc_tracker.models.directory import DirectoryEntry, DirectoryKind
from ehc_tracker.services import cases as case_service
from ehc_tracker.services import directory as directory_service
from ehc_tracker.services.directory import EntryDetails
from tests.factories_cases import TODAY, create_assessment
from tests.helpers import create_team, create_user


def _entry(name, kind, **kw):
    admin = create_user(role="admin", commit=False)
    entry = directory_service.create_entry(EntryDetails(name=name, kind=kind.value, **kw), actor=admin)
    db.session.commit()
    return entry


def _datalist(html: str, list_id: str) -> list[str]:
    found = re.search(rf'<datalist id="{re.escape(list_id)}">(.*?)</datalist>', html, re.S)
    assert found, f"no datalist {list_id}"
    return re.findall(r'<option value="([^"]*)"', found.group(1))


def test_only_administrators_open_the_directory(client, auth):
    auth.login(role="manager", teams=[create_team()])
    assert client.get("/admin/directory").status_code == 403
    assert client.get("/admin/directory/new").status_code == 403
    assert client.post("/admin/directory/new", data={"name": "X", "kind": "other"}).status_code == 403
    assert db.session.scalar(select(DirectoryEntry.id)) is None


def test_an_administrator_adds_an_entry_and_finds_it(client, auth):
    auth.login(role="admin")
    page = client.get("/admin/directory/new").get_data(as_text=True)
    assert (
        "Add a directory entry" in page and "Health – paediatrics" in page and "Independent specialist provider" in page
    )
    response = client.post(
        "/admin/directory/new",
        data={
            "name": "Hill Primary School",
            "kind": "school",
            "urn": "123456",
            "email": "office@hill.example.org",
            "phone": "01632 960 001",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/directory")
    listing = client.get("/admin/directory").get_data(as_text=True)
    assert "Hill Primary School added to the directory." in listing
    assert "URN 123456" in listing and "office@hill.example.org" in listing and "01632 960 001" in listing
    entry = db.session.scalars(select(DirectoryEntry)).one()
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "directory_entry_added", AuditEvent.object_id == str(entry.id))
    )


def test_a_wrong_reference_comes_back_with_the_typing_kept(client, auth):
    auth.login(role="admin")
    response = client.post(
        "/admin/directory/new",
        data={
            "name": "Northgate College",
            "kind": "college",
            "urn": "",
            "ukprn": "2001234",
            "email": "admissions@northgate.example.org",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and 'href="#ukprn"' in html and "A UKPRN has 8 digits and starts with 1" in html
    assert (
        'value="Northgate College"' in html
        and 'value="2001234"' in html
        and 'value="admissions@northgate.example.org"' in html
    )
    assert re.search(r'value="college"\s+checked', html)
    assert "<title>Error:" in html
    assert db.session.scalar(select(DirectoryEntry.id)) is None


def test_the_list_searches_filters_and_pages(client, auth):
    for n in range(30):
        _entry(f"Service {n:02d}", DirectoryKind.OTHER)
    _entry("Hill Primary School", DirectoryKind.SCHOOL, urn="123456")
    gone = _entry("Hill House Unit", DirectoryKind.OTHER)
    admin = create_user(role="admin")
    directory_service.set_active(gone, False, actor=admin)
    db.session.commit()
    auth.login(admin)
    first = client.get("/admin/directory").get_data(as_text=True)
    assert "31 entries" in first and "Service 00" in first and "Service 24" not in first  # 25 a page, by name
    assert 'href="/admin/directory?page=2"' in first
    second = client.get("/admin/directory?page=2").get_data(as_text=True)
    assert "Service 24" in second and "Service 00" not in second
    found = client.get("/admin/directory?q=hill").get_data(as_text=True)
    assert "1 entry" in found and "Hill Primary School" in found and "Hill House Unit" not in found
    assert "Hill House Unit" in client.get("/admin/directory?q=hill&show=inactive").get_data(as_text=True)
    assert "Hill Primary School" in client.get("/admin/directory?q=123456").get_data(as_text=True)
    schools = client.get("/admin/directory?kind=school").get_data(as_text=True)
    assert "Hill Primary School" in schools and "Service 00" not in schools


def test_an_entry_is_edited_deactivated_and_reactivated(client, auth):
    entry = _entry("EP service", DirectoryKind.EDUCATIONAL_PSYCHOLOGY)
    auth.login(role="admin")
    page = client.get(f"/admin/directory/{entry.id}").get_data(as_text=True)
    assert 'value="EP service"' in page and re.search(r'value="educational_psychology"\s+checked', page)
    response = client.post(
        f"/admin/directory/{entry.id}",
        data={
            "name": "Northtown Educational Psychology Service",
            "kind": "educational_psychology",
            "phone": "01632 960 002",
        },
    )
    assert response.status_code == 302
    assert "Saved the changes to Northtown Educational Psychology Service." in client.get("/admin/directory").get_data(
        as_text=True
    )
    response = client.post(f"/admin/directory/{entry.id}/active", data={"active": "0"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is deactivated: it is no longer offered" in html and "Reactivate entry" in html
    db.session.expire_all()
    assert db.session.get(DirectoryEntry, entry.id).active is False
    client.post(f"/admin/directory/{entry.id}/active", data={"active": "1"})
    db.session.expire_all()
    assert db.session.get(DirectoryEntry, entry.id).active is True
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "directory_entry")).all()
    assert {"directory_entry_changed", "directory_entry_deactivated", "directory_entry_reactivated"} <= set(actions)


def test_an_entry_a_case_names_is_never_deleted(client, auth):
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    used = _entry("Northtown Community Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS)
    unused = _entry("Typo Servce", DirectoryKind.OTHER)
    unused_id = unused.id
    case = create_assessment(coordinator=coordinator)
    case_service.record_event(case, EventType.DECIDED_TO_ASSESS, date(2025, 2, 10), actor=coordinator, today=TODAY)
    case_service.request_advice(
        case,
        date(2025, 2, 11),
        [case_service.AdviceWanted("health", "Northtown Community Paediatrics")],
        actor=coordinator,
        today=TODAY,
    )
    db.session.commit()
    auth.login(role="admin")
    page = client.get(f"/admin/directory/{used.id}").get_data(as_text=True)
    assert "Named in 1 advice request or consultation, so it cannot be deleted." in page and "Delete entry" not in page
    response = client.post(f"/admin/directory/{used.id}/delete")
    assert "so it cannot be deleted. Deactivate it instead" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(DirectoryEntry, used.id) is not None
    assert "Delete entry" in client.get(f"/admin/directory/{unused.id}").get_data(as_text=True)
    response = client.post(f"/admin/directory/{unused.id}/delete")
    assert "Typo Servce was deleted from the directory." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(DirectoryEntry, unused_id) is None


def _at_draft(coordinator):
    case = create_assessment(coordinator=coordinator)
    for step, on in (
        (EventType.DECIDED_TO_ASSESS, date(2025, 2, 10)),
        (EventType.DECIDED_TO_ISSUE, date(2025, 3, 31)),
        (EventType.DRAFT_PLAN_ISSUED, date(2025, 4, 7)),
    ):
        case_service.record_event(case, step, on, actor=coordinator, today=TODAY)
    db.session.commit()
    return case


def test_the_consultation_and_plan_forms_offer_active_settings_as_people_type(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    hill = _entry("Hill Primary School", DirectoryKind.SCHOOL, urn="123456")
    _entry("Northgate College", DirectoryKind.COLLEGE, ukprn="10012345")
    _entry("Northtown Community Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS)
    closed = _entry("Brook Infant School", DirectoryKind.SCHOOL, urn="123457")
    directory_service.set_active(closed, False, actor=create_user(role="admin", commit=False))
    db.session.commit()
    case = _at_draft(me)
    html = client.get(f"/cases/{case.id}/events/school_consulted").get_data(as_text=True)
    assert 'list="setting_name-directory"' in html and 'autocomplete="off"' in html
    assert _datalist(html, "setting_name-directory") == [
        "Hill Primary School",
        "Northgate College",
    ]  # settings, active only
    assert "Start typing to choose from the directory" in html
    # The server matches what was typed, whatever its case, and links the entry.
    response = client.post(
        f"/cases/{case.id}/events/school_consulted",
        data={"on": ["8", "4", "2025"], "setting_name": "hill primary school"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    consultation = db.session.get(type(case), case.id).consultations[0]
    assert (consultation.setting_name, consultation.directory_entry_id) == ("Hill Primary School", hill.id)
    # Someone not in the directory can still be typed.
    client.post(
        f"/cases/{case.id}/events/school_consulted", data={"on": ["8", "4", "2025"], "setting_name": "Oak Lodge School"}
    )
    db.session.expire_all()
    assert db.session.get(type(case), case.id).consultations[1].directory_entry_id is None
    plan = client.get(f"/cases/{case.id}/events/final_plan_issued").get_data(as_text=True)
    assert _datalist(plan, "named_settings-directory") == ["Hill Primary School", "Northgate College"]


def test_administrators_reach_the_directory_from_home_and_the_navigation(client, auth):
    auth.login(role="admin")
    html = client.get("/").get_data(as_text=True)
    assert "Directory of providers and settings" in html and html.count('href="/admin/directory"') >= 2
    auth.logout()
    auth.login(role="coordinator", teams=[create_team()])
    assert 'href="/admin/directory"' not in client.get("/").get_data(as_text=True)


def test_the_dashboard_counts_advice_by_directory_entry(client, auth):
    from datetime import timedelta

    from ehc_tracker.services.clock import today

    now = today()
    team = create_team()
    coordinator = create_user(role="coordinator", teams=[team])
    paeds = _entry("Northtown Paediatrics", DirectoryKind.HEALTH_PAEDIATRICS)
    for typed in ("Northtown Paediatrics", "northtown  paediatrics"):
        case = create_assessment(coordinator=coordinator, received_on=now - timedelta(days=40), today=now)
        case_service.record_event(
            case, EventType.DECIDED_TO_ASSESS, now - timedelta(days=30), actor=coordinator, today=now
        )
        made = case_service.request_advice(
            case, now - timedelta(days=20), [case_service.AdviceWanted("health", typed)], actor=coordinator, today=now
        )
        case_service.record_event(
            case, EventType.ADVICE_RECEIVED, now, actor=coordinator, today=now, advice_request_id=made[0].id
        )
    admin = create_user(role="admin", commit=False)
    directory_service.update_entry(
        paeds, EntryDetails(name="Northtown Community Paediatrics", kind="health_paediatrics"), actor=admin
    )
    db.session.commit()
    auth.login(role="manager", teams=[team])
    html = client.get("/reports/dashboard").get_data(as_text=True)
    table = re.search(r'<table[^>]*data-breakdown="provider".*?</table>', html, re.S).group(0)
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]*)</th>\s*<td[^>]*>(.*?)</td>', table, re.S)
    assert [(name, re.sub(r"<[^>]+>", "", count).strip().split()[0]) for name, count in rows] == [
        ("Northtown Community Paediatrics", "2")
    ]
    assert "counted under its directory name, however it was typed" in html
