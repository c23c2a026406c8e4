"""The children's pages: who may open them, search, add, view, change, contacts, audit."""

from datetime import date

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent
from ehc_tracker.models.child import Child, ChildContact, SenNeed
from ehc_tracker.services import clock
from tests.factories_children import create_child, create_contact
from tests.helpers import create_team, create_user, csrf_token

TODAY = date(2026, 1, 10)  # in the school year that began in September 2025


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def team(app):
    return create_team(name="North")


@pytest.fixture
def other_team(app):
    return create_team(name="South")


@pytest.fixture
def coordinator(auth, team):
    return auth.login(role="coordinator", teams=[team])


def _audit(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _child_form(**kw):
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
    }
    data.update(kw)
    return data


def _page_urls(child_id, contact_id=1):
    return [
        "/children/",
        "/children/new",
        f"/children/{child_id}",
        f"/children/{child_id}/edit",
        f"/children/{child_id}/contacts/new",
        f"/children/{child_id}/contacts/{contact_id}/edit",
        f"/children/{child_id}/contacts/{contact_id}/remove",
    ]


# --- Who may open the pages ----------------------------------------------------------------------


def test_signed_out_people_are_sent_to_sign_in(client, team):
    child = create_child(team=team)
    for url in _page_urls(child.id):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in"), url


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_admins_and_viewers_cannot_see_children_at_all(auth, client, team, role):
    child = create_child(team=team, first_name="Secret", last_name="Child")
    contact = create_contact(child=child)
    auth.login(role=role, teams=[team])
    for url in _page_urls(child.id, contact.id):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Secret" not in response.get_data(as_text=True)
    assert client.post(f"/children/{child.id}/edit", data=_child_form(first_name="Changed")).status_code == 403
    assert client.post("/children/new", data=_child_form(team=str(team.id))).status_code == 403
    assert client.post(f"/children/{child.id}/contacts/{contact.id}/remove").status_code == 403
    db.session.refresh(child)
    assert child.first_name == "Secret" and len(child.contacts) == 1
    assert _audit("child_viewed") == []


@pytest.mark.parametrize("role", ["coordinator", "manager"])
def test_another_teams_child_is_not_found(auth, client, team, other_team, role):
    child = create_child(team=other_team, first_name="Elsewhere")
    contact = create_contact(child=child, name="Their Parent")
    auth.login(role=role, teams=[team])
    for url in _page_urls(child.id, contact.id)[2:]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Elsewhere" not in response.get_data(as_text=True)
    assert client.get("/children/99999").status_code == 404  # looks the same as a missing record
    assert client.post(f"/children/{child.id}/edit", data=_child_form(first_name="Changed")).status_code == 404
    assert (
        client.post(
            f"/children/{child.id}/contacts/new", data={"name": "X", "relationship_to_child": "Aunt"}
        ).status_code
        == 404
    )
    assert client.post(f"/children/{child.id}/contacts/{contact.id}/remove").status_code == 404
    db.session.refresh(child)
    assert child.first_name == "Elsewhere" and [c.name for c in child.contacts] == ["Their Parent"]
    assert "Elsewhere" not in client.get("/children/?q=elsewhere").get_data(as_text=True)
    assert _audit("child_viewed") == []


def test_a_contact_of_another_child_is_not_found(client, coordinator, team, other_team):
    mine = create_child(team=team)
    theirs = create_contact(child=create_child(team=other_team))
    assert client.get(f"/children/{mine.id}/contacts/{theirs.id}/edit").status_code == 404
    assert client.post(f"/children/{mine.id}/contacts/{theirs.id}/remove").status_code == 404


# --- List and search ----------------------------------------------------------------------------------


def test_first_use_empty_state(client, coordinator):
    html = client.get("/children/").get_data(as_text=True)
    assert "No children or young people have been added to your teams yet" in html
    assert 'href="/children/new"' in html


def test_list_shows_the_teams_children_in_a_table(client, coordinator, team, other_team):
    create_child(
        team=team,
        first_name="Amy",
        last_name="Brown",
        date_of_birth=date(2015, 3, 14),
        primary_need=SenNeed.ASD,
        setting_name="Hill Primary",
    )
    create_child(team=other_team, first_name="Zed", last_name="Other")
    html = client.get("/children/").get_data(as_text=True)
    assert '<caption class="govuk-table__caption govuk-table__caption--m">1 child or young person</caption>' in html
    assert html.count('scope="col"') == 7
    for text in ("Brown, Amy", "14 March 2015", "Year 6", "Autistic spectrum disorder", "Hill Primary", "North"):
        assert text in html
    assert "Zed" not in html


