"""Children and young people: their records, their parents and carers, who may see them.

Coordinators and managers see and change the children of their own teams only; nobody else
sees a child's record. Every record view and every change is written to the audit log, a
change with the old and new value of each field that changed. Operations flush; the caller
commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from dateutil.relativedelta import relativedelta
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, false, func, or_, select

from ..extensions import db
from ..models import Role, Team, User
from ..models.child import Child, ChildContact, ContactMethod, Ethnicity, SenNeed, Sex
from ..statutory.years import national_curriculum_year, school_year_start_year, year_group_name
from . import Forbidden, ServiceError, audit
from . import clock
from .email_addresses import valid_email_address

# Who may see child records at all. Administrators manage accounts, not cases; viewers see
# reports without child-identifying data.
CHILD_ROLES = (Role.COORDINATOR, Role.MANAGER)

OLDEST_AGE_YEARS = 26  # the service covers ages 0 to 25
YEAR_GROUP_OVERRIDE_RANGE = range(0, 14)  # Reception to Year 13

FIELD_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "date_of_birth": "date of birth",
    "upn": "UPN",
    "uln": "ULN",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "postcode": "postcode",
    "primary_need": "primary need",
    "secondary_need": "secondary need",
    "setting_name": "current setting",
    "setting_urn": "setting URN",
    "setting_ukprn": "setting UKPRN",
    "year_group_override": "year group (out of year group)",
    "setting_started_on": "date started at the setting",
    "sen_setting": "SEN setting (no URN or UKPRN)",
    "setting_sen_unit": "place in a SEN unit",
    "setting_resourced_provision": "place in resourced provision",
    "upn_unknown_reason": "reason the UPN is not known",
    "attends_infant_school": "attends an infant school",
    "looked_after": "looked after",
    "young_person_own_requests": "young person makes their own requests",
    "team": "team",
}

CONTACT_FIELD_LABELS = {
    "name": "name",
    "relationship_to_child": "relationship",
    "email": "email address",
    "phone": "phone number",
    "address": "address",
    "preferred_contact_method": "preferred contact method",
    "has_parental_responsibility": "parental responsibility",
    "communication_needs": "communication needs",
}


class PossibleDuplicates(ServiceError):
    """Creating the child was refused because records with the same details exist."""

    def __init__(self, matches: list[Child]) -> None:
        super().__init__("This child may already have a record", field="not_duplicate")
        self.matches = matches


# --- Identifiers -------------------------------------------------------------------------

# The UPN check letter alphabet: A to Z without I, O and S. A letter's position in it is
# both the check letter for a remainder (0 -> A ... 22 -> Z) and, in a temporary UPN, the
# value of the final letter in the sum.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(rf"^[{UPN_LETTERS}][0-9]{{11}}[0-9{UPN_LETTERS}]$")


def upn_check_letter(body: str) -> str:
    """The check letter for characters 2 to 13 of a UPN (11 digits, then a digit or a letter).

    DfE/UK Government Data Standards Catalogue "Unique Pupil Number" v2.0: each of
    characters 2 to 13 is multiplied by its position (2 to 13), the products are summed,
    and the sum modulo 23 indexes UPN_LETTERS. A final letter (temporary UPN) counts as its
    index in UPN_LETTERS (A = 0, B = 1, ... Z = 22).
    """
    total = 0
    for position, character in enumerate(body, start=2):
        value = int(character) if character.isdigit() else UPN_LETTERS.index(character)
        total += value * position
    return UPN_LETTERS[total % 23]


def validate_upn(upn: str) -> str:
    """Return the UPN in its stored form (upper case, no spaces) or refuse it.

    Checks exactly: 13 characters after removing spaces; character 1 a letter A-Z other than
    I, O, S; characters 2-12 digits; character 13 a digit (permanent UPN) or a letter other
    than I, O, S (temporary UPN); and character 1 equal to the DfE check letter (see
    upn_check_letter). The local authority number in characters 2-4 is not checked against
    the list of authorities.
    """
    value = re.sub(r"\s+", "", upn or "").upper()
    if len(value) != 13:
        raise ServiceError("Enter a UPN with 13 characters, like B801200005001", field="upn")
    if not _UPN_SHAPE.match(value):
        raise ServiceError(
            "Enter a UPN in the correct format: a letter, 11 numbers, then a number or a letter (not I, O or S)",
            field="upn",
        )
    if upn_check_letter(value[1:]) != value[0]:
        raise ServiceError("Enter a real UPN: the check letter does not match the rest of the number", field="upn")
    return value


def validate_uln(uln: str) -> str:
    """Return the ULN in its stored form (10 digits, no spaces) or refuse it.

    Checks exactly (ESFA Learner Registration Service rule, as in the ILR validation of
    ULN_04): 10 digits, the first not 0; the first nine digits multiplied by 10, 9, ..., 2
    and summed; the remainder r of the sum divided by 11 must not be 0, and the tenth digit
    must equal 10 - r. The ILR placeholder 9999999999 is not a ULN and is refused.
    """
    value = re.sub(r"\s+", "", uln or "")
    if not re.fullmatch(r"[1-9][0-9]{9}", value):
        raise ServiceError("Enter a ULN with 10 numbers, like 1234567899", field="uln")
    remainder = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1))) % 11
    if remainder == 0 or 10 - remainder != int(value[9]):
        raise ServiceError("Enter a real ULN: the last number does not match the check digit", field="uln")
    return value


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise_postcode(postcode: str) -> str:
    """A UK postcode in upper case with one space before the last three characters ("SW1A 1AA")."""
    value = re.sub(r"\s+", "", postcode or "").upper()
    match = _POSTCODE.match(value)
    if not match:
        raise ServiceError("Enter a real postcode, like SW1A 1AA", field="postcode")
    return f"{match.group(1)} {match.group(2)}"


def validate_setting_urn(urn: str) -> str:
    value = (urn or "").strip()
    if not re.fullmatch(r"[0-9]{6}", value):
        raise ServiceError("Enter the setting's URN as 6 numbers, like 100000", field="setting_urn")
    return value


def validate_setting_ukprn(ukprn: str) -> str:
    value = (ukprn or "").strip()
    if not re.fullmatch(r"[0-9]{8}", value):
        raise ServiceError("Enter the setting's UKPRN as 8 numbers, like 10000000", field="setting_ukprn")
    return value


# --- Ages and year groups ------------------------------------------------------------------


def age_on(date_of_birth: date, today: date) -> int:
    """Age in whole years on `today`."""
    return relativedelta(today, date_of_birth).years


def national_curriculum_year_for(child: Child, today: date) -> int:
    """The child's year group in the school year containing `today`.

    The out-of-year-group override when one is recorded (moved on a year each September since
    the school year it was given for), else the year for the date of birth from the engine.
    """
    overridden = child.year_group_in(today)
    if overridden is not None:
        return overridden
    return national_curriculum_year(child.date_of_birth, school_year_start_year(today))


def year_group_description(child: Child, today: date) -> str:
    """'Year 6 (from date of birth)' or 'Year 5 (educated out of year group)'."""
    year = national_curriculum_year_for(child, today)
    source = "educated out of year group" if child.year_group_in(today) is not None else "from date of birth"
    return f"{year_group_name(year)} ({source})"


# --- Access ----------------------------------------------------------------------------------


def can_view(user: User, child: Child) -> bool:
    """Coordinators and managers see the children of their own teams; nobody else sees any."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*CHILD_ROLES) and child.team_id in user.team_ids


