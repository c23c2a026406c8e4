"""Test helpers for children's records, keyword-only in the style of tests.helpers."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from ehc_tracker.extensions import db

_counter = itertools.count(1)


def create_child(*, team: Any, commit: bool = True, **kw: Any) -> Any:
    """A child in `team`, written straight to the database (no audit entry)."""
    from ehc_tracker.models.child import Child

    n = next(_counter)
    values: dict[str, Any] = {
        "first_name": f"Alex{n}",
        "last_name": f"Testchild{n}",
        "date_of_birth": date(2015, 3, 14),
        "attends_infant_school": False,
        "looked_after": False,
        "young_person_own_requests": False,
    }
    values.update(kw)
    child = Child(team=team, **values)
    db.session.add(child)
    db.session.flush()
    if commit:
        db.session.commit()
    return child


def create_contact(*, child: Any, commit: bool = True, **kw: Any) -> Any:
    from ehc_tracker.models.child import ChildContact

    n = next(_counter)
    values: dict[str, Any] = {
        "name": f"Parent {n}",
        "relationship_to_child": "Mother",
        "has_parental_responsibility": True,
    }
    values.update(kw)
    contact = ChildContact(**values)
    child.contacts.append(contact)
    db.session.flush()
    if commit:
        db.session.commit()
    return contact
