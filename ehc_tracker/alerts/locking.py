"""One run at a time: a lock around the part of the job that writes alerts and queues emails.

On PostgreSQL, `pg_try_advisory_xact_lock` in the transaction that does the work: the lock is
released by that transaction's commit or rollback, so a crashed process never leaves it held.
On other databases (SQLite), a lease row in `job_locks`, taken and released in transactions of
its own, that expires after ALERT_LOCK_MINUTES if its holder dies.

Either way a second run that finds the lock taken does not wait: it leaves the work to the
first. The unique keys on the ledger and the outbox are the last line of defence.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, text, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import JobLock


def holder_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_xact_lock."""
    return int.from_bytes(hashlib.sha256(f"ehc_tracker:{name}".encode()).digest()[:8], "big", signed=True)


def is_postgresql() -> bool:
    return bool(db.session.get_bind().dialect.name == "postgresql")


@contextmanager
def exclusive(name: str, *, now: datetime, lease: timedelta) -> Iterator[bool]:
    """Yield True if this process holds the lock `name`, False if another does.

    The caller commits (or rolls back) its work inside the block.
    """
    if is_postgresql():
        acquired = bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": advisory_key(name)}))
        try:
            yield acquired
        except BaseException:
            db.session.rollback()
            raise
        return

    holder = holder_name()
    acquired = _take_lease(name, holder, now=now, lease=lease)
    try:
        yield acquired
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if acquired:
            _release_lease(name, holder)


def _take_lease(name: str, holder: str, *, now: datetime, lease: timedelta) -> bool:
    taken = db.session.execute(
        update(JobLock)
        .where(
            JobLock.name == name, or_(JobLock.holder.is_(None), JobLock.expires_at.is_(None), JobLock.expires_at < now)
        )
        .values(holder=holder, expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        db.session.commit()
        return True
    try:
        db.session.execute(insert(JobLock).values(name=name, holder=holder, expires_at=now + lease))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the row exists and someone else holds it
        return False
    return True


def _release_lease(name: str, holder: str) -> None:
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(holder=None, expires_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
