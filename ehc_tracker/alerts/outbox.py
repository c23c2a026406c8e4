"""Sending what the outbox holds: each message once, none lost.

A message is claimed before it is sent, and marked sent in the same transaction that records
the success:

- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` picks the next message and holds its row
  lock while it is sent; another sender skips it, and a sender that dies releases it unsent.
- Other databases (SQLite): a conditional `UPDATE ... SET status='sending' WHERE status='pending'`
  claims it; only the process whose update changed the row sends it. A claim older than
  STALE_CLAIM (its sender died) is released back to the outbox.

A failure counts an attempt and sets the next one after a back-off that doubles each time
(OUTBOX_BACKOFF_SECONDS, at most OUTBOX_BACKOFF_MAX_SECONDS). After OUTBOX_MAX_ATTEMPTS, or
when the address is refused, the message is marked failed and stays for an administrator to
see (and `flask alerts send-outbox --retry-failed` to queue again). When the server cannot be
reached at all, the pass stops: the others would fail the same way.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import func, or_, select, update

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus
from .delivery import DeliveryError, MailBackend, OutgoingEmail
from .locking import is_postgresql

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=15)


@dataclass
class OutboxReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    server_unavailable: bool = False
    last_error: str | None = None
    waiting: int = 0

    @property
    def summary(self) -> str:
        text = f"{self.sent} sent"
        if self.failed:
            text += f", {self.failed} failed to send"
        if self.gave_up:
            text += f" ({self.gave_up} given up)"
        if self.waiting:
            text += f", {self.waiting} waiting in the outbox"
        if self.server_unavailable:
            text += f"; mail server unavailable: {self.last_error}"
        return text


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 20
    base_seconds: int = 60
    max_seconds: int = 3600

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RetryPolicy:
        return cls(
            max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS", 20)),
            base_seconds=int(config.get("OUTBOX_BACKOFF_SECONDS", 60)),
            max_seconds=int(config.get("OUTBOX_BACKOFF_MAX_SECONDS", 3600)),
        )

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base, ... capped."""
        return timedelta(seconds=min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds))


def _email(message: OutboxMessage) -> OutgoingEmail:
    return OutgoingEmail(
        to=message.to_address, subject=message.subject, text=message.body_text, html=message.body_html, reference=message.dedupe_key
    )


def _due(now: datetime, retry_all: bool) -> Any:
    pending = OutboxMessage.status == OutboxStatus.PENDING
    return pending if retry_all else (pending & (OutboxMessage.next_attempt_at <= now))


def _claim_postgresql(now: datetime, retry_all: bool, seen: set[int]) -> OutboxMessage | None:
    query = select(OutboxMessage).where(_due(now, retry_all)).order_by(OutboxMessage.id).limit(1)
    if seen:
        query = query.where(OutboxMessage.id.not_in(seen))
    # The row stays locked until this transaction commits (after the send) or rolls back.
    return db.session.scalars(query.with_for_update(skip_locked=True)).first()


def _release_stale_claims(now: datetime) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM)
        .values(status=OutboxStatus.PENDING, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _claim_by_update(now: datetime, retry_all: bool, seen: set[int]) -> OutboxMessage | None:
    while True:
        query = select(OutboxMessage.id).where(_due(now, retry_all)).order_by(OutboxMessage.id).limit(1)
        if seen:
            query = query.where(OutboxMessage.id.not_in(seen))
        candidate = db.session.scalar(query)
        db.session.rollback()
        if candidate is None:
            return None
        token = uuid.uuid4().hex
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENDING, claim_token=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            message = db.session.get(OutboxMessage, candidate, populate_existing=True)
            if message is not None and message.claim_token == token:
                return message
        seen.add(candidate)  # another sender has it


def process_outbox(
    *,
    now: datetime,
    backend: MailBackend,
    policy: RetryPolicy,
    retry_all: bool = False,
    limit: int | None = None,
) -> OutboxReport:
    """Send the pending messages whose next attempt is due (all pending ones with `retry_all`)."""
    report = OutboxReport()
    postgres = is_postgresql()
    db.session.commit()  # start from a clean transaction; nothing of the caller's is left open
    if not postgres:
        _release_stale_claims(now)
    seen: set[int] = set()
    while limit is None or len(seen) < limit:
        message = _claim_postgresql(now, retry_all, seen) if postgres else _claim_by_update(now, retry_all, seen)
        if message is None:
            break
        seen.add(message.id)
        try:
            reference = backend.send(_email(message))
        except DeliveryError as error:
            message.attempts += 1
            message.last_error = str(error)[:2000]
            message.claim_token = None
            report.failed += 1
            report.last_error = str(error)
            if error.permanent or message.attempts >= policy.max_attempts:
                message.status = OutboxStatus.FAILED
                report.gave_up += 1
            else:
                message.status = OutboxStatus.PENDING
                message.next_attempt_at = now + policy.delay(message.attempts)
            db.session.commit()
            log.warning("outbox message %s to %s not sent (attempt %s): %s", message.id, message.to_address, message.attempts, error)
            if error.server_unavailable:
                report.server_unavailable = True
                break
        except Exception:
            # An unexpected error: put the message back as it was and let the caller report it.
            db.session.rollback()
            if not postgres:
                db.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.SENDING)
                    .values(status=OutboxStatus.PENDING, claim_token=None)
                    .execution_options(synchronize_session=False)
                )
                db.session.commit()
            raise
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.attempts += 1
            message.provider_reference = (reference or "")[:200] or None
            message.claim_token = None
            message.last_error = None
            db.session.commit()
            report.sent += 1
    report.waiting = waiting_count()
    db.session.commit()
    return report


def waiting_count() -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(or_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.status == OutboxStatus.SENDING))
    ) or 0


def retry_failed(*, now: datetime) -> int:
    """Queue the messages given up on again, with a fresh count of attempts."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
