"""`/leave/stand-ins`: who of the caller's own unit could stand in (顶岗) over some dates."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.leave.api.common import caller, directory
from services.leave.models import db
from services.leave.schemas_preview import StandInQuery, StandInsRead
from services.leave.service.preview import stand_ins
from shared.web import Blueprint

blp = Blueprint("stand_ins", __name__, url_prefix="/leave/stand-ins",
                description="Colleagues who could stand in for the caller's leave.")


@blp.route("")
class StandIns(MethodView):
    @blp.arguments(StandInQuery, location="query")
    @blp.response(200, StandInsRead)
    @blp.doc(responses={
        "403": {"description": "The caller is not an employee (a client, or a user with no "
                "employee)."},
        "503": {"description": "Staff cannot be reached."}})
    def get(self, query: dict[str, Any]) -> Any:
        """The caller's colleagues of their own unit (never another unit's people), each
        `available` over the dates or not. Why not (`reason`: `not_active`, `on_leave`,
        `leave_pending`) only for a caller with leave:read or leave:approve over the unit;
        anyone else gets no `reason`, so nobody maps a colleague's leave by the dates."""
        return stand_ins(session=db.session, caller=caller(), directory=directory(),
                         start=query["start_date"], end=query["end_date"],
                         start_half=query.get("start_half"), end_half=query.get("end_half"))