def can_edit(user: User, child: Child) -> bool:
    return can_view(user, child)


def teams_for_new_child(user: User) -> list[Team]:
    """The teams `user` may add a child to."""
    return list(user.teams) if user.has_role(*CHILD_ROLES) else []


def _visible_to(user: User) -> ColumnElement[bool]:
    if not user.has_role(*CHILD_ROLES) or not user.team_ids:
        return false()
    return Child.team_id.in_(sorted(user.team_ids))


def has_any_children(user: User) -> bool:
    return db.session.scalar(select(Child.id).where(_visible_to(user)).limit(1)) is not None


# --- Records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildData:
    """What a person types about a child. Text is cleaned and checked by the service."""

    first_name: str
    last_name: str
    date_of_birth: date
    upn: str | None = None
    uln: str | None = None
    sex: Sex | None = None
    ethnicity: Ethnicity | None = None
    postcode: str | None = None
    primary_need: SenNeed | None = None
    secondary_need: SenNeed | None = None
    setting_name: str | None = None
    setting_urn: str | None = None
    setting_ukprn: str | None = None
    # The year group in the school year containing `today` (None: the year for their age).
    year_group_override: int | None = None
    attends_infant_school: bool = False
    looked_after: bool = False
    young_person_own_requests: bool = False
    # SEN2 items: the day the child started at the setting, the SEN setting code for a place with
    # no URN or UKPRN, SEN unit / resourced provision, and why the UPN is not known (UN1 to UN10).
    setting_started_on: date | None = None
    sen_setting: str | None = None
    setting_sen_unit: bool = False
    setting_resourced_provision: bool = False
    upn_unknown_reason: str | None = None


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _optional(check: Callable[[str], str], value: str | None) -> str | None:
    text = _text(value)
    return check(text) if text else None


