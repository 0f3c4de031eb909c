"""Reading what happened (the audit trail) and what is owed to staff (the outbox)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.performance.models import AuditEvent, OutboxMessage
from shared.errors import Forbidden
from shared.scope import WHOLE_ORGANISATION

AUDIT = "auth:audit"


def require_auditor(principal: Any) -> None:
    """Auditors (稽核: `auth:audit` in any grant) and policy holders over the whole
    organisation read the trail; nobody else — it names who decided what about whom."""
    if principal.kind == "client":
        if AUDIT in principal.scope:
            return
    elif any(AUDIT in g.permissions or ("performance:policy" in g.permissions
                                        and g.path == WHOLE_ORGANISATION)
             for g in principal.roles):
        return
    raise Forbidden("The audit trail needs auth:audit, or performance:policy over the whole "
                    "organisation.")


def _page(session: Session, stmt: Any, order: Any, page: int, per_page: int) -> tuple[
        list[Any], int]:
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(order).offset((page - 1) * per_page)
                           .limit(per_page)).all()
    return list(rows), total


def list_audit(*, session: Session, page: int, per_page: int, action: str | None = None,
               target_type: str | None = None, target_id: str | None = None,
               actor: str | None = None) -> tuple[list[Any], int]:
    stmt = select(AuditEvent)
    for column, value in ((AuditEvent.action, action), (AuditEvent.target_type, target_type),
                          (AuditEvent.target_id, target_id), (AuditEvent.actor, actor)):
        if value is not None:
            stmt = stmt.where(column == value)
    return _page(session, stmt, AuditEvent.id.desc(), page, per_page)


def list_outbox(*, session: Session, page: int, per_page: int,
                status: str | None = None) -> tuple[list[Any], int]:
    stmt = select(OutboxMessage)
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    return _page(session, stmt, OutboxMessage.id, page, per_page)
