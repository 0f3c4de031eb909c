"""Reading the staff audit trail (rows are written by each use case, never changed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.models import AuditEvent
from services.staff.service.common import paginate


def list_audit(*, session: Session, page: int, per_page: int, action: str | None = None,
               target_type: str | None = None, target_id: str | None = None,
               actor: str | None = None) -> tuple[list[Any], int]:
    stmt = select(AuditEvent)
    for column, value in ((AuditEvent.action, action), (AuditEvent.target_type, target_type),
                          (AuditEvent.target_id, target_id), (AuditEvent.actor, actor)):
        if value:
            stmt = stmt.where(column == value)
    return paginate(session, stmt, page=page, per_page=per_page,
                    order_by=AuditEvent.id.desc())
