"""The SEN2 page: managers check their teams' part of the return and download it as XML."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from sqlalchemy import select
from wtforms import SubmitField
from wtforms.validators import InputRequired

from ..extensions import db
from ..models import Role, User
from ..models.child import Child
from ..services import ServiceError
from ..services import clock
from ..services import sen2 as sen2_service
from ..web.fields import GovDateField
from ..web.security import role_required
from . import header_settings

bp = Blueprint("sen2", __name__, url_prefix="/sen2")
ROLES = (Role.MANAGER,)


class CensusForm(FlaskForm):
    """A GET form: it changes nothing, so it has no CSRF token."""

    class Meta:
        csrf = False

    census_date = GovDateField(
        "Census date",
        description="The January census day, usually the third Thursday of January. For example, 15 1 2026",
        validators=[InputRequired(message="Enter the census date")],
    )
    submit = SubmitField("Check the return", widget=GovSubmitInput())


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _build(census_date: date) -> sen2_service.Sen2Return:
    me = _me()
    return sen2_service.build_return(
        census_date, header=header_settings(), today=clock.today(), now=clock.now(), team_ids=me.team_ids
    )


@bp.route("/")
@role_required(*ROLES)
def index() -> Any:
    form = CensusForm(request.args)
    result = None
    children: dict[int, Child] = {}
    if "census_date" in request.args:
        if form.validate() and form.census_date.data is not None:
            try:
                result = _build(form.census_date.data)
            except ServiceError as error:
                form.census_date.errors = list(form.census_date.errors) + [error.message]
            else:
                sen2_service.record_export(result, actor=_me(), how="checked", team_ids=_me().team_ids)
                db.session.commit()
                ids = sorted({f.child_id for f in result.failures if f.child_id is not None})
                children = {c.id: c for c in db.session.scalars(select(Child).where(Child.id.in_(ids or [-1])))}
    else:
        form.census_date.data = sen2_service.latest_census_date(clock.today())
    return render_template(
        "sen2/index.html", form=form, result=result, children=children, rules=sen2_service.VALIDATION_RULES,
        teams=sorted(_me().teams, key=lambda t: t.name),
    )


@bp.route("/download")
@role_required(*ROLES)
def download() -> Any:
    text = request.args.get("census_date", "")
    try:
        census_date = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        census_date = None
    if census_date is None:
        abort(400)
    try:
        result = _build(census_date)
    except ServiceError:
        abort(400)
    sen2_service.record_export(result, actor=_me(), how="downloaded", team_ids=_me().team_ids)
    db.session.commit()
    response = Response(result.xml, content_type="application/xml; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
