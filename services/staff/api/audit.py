"""`/staff/audit` (auditors) and `/staff/outbox` (operators): what happened, what is owed."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.staff import access
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.models import db
from services.staff.schemas.audit import AuditQuery, OutboxEventRead, OutboxQuery
from services.staff.service import outbox
from services.staff.service.audit import list_audit
from shared.audit import AuditEventRead
from shared.permissions import current_principal
from shared.web import page_of, page_payload

blp = Blueprint("audit", __name__, url_prefix="/staff",
                description="The audit trail: auth:audit in any grant, or staff:write over *.")


@blp.route("/audit")
class Audit(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, page_of(AuditEventRead))
    @blp.doc(responses={"403": {"description": "Not an auditor."}})
    def get(self, query: dict[str, Any]) -> Any:
        """Every write of the staff service, newest first."""
        access.require_auditor(current_principal())
        items, total = list_audit(session=db.session, **query)
        return page_payload([item.to_dict() for item in items], total, query)


@blp.route("/outbox")
class Outbox(MethodView):
    @blp.arguments(OutboxQuery, location="query")
    @blp.response(200, page_of(OutboxEventRead))
    @blp.doc(responses={"403": {"description": "Not an auditor."}})
    def get(self, query: dict[str, Any]) -> Any:
        """Events for other services and whether they were delivered (same rule as audit)."""
        access.require_auditor(current_principal())
        items, total = outbox.list_events(session=db.session, **query)
        return page_payload(items, total, query)
