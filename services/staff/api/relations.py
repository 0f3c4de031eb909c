"""`/staff/employees/{no}/relations`: declared relations between employees (for recusal)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.staff import access
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.api.employees import readable
from services.staff.models import db
from services.staff.schemas.employees import RelationIn, RelationRead
from services.staff.service import assignments
from shared.audit import actor_from_request
from shared.permissions import current_principal
from shared.web import PageQuery, page_of, page_payload

blp = Blueprint("relations", __name__, url_prefix="/staff/employees",
                description="Declared relations (回避): declared by the employee themself or "
                "by a staff:write holder over their unit.")


@blp.route("/<employee_no>/relations")
class Relations(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(RelationRead))
    @blp.doc(responses={"404": {"description": "No such employee, or out of scope."}})
    def get(self, query: dict[str, Any], employee_no: str) -> Any:
        """Relations declared by or about the employee."""
        readable(employee_no)
        items, total = assignments.relations(session=db.session, employee_no=employee_no,
                                             **query)
        return page_payload([assignments.relation_dict(r) for r in items], total, query)

    @blp.arguments(RelationIn)
    @blp.response(201, RelationRead)
    @blp.doc(responses={"404": {"description": "No such employee, or out of scope."},
                        "409": {"description": "Already declared."},
                        "422": {"description": "Invalid, or a `related_no` that does not "
                                "exist or (declared by HR) is outside the caller's scope."}})
    def post(self, relation_in: dict[str, Any], employee_no: str) -> Any:
        """Declare a relation (spouse, relative, …) to another employee.

        An employee declaring their own relation may name anyone (the relative usually
        works elsewhere, and the declaration is theirs, audited under their name); a
        staff:write holder declaring for someone names only employees they may read."""
        employee = readable(employee_no)
        principal = current_principal()
        sight = None
        if not (principal.kind == "user" and principal.emp == employee_no):
            access.require_write(principal, employee.unit.path, employee.unit.code)
            sight = access.sight(principal)
        relation = assignments.declare_relation(
            session=db.session, employee_no=employee_no, actor=actor_from_request(),
            sight=sight, **relation_in)
        return assignments.relation_dict(relation)
