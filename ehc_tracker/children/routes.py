"""Children and young people: find, add, view and change their records, and their contacts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import access
from ..extensions import db
from ..models.case import Plan
from ..models.child import Child, ChildContact
from ..services import ServiceError, clock
from ..services import children as child_service
from ..services import complaints as complaint_service
from ..services import documents as document_service
from ..services import plans as plan_service
from ..services.cases import CEASE_REASONS, has_plan
from ..statutory.years import year_group_name
from ..web.security import role_required
from ..web.views import current_staff, saving, show_error
from .forms import CeasePlanForm, ChildForm, ChildSearchForm, ConfirmForm, ContactForm, NewChildForm, PlanEndForm

bp = Blueprint("children", __name__, url_prefix="/children")

CHILD_ROLES = access.CASEWORK


def _child_or_404(child_id: int) -> Child:
    """The child, if the signed-in person may see them: 404 otherwise, so that a record in
    another team looks exactly like one that does not exist."""
    child = db.session.get(Child, child_id)
    if child is None or not access.can_view_child(current_staff(), child):
        abort(404)
    return child


def _contact_or_404(child: Child, contact_id: int) -> ChildContact:
    contact = db.session.get(ChildContact, contact_id)
    if contact is None or contact.child_id != child.id:
        abort(404)
    return contact


def _changes_sentence(changed: dict[str, Any], labels: dict[str, str]) -> str:
    names = [labels[name] for name in changed]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0]


def _form_values(child: Child) -> dict[str, Any]:
    today = clock.today()
    override = child.year_group_in(today)
    return {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth,
        "upn": child.upn or "",
        "uln": child.uln or "",
        "sex": child.sex.value if child.sex else None,
        "ethnicity": child.ethnicity.value if child.ethnicity else "",
        "postcode": child.postcode or "",
        "primary_need": child.primary_need.value if child.primary_need else "",
        "secondary_need": child.secondary_need.value if child.secondary_need else "",
        "setting_name": child.setting_name or "",
        "setting_urn": child.setting_urn or "",
        "setting_ukprn": child.setting_ukprn or "",
        "setting_started_on": child.setting_started_on,
        "sen_setting": child.sen_setting or "",
        "setting_sen_unit": child.setting_sen_unit,
        "setting_resourced_provision": child.setting_resourced_provision,
        "upn_unknown_reason": child.upn_unknown_reason or "",
        "year_group_override": "" if override is None else str(override),
        "attends_infant_school": child.attends_infant_school,
        "looked_after": child.looked_after,
        "young_person_own_requests": child.young_person_own_requests,
    }


@bp.route("/")
@role_required(*CHILD_ROLES)
def index() -> Any:
    me = current_staff()
    form = ChildSearchForm(request.args)
    today = clock.today()
    sort = request.args.get("sort", "name")
    if sort not in child_service.SORTS:
        sort = "name"
    searched = bool((form.q.data or "").strip() or any(v.strip() for v in request.args.getlist("date_of_birth")))
    valid = form.validate() if request.args else True
    search = dict(
        user=me, sort=sort, page=request.args.get("page", 1, type=int), per_page=current_app.config["PAGE_SIZE"]
    )
    try:
        page = child_service.search_children(
            q=form.q.data if valid else None, date_of_birth=form.date_of_birth.data if valid else None, **search
        )
    except ServiceError as error:  # a date in the search box that is not a real date
        show_error(form, error)
        valid = False
        page = child_service.search_children(**search)
    first_use = not searched and page.total == 0 and not child_service.has_any_children(me)
    rows = [
        {
            "child": child,
            "age": child_service.age_on(child.date_of_birth, today),
            "year_group": year_group_name(child_service.national_curriculum_year_for(child, today)),
            "note": page.notes.get(child.id),
        }
        for child in page.items
    ]
    if page.items:
        child_service.record_search(
            me,
            q=form.q.data if valid else None,
            date_of_birth=form.date_of_birth.data if valid else None,
            results=page.total or 0,
        )
        db.session.commit()
    return render_template(
        "children/index.html",
        form=form,
        page=page,
        rows=rows,
        sort=sort,
        searched=searched and valid,
        first_use=first_use,
    )


# What the "Is this the same child?" page carries back, unchanged, in hidden fields.
_NOT_CARRIED = ("csrf_token", "submit", "not_duplicate", "change")


@bp.route("/new", methods=["GET", "POST"])
@role_required(*CHILD_ROLES)
def new_child() -> Any:
    """Add a child. When someone may already have a record (child_service.create_child decides),
    the next page asks "Is this the same child?" with the possible matches; it carries what was
    typed, to add the child ("No, add a new child") or to go back and change it."""
    me = current_staff()
    form = NewChildForm()
    teams = child_service.teams_for_new_child(me)
    form.team.choices = [(t.id, t.name) for t in teams]
    if request.method == "GET" and len(teams) == 1:
        form.team.data = teams[0].id
    if request.method == "POST" and form.change.data:
        form.validate()  # back to the form with what was typed, to change it
        return render_template("children/child_form.html", form=form, child=None, teams=teams)
    if form.validate_on_submit():
        team = next((t for t in teams if t.id == form.team.data), None)
        if team is None:
            form.team.errors = ["Select one of your teams"]
        else:
            try:
                child = child_service.create_child(
                    data=form.child_data(),
                    team=team,
                    actor=me,
                    today=clock.today(),
                    allow_duplicate=bool(form.not_duplicate.data),
                )
            except child_service.PossibleDuplicates as duplicates:
                db.session.rollback()
                child_service.record_possible_duplicates_shown(me, duplicates.found)
                db.session.commit()
                visible = [d for d in duplicates.found if access.can_view_child(me, d.child)]
                carried = [
                    (name, value)
                    for name, values in request.form.lists()
                    if name not in _NOT_CARRIED
                    for value in values
                ]
                return render_template(
                    "children/child_form.html",
                    form=form,
                    child=None,
                    teams=teams,
                    team=team,
                    duplicates=visible,
                    hidden_duplicates=len(duplicates.found) - len(visible),
                    carried=carried,
                )
            except ServiceError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(f"Record added for {child.full_name}.", "success")
                return redirect(url_for("children.view", child_id=child.id))
    return render_template("children/child_form.html", form=form, child=None, teams=teams)


@bp.route("/<int:child_id>")
@role_required(*CHILD_ROLES)
def view(child_id: int) -> Any:
    child = _child_or_404(child_id)
    me = current_staff()
    today = clock.today()
    child_service.record_child_viewed(child, me)
    db.session.commit()
    documents = document_service.documents_of_child(child, viewer=me)
    return render_template(
        "children/view.html",
        child=child,
        documents=documents,
        changeable={d.id for d in documents if document_service.can_change(me, d)},
        plan_versions=document_service.plan_versions,
        age=child_service.age_on(child.date_of_birth, today),
        year_group=child_service.year_group_description(child, today),
        can_edit=access.can_edit_child(me, child),
        cease_reasons=CEASE_REASONS,
        has_plan=has_plan(child),
        complaints=complaint_service.complaints_of_child(child),
        today=today,
    )


@bp.route("/<int:child_id>/edit", methods=["GET", "POST"])
@role_required(*CHILD_ROLES)
def edit(child_id: int) -> Any:
    child = _child_or_404(child_id)
    me = current_staff()
    if not access.can_edit_child(me, child):
        abort(404)
    form = ChildForm() if request.method == "POST" else ChildForm(data=_form_values(child))
    if request.method == "GET":
        child_service.record_child_viewed(child, me, page="edit")
        db.session.commit()
    if form.validate_on_submit():
        with saving(form) as saved:
            changed = child_service.update_child(child, data=form.child_data(), actor=me, today=clock.today())
        if saved.ok:
            if changed:
                flash(
                    f"Saved the changes to {child.full_name}’s record: {_changes_sentence(changed, child_service.FIELD_LABELS)}.",
                    "success",
                )
            else:
                flash("Nothing was changed.", "info")
            return redirect(url_for("children.view", child_id=child.id))
    return render_template(
        "children/child_form.html", form=form, child=child, teams=[], duplicates=[], hidden_duplicates=0
    )


@bp.route("/<int:child_id>/contacts/new", methods=["GET", "POST"])
@role_required(*CHILD_ROLES)
def new_contact(child_id: int) -> Any:
    child = _child_or_404(child_id)
    form = ContactForm()
    if request.method == "GET":
        child_service.record_child_viewed(child, current_staff(), page="new_contact")
        db.session.commit()
    if form.validate_on_submit():
        with saving(form) as saved:
            contact = child_service.add_contact(child, data=form.contact_data(), actor=current_staff())
        if saved.ok:
            flash(f"Added {contact.name} ({contact.relationship_to_child}) to {child.full_name}’s contacts.", "success")
            return redirect(url_for("children.view", child_id=child.id, _anchor="contacts"))
    return render_template("children/contact_form.html", form=form, child=child, contact=None)


@bp.route("/<int:child_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required(*CHILD_ROLES)
def edit_contact(child_id: int, contact_id: int) -> Any:
    child = _child_or_404(child_id)
    contact = _contact_or_404(child, contact_id)
    if request.method == "POST":
        form = ContactForm()
    else:
        form = ContactForm(obj=contact)
        form.preferred_contact_method.data = (
            contact.preferred_contact_method.value if contact.preferred_contact_method else None
        )
        child_service.record_contact_viewed(contact, current_staff(), page="edit")
        db.session.commit()
    if form.validate_on_submit():
        with saving(form) as saved:
            changed = child_service.update_contact(contact, data=form.contact_data(), actor=current_staff())
        if saved.ok:
            if changed:
                flash(
                    f"Saved the changes to {contact.name}: {_changes_sentence(changed, child_service.CONTACT_FIELD_LABELS)}.",
                    "success",
                )
            else:
                flash("Nothing was changed.", "info")
            return redirect(url_for("children.view", child_id=child.id, _anchor="contacts"))
    return render_template("children/contact_form.html", form=form, child=child, contact=contact)


@bp.route("/<int:child_id>/contacts/<int:contact_id>/remove", methods=["GET", "POST"])
@role_required(*CHILD_ROLES)
def remove_contact(child_id: int, contact_id: int) -> Any:
    child = _child_or_404(child_id)
    contact = _contact_or_404(child, contact_id)
    form = ConfirmForm()
    if request.method == "GET":
        child_service.record_contact_viewed(contact, current_staff(), page="remove")
        db.session.commit()
    if form.validate_on_submit():
        name = contact.name
        with saving() as saved:
            child_service.remove_contact(contact, actor=current_staff())
        if saved.ok:
            flash(f"Removed {name} from {child.full_name}’s contacts.", "success")
        return redirect(url_for("children.view", child_id=child.id, _anchor="contacts"))
    return render_template("children/remove_contact.html", form=form, child=child, contact=contact)


# --- Ending a plan between reviews ------------------------------------------------------------


def _plan_or_404(child: Child, plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.child_id != child.id or not access.can_edit_child(current_staff(), child):
        abort(404)
    return plan


@bp.route("/<int:child_id>/plans/<int:plan_id>/cease", methods=["GET", "POST"])
@role_required(*CHILD_ROLES)
def cease_plan(child_id: int, plan_id: int) -> Any:
    """The decision to cease a plan outside an annual review, with its appeal window."""
    child = _child_or_404(child_id)
    plan = _plan_or_404(child, plan_id)
    form = CeasePlanForm()
    form.reason.choices = [("", "Select a reason")] + list(CEASE_REASONS.items())
    if form.validate_on_submit():
        assert form.decided_on.data is not None
        with saving(form) as saved:
            plan_service.decide_to_cease(
                plan,
                reason=form.reason.data or "",
                decided_on=form.decided_on.data,
                notice_sent_on=form.notice_sent_on.data,
                actor=current_staff(),
                today=clock.today(),
            )
        if saved.ok:
            if plan.cease_appeal_ends_on:
                flash(
                    f"Recorded the decision to cease {child.full_name}’s plan. The family can appeal until "
                    f"{plan.cease_appeal_ends_on:%-d %B %Y}; the plan is maintained until then.",
                    "success",
                )
            else:
                flash(f"Recorded the decision to cease {child.full_name}’s plan. Record the day it ended.", "success")
            return redirect(url_for("children.view", child_id=child.id, _anchor="plans"))
    return render_template("children/cease_plan.html", form=form, child=child, plan=plan)


@bp.route("/<int:child_id>/plans/<int:plan_id>/end", methods=["GET", "POST"])
@role_required(*CHILD_ROLES)
def end_plan(child_id: int, plan_id: int) -> Any:
    """The day a plan being ceased actually ended."""
    child = _child_or_404(child_id)
    plan = _plan_or_404(child, plan_id)
    form = PlanEndForm()
    if form.validate_on_submit():
        assert form.ended_on.data is not None
        with saving(form) as saved:
            closed = plan_service.record_plan_end(
                plan,
                ended_on=form.ended_on.data,
                appeal_concluded_on=form.appeal_concluded_on.data,
                actor=current_staff(),
                today=clock.today(),
            )
        if saved.ok:
            extra = f" {len(closed)} open case{'s' if len(closed) != 1 else ''} on it closed." if closed else ""
            flash(f"Recorded that {child.full_name}’s plan ended on {plan.ceased_on:%-d %B %Y}.{extra}", "success")
            return redirect(url_for("children.view", child_id=child.id, _anchor="plans"))
    can_end_from = plan.cease_appeal_ends_on + timedelta(days=1) if plan.cease_appeal_ends_on else None
    return render_template(
        "children/end_plan.html", form=form, child=child, plan=plan, reasons=CEASE_REASONS, can_end_from=can_end_from
    )