def test_search_by_name_upn_and_date_of_birth(client, coordinator, team):
    create_child(team=team, first_name="Amy", last_name="Brown", date_of_birth=date(2014, 5, 1), upn="B801200005001")
    create_child(team=team, first_name="Cara", last_name="Smith", date_of_birth=date(2014, 5, 1))
    create_child(team=team, first_name="Ben", last_name="Amyson", date_of_birth=date(2016, 2, 2))

    html = client.get("/children/?q=AMY").get_data(as_text=True)
    assert "Brown, Amy" in html and "Amyson, Ben" in html and "Smith, Cara" not in html
    assert 'value="AMY"' in html  # the search box keeps what was typed

    html = client.get("/children/?q=b801200005001").get_data(as_text=True)
    assert "Brown, Amy" in html and "Smith, Cara" not in html

    html = client.get("/children/?q=&date_of_birth=1&date_of_birth=5&date_of_birth=2014").get_data(as_text=True)
    assert "Brown, Amy" in html and "Smith, Cara" in html and "Amyson" not in html

    html = client.get("/children/?q=nobody").get_data(as_text=True)
    assert "No children or young people match your search" in html
    assert "Surname, First name" in html and "a parent’s or carer’s name" in html  # what to try instead

    html = client.get("/children/?date_of_birth=31&date_of_birth=2&date_of_birth=2014").get_data(as_text=True)
    assert "There is a problem" in html and "must be a real date" in html
    assert 'value="31"' in html

    searches = _audit("children_searched")
    assert searches and searches[0].details["q"] == "AMY"


def test_find_a_child_by_surname_comma_first_a_typo_or_a_parent(client, coordinator, team):
    tobias = create_child(team=team, first_name="Tobias", last_name="Smith", date_of_birth=date(2015, 3, 14))
    create_contact(child=tobias, name="Priya Patel", relationship_to_child="Mother")
    create_child(team=team, first_name="Ava", last_name="Smithson", date_of_birth=date(2014, 1, 2))

    html = client.get("/children/?q=Smith%2C+Toby").get_data(as_text=True)
    assert "Smith, Tobias" in html and "Smithson" not in html and 'value="Smith, Toby"' in html

    html = client.get("/children/?q=Tobais+Smiht").get_data(as_text=True)
    assert "Smith, Tobias" in html and "1 child or young person match your search" in html

    html = client.get("/children/?q=smith").get_data(as_text=True)
    assert html.index("Smith, Tobias") < html.index("Smithson, Ava")  # the exact match first

    html = client.get("/children/?q=Priya+Patel").get_data(as_text=True)
    assert "Smith, Tobias" in html and "Found by their mother’s name: Priya Patel" in html

    html = client.get("/children/?q=14%2F03%2F2015").get_data(as_text=True)
    assert "Smith, Tobias" in html and "Smithson" not in html

    html = client.get("/children/?q=31%2F02%2F2015").get_data(as_text=True)
    assert "There is a problem" in html and "Enter a real date of birth" in html and 'value="31/02/2015"' in html


def test_ranked_search_keeps_its_pages(client, coordinator, team, app):
    app.config["PAGE_SIZE"] = 2
    create_child(team=team, first_name="Exact", last_name="Smith")
    for n in range(3):
        create_child(team=team, first_name=f"Kid{n}", last_name="Smithers")
    html = client.get("/children/?q=smith").get_data(as_text=True)
    assert "Smith, Exact" in html and "Showing 1 to 2 of 4" in html
    assert "q=smith&amp;page=2" in html  # the next page keeps the search
    html = client.get("/children/?q=smith&page=2").get_data(as_text=True)
    assert "Smith, Exact" not in html and "Showing 3 to 4 of 4" in html


def test_sort_by_name_or_date_of_birth(client, coordinator, team):
    create_child(team=team, first_name="Amy", last_name="Adams", date_of_birth=date(2016, 1, 1))
    create_child(team=team, first_name="Zoe", last_name="Young", date_of_birth=date(2012, 1, 1))
    by_name = client.get("/children/?sort=name").get_data(as_text=True)
    assert by_name.index("Adams, Amy") < by_name.index("Young, Zoe")
    assert 'aria-sort="ascending"' in by_name
    by_name_desc = client.get("/children/?sort=-name").get_data(as_text=True)
    assert by_name_desc.index("Young, Zoe") < by_name_desc.index("Adams, Amy")
    by_dob = client.get("/children/?sort=dob").get_data(as_text=True)
    assert by_dob.index("Young, Zoe") < by_dob.index("Adams, Amy")
    assert client.get("/children/?sort=nonsense").status_code == 200


