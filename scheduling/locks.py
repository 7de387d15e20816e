"""A named lock row in ``run_lock``, so that two planning runs never overlap across processes.

Taking the lock is insert-or-fail on the primary key: the database, not a file or a process,
decides who runs, so it holds for a scheduler, a shell and a second machine alike. A holder
that dies without releasing leaves its row behind; the row may be taken over once it is past
``expires_at``, or at once when the holder ran on this host and its process is gone (a run
killed with SIGKILL should not block the next night for the whole expiry).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from scheduling.models import RunLock

#: The one lock every planning run that writes drafts unattended takes.
PLANNING_LOCK = "planning"
#: Long enough for any nightly solve; a crashed holder blocks at most this long.
DEFAULT_TTL = dt.timedelta(hours=2)


class LockHeld(Exception):
    """Another run holds the lock; the message names it and since when."""


@dataclass(frozen=True)
class Lock:
    """A lock this process holds."""

    name: str
    holder: str
    acquired_at: dt.datetime
    expires_at: dt.datetime


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime (SQLite hands back naive UTC datetimes)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def new_holder() -> str:
    """``host:pid:random``: who holds a lock, and whether that process may still be alive."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(holder: str) -> bool:
    """True when ``holder`` ran on this host and its process no longer exists.

    A holder on another host is never declared dead here: only its expiry frees it.
    """
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def is_takeable(row: RunLock, now: dt.datetime) -> bool:
    """Whether a lock row left behind may be taken over."""
    return utc(row.expires_at) <= now or holder_is_dead(row.holder)


def acquire(
    session_factory: sessionmaker[Session],
    name: str = PLANNING_LOCK,
    ttl: dt.timedelta = DEFAULT_TTL,
    *,
    holder: str | None = None,
    now: dt.datetime | None = None,
) -> Lock:
    """Take the lock ``name`` for ``ttl``, in its own committed transaction.

    A row past its expiry (or of a dead local process) is deleted and re-inserted in the same
    transaction, so of two runs taking over the same stale lock only one insert succeeds.

    Raises
    ------
    LockHeld
        When a live holder has the lock.
    """
    holder = holder or new_holder()
    now = now or dt.datetime.now(dt.UTC)
    lock = Lock(name, holder, now, now + ttl)
    try:
        with session_factory.begin() as session:
            row = session.get(RunLock, name)
            if row is not None and is_takeable(row, now):
                session.execute(
                    delete(RunLock).where(RunLock.name == name, RunLock.holder == row.holder)
                )
            elif row is not None:
                raise LockHeld(_held_message(row))
            session.add(
                RunLock(name=name, holder=holder, acquired_at=now, expires_at=lock.expires_at)
            )
    except IntegrityError:
        with session_factory() as session:
            row = session.get(RunLock, name)
            raise LockHeld(_held_message(row) if row else f"lock {name!r} was just taken") from None
    return lock


def release(session_factory: sessionmaker[Session], lock: Lock) -> None:
    """Give the lock back; a row that was taken over by someone else is left alone."""
    with session_factory.begin() as session:
        session.execute(
            delete(RunLock).where(RunLock.name == lock.name, RunLock.holder == lock.holder)
        )


@contextmanager
def held(
    session_factory: sessionmaker[Session],
    name: str = PLANNING_LOCK,
    ttl: dt.timedelta = DEFAULT_TTL,
) -> Iterator[Lock]:
    """``with held(factory):`` runs the block under the lock and releases it in ``finally``."""
    lock = acquire(session_factory, name, ttl)
    try:
        yield lock
    finally:
        release(session_factory, lock)


def current_lock(session: Session, name: str = PLANNING_LOCK) -> RunLock | None:
    """The lock row, if any (for status displays and tests)."""
    return session.scalar(select(RunLock).where(RunLock.name == name))


def _held_message(row: RunLock) -> str:
    since = utc(row.acquired_at).isoformat(timespec="seconds")
    return f"another planning run holds the lock since {since} ({row.holder})"
