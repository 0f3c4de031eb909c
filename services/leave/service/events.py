"""Events for other systems: an outbox row per subscribed webhook, written in the
transaction of the change, delivered after commit, signed, retried with backoff.

A delivery is `POST <url>` with the JSON event `{id, topic, occurred_at, data}` and headers
`X-HR-Event` (the topic), `X-HR-Delivery` (the outbox id: receivers de-duplicate on it,
since delivery is at least once), `X-HR-Timestamp` and `X-HR-Signature: sha256=<hex>` —
HMAC-SHA256 under the webhook's secret over `<timestamp>.<body>`, so a receiver can check
both origin and freshness.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.leave.models import AuditEvent, OutboxEvent, Webhook
from shared.audit import Actor, record, utcnow
from shared.errors import NotFound

log = logging.getLogger("hr.leave.events")
TOPICS = ("leave.submitted", "leave.approved", "leave.rejected", "leave.withdrawn",
          "leave.cancelled", "leave.stand_in_assigned")
MAX_BACKOFF_SECONDS = 3600
MAX_ATTEMPTS = 12

#: Sends one delivery: `post(url, body, headers)` → HTTP status; raises OSError when unreachable.
Poster = Callable[[str, bytes, dict[str, str]], int]


#: `session.info` key: how many active webhooks the request's last `publish` found.
ACTIVE_WEBHOOKS = "leave.active_webhooks"


def publish(session: Session, topic: str, data: dict[str, Any]) -> None:
    """Queue `topic` for every active webhook subscribed to it (same transaction).

    Notes on the session how many active webhooks there were: with none, nothing pending
    can be delivered (`deliver` drops events of removed or inactive webhooks), so the
    write's after-commit delivery need not look (`nothing_deliverable`)."""
    hooks = session.scalars(select(Webhook).where(Webhook.active.is_(True))).all()
    session.info[ACTIVE_WEBHOOKS] = len(hooks)
    occurred = utcnow().isoformat()
    for hook in hooks:
        if topic in (hook.topics or []):
            session.add(OutboxEvent(topic=topic, webhook_id=hook.id, status="pending",
                                    attempts=0, payload={"topic": topic,
                                                         "occurred_at": occurred,
                                                         "data": data}))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def nothing_deliverable(session: Session) -> bool:
    """Did this request's `publish` find no active webhook? (Then no pending event can be
    delivered now: one statement saved on every write of a bank that subscribes none.)
    Forgets the note, so the session's next request starts without it."""
    return session.info.pop(ACTIVE_WEBHOOKS, None) == 0


def has_due(session: Session) -> bool:
    now = utcnow()
    return session.scalar(select(OutboxEvent.id).where(
        OutboxEvent.status == "pending",
        or_(OutboxEvent.next_attempt_at.is_(None), OutboxEvent.next_attempt_at <= now))
        .limit(1)) is not None


def deliver(session: Session, post: Poster, *, force: bool = False,
            limit: int = 50) -> dict[str, int]:
    """Deliver due events, oldest first; a failure backs off that event only (webhooks are
    independent receivers, so one slow subscriber never holds up another)."""
    now = utcnow()
    stmt = (select(OutboxEvent).where(OutboxEvent.status == "pending")
            .order_by(OutboxEvent.id).limit(limit))
    if not force:
        stmt = stmt.where(or_(OutboxEvent.next_attempt_at.is_(None),
                              OutboxEvent.next_attempt_at <= now))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    hooks = {h.id: h for h in session.scalars(select(Webhook)).all()}
    counts = {"delivered": 0, "failed": 0, "dropped": 0}
    for event in session.scalars(stmt).all():
        hook = hooks.get(event.webhook_id)
        if hook is None or not hook.active:
            event.status, event.last_error = "dropped", "webhook removed or inactive"
            counts["dropped"] += 1
            continue
        body = json.dumps({"id": event.id, **event.payload}, ensure_ascii=False,
                          separators=(",", ":")).encode()
        stamp = str(int(now.timestamp()))
        headers = {"Content-Type": "application/json", "X-HR-Event": event.topic,
                   "X-HR-Delivery": str(event.id), "X-HR-Timestamp": stamp,
                   "X-HR-Signature": sign(hook.secret, stamp, body)}
        event.attempts += 1
        try:
            status = post(hook.url, body, headers)
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except OSError as exc:  # unreachable, timed out, or a receiver no longer allowed
            error = f"{type(exc).__name__}: {exc}"[:200]
        if error is None:
            event.status, event.delivered_at, event.last_error = "delivered", now, None
            counts["delivered"] += 1
            continue
        event.last_error = error
        counts["failed"] += 1
        if event.attempts >= MAX_ATTEMPTS:
            event.status = "failed"
            log.error("webhook delivery %s to hook %s gave up: %s", event.id, hook.id, error)
        else:
            delay = min(2 ** event.attempts, MAX_BACKOFF_SECONDS)
            event.next_attempt_at = now + dt.timedelta(seconds=delay)
    session.commit()
    return counts


# --- subscriptions --------------------------------------------------------------------------

def create_webhook(*, session: Session, url: str, topics: list[str],
                   actor: Actor) -> tuple[Webhook, str]:
    """A subscription; its signing secret is returned once and never shown again."""
    secret = secrets.token_urlsafe(32)
    hook = Webhook(url=url, topics=sorted(set(topics)), secret=secret, active=True,
                   created_by=actor.sub)
    session.add(hook)
    session.flush()
    record(session, AuditEvent, actor=actor, action="webhook.create", target_type="webhook",
           target_id=str(hook.id), after={"url": url, "topics": hook.topics})
    session.commit()
    return hook, secret


def list_webhooks(session: Session) -> list[Webhook]:
    return list(session.scalars(select(Webhook).order_by(Webhook.id)).all())


def delete_webhook(*, session: Session, webhook_id: int, actor: Actor) -> None:
    hook = session.get(Webhook, webhook_id)
    if hook is None or not hook.active:
        raise NotFound(f"No webhook {webhook_id}.")
    hook.active = False
    record(session, AuditEvent, actor=actor, action="webhook.delete", target_type="webhook",
           target_id=str(webhook_id), before={"url": hook.url, "topics": hook.topics})
    session.commit()


def webhook_dict(hook: Webhook) -> dict[str, Any]:
    return {"id": hook.id, "url": hook.url, "topics": hook.topics, "active": hook.active,
            "created_by": hook.created_by, "created_at": hook.created_at}