def _clean(data: ChildData, today: date) -> dict[str, Any]:
    """The values to store, checked; raises ServiceError naming the first field at fault."""
    first_name = _text(data.first_name)
    last_name = _text(data.last_name)
    if not first_name:
        raise ServiceError("Enter the child's first name", field="first_name")
    if not last_name:
        raise ServiceError("Enter the child's last name", field="last_name")
    if len(first_name) > 100 or len(last_name) > 100:
        raise ServiceError("Names must be 100 characters or fewer", field="first_name" if len(first_name) > 100 else "last_name")
    dob = data.date_of_birth
    if dob is None:
        raise ServiceError("Enter the date of birth", field="date_of_birth")
    if dob > today:
        raise ServiceError("Date of birth must be today or in the past", field="date_of_birth")
    if dob <= today - relativedelta(years=OLDEST_AGE_YEARS):
        raise ServiceError(
            f"Date of birth must be after {today - relativedelta(years=OLDEST_AGE_YEARS):%-d %B %Y}: the service is for ages 0 to 25",
            field="date_of_birth",
        )
    if data.secondary_need is not None and data.primary_need is None:
        raise ServiceError("Select a primary need before a secondary need", field="primary_need")
    if data.secondary_need is not None and data.secondary_need is data.primary_need:
        raise ServiceError("The secondary need must be different from the primary need", field="secondary_need")
    override = data.year_group_override
    if override is not None and override not in YEAR_GROUP_OVERRIDE_RANGE:
        raise ServiceError("Select a year group from Reception to Year 13", field="year_group_override")
    setting_name = _text(data.setting_name)
    if setting_name and len(setting_name) > 200:
        raise ServiceError("The setting's name must be 200 characters or fewer", field="setting_name")
    return {
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": dob,
        "upn": _optional(validate_upn, data.upn),
        "uln": _optional(validate_uln, data.uln),
        "sex": data.sex,
        "ethnicity": data.ethnicity,
        "postcode": _optional(normalise_postcode, data.postcode),
        "primary_need": data.primary_need,
        "secondary_need": data.secondary_need,
        "setting_name": setting_name,
        "setting_urn": _optional(validate_setting_urn, data.setting_urn),
        "setting_ukprn": _optional(validate_setting_ukprn, data.setting_ukprn),
        "year_group_override": override,
        "attends_infant_school": bool(data.attends_infant_school),
        "looked_after": bool(data.looked_after),
        "young_person_own_requests": bool(data.young_person_own_requests),
    }
        **_sen2_items(data, today),


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Sex, Ethnicity, SenNeed, ContactMethod)):
        return value.value