def test_list_is_paginated(app, client, coordinator, team):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        create_child(team=team, first_name=f"Kid{n}", last_name=f"Family{n}")
    page_one = client.get("/children/").get_data(as_text=True)
    assert "Family0" in page_one and "Family2" not in page_one
    assert "govuk-pagination" in page_one and "Showing 1 to 2 of 5" in page_one
    page_three = client.get("/children/?page=3").get_data(as_text=True)
    assert "Family4" in page_three and "Family0" not in page_three


# --- Adding a child ----------------------------------------------------------------------------------


def test_add_a_child(client, coordinator, team):
    response = client.post(
        "/children/new",
        data=_child_form(
            team=str(team.id), upn="b801 2000 05001", postcode="sw1a1aa", primary_need="SEMH", sex="F", looked_after="y"
        ),
    )
    assert response.status_code == 302
    child = db.session.scalars(select(Child)).one()
    assert response.headers["Location"] == f"/children/{child.id}"
    assert (child.upn, child.postcode, child.team_id, child.looked_after) == (
        "B801200005001",
        "SW1A 1AA",
        team.id,
        True,
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "govuk-notification-banner--success" in html and "Record added for Sam Jones" in html
    [created] = _audit("child_created")
    assert created.object_id == str(child.id) and created.actor_id == coordinator.id


def test_the_form_offers_only_the_users_teams(client, auth, team, other_team):
    third = create_team(name="West")
    auth.login(role="manager", teams=[team, third])
    html = client.get("/children/new").get_data(as_text=True)
    assert f'value="{team.id}"' in html and f'value="{third.id}"' in html
    assert "South" not in html
    html = client.post("/children/new", data=_child_form(team=str(other_team.id))).get_data(as_text=True)
    assert "There is a problem" in html
    assert db.session.scalars(select(Child)).all() == []


def test_errors_keep_what_was_typed(client, coordinator, team):
    response = client.post(
        "/children/new",
        data=_child_form(
            team=str(team.id),
            first_name="",
            last_name="O'Neill",
            date_of_birth=["31", "2", "2015"],
            upn="A801200005001",
            uln="1234567890",
            postcode="nowhere",
            primary_need="ASD",
            secondary_need="ASD",
            setting_name="Hill Primary",
            setting_urn="12",
        ),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html and "There is a problem" in html
    for message in (
        "Enter the child&#39;s first name",
        "Date of birth must be a real date",
        "check letter does not match",
        "last number does not match the check digit",
        "Enter a real postcode",
        "must be different from the primary need",
        "URN as 6 numbers",
    ):
        assert message in html, message
    for typed in (
        'value="O&#39;Neill"',
        'value="31"',
        'value="A801200005001"',
        'value="1234567890"',
        'value="nowhere"',
        'value="Hill Primary"',
        'value="12"',
    ):
        assert typed in html, typed
    assert '<option value="ASD" selected>' in html
    assert db.session.scalars(select(Child)).all() == []


def test_date_of_birth_in_the_future_is_refused_by_the_service(client, coordinator, team):
    html = client.post(
        "/children/new", data=_child_form(team=str(team.id), date_of_birth=["11", "1", "2026"])
    ).get_data(as_text=True)
    assert "Date of birth must be today or in the past" in html and 'value="2026"' in html


def test_possible_duplicate_asks_is_this_the_same_child(client, coordinator, team, other_team):
    existing = create_child(
        team=team, first_name="Tobias", last_name="Jones", date_of_birth=date(2015, 3, 14), upn="B801200005001"
    )
    create_child(team=other_team, first_name="Toby", last_name="Jones", date_of_birth=date(2015, 3, 14))
    typed = _child_form(
        team=str(team.id), first_name="Toby", setting_name="Typed school", primary_need="ASD", looked_after="y"
    )
    html = client.post("/children/new", data=typed).get_data(as_text=True)
    assert (
        "<title>Is this the same child?" in html and '<h1 class="govuk-heading-l">Is this the same child?</h1>' in html
    )
    # The match in the user's team: name (a link to the record), date of birth, UPN, team, and why.
    assert f'href="/children/{existing.id}"' in html and "Tobias Jones" in html
    assert "14 March 2015" in html and "B801200005001" in html and "North" in html
    assert "Toby and Tobias are forms of the same name" in html
    # The other team's record is counted, never shown.
    assert "1 record held by another team" in html and "South" not in html
    # What was typed travels with the page, and the two answers are buttons.
    for hidden in (
        'name="first_name" value="Toby"',
        'name="setting_name" value="Typed school"',
        'name="primary_need" value="ASD"',
        'name="looked_after" value="y"',
        'name="date_of_birth" value="2015"',
    ):
        assert hidden in html, hidden
    assert "No, add a new child" in html and "Change the details" in html
    assert len(db.session.scalars(select(Child)).all()) == 2
    [shown] = _audit("possible_duplicates_shown")
    assert shown.details == {"shown": [existing.id], "in_other_teams": 1}


def test_no_add_a_new_child_creates_it(client, coordinator, team):
    existing = create_child(team=team, first_name="Tobias", last_name="Jones", date_of_birth=date(2015, 3, 14))
    typed = _child_form(team=str(team.id), first_name="Toby", setting_name="Typed school")
    client.post("/children/new", data=typed)
    response = client.post("/children/new", data=dict(typed, not_duplicate="No, add a new child"))
    assert response.status_code == 302
    [child] = db.session.scalars(select(Child).where(Child.id != existing.id)).all()
    assert (child.first_name, child.setting_name) == ("Toby", "Typed school")
    assert response.headers["Location"] == f"/children/{child.id}"
    assert _audit("child_created")[0].details["possible_duplicates_confirmed_different"] == [existing.id]


def test_change_the_details_goes_back_to_the_form_with_the_typing_kept(client, coordinator, team):
    create_child(team=team, first_name="Tobias", last_name="Jones", date_of_birth=date(2015, 3, 14))
    typed = _child_form(team=str(team.id), first_name="Toby", setting_name="Typed school", postcode="SW1A 1AA")
    html = client.post("/children/new", data=dict(typed, change="Change the details")).get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Add a child or young person</h1>' in html and "There is a problem" not in html
    for value in ('value="Toby"', 'value="Typed school"', 'value="SW1A 1AA"', 'value="14"', 'value="2015"'):
        assert value in html, value
    assert len(db.session.scalars(select(Child)).all()) == 1
    # Changed into someone else, the child is added at once.
    response = client.post("/children/new", data=dict(typed, first_name="Rosa"))
    assert response.status_code == 302 and len(db.session.scalars(select(Child)).all()) == 2


def test_no_matches_adds_the_child_at_once(client, coordinator, team):
    create_child(team=team, first_name="Sam", last_name="Jones", date_of_birth=date(2015, 3, 15))
    response = client.post("/children/new", data=_child_form(team=str(team.id)))
    assert response.status_code == 302 and len(db.session.scalars(select(Child)).all()) == 2
    assert _audit("possible_duplicates_shown") == []


def test_same_upn_is_a_possible_duplicate(client, coordinator, team):
    create_child(team=team, first_name="Other", last_name="Name", upn="B801200005001")
    html = client.post("/children/new", data=_child_form(team=str(team.id), upn="B801200005001")).get_data(as_text=True)
    assert "Is this the same child?" in html and "Other Name" in html and "The same UPN" in html


# --- Viewing and changing a record ---------------------------------------------------------------------


def test_view_shows_the_record_and_is_audited(client, coordinator, team):
    child = create_child(
        team=team,
        first_name="Amy",
        last_name="Brown",
        date_of_birth=date(2015, 3, 14),
        upn="B801200005001",
        primary_need=SenNeed.SLCN,
    )
    create_contact(
        child=child,
        name="Pat Brown",
        relationship_to_child="Father",
        email="pat@example.org",
        communication_needs="Needs a Polish interpreter",
    )
    html = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert "govuk-summary-list" in html
    for text in (
        "Amy Brown",
        "14 March 2015",
        "Year 6 (from date of birth)",
        "B801200005001",
        "Speech, language and communication needs",
        "Pat Brown",
        "Father",
        "Needs a Polish interpreter",
    ):
        assert text in html, text
    assert f'href="/children/{child.id}/edit' in html and "Change" in html
    [viewed] = _audit("child_viewed")
    assert (viewed.object_type, viewed.object_id, viewed.actor_id) == ("child", str(child.id), coordinator.id)
    client.get(f"/children/{child.id}")
    assert len(_audit("child_viewed")) == 2  # every view


def test_view_shows_an_out_of_year_group_child(client, coordinator, team):
    child = create_child(
        team=team, date_of_birth=date(2015, 3, 14), year_group_override=5, year_group_override_school_year=2025
    )
    assert "Year 5 (educated out of year group)" in client.get(f"/children/{child.id}").get_data(as_text=True)


def test_edit_saves_says_what_changed_and_audits_it(client, coordinator, team):
    child = create_child(team=team, first_name="Sam", last_name="Jones", date_of_birth=date(2015, 3, 14))
    html = client.get(f"/children/{child.id}/edit").get_data(as_text=True)
    assert 'value="Sam"' in html and 'value="14"' in html and 'value="2015"' in html
    response = client.post(f"/children/{child.id}/edit", data=_child_form(last_name="Smith", year_group_override="5"))
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved the changes to Sam Smith’s record: last name and year group (out of year group)." in html
    assert "Year 5 (educated out of year group)" in html
    [updated] = _audit("child_updated")
    assert updated.details == {
        "last_name": {"old": "Jones", "new": "Smith"},
        "year_group_override": {"old": None, "new": 5},
    }


def test_edit_errors_keep_what_was_typed(client, coordinator, team):
    child = create_child(team=team, first_name="Sam", last_name="Jones")
    html = client.post(
        f"/children/{child.id}/edit", data=_child_form(first_name="Samantha", date_of_birth=["14", "3", "1990"])
    ).get_data(as_text=True)
    assert "ages 0 to 25" in html and 'value="Samantha"' in html and 'value="1990"' in html
    db.session.refresh(child)
    assert child.first_name == "Sam"
    assert _audit("child_updated") == []


# --- Parents and carers ---------------------------------------------------------------------------------


def test_add_change_and_remove_a_contact(client, coordinator, team):
    child = create_child(team=team)
    response = client.post(
        f"/children/{child.id}/contacts/new",
        data={
            "name": "Pat Jones",
            "relationship_to_child": "Mother",
            "email": "pat@example.org",
            "preferred_contact_method": "email",
            "has_parental_responsibility": "y",
        },
    )
    assert response.status_code == 302
    contact = db.session.scalars(select(ChildContact)).one()
    assert contact.has_parental_responsibility and contact.child_id == child.id
    assert "Added Pat Jones (Mother)" in client.get(f"/children/{child.id}").get_data(as_text=True)

    html = client.get(f"/children/{child.id}/contacts/{contact.id}/edit").get_data(as_text=True)
    assert 'value="Pat Jones"' in html and 'value="email" checked' in html
    response = client.post(
        f"/children/{child.id}/contacts/{contact.id}/edit",
        data={
            "name": "Pat Jones",
            "relationship_to_child": "Mother",
            "email": "pat@example.org",
            "phone": "01632 960001",
            "preferred_contact_method": "phone",
            "has_parental_responsibility": "y",
        },
    )
    assert response.status_code == 302
    assert "Saved the changes to Pat Jones: phone number and preferred contact method." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)

    confirm = client.get(f"/children/{child.id}/contacts/{contact.id}/remove").get_data(as_text=True)
    assert "Are you sure you want to remove Pat Jones" in confirm
    assert db.session.get(ChildContact, contact.id) is not None  # asking is not removing
    response = client.post(f"/children/{child.id}/contacts/{contact.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(ChildContact)).all() == []
    assert [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("child_contact_%")).order_by(AuditEvent.id)
        )
    ] == [
        "child_contact_added",
        "child_contact_updated",
        "child_contact_removed",
    ]


