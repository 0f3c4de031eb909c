"""`/leave/types`: the leave types, reference data HR edits."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.leave.api.common import caller, require_policy
from services.leave.models import db
from services.leave.schemas import LeaveTypeCreate, LeaveTypePatch, LeaveTypeQuery, LeaveTypeRead
from services.leave.service import reference
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("types", __name__, url_prefix="/leave/types",
                description="Leave types. Anyone signed in reads them; editing needs "
                "leave:policy over the whole organisation or the head office.")


@blp.route("")
class LeaveTypes(MethodView):
    @blp.arguments(LeaveTypeQuery, location="query")
    @blp.response(200, page_of(LeaveTypeRead))
    def get(self, query: dict[str, Any]) -> Any:
        """The leave types; each says whether it counts working or calendar days."""
        items, total = reference.list_types(session=db.session, **query)
        return page_payload(items, total, query)

    @blp.arguments(LeaveTypeCreate)
    @blp.response(201, LeaveTypeRead)
    @blp.doc(responses={"409": {"description": "The code exists already."}})
    def post(self, type_in: dict[str, Any]) -> Any:
        """Add a leave type (audited)."""
        who = caller()
        require_policy(who)
        return reference.create_type(session=db.session, type_in=type_in, actor=who.actor)


@blp.route("/<code>")
class LeaveTypeItem(MethodView):
    @blp.response(200, LeaveTypeRead)
    def get(self, code: str) -> Any:
        """One leave type."""
        return reference.get_type(db.session, code)

    @blp.arguments(LeaveTypePatch)
    @blp.response(200, LeaveTypeRead)
    def patch(self, changes: dict[str, Any], code: str) -> Any:
        """Change a leave type (audited); filed requests keep the days they were counted with."""
        who = caller()
        require_policy(who)
        return reference.update_type(session=db.session, code=code, changes=changes,
                                     actor=who.actor)
