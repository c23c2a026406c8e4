"""Moving in: each run of an import (a checked file, then the confirmed import of it)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class ImportStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Import(db.Model):  # type: ignore[name-defined,misc]
    """One run over an authority's file: a dry run (checked, nothing written) or the import
    confirmed after it. The file is kept until it has been imported (the confirmation reads the
    same bytes the check read; the checksum says so), the per-row report and the totals always."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "sen2" (the previous SEN2 return, XML) or "spreadsheet" (the template, CSV or Excel).
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    dry_run: Mapped[bool] = mapped_column(default=True)
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=ImportStatus.QUEUED,
    )
    # The team given for children whose rows name none (a SEN2 return names no team).
    default_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    # The dry run this import was confirmed from.
    checked_import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Progress: children read so far, of how many (None until known).
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report_csv: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requested_by: Mapped[User | None] = relationship()  # type: ignore[name-defined]  # noqa: F821

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
