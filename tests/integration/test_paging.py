"""Pages read in one query with their total (services/paging.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import Team
from ehc_tracker.services.paging import Page, page_of
from tests.helpers import create_team


@pytest.fixture
def teams(app: Any) -> list[int]:
    made = [create_team(name=f"Team {n:02d}") for n in range(1, 24)]
    db.session.commit()
    return [t.id for t in made]


def _statements(app: Any) -> list[str]:
    seen: list[str] = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda conn, cur, statement, *a: seen.append(statement))
    return seen


def test_a_page_and_its_total_come_from_one_query(app: Any, teams: list[int]) -> None:
    seen = _statements(app)
    page = page_of(select(Team.id).order_by(Team.name), page=2, per_page=10)
    assert len(seen) == 1
    assert page.items == teams[10:20]
    assert (page.total, page.pages, page.first, page.last) == (23, 3, 11, 20)
    assert (page.has_prev, page.prev_num, page.has_next, page.next_num) == (True, 1, True, 3)


def test_the_last_page_is_short_and_has_no_next(app: Any, teams: list[int]) -> None:
    page = page_of(select(Team.id).order_by(Team.name), page=3, per_page=10)
    assert page.items == teams[20:]
    assert (page.first, page.last, page.has_next, page.next_num) == (21, 23, False, None)


def test_a_page_past_the_end_is_empty_but_still_knows_the_total(app: Any, teams: list[int]) -> None:
    page = page_of(select(Team.id).order_by(Team.name), page=9, per_page=10)
    assert page.items == []
    assert (page.total, page.pages, page.first, page.last) == (23, 3, 0, 0)


def test_an_empty_list_has_no_pages(app: Any) -> None:
    page = page_of(select(Team.id).order_by(Team.name), page=1, per_page=10)
    assert (page.items, page.total, page.pages, page.has_next, page.has_prev) == ([], 0, 0, False, False)


def test_page_numbers_below_one_mean_the_first(app: Any, teams: list[int]) -> None:
    assert page_of(select(Team.id).order_by(Team.name), page=0, per_page=5).items == teams[:5]


def test_entities_come_back_as_objects_and_rows_as_tuples(app: Any, teams: list[int]) -> None:
    as_objects = page_of(select(Team).order_by(Team.name), page=1, per_page=2)
    assert [t.name for t in as_objects.items] == ["Team 01", "Team 02"]
    as_rows = page_of(select(Team.id, Team.name).order_by(Team.name), page=1, per_page=2, scalars=False)
    assert as_rows.items == [(teams[0], "Team 01"), (teams[1], "Team 02")]


@pytest.mark.parametrize(
    ("current", "pages", "expected"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 20, [1, 2, 3, None, 20]),
        (10, 20, [1, None, 8, 9, 10, 11, 12, None, 20]),
        (20, 20, [1, None, 18, 19, 20]),
        (3, 20, [1, 2, 3, 4, 5, None, 20]),
        (5, 9, [1, None, 3, 4, 5, 6, 7, None, 9]),
    ],
)
def test_page_links_leave_out_runs_of_pages(current: int, pages: int, expected: list[int | None]) -> None:
    page = Page(items=[0], page=current, per_page=10, total=pages * 10)
    assert list(page.iter_pages(left_edge=1, right_edge=1, left_current=2, right_current=2)) == expected
