"""Opening a case refuses the same things on the pages as through the API (services/opening.py)."""

from datetime import date

from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models.case import Case
from tests.factories_cases import create_assessment
from tests.factories_children import create_child
from tests.helpers import create_team


def _d(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _no_case(child) -> bool:
    return db.session.scalar(select(Case.id).where(Case.child_id == child.id)) is None


def test_a_plan_cannot_be_dated_before_the_child_was_born_on_the_review_page(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2015, 4, 1))
    response = client.post(
        f"/children/{child.id}/reviews/new",
        data={
            "last_reviewed_on": _d(date(2014, 6, 2)),
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    message = "The plan cannot be made before the child&#39;s date of birth"
    assert html.count(message) == 2  # in the summary and on the field
    assert 'href="#last_reviewed_on' in html
    assert 'value="2"' in html and 'value="6"' in html and 'value="2014"' in html  # the typing is kept
    assert _no_case(child)


def test_a_transferred_plan_cannot_be_issued_before_the_child_was_born(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    child = create_child(team=team, date_of_birth=date(2015, 4, 1))
    html = client.post(
        f"/children/{child.id}/transfers/new",
        data={
            "previous_authority": "Elsewhere",
            "transferred_on": _d(date(2025, 9, 1)),
            "plan_issued_on": _d(date(2014, 3, 1)),
            "last_reviewed_on": _d(date(2025, 3, 10)),
            "named_settings": "Hill",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    ).get_data(as_text=True)
    assert "The plan cannot be issued before the child&#39;s date of birth" in html
    assert 'href="#plan_issued_on' in html and 'value="Elsewhere"' in html and 'value="2014"' in html
    assert _no_case(child)


def test_a_second_open_assessment_is_refused_on_the_page_after_the_dates(client, auth):
    team = create_team()
    me = auth.login(role="coordinator", teams=[team])
    case = create_assessment(received_on=date(2025, 1, 6), coordinator=me, team=team)
    html = client.post(
        f"/children/{case.child_id}/assessments/new",
        data={
            "case_type": "assessment",
            "received_on": _d(date(2025, 2, 3)),
            "source": "parent",
            "team_id": team.id,
            "coordinator_id": me.id,
        },
    ).get_data(as_text=True)
    assert "This child already has an open assessment" in html and 'href="#received_on' in html
