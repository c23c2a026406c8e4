"""Settings an administrator keeps: local non-working days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class LocalNonWorkingDay(db.Model):  # type: ignore[name-defined,misc]
    """A day the council does not count as a working day (e.g. a local closure day)."""

    __tablename__ = "local_non_working_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_on: Mapped[date] = mapped_column(unique=True)
    description: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
