"""The notifications page (newest first, paginated), marking read, and digest preferences."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from .. import access
from ..alerts import preferences as preference_service
from ..extensions import db
from ..models import Alert, DigestFrequency
from ..models.case import Case
from ..services import NotFound, clock
from ..web.security import role_required
from ..web.views import current_staff
from .forms import ConfirmForm, PreferencesForm

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

# Every signed-in member of staff has notifications (and may have none); families do not.
STAFF = access.STAFF


@bp.app_context_processor
def _unread_notifications() -> dict[str, Any]:
    """The header's count, queried once per request however many templates the page renders."""
    if not has_request_context():
        return {"unread_notifications": 0}
    if "_unread_notifications" in g:
        return {"unread_notifications": g._unread_notifications}
    count = 0
    if current_user and current_user.is_authenticated:
        try:
            count = preference_service.unread_count(current_staff())
        except SQLAlchemyError:
            # An error page after a failed transaction must still render.
            current_app.logger.warning("unread notifications not counted", exc_info=True)
    g._unread_notifications = count
    return {"unread_notifications": count}


@bp.app_template_filter("with_unread_count")
def _with_unread_count(navigation: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The navigation items, with the count of unread notifications on the Notifications item."""
    if not count:
        return navigation
    href = url_for("notifications.index")
    items = []
    for item in navigation:
        if item.get("href") == href:
            text = item.get("text", "Notifications")
            item = dict(item)
            item.pop("text", None)
            item["html"] = Markup(
                f'{escape(text)} <strong class="govuk-tag govuk-tag--red app-count" data-testid="unread-count">{count}</strong>'
                '<span class="govuk-visually-hidden"> unread</span>'
            )
        items.append(item)
    return items


@bp.route("/")
@role_required(*STAFF)
def index() -> Any:
    me = current_staff()
    query = (
        select(Alert)
        .where(Alert.recipient_id == me.id)
        .options(selectinload(Alert.case).selectinload(Case.child))
        .order_by(Alert.for_on.desc(), Alert.id.desc())
    )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template(
        "notifications/index.html",
        page=page,
        form=ConfirmForm(),
        unread=preference_service.unread_count(me),
        shows_children=access.can_see_child_names(me),
    )


def _back() -> Any:
    page = request.form.get("page", type=int)
    return redirect(url_for("notifications.index", page=page) if page and page > 1 else url_for("notifications.index"))


@bp.route("/<int:alert_id>/read", methods=["POST"])
@role_required(*STAFF)
def mark_read(alert_id: int) -> Any:
    try:
        preference_service.mark_read(current_staff(), alert_id, now=clock.now())
    except NotFound:
        abort(404)
    db.session.commit()
    return _back()


@bp.route("/read-all", methods=["POST"])
@role_required(*STAFF)
def mark_all_read() -> Any:
    count = preference_service.mark_all_read(current_staff(), now=clock.now())
    db.session.commit()
    flash(
        f"{count} notification{'' if count == 1 else 's'} marked as read."
        if count
        else "You have no unread notifications.",
        "success",
    )
    return _back()


@bp.route("/preferences", methods=["GET", "POST"])
@role_required(*STAFF)
def preferences() -> Any:
    me = current_staff()
    current = preference_service.preference_for(me)
    form = PreferencesForm(data={"digest": (current.digest or DigestFrequency.DAILY).value})
    if form.validate_on_submit():
        preference_service.set_digest(me, DigestFrequency(form.digest.data), actor=me)
        db.session.commit()
        flash(f"Email digest: {DigestFrequency(form.digest.data).label.lower()}.", "success")
        return redirect(url_for("notifications.preferences"))
    return render_template(
        "notifications/preferences.html", form=form, receives_escalations=bool(current.receives_escalations)
    )
