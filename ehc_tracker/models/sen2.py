"""The SEN2 return's header settings (kept by an administrator) and whole-authority exports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class Sen2Settings(db.Model):  # type: ignore[name-defined,misc]
    """The header items of the SEN2 return. One row (id 1); none until an administrator saves them."""

    __tablename__ = "sen2_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    la_code: Mapped[str | None] = mapped_column(String(3))
    # Y, N or R: whether the authority has a designated medical officer, designated clinical
    # officer and (from 2026) designated social care officer.
    dmo: Mapped[str | None] = mapped_column(String(1))
    dco: Mapped[str | None] = mapped_column(String(1))
    dsco: Mapped[str | None] = mapped_column(String(1))
    software_code: Mapped[str | None] = mapped_column(String(40))
    serial_no: Mapped[str | None] = mapped_column(String(6))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    updated_by: Mapped[User | None] = relationship()  # type: ignore[name-defined]  # noqa: F821


class Sen2ExportStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Sen2Export(db.Model):  # type: ignore[name-defined,misc]
    """A whole-authority SEN2 return asked for from the page: its progress, then the file and
    its validation report (kept so the status page and the downloads need no rebuild)."""

    __tablename__ = "sen2_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    census_date: Mapped[date]
    status: Mapped[Sen2ExportStatus] = mapped_column(
        Enum(Sen2ExportStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=Sen2ExportStatus.QUEUED,
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Progress: children written so far, of how many.
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    xml: Mapped[bytes | None] = mapped_column(LargeBinary)
    report_csv: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[User | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
