"""The directory of providers and settings: who advice is asked of, and which schools, colleges and
other settings are consulted and named in plans. Kept by administrators."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class DirectoryKind(str, enum.Enum):
    EDUCATIONAL_PSYCHOLOGY = "educational_psychology"
    HEALTH_PAEDIATRICS = "health_paediatrics"
    SPEECH_AND_LANGUAGE = "speech_and_language"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    SOCIAL_CARE = "social_care"
    SCHOOL = "school"
    COLLEGE = "college"
    EARLY_YEARS = "early_years"
    INDEPENDENT_SPECIALIST = "independent_specialist"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "educational_psychology": "Educational psychology",
            "health_paediatrics": "Health – paediatrics",
            "speech_and_language": "Speech and language therapy",
            "occupational_therapy": "Occupational therapy",
            "social_care": "Social care",
            "school": "School",
            "college": "College",
            "early_years": "Early years setting",
            "independent_specialist": "Independent specialist provider",
            "other": "Other",
        }[self.value]


SETTING_KINDS = frozenset(
    {DirectoryKind.SCHOOL, DirectoryKind.COLLEGE, DirectoryKind.EARLY_YEARS, DirectoryKind.INDEPENDENT_SPECIALIST}
)


class DirectoryEntry(db.Model):  # type: ignore[name-defined,misc]
    """One provider or setting. Never deleted once an advice request or consultation refers to
    it: it is deactivated instead, and no longer offered."""

    __tablename__ = "directory_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name as typed names are matched to it: lower case, single spaces (one entry per name).
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[DirectoryKind] = mapped_column(
        Enum(DirectoryKind, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    # Unique reference number of a school (Get Information about Schools), 6 digits.
    urn: Mapped[str | None] = mapped_column(String(6))
    # UK Provider Reference Number of a college or training provider, 8 digits.
    ukprn: Mapped[str | None] = mapped_column(String(8))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # The organisation's named contact, told when advice asked of its professionals is overdue.
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def reference(self) -> str:
        """ "URN 123456", "UKPRN 10012345", both, or ""."""
        parts = [f"URN {self.urn}" if self.urn else "", f"UKPRN {self.ukprn}" if self.ukprn else ""]
        return ", ".join(p for p in parts if p)
