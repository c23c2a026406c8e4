"""The SEN2 items on the child's record: the form keeps them, checks them and the return uses them."""

from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.child import Child
from ehc_tracker.services import clock
from tests.factories_children import create_child
from tests.helpers import create_team

TODAY = date(2026, 1, 10)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def team(app):
    return create_team(name="North")


@pytest.fixture
def coordinator(auth, team):
    return auth.login(role="coordinator", teams=[team])


def _form(**kw):
    data = {
        "first_name": "Sam",
        "last_name": "Jones",
        "date_of_birth": ["14", "3", "2015"],
        "upn": "",
        "uln": "",
        "ethnicity": "",
        "postcode": "",
        "primary_need": "",
        "secondary_need": "",
        "setting_name": "",
        "setting_urn": "",
        "setting_ukprn": "",
        "year_group_override": "",
        "upn_unknown_reason": "",
        "sen_setting": "",
        "setting_started_on": ["", "", ""],
    }
    data.update(kw)
    return data


def test_the_child_form_records_the_sen2_items(client, coordinator, team):
    page = client.get("/children/new").get_data(as_text=True)
    assert (
        "Reason the UPN is not known" in page
        and "UN4: Refugee or asylum seeker" in page
        and "EHE: Elective home education" in page
    )
    response = client.post(
        "/children/new",
        data=_form(
            team=str(team.id),
            upn_unknown_reason="UN4",
            sen_setting="EHE",
            setting_started_on=["4", "9", "2024"],
            setting_sen_unit="y",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    child = db.session.scalars(select(Child)).one()
    assert (
        child.upn_unknown_reason,
        child.sen_setting,
        child.setting_started_on,
        child.setting_sen_unit,
        child.setting_resourced_provision,
    ) == ("UN4", "EHE", date(2024, 9, 4), True, False)
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "child_created")).one()
    assert entry is not None
    # The edit form shows what is recorded.
    edit = client.get(f"/children/{child.id}/edit").get_data(as_text=True)
    assert '<option value="UN4" selected>' in edit and '<option value="EHE" selected>' in edit


def test_the_sen2_items_are_checked_and_nothing_typed_is_lost(client, coordinator, team):
    response = client.post(
        "/children/new",
        data=_form(team=str(team.id), setting_started_on=["4", "9", "2027"], setting_name="Hill School"),
    )
    html = response.get_data(as_text=True)
    assert (
        response.status_code in (200, 400)
        and "The date the child started at the setting must be today or in the past" in html
    )
    assert 'value="Hill School"' in html and db.session.scalars(select(Child)).first() is None
    refused = client.post("/children/new", data=_form(team=str(team.id), sen_setting="XYZ"))
    assert "Not a valid choice" in refused.get_data(as_text=True) or "Select an SEN setting" in refused.get_data(
        as_text=True
    )


def test_a_upn_replaces_the_reason_it_was_not_known(client, coordinator, team):
    child = create_child(team=team, upn_unknown_reason="UN1")
    response = client.post(f"/children/{child.id}/edit", data=_form(upn="B801200005001", upn_unknown_reason="UN1"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(child)
    assert child.upn == "B801200005001" and child.upn_unknown_reason is None


def test_only_administrators_open_the_sen2_settings_and_managers_see_the_warning(client, auth, team):
    auth.login(role="manager", teams=[team])
    page = client.get("/sen2/").get_data(as_text=True)
    assert "The header items (LA code, DMO, DCO, DSCO) are not all set" in page
    assert client.get("/sen2/settings").status_code == 403
    auth.logout()
    auth.login(role="admin")
    page = client.get("/sen2/settings").get_data(as_text=True)
    assert "Designated social care officer (DSCO)" in page and 'href="/sen2/settings"' in page
