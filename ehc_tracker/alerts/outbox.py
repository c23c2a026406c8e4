"""Sending what the outbox holds: each message once, none lost, none holding up the others.

A message is claimed before it is sent, and marked sent in the same transaction that records
the success:

- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` picks the next message and holds its row
  lock while it is sent; another sender skips it, and a sender that dies releases it unsent.
- Other databases (SQLite): a conditional `UPDATE ... SET status='sending' WHERE status='pending'`
  claims it; only the process whose update changed the row sends it. A claim older than
  OUTBOX_CLAIM_TIMEOUT_MINUTES (its sender died) is released back to the outbox. A message
  marked sent is never released, so it is never sent again.

What happens when a message does not go depends on whose problem it is:

- **The destination's** (the mail server or Notify cannot be reached, refuses the login or the
  sender): no message is charged an attempt. The destination backs off (OUTBOX_BACKOFF_SECONDS,
  doubling up to OUTBOX_BACKOFF_MAX_SECONDS, kept in `outbox_destinations`), the pass stops,
  and no pass tries that destination again until the wait is over (except `retry_all`: the
  daily run and `send-outbox --all`). A long outage therefore gives up on nothing; when the
  server is back, the messages go oldest first.
- **The message's own**: a temporary refusal counts an attempt on that message and sets its
  own next attempt after the doubling back-off; it is given up (marked failed) after
  OUTBOX_MAX_ATTEMPTS of its own attempts, or when it fails again older than
  OUTBOX_MAX_AGE_HOURS. A permanent refusal (5xx, Notify's 400) gives up at once. A message
  that cannot be built (an address that is not one plain address, a line break in a header) is
  marked failed at once with its error. An unexpected error in a backend counts as a
  temporary failure of that message. Either way the pass goes on to the next message.

Failed messages are kept for an administrator to see (`/admin/jobs`), and
`flask alerts send-outbox --retry-failed` queues them again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db
from ..models import GiveUpReason, OutboxDestination, OutboxMessage, OutboxStatus
from .delivery import DeliveryError, MailBackend, OutgoingEmail, UnbuildableMessage, check_outgoing, destination_of
from .locking import is_postgresql

log = logging.getLogger(__name__)


@dataclass
class OutboxReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    unbuildable: int = 0
    server_unavailable: bool = False
    last_error: str | None = None
    waiting: int = 0
    # Set when the destination is backing off: nothing is tried before this instant.
    backing_off_until: datetime | None = None

    @property
    def summary(self) -> str:
        text = f"{self.sent} sent"
        if self.failed:
            text += f", {self.failed} failed to send"
        if self.gave_up:
            text += f" ({self.gave_up} given up"
            if self.unbuildable:
                text += f", {self.unbuildable} could not be built"
            text += ")"
        if self.waiting:
            text += f", {self.waiting} waiting in the outbox"
        if self.server_unavailable:
            text += f"; mail server unavailable: {self.last_error}"
            if self.backing_off_until is not None:
                text += f"; next try after {self.backing_off_until:%Y-%m-%d %H:%M} UTC"
        return text


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 20
    base_seconds: int = 60
    max_seconds: int = 3600
    # A message that fails again when older than this is given up (0: no age limit).
    max_age_hours: int = 168
    # SQLite: a claim older than this belongs to a sender that died, and is released.
    claim_timeout_minutes: int = 15

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RetryPolicy:
        return cls(
            max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS", 20)),
            base_seconds=int(config.get("OUTBOX_BACKOFF_SECONDS", 60)),
            max_seconds=int(config.get("OUTBOX_BACKOFF_MAX_SECONDS", 3600)),
            max_age_hours=int(config.get("OUTBOX_MAX_AGE_HOURS", 168)),
            claim_timeout_minutes=int(config.get("OUTBOX_CLAIM_TIMEOUT_MINUTES", 15)),
        )

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base, ... capped."""
        return timedelta(seconds=min(self.base_seconds * 2 ** min(max(attempts - 1, 0), 32), self.max_seconds))

    @property
    def claim_timeout(self) -> timedelta:
        return timedelta(minutes=self.claim_timeout_minutes)

    def give_up_reason(self, message: OutboxMessage, now: datetime) -> GiveUpReason | None:
        """Whether a message that has just failed (again) is given up: on its own attempts and age."""
        if message.attempts >= self.max_attempts:
            return GiveUpReason.ATTEMPTS
        too_old = timedelta(hours=self.max_age_hours)
        if self.max_age_hours > 0 and message.created_at is not None and now - message.created_at >= too_old:
            return GiveUpReason.AGE
        return None


def _email(message: OutboxMessage) -> OutgoingEmail:
    return OutgoingEmail(
        to=message.to_address,
        subject=message.subject,
        text=message.body_text,
        html=message.body_html,
        reference=message.dedupe_key,
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


def _release_stale_claims(now: datetime, timeout: timedelta) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - timeout)
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


