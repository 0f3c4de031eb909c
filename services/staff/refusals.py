"""Refusals of privilege are audited, not only logged: a write outside the caller's scope
(answered 404/422 as if the unit or employee did not exist, so nothing leaks to the caller)
or a write the caller may read but not make (403) leaves an `access.denied` row in staff's
trail — actor, token, request id, address, the route and why.

At most one row per caller and route per minute: the trail shows who tried and when,
without a caller being able to turn a flood of requests into a flood of writes (auth's
`admin.denied` does the same). The request is refused either way, so its transaction is
rolled back first and the row commits on its own.
"""

from __future__ import annotations

import datetime as dt

from flask import has_request_context, request
from sqlalchemy import select

from services.staff.models import AuditEvent, db
from shared.audit import actor_from_request, record, utcnow

WINDOW = dt.timedelta(minutes=1)


def audit(reason: str) -> None:
    """Record that this request's write was refused for `reason` (see the module)."""
    if not has_request_context():
        return
    actor = actor_from_request()
    route = f"{request.method} {request.path}"[:200]
    now = utcnow()
    db.session.rollback()
    recent = db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "access.denied", AuditEvent.actor == actor.sub,
        AuditEvent.target_id == route, AuditEvent.at > now - WINDOW).limit(1))
    if recent is not None:
        return
    row = record(db.session, AuditEvent, actor=actor, action="access.denied",
                 target_type="route", target_id=route, after={"reason": reason})
    row.at = now
    db.session.commit()
