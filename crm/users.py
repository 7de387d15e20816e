"""People who log in: owners, dispatchers and crews; and the API tokens they are given."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, String
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


class ApiToken(Base):
    """A bearer token for the JSON API, acting as its user (same role, same crew).

    Only the SHA-256 of the token is stored: the token itself is shown once when it is
    created, and a leaked database does not leak working tokens. Revoking keeps the row, so
    the audit trail (who had which token, when it was last used) survives.
    """

    __tablename__ = "api_token"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"ApiToken({self.id}, {self.name!r})"
