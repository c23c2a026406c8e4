"""Staff accounts, their roles and their teams."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, Enum, ForeignKey, Integer, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class Role(str, enum.Enum):
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"
    VIEWER = "viewer"
    # Parents, carers and young people following their own case (see models.family).
    FAMILY = "family"
    # A professional asked for advice, working for a provider in the directory (models.contribution).
    PROFESSIONAL = "professional"

    @property
    def label(self) -> str:
        return {
            "coordinator": "EHC coordinator",
            "manager": "Manager",
            "admin": "Administrator",
            "viewer": "Viewer (reports only)",
            "family": "Family",
            "professional": "Professional giving advice",
        }[self.value]

    @classmethod
    def staff(cls) -> tuple[Role, ...]:
        return (cls.COORDINATOR, cls.MANAGER, cls.ADMIN, cls.VIEWER)


team_memberships = Table(
    "team_memberships",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class Team(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[User]] = relationship(secondary=team_memberships, back_populates="teams", order_by="User.name")

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    # A work phone number shown to the families of the cases the person coordinates (optional).
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when an administrator resets the password: the user must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Changing this ends every session the user has open (sign-out everywhere, password change).
    session_token: Mapped[str] = mapped_column(String(64))
    # The emailed sign-in code waiting to be typed (family accounts): its keyed hash, and how many
    # wrong codes were typed for it. Kept here, not in the cookie, so that replaying a cookie
    # gives no more tries; a new code replaces the hash and starts the count again.
    sign_in_code_digest: Mapped[str | None] = mapped_column(String(64))
    sign_in_code_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A coordinator a manager named to audit plans and advice (managers audit without it).
    auditor: Mapped[bool] = mapped_column(default=False, server_default=false())

    teams: Mapped[list[Team]] = relationship(secondary=team_memberships, back_populates="members", order_by=Team.name)

    @property
    def is_active(self) -> bool:  # used by Flask-Login
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: Role | str) -> bool:
        return self.role.value in {r.value if isinstance(r, Role) else r for r in roles}

    @property
    def team_ids(self) -> set[int]:
        return {t.id for t in self.teams}

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


def normalise_email(email: str) -> str:
    return email.strip().lower()