def _sen2_items(data: ChildData, today: date) -> dict[str, Any]:
    """The SEN2 items of the child's record, checked against the collection's code lists."""
    from ..sen2_rules.collection2026 import SEN_SETTINGS, UPN_UNKNOWN_REASONS

    if data.setting_started_on is not None and data.setting_started_on > today:
        raise ServiceError("The date the child started at the setting must be today or in the past", field="setting_started_on")
    if data.setting_started_on is not None and data.setting_started_on < data.date_of_birth:
        raise ServiceError("The date the child started at the setting must be after the date of birth", field="setting_started_on")
    sen_setting = _text(data.sen_setting)
    if sen_setting is not None and sen_setting not in SEN_SETTINGS:
        raise ServiceError("Select an SEN setting from the list", field="sen_setting")
    reason = _text(data.upn_unknown_reason)
    if reason is not None and reason not in UPN_UNKNOWN_REASONS:
        raise ServiceError("Select a reason the UPN is not known from the list", field="upn_unknown_reason")
    return {
        "setting_started_on": data.setting_started_on,
        "sen_setting": sen_setting,
        "setting_sen_unit": bool(data.setting_sen_unit),
        "setting_resourced_provision": bool(data.setting_resourced_provision),
        # Only when there is neither a UPN nor a ULN (the return reports it only then).
        "upn_unknown_reason": reason if not _text(data.upn) and not _text(data.uln) else None,
    }


    return value


def _snapshot(child: Child, today: date) -> dict[str, Any]:
    """The record as the audit log describes it (the override as it stands in this school year)."""
    values = {name: _plain(getattr(child, name)) for name in FIELD_LABELS if name not in ("year_group_override", "team")}
    values["year_group_override"] = child.year_group_in(today)
    values["team"] = child.team.name if child.team is not None else None
    return values


def _apply(child: Child, values: dict[str, Any], today: date) -> None:
    override = values.pop("year_group_override")
    for name, value in values.items():
        setattr(child, name, value)
    if override is None:
        child.year_group_override = None
        child.year_group_override_school_year = None
    elif child.year_group_in(today) != override:
        child.year_group_override = override
        child.year_group_override_school_year = school_year_start_year(today)


def _normalised_name(value: str) -> str:
    return " ".join((value or "").split()).lower()


def find_possible_duplicates(
    first_name: str, last_name: str, date_of_birth: date | None, upn: str | None, *, exclude_id: int | None = None
) -> list[Child]:
    """Children, in any team, with the same first and last name (ignoring case and extra
    spaces) and date of birth, or with the same UPN."""
    conditions: list[ColumnElement[bool]] = []
    if date_of_birth is not None and _text(first_name) and _text(last_name):
        conditions.append(
            and_(
                func.lower(func.trim(Child.first_name)) == _normalised_name(first_name),
                func.lower(func.trim(Child.last_name)) == _normalised_name(last_name),
                Child.date_of_birth == date_of_birth,
            )
        )
    clean_upn = re.sub(r"\s+", "", upn or "").upper()
    if clean_upn:
        conditions.append(Child.upn == clean_upn)
    if not conditions:
        return []
    query = select(Child).where(or_(*conditions)).order_by(Child.id)
    if exclude_id is not None:
        query = query.where(Child.id != exclude_id)
    return list(db.session.scalars(query))


def create_child(
    *,
    data: ChildData,
    team: Team,
    actor: User,
    today: date | None = None,
    allow_duplicate: bool = False,
) -> Child:
    """Add a child to `team` (one of the actor's teams).

    Refuses with PossibleDuplicates when a child with the same name and date of birth, or
    the same UPN, exists, unless the person has confirmed this is a different child.
    """
    today = today or clock.today()
    if not actor.has_role(*CHILD_ROLES) or team.id not in actor.team_ids:
        raise Forbidden("You can only add children to your own teams", field="team")
    values = _clean(data, today)
    matches = find_possible_duplicates(values["first_name"], values["last_name"], values["date_of_birth"], values["upn"])
    if matches and not allow_duplicate:
        raise PossibleDuplicates(matches)
    child = Child(team=team)
    _apply(child, dict(values), today)
    db.session.add(child)
    db.session.flush()
    details: dict[str, Any] = {
        name: {"old": None, "new": value} for name, value in _snapshot(child, today).items() if value not in (None, False)
    }
    if matches:
        details["possible_duplicates_confirmed_different"] = [m.id for m in matches]
    audit.record(actor, "child_created", "child", child.id, f"Added child record {child.id} to team {team.name}", details)
    return child


