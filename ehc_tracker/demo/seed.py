"""The demonstration data loaded by `flask seed-demo`: the accounts, the directory, the SEN2
settings and a few hundred children made through the pages' own services (cases.py), or the
large data set made with bulk inserts (large.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..extensions import db
from .cases import seed_cases

DEMO_CHILDREN = 300


def seed_demo_children(children: int, *, today: date, progress: Callable[[int], object] = lambda n: None) -> None:
    """The demo's children and cases, made (and committed) 50 at a time, each batch from its own seed."""
    made = 0
    while made < children:
        batch = min(50, children - made)
        seed_cases(children=batch, today=today, rng_seed=2026 + made)
        db.session.commit()
        made += batch
        progress(batch)


def seed_sen2_settings() -> None:
    """The SEN2 header items of the demo authority (999 is no real authority's code)."""
    from ..models.sen2 import Sen2Settings

    if db.session.get(Sen2Settings, 1) is None:
        db.session.add(Sen2Settings(id=1, la_code="999", dmo="Y", dco="Y", dsco="N", serial_no="001"))
