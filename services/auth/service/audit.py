"""Reading the auth audit trail (rows are written by `shared.audit.record` everywhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent
from shared.audit import Actor, record


def list_events(*, session: Session, page: int, per_page: int, actor: str | None = None,
                action: str | None = None, target_type: str | None = None,
                target: str | None = None, from_: dt.datetime | None = None,
                to: dt.datetime | None = None) -> tuple[list[dict[str, Any]], int]:
    """Newest first. `action` ending in `.` or `*` matches a prefix (`login.*`)."""
    query = select(AuditEvent)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        if action.endswith(("*", ".")):
            query = query.where(AuditEvent.action.startswith(action.rstrip("*"), autoescape=True))
        else:
            query = query.where(AuditEvent.action == action)
    if target_type:
        query = query.where(AuditEvent.target_type == target_type)
    if target:
        query = query.where(AuditEvent.target_id == target)
    if from_:
        query = query.where(AuditEvent.at >= from_)
    if to:
        query = query.where(AuditEvent.at <= to)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEvent.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return [row.to_dict() for row in rows], total


def record_at_most_once(session: Session, *, actor: Actor, action: str, target_type: str,
                        target_id: str | None, now: dt.datetime, window: dt.timedelta,
                        per_address: bool = False, after: Any = None) -> bool:
    """Record `action` unless the same one (same actor, or same address with `per_address`,
    and the same target) was recorded within `window` before `now`; True when written.

    For events that an outsider can cause at will (throttled token requests, refused admin
    calls): the trail says that it happened and when, without one row per request turning a
    flood of requests into a flood of writes. Commits."""
    same = select(AuditEvent.id).where(AuditEvent.action == action,
                                       AuditEvent.at > now - window)
    if per_address:
        same = same.where(AuditEvent.remote_addr == actor.remote_addr)
    else:
        same = same.where(AuditEvent.actor == actor.sub)
    same = same.where(AuditEvent.target_id.is_(None) if target_id is None
                      else AuditEvent.target_id == target_id)
    if session.scalars(same.limit(1)).first() is not None:
        return False
    row = record(session, AuditEvent, actor=actor, action=action, target_type=target_type,
                 target_id=target_id, after=after)
    row.at = now
    session.commit()
    return True