def update_child(child: Child, *, data: ChildData, actor: User, today: date | None = None) -> dict[str, dict[str, Any]]:
    """Change the child's record. Returns what changed ({field: {"old": ..., "new": ...}})."""
    today = today or clock.today()
    if not can_edit(actor, child):
        raise Forbidden("You cannot change this child's record")
    values = _clean(data, today)
    before = _snapshot(child, today)
    _apply(child, values, today)
    after = _snapshot(child, today)
    changed = {name: {"old": before[name], "new": after[name]} for name in before if before[name] != after[name]}
    if changed:
        db.session.flush()
        audit.record(
            actor,
            "child_updated",
            "child",
            child.id,
            f"Changed child record {child.id}: {', '.join(FIELD_LABELS[name] for name in changed)}",
            changed,
        )
    return changed


def record_child_viewed(child: Child, actor: User, *, page: str = "record") -> None:
    audit.record(actor, "child_viewed", "child", child.id, f"Viewed child record {child.id}", {"page": page})


def record_contact_viewed(contact: ChildContact, actor: User, *, page: str) -> None:
    """A page showing a parent's or carer's details (name, address, phone, email) was opened."""
    audit.record(
        actor, "contact_viewed", "child", contact.child_id,
        f"Viewed contact {contact.id} of child record {contact.child_id}", {"page": page, "contact_id": contact.id},
    )


def _looks_like_upn(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", re.sub(r"\s+", "", text).upper()))


SORTS = {
    "name": (Child.last_name, Child.first_name, Child.id),
    "-name": (Child.last_name.desc(), Child.first_name.desc(), Child.id.desc()),
    "dob": (Child.date_of_birth, Child.last_name, Child.id),
    "-dob": (Child.date_of_birth.desc(), Child.last_name, Child.id),
}


def search_children(
    *,
    user: User,
    q: str | None = None,
    date_of_birth: date | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = 25,
) -> Pagination:
    """The children `user` may see, matching every term given.

    `q` is a UPN (exact match, ignoring case and spaces) when it has a UPN's shape; otherwise
    each word must appear, ignoring case, in the first or the last name.
    """
    query = select(Child).where(_visible_to(user))
    text = (q or "").strip()
    if text:
        if _looks_like_upn(text):
            query = query.where(Child.upn == re.sub(r"\s+", "", text).upper())
        else:
            for word in text.split():
                query = query.where(
                    or_(Child.first_name.icontains(word, autoescape=True), Child.last_name.icontains(word, autoescape=True))
                )
    if date_of_birth is not None:
        query = query.where(Child.date_of_birth == date_of_birth)
    query = query.order_by(*SORTS.get(sort, SORTS["name"]))
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)


def record_search(user: User, *, q: str | None, date_of_birth: date | None, results: int) -> None:
    """Searching shows children's names and dates of birth: it is audited like a view."""
    audit.record(
        user,
        "children_searched",
        "child",
        None,
        f"Searched children ({results} found)",
        {"q": (q or "").strip() or None, "date_of_birth": date_of_birth.isoformat() if date_of_birth else None, "results": results},
    )


# --- Parents and carers ------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactData:
    name: str
    relationship_to_child: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    preferred_contact_method: ContactMethod | None = None
    has_parental_responsibility: bool = False
    communication_needs: str | None = None


