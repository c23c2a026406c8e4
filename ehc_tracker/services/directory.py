"""The directory of providers and settings: kept by administrators, offered as people type.

A name typed in a form (an advice provider, a school consulted) is matched to an active entry
when it is the entry's name, ignoring case, spacing and the kind of apostrophe; anything else is
kept as typed, so someone not in the directory can still be named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Role, User
from ..models.case import AdviceRequest, Consultation
from ..models.directory import SETTING_KINDS, DirectoryEntry, DirectoryKind
from . import Forbidden, ServiceError, audit
from .clock import now
from .email_addresses import valid_email_address
from .paging import Page, page_of

NAME_MAX = 200
# A school's unique reference number (Get Information about Schools) has 6 digits.
_URN = re.compile(r"[0-9]{6}")
# A UK Provider Reference Number (UK Register of Learning Providers) has 8 digits, starting with 1.
_UKPRN = re.compile(r"1[0-9]{7}")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def name_key(name: str) -> str:
    """The form of a name that typed names are matched on: lower case, single spaces, one apostrophe."""
    return " ".join(name.translate(_APOSTROPHES).split()).casefold()


def _require_admin(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("Only an administrator can change the directory")


@dataclass(frozen=True)
class EntryDetails:
    """What an administrator types for an entry (before it is checked)."""

    name: str
    kind: str
    urn: str = ""
    ukprn: str = ""
    email: str = ""
    phone: str = ""
    # The named contact told when advice asked of the provider is overdue (services.professionals).
    contact_name: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class _Clean:
    name: str
    kind: DirectoryKind
    urn: str | None
    ukprn: str | None
    email: str | None
    phone: str | None
    contact_name: str | None = None
    contact_email: str | None = None


def _digits(value: str) -> str:
    return "".join(value.split())


def _clean(details: EntryDetails, *, entry: DirectoryEntry | None) -> _Clean:
    name = " ".join(details.name.split())
    if not name:
        raise ServiceError("Enter the name of the provider or setting", field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"The name must be {NAME_MAX} characters or fewer", field="name")
    try:
        kind = DirectoryKind(details.kind)
    except ValueError:
        raise ServiceError("Select the type of provider or setting", field="kind") from None
    same = db.session.scalar(select(DirectoryEntry).where(DirectoryEntry.name_key == name_key(name)))
    if same is not None and (entry is None or same.id != entry.id):
        state = "" if same.active else " (deactivated: reactivate it instead)"
        raise ServiceError(
            f"The directory already has {same.name}{state}; give this one a name that tells them apart, "
            "for example with its town",
            field="name",
        )
    urn = _digits(details.urn) or None
    ukprn = _digits(details.ukprn) or None
    if urn is not None:
        if not _URN.fullmatch(urn):
            raise ServiceError("A URN has 6 digits, like 123456", field="urn")
        if kind not in SETTING_KINDS:
            raise ServiceError(
                f"Only a school, college or other setting has a URN, not a provider of {kind.label.lower()}",
                field="urn",
            )
    if ukprn is not None:
        if not _UKPRN.fullmatch(ukprn):
            raise ServiceError("A UKPRN has 8 digits and starts with 1, like 10012345", field="ukprn")
        if kind not in SETTING_KINDS:
            raise ServiceError(
                f"Only a college, school or other education provider has a UKPRN, not a provider of "
                f"{kind.label.lower()}",
                field="ukprn",
            )
    if kind is DirectoryKind.SCHOOL and urn is None:
        raise ServiceError("Enter the school's URN (6 digits, from Get Information about Schools)", field="urn")
    if kind is DirectoryKind.COLLEGE and ukprn is None:
        raise ServiceError(
            "Enter the college's UKPRN (8 digits, from the UK Register of Learning Providers)", field="ukprn"
        )
    email = valid_email_address(details.email, field="email") if details.email.strip() else None
    phone = " ".join(details.phone.split()) or None
    if phone is not None and (
        not re.fullmatch(r"\+?[0-9 ]+", phone) or not 10 <= sum(c.isdigit() for c in phone) <= 13
    ):
        raise ServiceError(
            "Enter a phone number like 01632 960 001 or +44 1632 960 001, using digits and spaces only", field="phone"
        )
    contact_name = " ".join(details.contact_name.split()) or None
    if contact_name is not None and len(contact_name) > 120:
        raise ServiceError("The contact's name must be 120 characters or fewer", field="contact_name")
    contact_email = (
        valid_email_address(details.contact_email, field="contact_email") if details.contact_email.strip() else None
    )
    return _Clean(name, kind, urn, ukprn, email, phone, contact_name, contact_email)


def _describe(entry: DirectoryEntry) -> dict[str, object]:
    return {
        "name": entry.name,
        "kind": entry.kind.value,
        "urn": entry.urn,
        "ukprn": entry.ukprn,
        "email": entry.email,
        "phone": entry.phone,
        "contact_name": entry.contact_name,
        "contact_email": entry.contact_email,
        "active": entry.active,
    }


def create_entry(details: EntryDetails, *, actor: User) -> DirectoryEntry:
    _require_admin(actor)
    clean = _clean(details, entry=None)
    entry = DirectoryEntry(
        name=clean.name,
        name_key=name_key(clean.name),
        kind=clean.kind,
        urn=clean.urn,
        ukprn=clean.ukprn,
        email=clean.email,
        phone=clean.phone,
        contact_name=clean.contact_name,
        contact_email=clean.contact_email,
        active=True,
        updated_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        actor,
        "directory_entry_added",
        "directory_entry",
        entry.id,
        f"Added {entry.name} ({entry.kind.label}) to the directory",
        _describe(entry),
    )
    return entry


def update_entry(entry: DirectoryEntry, details: EntryDetails, *, actor: User) -> list[str]:
    """Change an entry; returns the names of the fields that changed (audited with old and new)."""
    _require_admin(actor)
    clean = _clean(details, entry=entry)
    before = _describe(entry)
    entry.name, entry.name_key, entry.kind = clean.name, name_key(clean.name), clean.kind
    entry.urn, entry.ukprn, entry.email, entry.phone = clean.urn, clean.ukprn, clean.email, clean.phone
    entry.contact_name, entry.contact_email = clean.contact_name, clean.contact_email
    after = _describe(entry)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        entry.updated_at = now()
        entry.updated_by_id = actor.id
        db.session.flush()
        audit.record(
            actor,
            "directory_entry_changed",
            "directory_entry",
            entry.id,
            f"Changed {', '.join(changed)} of directory entry {entry.name}",
            {k: {"old": before[k], "new": after[k]} for k in changed},
        )
    return changed


def set_active(entry: DirectoryEntry, active: bool, *, actor: User) -> None:
    """Deactivate an entry (no longer offered or matched; what refers to it keeps it), or reactivate it."""
    _require_admin(actor)
    if entry.active is active:
        raise ServiceError(f"{entry.name} is already {'active' if active else 'deactivated'}", field="active")
    entry.active = active
    entry.updated_at = now()
    entry.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "directory_entry_reactivated" if active else "directory_entry_deactivated",
        "directory_entry",
        entry.id,
        f"{'Reactivated' if active else 'Deactivated'} directory entry {entry.name}",
    )


def times_used(entry: DirectoryEntry) -> int:
    """How many advice requests and consultations name this entry."""
    advice = db.session.scalar(select(func.count()).where(AdviceRequest.directory_entry_id == entry.id)) or 0
    consulted = db.session.scalar(select(func.count()).where(Consultation.directory_entry_id == entry.id)) or 0
    return int(advice) + int(consulted)


def delete_entry(entry: DirectoryEntry, *, actor: User) -> None:
    """Remove an entry added by mistake. One that any advice request or consultation names is
    never deleted (the case history keeps who was asked): deactivate it instead."""
    _require_admin(actor)
    used = times_used(entry)
    if used:
        raise ServiceError(
            f"{entry.name} is named in {used} advice request{'s' if used != 1 else ''} or consultation"
            f"{'s' if used != 1 else ''}, so it cannot be deleted. Deactivate it instead",
            field="delete",
        )
    audit.record(
        actor,
        "directory_entry_deleted",
        "directory_entry",
        entry.id,
        f"Deleted directory entry {entry.name} (never used)",
        _describe(entry),
    )
    db.session.delete(entry)
    db.session.flush()


# --- Reading ---------------------------------------------------------------------------------


def search(*, q: str = "", kind: str = "", show: str = "active", page: int = 1, per_page: int = 25) -> Page:
    """The entries an administrator looks for: by words of the name, URN, UKPRN or email; by type."""
    stmt = select(DirectoryEntry).order_by(DirectoryEntry.name_key, DirectoryEntry.id)
    for word in name_key(q).split():
        like = f"%{word}%"
        stmt = stmt.where(
            or_(
                DirectoryEntry.name_key.like(like),
                DirectoryEntry.urn == word,
                DirectoryEntry.ukprn == word,
                func.lower(DirectoryEntry.email).like(like),
            )
        )
    if kind in {k.value for k in DirectoryKind}:
        stmt = stmt.where(DirectoryEntry.kind == DirectoryKind(kind))
    if show == "active":
        stmt = stmt.where(DirectoryEntry.active.is_(True))
    elif show == "inactive":
        stmt = stmt.where(DirectoryEntry.active.is_(False))
    return page_of(stmt, page=page, per_page=per_page)


def offered(kinds: Iterable[DirectoryKind] | None = None) -> list[DirectoryEntry]:
    """The active entries a form offers as people type (of these kinds, if given), by name."""
    stmt = select(DirectoryEntry).where(DirectoryEntry.active.is_(True)).order_by(DirectoryEntry.name_key)
    if kinds is not None:
        stmt = stmt.where(DirectoryEntry.kind.in_(list(kinds)))
    return list(db.session.scalars(stmt))


def match(typed: str) -> DirectoryEntry | None:
    """The active entry a typed name is (same name, ignoring case, spacing and apostrophes), if any."""
    key = name_key(typed)
    if not key:
        return None
    return db.session.scalar(
        select(DirectoryEntry).where(DirectoryEntry.name_key == key, DirectoryEntry.active.is_(True))
    )


def resolve(typed: str) -> tuple[str, DirectoryEntry | None]:
    """A typed name as it is stored: the entry's own spelling when it matches one, else as typed (tidied)."""
    entry = match(typed)
    return (entry.name, entry) if entry is not None else (" ".join(typed.split()), None)
