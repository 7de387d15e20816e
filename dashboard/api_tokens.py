"""Create, look up and revoke API tokens; functions take a session and never commit.

A token is ``rnd_`` plus 32 random bytes in URL-safe base64 (256 bits, so a hash lookup
needs no constant-time compare and no rate limit to resist guessing). Only its SHA-256 is
stored; the prefix lets secret scanners and people recognise a Rounds token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.users import ApiToken, User

PREFIX = "rnd_"
#: ``last_used_at`` is written at most this often per token, so reads do not all write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(Exception):
    """A token operation that cannot be done; the message is for the person at the shell."""


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256, 64 hex characters."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, email: str, name: str) -> tuple[ApiToken, str]:
    """A new token for the active user with ``email``; returns the row (flushed) and the token.

    The token is returned only here: the database keeps its hash.
    """
    name = name.strip()
    if not name:
        raise TokenError("a token needs a name (what or who uses it)")
    if len(name) > 100:
        raise TokenError("the token name is longer than 100 characters")
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise TokenError(f"no user with e-mail {email}")
    if not user.active:
        raise TokenError(f"user {user.email} is deactivated")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token))
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, token_id: int, now: dt.datetime | None = None) -> ApiToken:
    """Revoke a token by id (revoking twice keeps the first time)."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenError(f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now or dt.datetime.now(dt.UTC)
        session.flush()
    return row


def list_tokens(session: Session) -> Sequence[ApiToken]:
    """Every token with its user, newest first."""
    return session.scalars(
        select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id.desc())
    ).all()


def user_for_token(
    session: Session, token: str, now: dt.datetime | None = None
) -> User | None:
    """The active user a live token acts for, or None; notes when the token was used."""
    if not token.startswith(PREFIX):
        return None
    row = session.scalars(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(token))
        .options(selectinload(ApiToken.user))
    ).first()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = now or dt.datetime.now(dt.UTC)
    last = row.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive datetimes
        last = last.replace(tzinfo=dt.UTC)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.flush()
    return row.user
