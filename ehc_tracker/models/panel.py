"""The multi-agency decision-making panel: its dates, the agenda of cases, the papers from each
case's documents, who attended, and one decision per item (which becomes the case's event)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Enum, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], length: int = 32) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class PanelQuestion(str, enum.Enum):
    """What the panel is asked about a case."""

    REQUEST_TO_ASSESS = "request_to_assess"
    DECISION_TO_ISSUE = "decision_to_issue"
    PLACEMENT = "placement"
    FUNDING = "funding"

    @property
    def label(self) -> str:
        return {
            "request_to_assess": "Request to assess",
            "decision_to_issue": "Whether to issue a plan",
            "placement": "Placement",
            "funding": "Funding",
        }[self.value]


panel_item_papers = Table(
    "panel_item_papers",
    db.metadata,
    Column("item_id", ForeignKey("panel_items.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
)


class Panel(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "panels"
    __table_args__ = (UniqueConstraint("team_id", "meets_on", name="uq_panels_team_meets_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    meets_on: Mapped[date] = mapped_column(index=True)
    location: Mapped[str | None] = mapped_column(String(200))
    chair: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()  # type: ignore[name-defined]  # noqa: F821
    items: Mapped[list[PanelItem]] = relationship(
        back_populates="panel", order_by="PanelItem.position", cascade="all, delete-orphan"
    )
    members: Mapped[list[PanelMember]] = relationship(
        back_populates="panel", order_by="PanelMember.id", cascade="all, delete-orphan"
    )


class PanelMember(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "panel_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(200))
    attended: Mapped[bool | None]

    panel: Mapped[Panel] = relationship(back_populates="members")


class PanelItem(db.Model):  # type: ignore[name-defined,misc]
    """A case on the agenda. Its decision is recorded once: for a request to assess or the
    decision whether to issue, as the case's event on the panel's date (`event_id`)."""

    __tablename__ = "panel_items"
    __table_args__ = (UniqueConstraint("panel_id", "case_id", "question", name="uq_panel_items_panel_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    question: Mapped[PanelQuestion] = mapped_column(_enum(PanelQuestion, 24))
    position: Mapped[int]
    # The decision as the minutes say it: an event type's value for the decisions that are case
    # events, else "agreed" / "not_agreed" / "deferred".
    decision: Mapped[str | None] = mapped_column(String(40))
    decision_note: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    panel: Mapped[Panel] = relationship(back_populates="items")
    case: Mapped[Case] = relationship()  # type: ignore[name-defined]  # noqa: F821
    event: Mapped[CaseEvent | None] = relationship()  # type: ignore[name-defined]  # noqa: F821
    papers: Mapped[list[Document]] = relationship(secondary=panel_item_papers, order_by="Document.dated_on")  # type: ignore[name-defined]  # noqa: F821
