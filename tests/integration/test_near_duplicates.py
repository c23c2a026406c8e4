"""Catching a child who already has a record: near matches (a short form, a typo, swapped names,
a double surname) with the same date of birth, and the same UPN; one check for the web form
and the API (create_child), and the API's 409 with the matches."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select

from ehc_tracker.extensions import db
from ehc_tracker.models import Child
from ehc_tracker.services import api_tokens
from ehc_tracker.services import children as service
from ehc_tracker.services.children import ChildData, PossibleDuplicates
from tests.factories_children import create_child
from tests.helpers import create_team, create_user

BORN = date(2015, 3, 14)
TODAY = date(2026, 1, 10)


@pytest.fixture
def team(app):
    return create_team(name="North")


@pytest.fixture
def coordinator(team):
    return create_user(role="coordinator", teams=[team])


def _found(first, last, born=BORN, upn=None):
    return [(d.child.first_name, d.child.last_name) for d in service.find_possible_duplicates(first, last, born, upn)]


@pytest.mark.parametrize(
    "recorded, typed, reason",
    [
        (("Tobias", "Smith"), ("Toby", "Smith"), "Toby and Tobias are forms of the same name"),
        (("William", "Brown"), ("Liam", "Brown"), "Liam and William are forms of the same name"),
        (("Catherine", "Hall"), ("Kate", "Hall"), "Kate and Catherine are forms of the same name"),
        (("Tobias", "Smith"), ("Tobais", "Smith"), "Tobais and Tobias differ by one letter"),
        (("Amelia", "Thompson"), ("Amelia", "Thomson"), "Thomson and Thompson differ by one letter"),
        (("Amelia", "Thompson"), ("Thompson", "Amelia"), "First and last names swapped"),
        (("Amelia", "Smith-Jones"), ("Amelia", "Jones"), "Jones is part of the double surname Smith-Jones"),
        (("Zoë", "O'Neill"), ("zoe", "ONEILL"), None),
    ],
)
def test_near_matches_with_the_same_date_of_birth(team, coordinator, recorded, typed, reason):
    existing = create_child(team=team, first_name=recorded[0], last_name=recorded[1], date_of_birth=BORN)
    [found] = service.find_possible_duplicates(typed[0], typed[1], BORN, None)
    assert found.child == existing
    assert found.reason == (f"The same date of birth; {reason}" if reason else "The same name and date of birth")
    with pytest.raises(PossibleDuplicates):
        data = ChildData(first_name=typed[0], last_name=typed[1], date_of_birth=BORN)
        service.create_child(data=data, team=team, actor=coordinator, today=TODAY)
    assert db.session.scalars(select(Child.id)).all() == [existing.id]


def test_not_matches(team):
    create_child(team=team, first_name="Tobias", last_name="Smith", date_of_birth=BORN)
    create_child(team=team, first_name="Ann", last_name="Lee", date_of_birth=BORN)
    assert _found("Tobias", "Smith", born=date(2015, 3, 15)) == []  # another day
    assert _found("Anna", "Lee") == []  # a short name one letter longer: another child (twins)
    assert _found("Tobias", "Jones") == []
    assert _found("Tobais", "Smyth") == []  # two typos


def test_closest_first_and_the_same_upn_before_all(team):
    typo = create_child(team=team, first_name="Tobias", last_name="Smyth", date_of_birth=BORN)
    variant = create_child(team=team, first_name="Toby", last_name="Smith", date_of_birth=BORN)
    same = create_child(team=team, first_name="TOBIAS", last_name="smith", date_of_birth=BORN)
    upn = create_child(
        team=team, first_name="Someone", last_name="Else", date_of_birth=date(2012, 1, 1), upn="B801200005001"
    )
    found = service.find_possible_duplicates("Tobias", "Smith", BORN, "B801200005001")
    assert [d.child for d in found] == [upn, same, variant, typo]
    assert [d.reason for d in found][0] == "The same UPN"


def test_the_check_reads_only_the_children_born_that_day_or_with_that_upn(team, app):
    for n in range(30):
        create_child(team=team, first_name="Toby", last_name="Smith", date_of_birth=date(2010, 1, 1 + n), commit=False)
    db.session.commit()
    statements = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        db.session.expire_all()
        assert service.find_possible_duplicates("Toby", "Smith", date(2010, 1, 5), None)[0].child.date_of_birth == date(
            2010, 1, 5
        )
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    [query] = [s for s in statements if "FROM children" in s]
    assert "date_of_birth = " in query  # narrowed in SQL, not every child loaded


# --- The API uses the same check ----------------------------------------------------------------


@pytest.fixture
def headers(coordinator):
    created = api_tokens.create_token(coordinator, name="test", actor=coordinator)
    db.session.commit()
    return {"Authorization": f"Bearer {created.secret}"}


def _body(team, **kw):
    return dict(
        {"first_name": "Toby", "last_name": "Smith", "date_of_birth": BORN.isoformat(), "team_id": team.id}, **kw
    )


def test_the_api_refuses_a_near_match_with_409_and_the_matches(client, team, headers):
    existing = create_child(team=team, first_name="Tobias", last_name="Smith", date_of_birth=BORN, upn="B801200005001")
    create_child(team=create_team(name="South"), first_name="Toby", last_name="Smyth", date_of_birth=BORN)
    response = client.post("/api/v1/children", headers=headers, json=_body(team))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict" and set(error["fields"]) == {"confirm_not_duplicate"}
    assert error["matches"] == [
        {
            "id": existing.id,
            "first_name": "Tobias",
            "last_name": "Smith",
            "date_of_birth": "2015-03-14",
            "upn": "B801200005001",
            "team": "North",
            "reason": "The same date of birth; Toby and Tobias are forms of the same name",
        }
    ]
    assert error["matches_in_other_teams"] == 1  # counted, never shown
    assert "South" not in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Child)).all()) == 2

    created = client.post("/api/v1/children", headers=headers, json=_body(team, confirm_not_duplicate=True))
    assert created.status_code == 201 and created.get_json()["first_name"] == "Toby"


def test_the_older_flag_name_still_works(client, team, headers):
    create_child(team=team, first_name="Tobias", last_name="Smith", date_of_birth=BORN)
    assert client.post("/api/v1/children", headers=headers, json=_body(team, allow_duplicate=True)).status_code == 201


def test_the_document_describes_the_409(client, headers):
    document = client.get("/api/v1/openapi.json", headers=headers).get_json()
    create = document["paths"]["/children"]["post"]
    assert create["responses"]["409"] == {"$ref": "#/components/responses/PossibleDuplicate"}
    assert "matches" in document["components"]["schemas"]["PossibleDuplicateError"]["properties"]["error"]["properties"]
    assert "confirm_not_duplicate" in document["components"]["schemas"]["NewChild"]["properties"]
