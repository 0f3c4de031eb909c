"""The outbox: events for other services, written with the change, delivered after commit.

Why: auth must learn that a unit moved (role scopes are paths), but a move must not fail —
nor be half-done — because auth is down. So the event row commits with the move; delivery
is attempted right after commit, and whatever is left is retried on later writes (with
backoff) and by `python -m services.staff deliver-events` (immediately, ignoring backoff).
Events go out in order: delivery stops at the first one that cannot be delivered, so auth
never sees a later move before an earlier one. An event auth refuses as invalid (400, 409,
422) is marked `rejected` and logged, so that one bad event cannot block the queue forever.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.staff.models import OutboxEvent
from shared.audit import utcnow
from shared.errors import ServiceUnavailable

log = logging.getLogger("hr.staff.outbox")
MAX_BACKOFF_SECONDS = 300
REJECTED_STATUSES = frozenset({400, 409, 422})

#: Sends one event: `send(destination, path, payload)` → HTTP status; raises when unreachable.
Sender = Callable[[str, str, dict[str, Any]], int]


def enqueue(session: Session, *, destination: str, path: str,
            payload: dict[str, Any]) -> OutboxEvent:
    event = OutboxEvent(destination=destination, path=path, payload=payload, attempts=0,
                        status="pending")
    session.add(event)
    return event


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxEvent)
                          .where(OutboxEvent.status == "pending")) or 0


def has_due(session: Session, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return session.scalar(select(OutboxEvent.id).where(
        OutboxEvent.status == "pending",
        or_(OutboxEvent.next_attempt_at.is_(None), OutboxEvent.next_attempt_at <= now),
    ).limit(1)) is not None


def deliver(session: Session, send: Sender, *, force: bool = False,
            limit: int = 100) -> dict[str, int]:
    """Deliver pending events in order; returns counts of delivered, rejected, failed.

    On PostgreSQL the rows are locked (`SKIP LOCKED`) so that two workers never send the
    same event at once; on SQLite writes are serialised anyway.
    """
    now = utcnow()
    stmt = select(OutboxEvent).where(OutboxEvent.status == "pending").order_by(
        OutboxEvent.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    counts = {"delivered": 0, "rejected": 0, "failed": 0}
    for event in session.scalars(stmt).all():
        due = event.next_attempt_at is None or _aware(event.next_attempt_at) <= now
        if not (force or due):
            break
        event.attempts += 1
        try:
            status = send(event.destination, event.path, event.payload)
        except (ServiceUnavailable, OSError) as exc:
            _failed(event, str(exc), now)
            counts["failed"] += 1
            break
        if 200 <= status < 300:
            event.status, event.delivered_at, event.last_error = "delivered", now, None
            counts["delivered"] += 1
        elif status in REJECTED_STATUSES:
            event.status, event.last_error = "rejected", f"refused with HTTP {status}"
            log.error("outbox event %s refused by %s with %s", event.id, event.destination,
                      status)
            counts["rejected"] += 1
        else:
            _failed(event, f"HTTP {status}", now)
            counts["failed"] += 1
            break
    session.commit()
    return counts


def _failed(event: OutboxEvent, error: str, now: dt.datetime) -> None:
    event.last_error = error[:500]
    delay = min(2 ** event.attempts, MAX_BACKOFF_SECONDS)
    event.next_attempt_at = now + dt.timedelta(seconds=delay)
    log.warning("outbox event %s to %s not delivered (attempt %s): %s", event.id,
                event.destination, event.attempts, error)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def list_events(*, session: Session, page: int, status: str | None = None,
                per_page: int) -> tuple[list[OutboxEvent], int]:
    from services.staff.service.common import paginate

    stmt = select(OutboxEvent)
    if status:
        stmt = stmt.where(OutboxEvent.status == status)
    return paginate(session, stmt, page=page, per_page=per_page, order_by=OutboxEvent.id)
