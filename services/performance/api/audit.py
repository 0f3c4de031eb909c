"""`/performance/audit` and `/performance/outbox`: what happened, and what is owed to staff."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.performance.models import db
from services.performance.schemas.audit import AuditQuery, OutboxMessageRead, OutboxQuery
from services.performance.service import audit
from shared.audit import AuditEventRead
from shared.permissions import current_principal
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("audit", __name__, url_prefix="/performance",
                description="The audit trail and the outbox: auth:audit in any grant, or "
                "performance:policy over the whole organisation.")


@blp.route("/audit")
class Audit(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, page_of(AuditEventRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Every write of the performance service (who, what, when, from which token),
        newest first."""
        audit.require_auditor(current_principal())
        items, total = audit.list_audit(session=db.session, **query)
        return page_payload([item.to_dict() for item in items], total, query)


@blp.route("/outbox")
class Outbox(MethodView):
    @blp.arguments(OutboxQuery, location="query")
    @blp.response(200, page_of(OutboxMessageRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Messages owed to staff (withdrawn or restored qualifications) and whether they
        were delivered, oldest first."""
        audit.require_auditor(current_principal())
        items, total = audit.list_outbox(session=db.session, **query)
        return page_payload(items, total, query)
