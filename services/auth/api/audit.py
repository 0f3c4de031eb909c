"""`/auth/audit`: the auth audit trail (auth:audit anywhere, or the admin rule)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.auth.api import common
from services.auth.models import db
from services.auth.schemas import AuditQuery
from services.auth.service import audit
from shared.audit import AuditEventRead
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("audit", __name__, url_prefix="/auth/audit", description="Audit trail")


@blp.route("")
class Audit(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, page_of(AuditEventRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Sign-ins, failures, lockouts, revocations, binding, user, client, role and key
        changes — newest first; filters: actor, action (prefix with *), target, from/to."""
        common.require_auditor()
        page, per_page = query.pop("page"), query.pop("per_page")
        items, total = audit.list_events(session=db.session, page=page, per_page=per_page,
                                         **query)
        return page_payload(items, total, {"page": page, "per_page": per_page})
