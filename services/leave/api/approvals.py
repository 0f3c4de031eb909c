"""`/leave/approvals`: the inbox — what awaits the caller's decision."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.leave.api.common import caller
from services.leave.models import db
from services.leave.schemas import LeaveRequestRead
from services.leave.service import queries
from services.leave.service.views import request_dict
from shared.web import Blueprint, PageQuery, page_of, page_payload

blp = Blueprint("approvals", __name__, url_prefix="/leave/approvals",
                description="The approvals inbox.")


@blp.route("")
class Approvals(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(LeaveRequestRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Pending requests whose current step the caller may decide (their role, or admin,
        over the step's unit), oldest first; for hr also the requests of their governing
        branches whose current step nobody holds (`unassigned`). Never the caller's own."""
        items, total = queries.inbox(session=db.session, caller=caller(), **query)
        return page_payload([request_dict(r) for r in items], total, query)
