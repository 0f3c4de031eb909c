"""The outbox to staff: a disqualification (取消客户经理资格) is owed to staff the moment it is
confirmed, and must neither be lost nor fail the confirmation when staff is down.

So the message row commits in the confirmation's own transaction; delivery is tried right
after commit and retried (with backoff) after later writes and by
`python -m services.performance deliver-messages`. Staff records the withdrawal idempotently
per `reference`, so delivering twice is harmless (at least once). The house way: staff's
`services/staff/service/outbox.py`; a message staff refuses as invalid (400, 409, 422) is
marked `rejected` and logged, so one bad message cannot block the queue.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.performance.models import OutboxMessage
from shared.audit import as_utc, utcnow
from shared.errors import ServiceUnavailable

log = logging.getLogger("hr.performance.outbox")
MAX_BACKOFF_SECONDS = 300
REJECTED_STATUSES = frozenset({400, 409, 422})

#: Sends one message: `send(destination, path, payload)` → HTTP status; raises when unreachable.
Sender = Callable[[str, str, dict[str, Any]], int]


def enqueue(session: Session, *, destination: str, path: str,
            payload: dict[str, Any]) -> OutboxMessage:
    message = OutboxMessage(destination=destination, path=path, payload=payload, attempts=0,
                            status="pending")
    session.add(message)
    return message


def has_due(session: Session, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.status == "pending",
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
    ).limit(1)) is not None


def deliver(session: Session, send: Sender, *, force: bool = False,
            limit: int = 100) -> dict[str, int]:
    """Deliver pending messages in order; counts of delivered, rejected, failed. Messages are
    independent (each names its own incident), so one that fails does not hold the rest."""
    now = utcnow()
    stmt = select(OutboxMessage).where(OutboxMessage.status == "pending").order_by(
        OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    counts = {"delivered": 0, "rejected": 0, "failed": 0}
    for message in session.scalars(stmt).all():
        due = message.next_attempt_at is None or as_utc(message.next_attempt_at) <= now
        if not (force or due):
            continue
        message.attempts += 1
        try:
            status = send(message.destination, message.path, message.payload)
        except (ServiceUnavailable, OSError) as exc:
            _failed(message, str(exc), now)
            counts["failed"] += 1
            continue
        if 200 <= status < 300:
            message.status, message.delivered_at, message.last_error = "delivered", now, None
            counts["delivered"] += 1
        elif status in REJECTED_STATUSES:
            message.status, message.last_error = "rejected", f"refused with HTTP {status}"
            log.error("outbox message %s refused by %s with %s", message.id,
                      message.destination, status)
            counts["rejected"] += 1
        else:
            _failed(message, f"HTTP {status}", now)
            counts["failed"] += 1
    session.commit()
    return counts


def _failed(message: OutboxMessage, error: str, now: dt.datetime) -> None:
    message.last_error = error[:500]
    delay = min(2 ** message.attempts, MAX_BACKOFF_SECONDS)
    message.next_attempt_at = now + dt.timedelta(seconds=delay)
    log.warning("outbox message %s to %s not delivered (attempt %s): %s", message.id,
                message.destination, message.attempts, error)
