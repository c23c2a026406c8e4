"""Who may do what: each role against each rule of ehc_tracker/access.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ehc_tracker import access
from ehc_tracker.models import Role

TEAM, OTHER_TEAM = 1, 2


def person(role: Role, *, id: int = 7, teams: tuple[int, ...] = (TEAM,), active: bool = True) -> SimpleNamespace:
    return SimpleNamespace(id=id, role=role, team_ids=set(teams), active=active, is_authenticated=True)


def case(*, team: int = TEAM, coordinator_id: int | None = 99) -> SimpleNamespace:
    return SimpleNamespace(team_id=team, coordinator_id=coordinator_id)


C, M, A, V, F, P = Role.COORDINATOR, Role.MANAGER, Role.ADMIN, Role.VIEWER, Role.FAMILY, Role.PROFESSIONAL

# role: (staff, casework, manage, admin, family, overdue list, reports, child names, own caseload)
MATRIX = {
    C: (True, True, False, False, False, True, False, True, True),
    M: (True, True, True, False, False, True, True, True, False),
    A: (True, False, False, True, False, False, False, False, False),
    V: (True, False, False, False, False, True, True, False, False),
    F: (False, False, False, False, True, False, False, False, False),
    P: (False, False, False, False, False, False, False, False, False),
}
RULES = (
    access.is_staff,
    access.is_staff_editor,
    access.can_manage,
    access.is_admin,
    access.is_family,
    access.can_view_overdue,
    access.can_view_reports,
    access.can_see_child_names,
    access.works_own_caseload,
)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("index", range(len(RULES)), ids=[r.__name__ for r in RULES])
def test_role_rules(role: Role, index: int) -> None:
    assert RULES[index](person(role)) is MATRIX[role][index]


def test_every_role_is_in_the_matrix() -> None:
    assert set(MATRIX) == set(Role)


@pytest.mark.parametrize(
    "role,team,holds,view,edit,manage",
    [
        (C, TEAM, True, True, True, False),
        (C, TEAM, False, True, False, False),  # another coordinator's case in my team
        (C, OTHER_TEAM, True, False, False, False),
        (M, TEAM, False, True, True, True),
        (M, OTHER_TEAM, False, False, False, False),
        (A, TEAM, False, False, False, False),
        (V, TEAM, False, False, False, False),
        (F, TEAM, False, False, False, False),
    ],
)
def test_case_rules(role: Role, team: int, holds: bool, view: bool, edit: bool, manage: bool) -> None:
    me = person(role)
    the_case = case(team=team, coordinator_id=me.id if holds else 99)
    assert access.can_view_case(me, the_case) is view
    assert access.can_edit_case(me, the_case) is edit
    assert access.can_manage_case(me, the_case) is manage


@pytest.mark.parametrize(
    "role,team,view",
    [(C, TEAM, True), (M, TEAM, True), (C, OTHER_TEAM, False), (A, TEAM, False), (V, TEAM, False), (F, TEAM, False)],
)
def test_child_rules(role: Role, team: int, view: bool) -> None:
    child = SimpleNamespace(team_id=team)
    assert access.can_view_child(person(role), child) is view
    assert access.can_edit_child(person(role), child) is view


def test_a_signed_out_visitor_sees_no_child() -> None:
    visitor = SimpleNamespace(role=C, team_ids={TEAM}, is_authenticated=False)
    assert not access.can_view_child(visitor, SimpleNamespace(team_id=TEAM))


@pytest.mark.parametrize(
    "role,active,team,holds",
    [
        (C, True, TEAM, True),
        (M, True, TEAM, True),
        (C, False, TEAM, False),
        (C, True, OTHER_TEAM, False),
        (V, True, TEAM, False),
        (A, True, TEAM, False),
    ],
)
def test_who_can_hold_cases(role: Role, active: bool, team: int, holds: bool) -> None:
    assert access.can_hold_cases_in(person(role, active=active, teams=(team,)), TEAM) is holds


def test_a_visitor_with_no_role_may_do_nothing() -> None:
    nobody = SimpleNamespace()
    assert not any(rule(nobody) for rule in RULES)
    assert access.navigation_for(nobody) == []


@pytest.mark.parametrize(
    "role,links",
    [
        (C, ["Home", "Cases", "Children", "Overdue", "Notifications"]),
        (
            M,
            [
                "Home",
                "Cases",
                "Children",
                "Overdue",
                "Dashboard",
                "SEN2 return",
                "Notifications",
            ],
        ),
        (V, ["Home", "Dashboard", "Notifications"]),
        (
            A,
            [
                "Home",
                "Users",
                "Teams",
                "Directory",
                "Non-working days",
                "Audit log",
                "Alert runs",
                "SEN2 settings",
                "Notifications",
            ],
        ),
        (F, ["Your cases"]),
    ],
)
def test_navigation_by_role(role: Role, links: list[str]) -> None:
    assert [text for text, _ in access.navigation_for(person(role))] == links


def test_each_navigation_link_lets_in_the_people_it_is_shown_to(app) -> None:
    """The navigation never shows a page its own role check refuses."""
    for _, endpoint, roles in access.NAVIGATION:
        allowed = getattr(app.view_functions[endpoint], "allowed_roles", None)
        assert allowed is None or set(roles) <= set(allowed), endpoint  # None: anyone signed in


def _document(*, in_case: bool, team: int = TEAM, coordinator_id: int | None = 99) -> SimpleNamespace:
    child = SimpleNamespace(team_id=team)
    return SimpleNamespace(case=case(team=team, coordinator_id=coordinator_id) if in_case else None, child=child)


@pytest.mark.parametrize(
    "role,kw,view,change,confirm",
    [
        (C, {"coordinator_id": 7}, True, True, False),  # the case's coordinator
        (C, {}, True, False, False),  # a colleague in the team reads, does not change
        (M, {}, True, True, True),  # a manager of the team
        (M, {"team": OTHER_TEAM}, False, False, False),  # another team's manager sees nothing
        (V, {}, False, False, False),
        (A, {}, False, False, False),
        (F, {}, False, False, False),  # families fetch only what was shared, through their own route
    ],
)
def test_documents_follow_their_case(role: Role, kw: dict, view: bool, change: bool, confirm: bool) -> None:
    document, who = _document(in_case=True, **kw), person(role)
    assert access.can_view_document(who, document) is view
    assert access.can_change_document(who, document) is change
    assert access.can_confirm_document_deletion(who, document) is confirm


def test_a_document_of_the_childs_record_follows_the_child() -> None:
    document = _document(in_case=False)
    assert access.can_change_document(person(C), document)
    assert not access.can_view_document(person(C, teams=(OTHER_TEAM,)), document)
