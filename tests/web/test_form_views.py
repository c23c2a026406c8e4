"""The form pages' shared handling of a service's answer (ehc_tracker/web/views.py)."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ehc_tracker.extensions import db
from ehc_tracker.models import Team
from ehc_tracker.services import Conflict, ServiceError
from ehc_tracker.web.views import saving, show_error


class Field:
    def __init__(self) -> None:
        self.errors: tuple[str, ...] = ()


def form() -> SimpleNamespace:
    return SimpleNamespace(name=Field(), form_errors=[])


def _team_names() -> list[str]:
    return list(db.session.scalars(select(Team.name)))


def test_what_succeeds_is_committed(app):
    with saving(form()) as saved:
        db.session.add(Team(name="Kept"))
    assert saved.ok and saved.status == 200
    db.session.rollback()  # nothing left to undo: it was committed
    assert "Kept" in _team_names()


def test_a_refusal_is_rolled_back_and_shown_on_its_field(app):
    the_form = form()
    with saving(the_form) as saved:
        db.session.add(Team(name="Dropped"))
        db.session.flush()
        raise ServiceError("Enter a name", field="name")
    assert not saved.ok and saved.status == 200
    assert the_form.name.errors == ["Enter a name"] and the_form.form_errors == []
    assert "Dropped" not in _team_names()


def test_a_conflict_is_409_and_a_refusal_without_a_field_goes_to_the_summary(app):
    the_form = form()
    with saving(the_form) as saved:
        raise Conflict("Someone has just changed this case")
    assert saved.status == 409 and the_form.form_errors == ["Someone has just changed this case"]


def test_a_refusal_with_a_field_the_form_lacks_goes_to_the_summary(app):
    the_form = form()
    show_error(the_form, ServiceError("Not here", field="nothing"))
    assert the_form.form_errors == ["Not here"]


def test_a_refusal_kept_for_its_audit_entry_is_committed(app):
    with saving(form(), keep_refused=True) as saved:
        db.session.add(Team(name="Audited"))
        raise ServiceError("Refused")
    db.session.rollback()
    assert not saved.ok and "Audited" in _team_names()


def test_other_errors_are_not_swallowed(app):
    with pytest.raises(RuntimeError):
        with saving(form()):
            raise RuntimeError("a bug")


def test_without_a_form_the_refusal_is_flashed(app):
    with app.test_request_context("/"):
        from flask import get_flashed_messages

        with saving() as saved:
            raise ServiceError("Cannot do that now")
        assert not saved.ok
        assert get_flashed_messages(with_categories=True) == [("error", "Cannot do that now")]