def _clean_contact(data: ContactData) -> dict[str, Any]:
    name = _text(data.name)
    relationship = _text(data.relationship_to_child)
    if not name:
        raise ServiceError("Enter the contact's name", field="name")
    if len(name) > 200:
        raise ServiceError("The name must be 200 characters or fewer", field="name")
    if not relationship:
        raise ServiceError("Enter their relationship to the child, for example Mother or Carer", field="relationship_to_child")
    if len(relationship) > 100:
        raise ServiceError("The relationship must be 100 characters or fewer", field="relationship_to_child")
    email = _text(data.email)
    if email is not None:
        email = valid_email_address(data.email, field="email")  # exactly one address: no lists, names or line breaks
    phone = _text(data.phone)
    if phone is not None:
        phone = " ".join(phone.split())
        digits = re.sub(r"\D", "", phone)
        if not re.fullmatch(r"\+?[0-9 ()-]+", phone) or not 10 <= len(digits) <= 15:
            raise ServiceError("Enter a phone number, like 01632 960 001 or +44 7700 900 982", field="phone")
    address = _text(data.address)
    method = data.preferred_contact_method
    if method is ContactMethod.EMAIL and not email:
        raise ServiceError("Enter an email address, or choose another way to contact them", field="email")
    if method is ContactMethod.PHONE and not phone:
        raise ServiceError("Enter a phone number, or choose another way to contact them", field="phone")
    if method is ContactMethod.LETTER and not address:
        raise ServiceError("Enter an address, or choose another way to contact them", field="address")
    return {
        "name": name,
        "relationship_to_child": relationship,
        "email": email,
        "phone": phone,
        "address": address,
        "preferred_contact_method": method,
        "has_parental_responsibility": bool(data.has_parental_responsibility),
        "communication_needs": _text(data.communication_needs),
    }


def _contact_snapshot(contact: ChildContact) -> dict[str, Any]:
    return {name: _plain(getattr(contact, name)) for name in CONTACT_FIELD_LABELS}


def add_contact(child: Child, *, data: ContactData, actor: User) -> ChildContact:
    if not can_edit(actor, child):
        raise Forbidden("You cannot change this child's record")
    contact = ChildContact(**_clean_contact(data))
    child.contacts.append(contact)
    db.session.flush()
    details: dict[str, Any] = {
        name: {"old": None, "new": value} for name, value in _contact_snapshot(contact).items() if value not in (None, False)
    }
    details["contact_id"] = contact.id
    audit.record(actor, "child_contact_added", "child", child.id, f"Added a contact ({contact.relationship_to_child}) to child record {child.id}", details)
    return contact


def update_contact(contact: ChildContact, *, data: ContactData, actor: User) -> dict[str, dict[str, Any]]:
    """Change a parent's or carer's details. Returns what changed."""
    child = contact.child
    if not can_edit(actor, child):
        raise Forbidden("You cannot change this child's record")
    values = _clean_contact(data)
    before = _contact_snapshot(contact)
    for name, value in values.items():
        setattr(contact, name, value)
    after = _contact_snapshot(contact)
    changed = {name: {"old": before[name], "new": after[name]} for name in before if before[name] != after[name]}
    if changed:
        db.session.flush()
        audit.record(
            actor,
            "child_contact_updated",
            "child",
            child.id,
            f"Changed contact {contact.id} of child record {child.id}: {', '.join(CONTACT_FIELD_LABELS[n] for n in changed)}",
            {"contact_id": contact.id, **changed},
        )
    return changed


def remove_contact(contact: ChildContact, *, actor: User) -> None:
    """Remove a contact; the audit entry keeps what was recorded about them."""
    child = contact.child
    if not can_edit(actor, child):
        raise Forbidden("You cannot change this child's record")
    details: dict[str, Any] = {
        name: {"old": value, "new": None} for name, value in _contact_snapshot(contact).items() if value not in (None, False)
    }
    details["contact_id"] = contact.id
    audit.record(actor, "child_contact_removed", "child", child.id, f"Removed contact {contact.id} ({contact.relationship_to_child}) from child record {child.id}", details)
    child.contacts.remove(contact)
    db.session.flush()
