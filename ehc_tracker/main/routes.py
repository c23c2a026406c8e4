"""The home page each person lands on after signing in: today's work first, the counts below."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from .. import access
from ..services.caseload import summary
from ..services.clock import today
from ..services.worklist import RETURNED_EXCEPTION_DAYS, Queues, ViewerFigures, Worklist, home_for

bp = Blueprint("main", __name__)

# The reports a viewer's home links to, each shown only if the viewer's role may open it.
REPORT_LINKS = (
    ("Overdue steps in my teams", "reports.overdue", {"show": "overdue"}),
    ("Compliance dashboard", "reports.dashboard", {}),
    ("Monthly performance report", "reports.monthly", {}),
)


def may_open(endpoint: str) -> bool:
    """Whether the signed-in person's role passes the page's own role check."""
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    return view is not None and (roles is None or current_user.has_role(*roles))


@bp.route("/")
def index() -> Any:
    if access.is_family(current_user):
        return redirect(url_for("family.home"))
    if access.is_professional(current_user):
        return redirect(url_for("providers.home"))
    now = today()
    work = summary(current_user, now) if access.is_staff_editor(current_user) else None
    first = home_for(current_user, now)
    figures = first if isinstance(first, ViewerFigures) else None
    return render_template(
        "main/index.html",
        user=current_user,
        work=work,
        worklist=first if isinstance(first, Worklist) else None,
        queues=first if isinstance(first, Queues) else None,
        figures=figures,
        report_links=[(text, url_for(ep, **args)) for text, ep, args in REPORT_LINKS if may_open(ep)]
        if figures
        else [],
        returned_exception_days=RETURNED_EXCEPTION_DAYS,
    )
