"""People who log in: owners, dispatchers and crews."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from crm.db import Base, created_at, enum_column, intpk


class Role(enum.Enum):
    """Owner sees everything; dispatcher plans; crew sees only its own sheets and feed."""

    OWNER = "owner"
    DISPATCHER = "dispatcher"
    CREW = "crew"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = enum_column(Role)
    password_hash: Mapped[str] = mapped_column(String(300))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crew.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]

    crew: Mapped["Crew | None"] = relationship()  # noqa: F821, UP037

    def set_password(self, password: str) -> None:
        """Store a salted hash (werkzeug's scrypt); the password itself is never kept."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"User({self.email!r}, {self.role.value})"
