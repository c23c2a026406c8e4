"""What every HTML form page does the same way: who is signed in, how a service's refusal is
shown on the form (GOV.UK error message on the field it is about, or the error summary), and
saving: commit when the service call succeeded, roll back and show the refusal when it refused.

    with saving(form) as saved:
        case_service.add_note(case, text, actor=current_staff())
    if saved.ok:
        flash("Note added.", "success")
        return redirect(...)
    return render_template(..., form=form), saved.status
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from flask import flash
from flask_login import current_user

from ..extensions import db
from ..models import User
from ..services import Conflict, ServiceError


def current_staff() -> User:
    """The signed-in account (the page's `role_required` has already let them in)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def show_error(form: Any, error: ServiceError) -> None:
    """The refusal on the field it is about, else in the form's error summary; with no form,
    as an error banner on the next page."""
    if form is None:
        flash(error.message, "error")
        return
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


class saving:
    """Commit what the block did, or, when a service refused (ServiceError), roll it back and
    show the refusal on `form` (see `show_error`, or a form's own `show`, for example one that
    finds the row of a list the refusal names). Other exceptions propagate untouched."""

    def __init__(
        self, form: Any = None, *, show: Callable[[Any, ServiceError], None] | None = None, keep_refused: bool = False
    ) -> None:
        self.form = form
        self.show = show or show_error
        # A refusal the service audits (a refused role change) commits that entry: the service
        # changed nothing else before refusing.
        self.keep_refused = keep_refused
        self.error: ServiceError | None = None

    def __enter__(self) -> saving:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> bool:
        if error is None:
            db.session.commit()
            return False
        if isinstance(error, ServiceError):
            if self.keep_refused:
                db.session.commit()
            else:
                db.session.rollback()
            self.error = error
            self.show(self.form, error)
            return True
        return False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The page's status: 409 when the refusal is about the record's state, else 200."""
        return 409 if isinstance(self.error, Conflict) else 200
