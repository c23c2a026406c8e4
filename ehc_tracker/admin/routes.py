"""Administration: user accounts, teams, local non-working days and the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import or_, select

from .. import access
from ..extensions import db
from ..models import AuditEvent, LocalNonWorkingDay, Role, Team, User
from ..services import audit
from ..services import calendar as calendar_service
from ..services import users as user_service
from ..services.clock import local_zone
from ..web.security import role_required
from ..web.views import current_staff, saving
from .forms import AuditSearchForm, ConfirmForm, NewUserForm, NonWorkingDayForm, ResetPasswordForm, TeamForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _team_choices(form: UserForm) -> list[Team]:
    teams = list(db.session.scalars(select(Team).order_by(Team.name)))
    form.teams.choices = [(t.id, t.name) for t in teams]
    return teams


@bp.route("/users")
@role_required(*access.ADMINS)
def users() -> Any:
    q = request.args.get("q", "").strip()
    show = request.args.get("show", "active")
    query = select(User).order_by(User.name)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(User.email.ilike(like), User.name.ilike(like)))
    if show == "active":
        query = query.where(User.active.is_(True))
    elif show == "inactive":
        query = query.where(User.active.is_(False))
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, q=q, show=show)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def new_user() -> Any:
    form = NewUserForm()
    teams = _team_choices(form)
    if form.validate_on_submit():
        # Nothing is changed by a refusal; the audit entry of a refused account for oneself is kept.
        with saving(form, keep_refused=True) as saved:
            user = user_service.create_user(
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                password=form.password.data or "",
                teams=[t for t in teams if t.id in (form.teams.data or [])],
                actor=current_staff(),
                must_change_password=True,
                phone=form.phone.data or "",
            )
        if saved.ok:
            flash(
                f"Account created for {user.name} ({user.email}). They must change the password when they first sign in.",
                "success",
            )
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def edit_user(user_id: int) -> Any:
    user = _user_or_404(user_id)
    form = UserForm(obj=None if request.method == "POST" else user)
    _team_choices(form)
    if request.method == "GET":
        form.role.data = user.role.value
        form.teams.data = [t.id for t in user.teams]
    if form.validate_on_submit():
        chosen = [t for t in db.session.scalars(select(Team)) if t.id in (form.teams.data or [])]
        # Nothing is changed by a refusal; the audit entry of the refused role change is kept.
        with saving(form, keep_refused=True) as saved:
            user_service.update_user(
                user,
                name=form.name.data or "",
                role=Role(form.role.data),
                teams=chosen,
                actor=current_staff(),
                phone=form.phone.data or "",
            )
        if saved.ok:
            flash(f"Saved the changes to {user.name}'s account.", "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, reset_form=ResetPasswordForm(), confirm_form=ConfirmForm()
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@role_required(*access.ADMINS)
def set_active(user_id: int) -> Any:
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    activate = request.form.get("active") == "1"
    with saving() as saved:
        user_service.set_active(user, activate, actor=current_staff())
    if saved.ok:
        flash(f"{user.name}'s account is now {'active' if activate else 'deactivated'}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required(*access.ADMINS)
def reset_password(user_id: int) -> Any:
    user = _user_or_404(user_id)
    reset_form = ResetPasswordForm()
    if reset_form.validate_on_submit():
        with saving(reset_form) as saved:
            user_service.reset_password(user, reset_form.password.data or "", actor=current_staff())
        if saved.ok:
            flash(f"{user.name}'s password has been reset. They must change it when they next sign in.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    form = UserForm(obj=user)
    _team_choices(form)
    form.role.data = user.role.value
    form.teams.data = [t.id for t in user.teams]
    return render_template(
        "admin/user_form.html", form=form, user=user, reset_form=reset_form, confirm_form=ConfirmForm()
    ), 400


@bp.route("/teams", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def teams() -> Any:
    form = TeamForm()
    if form.validate_on_submit():
        name = (form.name.data or "").strip()
        if db.session.scalar(select(Team.id).where(Team.name == name)):
            form.name.errors = [f"There is already a team called {name}"]
        else:
            team = Team(name=name)
            db.session.add(team)
            db.session.flush()
            audit.record(current_staff(), "team_created", "team", team.id, f"Created team {name}")
            db.session.commit()
            flash(f"Team {name} added.", "success")
            return redirect(url_for("admin.teams"))
    all_teams = list(db.session.scalars(select(Team).order_by(Team.name)))
    return render_template("admin/teams.html", form=form, teams=all_teams)


@bp.route("/non-working-days", methods=["GET", "POST"])
@role_required(*access.ADMINS)
def non_working_days() -> Any:
    form = NonWorkingDayForm()
    if form.validate_on_submit() and form.day_on.data is not None:
        with saving(form) as saved:
            calendar_service.add_non_working_day(form.day_on.data, form.description.data or "", actor=current_staff())
        if saved.ok:
            flash(
                f"{form.day_on.data:%-d %B %Y} is now a local non-working day. Working-day deadlines count around it.",
                "success",
            )
            return redirect(url_for("admin.non_working_days"))
    return render_template(
        "admin/non_working_days.html",
        form=form,
        days=calendar_service.local_non_working_days(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/non-working-days/<int:day_id>/remove", methods=["POST"])
@role_required(*access.ADMINS)
def remove_non_working_day(day_id: int) -> Any:
    day = db.session.get(LocalNonWorkingDay, day_id)
    if day is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    when = day.day_on
    with saving() as saved:
        calendar_service.remove_non_working_day(day, actor=current_staff())
    if saved.ok:
        flash(f"{when:%-d %B %Y} is a working day again.", "success")
    return redirect(url_for("admin.non_working_days"))


@bp.route("/audit")
@role_required(*access.ADMINS)
def audit_log() -> Any:
    form = AuditSearchForm(request.args)
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if request.args and form.validate():
        if form.q.data:
            like = f"%{form.q.data.strip()}%"
            query = query.where(
                or_(
                    AuditEvent.summary.ilike(like),
                    AuditEvent.actor_label.ilike(like),
                    AuditEvent.object_id == form.q.data.strip(),
                )
            )
        if form.action.data:
            query = query.where(AuditEvent.action == form.action.data.strip())
        if form.date_from.data:
            query = query.where(AuditEvent.occurred_at >= datetime.combine(form.date_from.data, time.min, local_zone()))
        if form.date_to.data:
            query = query.where(
                AuditEvent.occurred_at < datetime.combine(form.date_to.data + timedelta(days=1), time.min, local_zone())
            )
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("admin/audit.html", form=form, page=page)
