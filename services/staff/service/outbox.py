"""The outbox: events for other services, written with the change, delivered after commit.

Why: auth must learn that a unit moved (role scopes are paths), but a move must not fail —
nor be half-done — because auth is down. So the event row commits with the move; delivery
is attempted right after commit, and whatever is left is retried on later writes (with
backoff) and by `python -m services.staff deliver-events` (immediately, ignoring backoff).
Events go out in order: delivery stops at the first one that cannot be delivered, so auth
never sees a later move before an earlier one; and one deliverer at a time (every gunicorn
worker and thread, and the command, may try at once): with row locks alone a second worker
skipping the first one's locked rows would send a later move while an earlier one is still in
flight, and auth would re-path units in the wrong order. An event auth refuses as invalid (400, 409,
422) is marked `rejected` and logged, so that one bad event cannot block the queue forever.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
            limit: int = 100, wait: bool = True) -> dict[str, int]:
    """Deliver pending events in order; returns counts of delivered, rejected, failed.

    A second deliverer waits for the first to commit (`_one_deliverer`), then reads what is
    still pending — so events leave in id order whoever sends them, none is sent twice at
    once, and one committed while another delivery was running is not left waiting for the
    next write. `wait=False` (the after-write hook) returns at once, delivering nothing, when
    another deliverer is at work: a user's write must not wait on someone else's delivery,
    and what is left goes with the next write or the scheduled `deliver-events`.
    """
    counts = {"delivered": 0, "rejected": 0, "failed": 0}
    for round_no in range(MAX_ROUNDS):  # again for events written while this one was sending
        with _one_deliverer(session, wait=wait and round_no == 0) as held:
            if not held:  # another deliverer is at work: it reads what is pending after us
                session.rollback()
                break
            sent = _deliver(session, send, force=force, limit=limit)  # commits
        for key, value in sent.items():
            counts[key] += value
        if sent["failed"] or not (sent["delivered"] or sent["rejected"]):
            break
    return counts


#: The PostgreSQL advisory lock that makes one outbox deliverer at a time (any 64-bit key
#: that nothing else in this database uses; "staffobx" in ASCII).
ADVISORY_LOCK_KEY = 0x7374616666_6f6278


@contextmanager
def _one_deliverer(session: Session, *, wait: bool) -> Iterator[bool]:
    """Hold the deliverers' lock until the delivery's commit (inside this block).

    PostgreSQL: a transaction-level advisory lock (released by the commit). SQLite: an
    exclusive `flock` on a file beside the database — taking SQLite's own write lock instead
    would stall every other write of the service while an event is on the wire.
    """
    engine = session.get_bind()
    if engine.dialect.name == "postgresql":
        if wait:
            session.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
            yield True
        else:
            yield bool(session.scalar(select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK_KEY))))
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield True  # one connection, one process: nothing to share the queue with
        return
    fd = os.open(f"{database}.outbox-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


#: How many times a deliverer looks again for events written while it was sending.
MAX_ROUNDS = 10


def _deliver(session: Session, send: Sender, *, force: bool, limit: int) -> dict[str, int]:
    """One pass over what is pending now, in id order, committed (which releases the
    PostgreSQL lock; `deliver` takes it again, without waiting, for the next pass)."""
    now = utcnow()
    stmt = select(OutboxEvent).where(OutboxEvent.status == "pending").order_by(
        OutboxEvent.id).limit(limit)
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
