from datetime import date

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import AuditEvent, LocalNonWorkingDay, Role, Team, User
from tests.helpers import PASSWORD, create_team, create_user


def _last_audit():
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def test_admin_creates_a_user_in_a_team(auth, client):
    team = create_team(name="North Team")
    auth.login(role="admin")
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Pat Coordinator",
            "email": "Pat@Example.org",
            "role": "coordinator",
            "teams": [str(team.id)],
            "password": "temporary password 1",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Account created for Pat Coordinator" in page
    user = db.session.scalars(select(User).where(User.email == "pat@example.org")).one()
    assert user.role is Role.COORDINATOR and [t.name for t in user.teams] == ["North Team"]
    assert user.must_change_password
    entry = _last_audit()
    assert entry.action == "user_created" and entry.object_id == str(user.id)


def test_new_user_errors_keep_what_was_typed(auth, client):
    create_user(email="taken@example.org")
    auth.login(role="admin")
    html = client.post(
        "/admin/users/new",
        data={
            "name": "Pat Coordinator",
            "email": "taken@example.org",
            "role": "manager",
            "password": "temporary password 1",
        },
    ).get_data(as_text=True)
    assert "An account with this email address already exists" in html
    assert 'value="Pat Coordinator"' in html and 'value="taken@example.org"' in html
    assert 'value="manager" checked' in html
    html = client.post("/admin/users/new", data={"name": "", "email": "not-an-email", "password": "x"}).get_data(
        as_text=True
    )
    assert "Enter the person&#39;s full name" in html or "Enter the person's full name" in html
    assert "Enter an email address in the correct format" in html
    assert "Select a role" in html
    assert 'value="not-an-email"' in html


def test_admin_changes_role_and_teams_with_audit(auth, client):
    team = create_team(name="South Team")
    auth.login(role="admin")
    user = create_user(role="coordinator")
    response = client.post(
        f"/admin/users/{user.id}", data={"name": user.name, "role": "manager", "teams": [str(team.id)]}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role is Role.MANAGER and user.teams == [team]
    entry = _last_audit()
    assert entry.action == "user_updated"
    assert entry.details["role"] == {"old": "coordinator", "new": "manager"}


def test_admin_deactivates_and_reactivates_never_deletes(auth, client):
    auth.login(role="admin")
    user = create_user()
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    db.session.refresh(user)
    assert user.active is False
    assert "Deactivated" in client.get("/admin/users?show=inactive").get_data(as_text=True)
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    db.session.refresh(user)
    assert user.active is True
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(user.id)))][
        -2:
    ] == [
        "user_deactivated",
        "user_reactivated",
    ]


def test_admin_cannot_deactivate_themselves(auth, client):
    admin = auth.login(role="admin")
    page = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "You cannot deactivate your own account" in page
    db.session.refresh(admin)
    assert admin.active


def test_admin_resets_a_password(auth, client, app):
    auth.login(role="admin")
    user = create_user()
    response = client.post(f"/admin/users/{user.id}/password", data={"password": "a temporary one 22"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.must_change_password
    other = app.test_client()
    assert other.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert other.post("/sign-in", data={"email": user.email, "password": "a temporary one 22"}).status_code == 302
    assert other.get("/").headers["Location"] == "/account/password"


def test_reset_password_too_short_is_refused(auth, client):
    auth.login(role="admin")
    user = create_user()
    response = client.post(f"/admin/users/{user.id}/password", data={"password": "short"})
    assert response.status_code == 400
    assert "Password must be 12 characters or more" in response.get_data(as_text=True)


def test_user_list_search_and_pagination(auth, client):
    auth.login(role="admin")
    for n in range(55):
        create_user(name=f"Person {n:02d}", commit=False)
    db.session.commit()
    html = client.get("/admin/users").get_data(as_text=True)
    assert "govuk-pagination" in html and "Showing 1 to 50 of 56" in html
    html = client.get("/admin/users?q=person 07").get_data(as_text=True)
    assert "Person 07" in html and "Person 08" not in html
    html = client.get("/admin/users?q=nobody-like-this").get_data(as_text=True)
    assert "No accounts match your search" in html


def test_teams_page_adds_a_team_and_refuses_duplicates(auth, client):
    auth.login(role="admin")
    assert "There are no teams yet" in client.get("/admin/teams").get_data(as_text=True)
    client.post("/admin/teams", data={"name": "East Team"})
    assert db.session.scalars(select(Team.name)).all() == ["East Team"]
    html = client.post("/admin/teams", data={"name": "East Team"}).get_data(as_text=True)
    assert "There is already a team called East Team" in html
    assert _last_audit().action == "team_created"


def test_local_non_working_days(auth, client):
    auth.login(role="admin")
    response = client.post(
        "/admin/non-working-days", data={"day_on": ["24", "12", "2027"], "description": "Council closure day"}
    )
    assert response.status_code == 302
    day = db.session.scalars(select(LocalNonWorkingDay)).one()
    assert day.day_on == date(2027, 12, 24)
    html = client.get("/admin/non-working-days").get_data(as_text=True)
    assert "Fri 24 December 2027" in html and "Council closure day" in html

    from ehc_tracker.services.calendar import working_day_calendar

    assert not working_day_calendar().is_working_day(date(2027, 12, 24))

    client.post(f"/admin/non-working-days/{day.id}/remove")
    assert db.session.scalars(select(LocalNonWorkingDay)).all() == []
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "non_working_day_added",
        "non_working_day_removed",
    ]


def test_non_working_day_errors_keep_the_typing(auth, client):
    auth.login(role="admin")
    html = client.post(
        "/admin/non-working-days", data={"day_on": ["31", "2", "2027"], "description": "Typo day"}
    ).get_data(as_text=True)
    assert "Date must be a real date" in html
    assert 'value="31"' in html and 'value="Typo day"' in html
    html = client.post("/admin/non-working-days", data={"day_on": ["", "", ""], "description": ""}).get_data(
        as_text=True
    )
    assert "Enter the date as day, month and year" in html


def test_audit_log_search(auth, client):
    admin = auth.login(role="admin")
    create_user(email="findme@example.org")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "findme@example.org" in html and "signed_in" in html
    html = client.get("/admin/audit?q=findme").get_data(as_text=True)
    assert "Created EHC coordinator account findme@example.org" in html
    assert "Signed in" not in html
    html = client.get("/admin/audit?action=signed_in").get_data(as_text=True)
    assert admin.email in html and "findme@example.org" not in html
    html = client.get("/admin/audit?date_from=1&date_from=1&date_from=2000&date_to=1&date_to=1&date_to=2001").get_data(
        as_text=True
    )
    assert "No entries match your search" in html


def test_audit_log_hides_child_details_from_admins(auth, client):
    from tests.factories_cases import create_assessment

    case = create_assessment()
    from ehc_tracker.services.children import ContactData, add_contact

    add_contact(
        case.child, data=ContactData(name="Secret Parentname", relationship_to_child="Mother"), actor=case.coordinator
    )
    db.session.commit()
    auth.login(role="admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "child_contact_added" in html
    assert "Secret Parentname" not in html and case.child.last_name not in html
    assert "shown only to staff who may see the record" in html
