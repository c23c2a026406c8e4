"""The home page each person lands on after signing in."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..models import Role
from ..services.caseload import summary
from ..services.clock import today

bp = Blueprint("main", __name__)


@bp.route("/")
def index() -> Any:
    if current_user.role is Role.FAMILY:
        return redirect(url_for("family.home"))
    work = summary(current_user, today()) if current_user.role in (Role.COORDINATOR, Role.MANAGER) else None
    return render_template("main/index.html", user=current_user, work=work)
