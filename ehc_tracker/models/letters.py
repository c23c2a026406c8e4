"""The administrator's versions of each letter kind's Word template.

The template's bytes are kept in the row rather than in the document store: a template is small
(tens of kilobytes), is read for every letter made, and must change together with its row (a new
version and the switch of the current one are one transaction, with nothing left behind in a store
when it rolls back). The database backups then hold them too. Documents, which are large and many,
stay in the store.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class LetterTemplate(db.Model):  # type: ignore[name-defined,misc]
    """One uploaded version of a letter kind's template (the kinds are in letters/kinds.py).

    With no current version a kind's letters use its default template (letters/templates/)."""

    __tablename__ = "letter_templates"
    __table_args__ = (
        UniqueConstraint("kind", "version", name="uq_letter_templates_kind_version"),
        # At most one current version per kind.
        Index(
            "uq_letter_templates_one_current",
            "kind",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # 1, 2, 3, ... counted per kind.
    version: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    is_current: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
