"""Children and young people: their records, their parents and carers, who may see them.

Coordinators and managers see and change the children of their own teams only; nobody else
sees a child's record. Every record view and every change is written to the audit log, a
change with the old and new value of each field that changed. Operations flush; the caller
commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, false, or_, select

from .. import access
from ..extensions import db
from ..models import Team, User
from ..models.child import Child, ChildContact, ContactMethod, Ethnicity, SenNeed, Sex
from ..statutory.years import national_curriculum_year, school_year_start_year, year_group_name
from . import Forbidden, ServiceError, audit, clock, names
from .email_addresses import valid_email_address
from .paging import Page, page_of

# Who may see child records at all. Administrators manage accounts, not cases; viewers see
# reports without child-identifying data.
CHILD_ROLES = access.CASEWORK

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
    "setting_started_on": "date started at the setting",
    "sen_setting": "SEN setting (no URN or UKPRN)",
    "setting_sen_unit": "place in a SEN unit",
    "setting_resourced_provision": "place in resourced provision",
    "upn_unknown_reason": "reason the UPN is not known",
    "year_group_override": "year group (out of year group)",
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
    """Creating the child was refused because children who may be the same one have records."""

    def __init__(self, found: list[PossibleDuplicate]) -> None:
        super().__init__("This child may already have a record", field="not_duplicate")
        self.found = found

    @property
    def matches(self) -> list[Child]:
        return [duplicate.child for duplicate in self.found]


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


# Who may see and change a child's record: the access module's rules.
can_view = access.can_view_child
can_edit = access.can_edit_child


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
    # SEN2 items: the day the child started at the setting, the SEN setting code for a place with
    # no URN or UKPRN, SEN unit / resourced provision, and why the UPN is not known (UN1 to UN10).
    setting_started_on: date | None = None
    sen_setting: str | None = None
    setting_sen_unit: bool = False
    setting_resourced_provision: bool = False
    upn_unknown_reason: str | None = None
    # The year group in the school year containing `today` (None: the year for their age).
    year_group_override: int | None = None
    attends_infant_school: bool = False
    looked_after: bool = False
    young_person_own_requests: bool = False


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
        raise ServiceError(
            "Names must be 100 characters or fewer", field="first_name" if len(first_name) > 100 else "last_name"
        )
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
        **_sen2_items(data, today),
        "year_group_override": override,
        "attends_infant_school": bool(data.attends_infant_school),
        "looked_after": bool(data.looked_after),
        "young_person_own_requests": bool(data.young_person_own_requests),
    }


def _sen2_items(data: ChildData, today: date) -> dict[str, Any]:
    """The SEN2 items of the child's record, checked against the collection's code lists."""
    from ..sen2_rules.collection2026 import SEN_SETTINGS, UPN_UNKNOWN_REASONS

    if data.setting_started_on is not None and data.setting_started_on > today:
        raise ServiceError(
            "The date the child started at the setting must be today or in the past", field="setting_started_on"
        )
    if data.setting_started_on is not None and data.setting_started_on < data.date_of_birth:
        raise ServiceError(
            "The date the child started at the setting must be after the date of birth", field="setting_started_on"
        )
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


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Sex, Ethnicity, SenNeed, ContactMethod)):
        return value.value
    return value


def _snapshot(child: Child, today: date) -> dict[str, Any]:
    """The record as the audit log describes it (the override as it stands in this school year)."""
    values = {
        name: _plain(getattr(child, name)) for name in FIELD_LABELS if name not in ("year_group_override", "team")
    }
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


@dataclass(frozen=True)
class PossibleDuplicate:
    """A child who may be the one being added, and why they were suggested."""

    child: Child
    reason: str


def _upn_text(upn: str | None) -> str:
    return re.sub(r"\s+", "", upn or "").upper()


def find_possible_duplicates(
    first_name: str, last_name: str, date_of_birth: date | None, upn: str | None, *, exclude_id: int | None = None
) -> list[PossibleDuplicate]:
    """Children, in any team, who may be the child described: the same UPN, or the same date of
    birth and a name that names.same_person_names matches (the same name ignoring case, accents
    and apostrophes; a common short form, Toby for Tobias; one typo; first and last names
    swapped; one part of a double surname). The same UPN first, then the closest names.

    Fast for a large authority: SQL fetches only the children with that date of birth or that
    UPN (both columns are indexed; an authority of 30,000 children aged 0 to 25 has about three
    a day), and the names are compared in Python over those few.
    """
    clean_upn = _upn_text(upn)
    conditions: list[ColumnElement[bool]] = []
    if date_of_birth is not None and _text(first_name) and _text(last_name):
        conditions.append(Child.date_of_birth == date_of_birth)
    if clean_upn:
        conditions.append(Child.upn == clean_upn)
    if not conditions:
        return []
    query = select(Child).where(or_(*conditions)).order_by(Child.id)
    if exclude_id is not None:
        query = query.where(Child.id != exclude_id)
    found: list[tuple[int, PossibleDuplicate]] = []
    for child in db.session.scalars(query):
        if clean_upn and child.upn == clean_upn:
            found.append((-1, PossibleDuplicate(child, "The same UPN")))
            continue
        if child.date_of_birth != date_of_birth:
            continue
        match = names.same_person_names(first_name, last_name, child.first_name, child.last_name)
        if match is not None:
            if match.kind == names.NameMatchKind.SAME:
                reason = "The same name and date of birth"
            else:
                reason = f"The same date of birth; {match.explanation}"
            found.append((int(match.kind), PossibleDuplicate(child, reason)))
    found.sort(key=lambda pair: pair[0])  # stable: by id within a kind
    return [duplicate for _, duplicate in found]


def create_child(
    *,
    data: ChildData,
    team: Team,
    actor: User,
    today: date | None = None,
    allow_duplicate: bool = False,
) -> Child:
    """Add a child to `team` (one of the actor's teams).

    The one duplicate check of the web form and the API: refuses with PossibleDuplicates when
    find_possible_duplicates finds a child who may be this one (the same UPN; the same date of
    birth and a similar name), unless the person has confirmed this is a different child
    (`allow_duplicate`). The children suggested and set aside are kept in the audit entry.
    """
    today = today or clock.today()
    if not actor.has_role(*CHILD_ROLES) or team.id not in actor.team_ids:
        raise Forbidden("You can only add children to your own teams", field="team")
    values = _clean(data, today)
    found = find_possible_duplicates(values["first_name"], values["last_name"], values["date_of_birth"], values["upn"])
    if found and not allow_duplicate:
        raise PossibleDuplicates(found)
    matches = [duplicate.child for duplicate in found]
    child = Child(team=team)
    _apply(child, dict(values), today)
    db.session.add(child)
    db.session.flush()
    details: dict[str, Any] = {
        name: {"old": None, "new": value}
        for name, value in _snapshot(child, today).items()
        if value not in (None, False)
    }
    if matches:
        details["possible_duplicates_confirmed_different"] = [m.id for m in matches]
    audit.record(
        actor, "child_created", "child", child.id, f"Added child record {child.id} to team {team.name}", details
    )
    return child


def record_possible_duplicates_shown(actor: User, found: list[PossibleDuplicate]) -> None:
    """The possible matches were shown to `actor` (the names, dates of birth and UPNs of the
    children in their teams; a count of the others): audited like a search."""
    shown = [d.child.id for d in found if can_view(actor, d.child)]
    audit.record(
        actor,
        "possible_duplicates_shown",
        "child",
        None,
        f"Shown {len(found)} possible match{'es' if len(found) != 1 else ''} for a new child",
        {"shown": shown, "in_other_teams": len(found) - len(shown)},
    )


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
        actor,
        "contact_viewed",
        "child",
        contact.child_id,
        f"Viewed contact {contact.id} of child record {contact.child_id}",
        {"page": page, "contact_id": contact.id},
    )


def _looks_like_upn(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", re.sub(r"\s+", "", text).upper()))


SORTS = {
    "name": (Child.last_name, Child.first_name, Child.id),
    "-name": (Child.last_name.desc(), Child.first_name.desc(), Child.id.desc()),
    "dob": (Child.date_of_birth, Child.last_name, Child.id),
    "-dob": (Child.date_of_birth.desc(), Child.last_name, Child.id),
}

_TYPED_DATE = re.compile(r"(?<![0-9])([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})(?![0-9])")


@dataclass(frozen=True)
class SearchTerms:
    """What was typed in the search box, understood."""

    upn: str | None = None
    date_of_birth: date | None = None
    words: tuple[str, ...] = ()  # normalised name words, when the name is not split by a comma
    surname_words: tuple[str, ...] = ()  # "Jones, Sam": the words before the comma ...
    given_words: tuple[str, ...] = ()  # ... and after it
    unusable: bool = False  # text was typed, but nothing in it can be searched for ("%")

    @property
    def name_words(self) -> tuple[str, ...]:
        return self.words + self.surname_words + self.given_words


def parse_search(q: str | None) -> SearchTerms:
    """Read the search box: a UPN, a date of birth (dd/mm/yyyy), and a name as "Surname, First"
    or "First Surname" (or part of either), or a parent's or carer's name."""
    text = (q or "").strip()
    if not text:
        return SearchTerms()
    if _looks_like_upn(text):
        return SearchTerms(upn=re.sub(r"\s+", "", text).upper())
    born: date | None = None
    typed_date = _TYPED_DATE.search(text)
    if typed_date:
        day, month, year = (int(part) for part in typed_date.groups())
        try:
            born = date(year, month, day)
        except ValueError:
            raise ServiceError("Enter a real date of birth, like 27/3/2015", field="q") from None
        text = (text[: typed_date.start()] + " " + text[typed_date.end() :]).strip()
    if "," in text:
        surname, _, given = text.partition(",")
        terms = SearchTerms(
            date_of_birth=born, surname_words=tuple(names.tokens(surname)), given_words=tuple(names.tokens(given))
        )
    else:
        terms = SearchTerms(date_of_birth=born, words=tuple(names.tokens(text)))
    if text and not terms.name_words:
        return SearchTerms(date_of_birth=born, unusable=True)
    return terms


def _like(column: Any, pattern: str) -> ColumnElement[bool]:
    """`column` LIKE `pattern` ignoring case. SQLite's LIKE already ignores (ASCII) case, and its
    ILIKE would lower() both sides on every row, so it gets a plain LIKE."""
    if db.session.get_bind().dialect.name == "sqlite":
        return column.like(pattern)  # type: ignore[no-any-return]
    return column.ilike(pattern)  # type: ignore[no-any-return]


# Surnames with an apostrophe after the first letter (O'Neill, D'Souza): the stored name keeps
# it, the typed word has lost it ("oneill"), so for a word starting with one of these letters,
# every name with a word starting "o'" is a candidate too.
_APOSTROPHE_PREFIXES = ("o", "d")


def _word_could_match(column: Any, typed: str) -> ColumnElement[bool]:
    """A cheap SQL test, on the stored column as it is, that keeps every name with a word that
    names.closeness could match to `typed` (and some that it will not): the typed word inside
    the name (exact, start or inside), a given-name variant inside it, or a word of the name
    (after a space or hyphen) starting as `typed` starts, or ending as it ends. One typo leaves
    the first letter, or the last two, in place for a word of 4 letters; the first two, or the
    last two, for longer words. Shorter words are never typos, but a word starting with their
    first two letters is kept, so that "zoe" finds "Zoë" (SQL does not remove accents; Python does).
    No pattern has a wildcard of its own: the typed words are letters and digits only."""
    patterns = [f"%{typed}%"] + [f"%{variant}%" for variant in sorted(names.variants(typed))]
    start = typed[:1] if len(typed) == names.TYPO_MIN_LETTERS else typed[:2]
    patterns += [f"{start}%", f"% {start}%", f"%-{start}%"]
    if len(typed) >= names.TYPO_MIN_LETTERS:
        end = typed[-2:]
        patterns += [f"%{end}", f"%{end} %", f"%{end}-%"]
    if typed[0] in _APOSTROPHE_PREFIXES:
        patterns += [f"{typed[0]}{apostrophe}%" for apostrophe in ("'", "\u2019")]
    return or_(*(_like(column, pattern) for pattern in patterns))


def _rank_by_name(terms: SearchTerms, first_name: str, last_name: str) -> tuple[int, int] | None:
    given, surname = names.tokens(first_name), names.tokens(last_name)
    if terms.words:
        return names.match_words(terms.words, given + surname, given_names=given)
    found_surname = names.match_words(terms.surname_words, surname) if terms.surname_words else (0, 0)
    found_given = names.match_words(terms.given_words, given, given_names=given) if terms.given_words else (0, 0)
    if found_surname is None or found_given is None:
        return None
    return max(found_surname[0], found_given[0]), found_surname[1] + found_given[1]


CONTACT_RANK = 10  # a match on a parent's or carer's name ranks below any match on the child's


@dataclass
class SearchPage(Page):
    """A page of search results, and for children found through a contact, which one."""

    notes: dict[int, str] = dataclass_field(default_factory=dict)


def search_children(
    *,
    user: User,
    q: str | None = None,
    date_of_birth: date | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = 25,
) -> SearchPage:
    """The children `user` may see that match the search box `q` (see parse_search) and the date
    of birth, closest matches first.

    A UPN finds that child exactly. A name finds the children each of whose typed words is in
    their name: the whole word, another form of a given name (Bill for William), the start of a
    word, inside a word, or a word one typo away (names.closeness); "Jones, Sam" looks for
    Jones among surnames and Sam among first names. The same words find children through a
    parent's or carer's name, ranked after matches on the child's own name. Within a rank, the
    order is `sort`.

    Fast for an authority of 30,000 children: SQL first keeps only the children in the user's
    teams (and with the date of birth, if one is given) whose names pass _word_could_match for
    every typed word, and reads only their ids and names (and the names of matching contacts);
    Python then ranks those few, and the page's children alone are loaded.
    """
    sort = sort if sort in SORTS else "name"
    terms = parse_search(q)
    if terms.unusable:
        return SearchPage(items=[], page=max(page, 1), per_page=per_page, total=0)
    scope: list[ColumnElement[bool]] = [_visible_to(user)]
    scope += [Child.date_of_birth == day for day in (date_of_birth, terms.date_of_birth) if day is not None]
    if terms.upn:
        scope.append(Child.upn == terms.upn)
    if not terms.name_words:
        return SearchPage(
            **vars(page_of(select(Child).where(*scope).order_by(*SORTS[sort]), page=page, per_page=per_page))
        )

    # What the ranking and the sorting need, for every child found: (first, last, date of birth).
    about: dict[int, tuple[str, str, date]] = {}
    ranks: dict[int, tuple[int, int]] = {}
    by_child = select(Child.id, Child.first_name, Child.last_name, Child.date_of_birth).where(*scope)
    for typed in terms.words:
        by_child = by_child.where(
            or_(_word_could_match(Child.first_name, typed), _word_could_match(Child.last_name, typed))
        )
    for typed in terms.surname_words:
        by_child = by_child.where(_word_could_match(Child.last_name, typed))
    for typed in terms.given_words:
        by_child = by_child.where(_word_could_match(Child.first_name, typed))
    for child_id, first_name, last_name, born_on in db.session.execute(by_child):
        found = _rank_by_name(terms, first_name, last_name)
        if found is not None:
            ranks[child_id] = found
            about[child_id] = (first_name, last_name, born_on)

    notes: dict[int, str] = {}
    by_contact = (
        select(
            ChildContact.child_id,
            ChildContact.name,
            ChildContact.relationship_to_child,
            Child.first_name,
            Child.last_name,
            Child.date_of_birth,
        )
        .join(Child, Child.id == ChildContact.child_id)
        .where(*scope)
        .order_by(ChildContact.id)
    )
    for typed in terms.name_words:
        by_contact = by_contact.where(_word_could_match(ChildContact.name, typed))
    for child_id, contact_name, relationship, first_name, last_name, born_on in db.session.execute(by_contact):
        words = names.tokens(contact_name)
        found = names.match_words(terms.name_words, words, given_names=words)
        if found is None:
            continue
        ranked = (CONTACT_RANK + found[0], found[1])
        if child_id not in ranks or ranked < ranks[child_id]:
            ranks[child_id] = ranked
            about[child_id] = (first_name, last_name, born_on)
            notes[child_id] = f"Found by their {relationship.lower()}’s name: {contact_name}"

    page = max(page, 1)
    if sort.lstrip("-") == "dob":
        ordered = sorted(about, key=lambda i: (about[i][2], about[i][1].casefold(), i), reverse=sort.startswith("-"))
    else:
        ordered = sorted(
            about, key=lambda i: (about[i][1].casefold(), about[i][0].casefold(), i), reverse=sort.startswith("-")
        )
    ordered.sort(key=lambda i: ranks[i])  # stable: the chosen order within each rank
    shown_ids = ordered[(page - 1) * per_page : page * per_page]
    loaded = {c.id: c for c in db.session.scalars(select(Child).where(Child.id.in_(shown_ids)))} if shown_ids else {}
    return SearchPage(
        items=[loaded[i] for i in shown_ids],
        page=page,
        per_page=per_page,
        total=len(ordered),
        notes={i: notes[i] for i in shown_ids if i in notes},
    )


def record_search(user: User, *, q: str | None, date_of_birth: date | None, results: int) -> None:
    """Searching shows children's names and dates of birth: it is audited like a view."""
    audit.record(
        user,
        "children_searched",
        "child",
        None,
        f"Searched children ({results} found)",
        {
            "q": (q or "").strip() or None,
            "date_of_birth": date_of_birth.isoformat() if date_of_birth else None,
            "results": results,
        },
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
        raise ServiceError(
            "Enter their relationship to the child, for example Mother or Carer", field="relationship_to_child"
        )
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
        name: {"old": None, "new": value}
        for name, value in _contact_snapshot(contact).items()
        if value not in (None, False)
    }
    details["contact_id"] = contact.id
    audit.record(
        actor,
        "child_contact_added",
        "child",
        child.id,
        f"Added a contact ({contact.relationship_to_child}) to child record {child.id}",
        details,
    )
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
        name: {"old": value, "new": None}
        for name, value in _contact_snapshot(contact).items()
        if value not in (None, False)
    }
    details["contact_id"] = contact.id
    audit.record(
        actor,
        "child_contact_removed",
        "child",
        child.id,
        f"Removed contact {contact.id} ({contact.relationship_to_child}) from child record {child.id}",
        details,
    )
    child.contacts.remove(contact)
    db.session.flush()
