"""`/leave/types`: the reference list of leave types."""

from flask.views import MethodView

from services.leave import service
from services.leave.models import db
from services.leave.schemas import LeaveTypeQuery, LeaveTypeRead
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("types", __name__, url_prefix="/leave/types", description="Leave types")


@blp.route("")
class LeaveTypes(MethodView):
    @blp.arguments(LeaveTypeQuery, location="query")
    @blp.response(200, page_of(LeaveTypeRead))
    def get(self, query):
        """The leave types; each says whether it counts working or calendar days."""
        items, total = service.list_types(session=db.session, **query)
        return page_payload(items, total, query)
