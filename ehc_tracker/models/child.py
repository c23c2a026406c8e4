"""Children and young people (aged 0 to 25) and their parents and carers.

The codes follow the DfE SEN2 / school census code sets, so that the statutory returns can be
built from the record without translation.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], length: int) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Sex(str, enum.Enum):
    """Sex as SEN2 and the school census record it: M, F, or U (not known or not stated)."""

    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"

    @property
    def label(self) -> str:
        return {"M": "Male", "F": "Female", "U": "Not known or not stated"}[self.value]


class Ethnicity(str, enum.Enum):
    """The DfE main ethnicity codes (the 'main' list of the school census / SEN2)."""

    WBRI = "WBRI"
    WIRI = "WIRI"
    WIRT = "WIRT"
    WOTH = "WOTH"
    WROM = "WROM"
    MWBC = "MWBC"
    MWBA = "MWBA"
    MWAS = "MWAS"
    MOTH = "MOTH"
    AIND = "AIND"
    APKN = "APKN"
    ABAN = "ABAN"
    AOTH = "AOTH"
    BCRB = "BCRB"
    BAFR = "BAFR"
    BOTH = "BOTH"
    CHNE = "CHNE"
    OOTH = "OOTH"
    REFU = "REFU"
    NOBT = "NOBT"

    @property
    def label(self) -> str:
        return _ETHNICITY_LABELS[self.value]


_ETHNICITY_LABELS = {
    "WBRI": "White – British",
    "WIRI": "White – Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy / Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}


class SenNeed(str, enum.Enum):
    """Type of special educational need, as SEN2 codes it."""

    SPLD = "SPLD"
    MLD = "MLD"
    SLD = "SLD"
    PMLD = "PMLD"
    SEMH = "SEMH"
    SLCN = "SLCN"
    HI = "HI"
    VI = "VI"
    MSI = "MSI"
    PD = "PD"
    ASD = "ASD"
    DS = "DS"
    OTH = "OTH"

    @property
    def label(self) -> str:
        return _NEED_LABELS[self.value]


_NEED_LABELS = {
    "SPLD": "Specific learning difficulty",
    "MLD": "Moderate learning difficulty",
    "SLD": "Severe learning difficulty",
    "PMLD": "Profound and multiple learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication needs",
    "HI": "Hearing impairment",
    "VI": "Vision impairment",
    "MSI": "Multi-sensory impairment",
    "PD": "Physical disability",
    "ASD": "Autistic spectrum disorder",
    "DS": "Down syndrome",
    "OTH": "Other difficulty or disability",
}


class ContactMethod(str, enum.Enum):
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return {"email": "Email", "phone": "Phone", "letter": "Letter"}[self.value]


class Child(db.Model):  # type: ignore[name-defined,misc]
    """A child or young person. Belongs to one team, which is responsible for them."""

    __tablename__ = "children"
    __table_args__ = (
        Index("ix_children_team_names", "team_id", "last_name", "first_name"),
        # The override and the school year it was given for are set, or cleared, together.
        CheckConstraint(
            "(year_group_override IS NULL) = (year_group_override_school_year IS NULL)", name="override_pair"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(index=True)
    upn: Mapped[str | None] = mapped_column(String(13), index=True)
    uln: Mapped[str | None] = mapped_column(String(10))
    sex: Mapped[Sex | None] = mapped_column(_enum(Sex, 1))
    ethnicity: Mapped[Ethnicity | None] = mapped_column(_enum(Ethnicity, 4))
    postcode: Mapped[str | None] = mapped_column(String(8))
    primary_need: Mapped[SenNeed | None] = mapped_column(_enum(SenNeed, 4))
    secondary_need: Mapped[SenNeed | None] = mapped_column(_enum(SenNeed, 4))
    setting_name: Mapped[str | None] = mapped_column(String(200))
    setting_urn: Mapped[str | None] = mapped_column(String(6))
    setting_ukprn: Mapped[str | None] = mapped_column(String(8))
    # SEN2 items about the child's setting: the day they started there (the placement's entry
    # date), the SEN setting code for a place with no URN or UKPRN (EHE, OLA, ...), and whether the
    # place is in a SEN unit or resourced provision.
    setting_started_on: Mapped[date | None]
    sen_setting: Mapped[str | None] = mapped_column(String(4))
    setting_sen_unit: Mapped[bool] = mapped_column(default=False)
    setting_resourced_provision: Mapped[bool] = mapped_column(default=False)
    # SEN2: why the UPN is not known (UN1 to UN10), when there is neither a UPN nor a ULN.
    upn_unknown_reason: Mapped[str | None] = mapped_column(String(4))
    # Educated out of year group: the year group in the school year beginning in September of
    # `year_group_override_school_year`. It rolls forward a year each September.
    year_group_override: Mapped[int | None]
    year_group_override_school_year: Mapped[int | None]
    attends_infant_school: Mapped[bool] = mapped_column(default=False)
    looked_after: Mapped[bool] = mapped_column(default=False)
    # A young person over compulsory school age who makes their own requests and decisions.
    young_person_own_requests: Mapped[bool] = mapped_column(default=False)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Moving in: the child's key in the system the record came from (their UPN, or the old
    # system's reference), a digest of what was imported (an unchanged row is left alone), and
    # the import that last wrote it. None for children added here.
    source_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship()  # type: ignore[name-defined]  # noqa: F821
    contacts: Mapped[list[ChildContact]] = relationship(
        back_populates="child", order_by="ChildContact.id", cascade="all, delete-orphan"
    )
    cases: Mapped[list[Case]] = relationship(back_populates="child", order_by="Case.anchor_on.desc()")  # type: ignore[name-defined]  # noqa: F821
    plans: Mapped[list[Plan]] = relationship(order_by="Plan.issued_on.desc()", viewonly=True)  # type: ignore[name-defined]  # noqa: F821

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def year_group_in(self, on: date) -> int | None:
        """The out-of-year-group override rolled forward to the school year containing `on`, or None."""
        if self.year_group_override is None or self.year_group_override_school_year is None:
            return None
        from ..statutory.years import school_year_start_year

        return self.year_group_override + (school_year_start_year(on) - self.year_group_override_school_year)

    def __repr__(self) -> str:
        return f"<Child {self.id}>"


class ChildContact(db.Model):  # type: ignore[name-defined,misc]
    """A parent, carer or professional the service corresponds with about a child."""

    __tablename__ = "child_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_child: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    preferred_contact_method: Mapped[ContactMethod | None] = mapped_column(_enum(ContactMethod, 10))
    has_parental_responsibility: Mapped[bool] = mapped_column(default=False)
    # For example: needs an interpreter (language), large print, no phone calls.
    communication_needs: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    child: Mapped[Child] = relationship(back_populates="contacts")

    def __repr__(self) -> str:
        return f"<ChildContact {self.id} of child {self.child_id}>"
