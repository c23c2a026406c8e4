"""Pages of a list read in one round trip: the rows of the page and the total beside them.

`db.paginate` runs the query twice, once for the page and once to count it. For the lists
managers open every morning, both runs do the same work (every matching row must be found to
sort it), so `page_of` asks once, with `count(*) OVER ()` beside each row. Only a page past the
end, which has no rows to carry the total, costs a second query.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select

from ..extensions import db


@dataclass
class Page:
    """The attributes the pagination macro and the API read (the same names as Flask-SQLAlchemy's)."""

    items: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1) if self.total else 0

    @property
    def first(self) -> int:
        return 0 if not self.items else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return 0 if not self.items else self.first + len(self.items) - 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(
        self, *, left_edge: int = 2, left_current: int = 2, right_current: int = 4, right_edge: int = 2
    ) -> Iterator[int | None]:
        """Page numbers to link to, with None where a run of them is left out.

        As Flask-SQLAlchemy counts them: `left_edge` pages at the start, `left_current` before
        the current page, the current page, `right_current` after it, `right_edge` at the end.
        """
        shown = sorted(
            set(range(1, min(left_edge, self.pages) + 1))
            | set(range(max(self.page - left_current, 1), min(self.page + right_current + 1, self.pages + 1)))
            | set(range(max(self.pages - right_edge + 1, 1), self.pages + 1))
        )
        previous = 0
        for number in shown:
            if previous and number - previous > 1:
                yield None
            yield number
            previous = number


def page_of(
    stmt: Select[Any], *, page: int, per_page: int, scalars: bool = True, count: Select[Any] | None = None
) -> Page:
    """Page `page` (from 1) of `stmt`, which must be ordered; items are scalars unless told otherwise.

    With `count` (a statement counting what `stmt` selects), the page and the total are two
    queries: worth it where the count is cheap (from an index) and the page can stop after its
    rows, which the total beside each row would not let it."""
    page = max(page, 1)
    if count is not None:
        rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
        chosen = [row[0] if scalars else tuple(row) for row in rows]
        return Page(items=chosen, page=page, per_page=per_page, total=int(db.session.scalar(count) or 0))
    inner = stmt.add_columns(func.count().over().label("_total")).limit(per_page).offset((page - 1) * per_page)
    rows = db.session.execute(inner).all()
    if rows:
        total = int(rows[-1][-1])
        items: list[Any] = [row[0] if scalars else tuple(row[:-1]) for row in rows]
    else:
        items = []
        total = int(db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    return Page(items=items, page=page, per_page=per_page, total=total)
