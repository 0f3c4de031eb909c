"""Reading the auth audit trail (rows are written by `shared.audit.record` everywhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.auth.models import AuditEvent


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
    return [r.to_dict() for r in rows], total