def _put_back(message_id: int, token: str | None, postgres: bool) -> None:
    """Return a claimed message to the outbox untouched: no attempt counted."""
    db.session.rollback()  # PostgreSQL: releases the row lock; the row was never changed
    if postgres:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .where(OutboxMessage.claim_token == token)
        .values(status=OutboxStatus.PENDING, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _charge(
    message: OutboxMessage, error: str, *, now: datetime, policy: RetryPolicy, reason: GiveUpReason | None
) -> GiveUpReason | None:
    """Count a failed attempt on the message; give it up (`reason`, or its own attempts or age),
    or set its own next attempt. The caller commits."""
    message.attempts += 1
    message.last_error = error[:2000]
    message.claim_token = None
    reason = reason or policy.give_up_reason(message, now)
    if reason is not None:
        message.status = OutboxStatus.FAILED
        message.gave_up_reason = reason
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + policy.delay(message.attempts)
    return reason


def destination_state(destination: str) -> OutboxDestination | None:
    return db.session.get(OutboxDestination, destination, populate_existing=True)


def _destination_failed(destination: str, error: str, *, now: datetime, policy: RetryPolicy) -> datetime:
    """Record one more failure of the destination; return when it may be tried again."""
    for _ in range(3):
        state = destination_state(destination)
        if state is None:
            state = OutboxDestination(destination=destination, failures=0)
            db.session.add(state)
        state.failures = (state.failures or 0) + 1
        state.failing_since = state.failing_since or now
        state.last_error = error[:2000]
        state.next_attempt_at = now + policy.delay(state.failures)
        state.updated_at = now
        until = state.next_attempt_at
        try:
            db.session.commit()
            return until
        except IntegrityError:
            db.session.rollback()  # another sender recorded the first failure at the same moment
    raise RuntimeError(f"could not record the failure of {destination}")


def _destination_recovered(destination: str, now: datetime) -> None:
    """Clear the destination's failures (in the caller's transaction)."""
    db.session.execute(
        update(OutboxDestination)
        .where(OutboxDestination.destination == destination, OutboxDestination.failures > 0)
        .values(failures=0, failing_since=None, next_attempt_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def process_outbox(
    *,
    now: datetime,
    backend: MailBackend,
    policy: RetryPolicy,
    retry_all: bool = False,
    limit: int | None = None,
    heartbeat: Callable[[], None] | None = None,
) -> OutboxReport:
    """Send the pending messages whose next attempt is due (all pending ones with `retry_all`).

    Nothing is tried while the backend's destination backs off, unless `retry_all`.
    `heartbeat`, if given, is called after each message (the job run's sign of life).
    """
    report = OutboxReport()
    postgres = is_postgresql()
    destination = destination_of(backend)
    db.session.commit()  # start from a clean transaction; nothing of the caller's is left open
    if not postgres:
        _release_stale_claims(now, policy.claim_timeout)
    state = destination_state(destination)
    failing = state is not None and state.failures > 0
    if not retry_all and state is not None and state.next_attempt_at is not None and state.next_attempt_at > now:
        report.server_unavailable = True
        report.backing_off_until = state.next_attempt_at
        report.last_error = state.last_error
        report.waiting = waiting_count()
        db.session.commit()
        return report
    db.session.commit()
    seen: set[int] = set()
    while limit is None or len(seen) < limit:
        message = _claim_postgresql(now, retry_all, seen) if postgres else _claim_by_update(now, retry_all, seen)
        if message is None:
            break
        seen.add(message.id)
        message_id, token, to_address = message.id, message.claim_token, message.to_address
        try:
            outgoing = _email(message)
            check_outgoing(outgoing)
            reference = backend.send(outgoing)
        except DeliveryError as error:
            report.failed += 1
            report.last_error = str(error)
            if error.server_unavailable:
                # Not this message's fault: it goes back as it was, and the destination waits.
                _put_back(message_id, token, postgres)
                report.server_unavailable = True
                report.backing_off_until = _destination_failed(destination, str(error), now=now, policy=policy)
                log.warning(
                    "outbox: %s unavailable, backing off until %s: %s", destination, report.backing_off_until, error
                )
                break
            unbuildable = isinstance(error, UnbuildableMessage)
            permanent = GiveUpReason.UNBUILDABLE if unbuildable else GiveUpReason.REFUSED if error.permanent else None
            reason = _charge(message, str(error), now=now, policy=policy, reason=permanent)
            db.session.commit()
            if reason is not None:
                report.gave_up += 1
                report.unbuildable += int(reason is GiveUpReason.UNBUILDABLE)
            outcome = f"given up: {reason.value}" if reason else "will retry"
            log.warning("outbox message %s to %r not sent (%s): %s", message_id, to_address, outcome, error)
        except Exception as error:  # noqa: BLE001  (a fault in a backend must not hold up the others)
            log.exception("outbox message %s: unexpected error while sending", message_id)
            report.failed += 1
            report.last_error = f"{type(error).__name__}: {error}"
            try:
                reason = _charge(message, f"unexpected error: {report.last_error}", now=now, policy=policy, reason=None)
                db.session.commit()
            except SQLAlchemyError:
                # The database itself failed: put the message back as it was and let the caller report it.
                _put_back(message_id, token, postgres)
                raise error from None
            if reason is not None:
                report.gave_up += 1
        except BaseException:
            # Interrupted (SIGTERM, Ctrl-C): put the message back as it was, no attempt counted.
            _put_back(message_id, token, postgres)
            raise
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.attempts += 1
            message.provider_reference = (reference or "")[:200] or None
            message.claim_token = None
            message.last_error = None
            if failing:
                _destination_recovered(destination, now)
                failing = False
            db.session.commit()
            report.sent += 1
        if heartbeat is not None:
            heartbeat()
    report.waiting = waiting_count()
    db.session.commit()
    return report


def waiting_count() -> int:
    return (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                or_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.status == OutboxStatus.SENDING)
            )
        )
        or 0
    )


def backing_off() -> list[OutboxDestination]:
    """The destinations that are failing now, for the administrators' page."""
    query = select(OutboxDestination).where(OutboxDestination.failures > 0).order_by(OutboxDestination.destination)
    return list(db.session.scalars(query))


def retry_failed(*, now: datetime) -> int:
    """Queue the messages given up on again, with a fresh count of attempts."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, claim_token=None, gave_up_reason=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