def test_contact_errors_keep_what_was_typed(client, coordinator, team):
    child = create_child(team=team)
    html = client.post(
        f"/children/{child.id}/contacts/new",
        data={
            "name": "Pat Jones",
            "relationship_to_child": "",
            "phone": "123",
            "preferred_contact_method": "letter",
            "communication_needs": "Large print",
        },
    ).get_data(as_text=True)
    assert "There is a problem" in html and "Enter their relationship to the child" in html
    assert (
        'value="Pat Jones"' in html
        and 'value="123"' in html
        and "Large print" in html
        and 'value="letter" checked' in html
    )
    assert db.session.scalars(select(ChildContact)).all() == []


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_changes_need_the_csrf_token(client, auth, team):
    from tests.helpers import PASSWORD

    user = create_user(role="coordinator", teams=[team])
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    child = create_child(team=team, first_name="Sam")
    contact = create_contact(child=child)
    assert client.post(f"/children/{child.id}/edit", data=_child_form(first_name="Changed")).status_code == 400
    assert client.post(f"/children/{child.id}/contacts/{contact.id}/remove").status_code == 400
    db.session.expire_all()
    assert db.session.get(Child, child.id).first_name == "Sam"
    assert db.session.get(ChildContact, contact.id) is not None
    page = client.get(f"/children/{child.id}/contacts/{contact.id}/remove").get_data(as_text=True)
    assert (
        client.post(
            f"/children/{child.id}/contacts/{contact.id}/remove", data={"csrf_token": csrf_token(page)}
        ).status_code
        == 302
    )
