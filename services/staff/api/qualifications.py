"""`/staff/employees/{no}/qualifications`: withdrawals (取消客户经理资格) and restorations.

Writing: the performance service's client (`staff:qualify`, reference data only — no
registered client may be given it) when it confirms a disqualifying incident, or a user
with `staff:write` over the employee's unit (HR restoring after an appeal, say). Reading:
as any employee record (`staff:read` over the unit, or one's own).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.staff import access
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.api.employees import NOT_FOUND, readable
from services.staff.models import db
from services.staff.schemas.qualifications import QualificationCreate, QualificationRead
from services.staff.service import qualifications
from services.staff.service.common import get_employee
from shared.audit import actor_from_request
from shared.errors import Forbidden, NotFound
from shared.permissions import current_principal
from shared.web import PageQuery, page_of, page_payload

blp = Blueprint("qualifications", __name__, url_prefix="/staff/employees",
                description="Qualifications (资格): withdrawn by performance on a confirmed "
                "disqualifying incident, restored by HR; positions requiring one are closed "
                "to an employee while it is withdrawn.")
QUALIFY = "staff:qualify"

_EXAMPLE = {"id": 3, "employee_no": "E0107", "qualification": "customer_manager",
            "status": "withdrawn", "reason": "Confirmed incident 42: egregious breach.",
            "reference": "performance:incident:42",
            "recorded_at": "2026-12-04T06:00:00+00:00", "recorded_by": "svc-performance"}


def _require_qualifier(employee_no: str) -> None:
    """A client holding staff:qualify, or staff:write over the employee's unit (an employee
    the caller may not read answers 404, as everywhere in staff)."""
    principal = current_principal()
    employee = get_employee(db.session, employee_no)
    if principal.kind == "client":
        if QUALIFY not in principal.scope:
            if not access.can_read(principal, employee.unit.path):
                raise NotFound(f"No employee {employee_no}.")
            raise Forbidden(f"This needs the permission {QUALIFY}.")
        return
    if not access.sees_employee(principal, employee_no, employee.unit.path):
        raise NotFound(f"No employee {employee_no}.")
    access.require_write(principal, employee.unit.path, employee.unit.code)


@blp.route("/<employee_no>/qualifications")
class EmployeeQualifications(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(QualificationRead))
    @blp.doc(responses=NOT_FOUND)
    def get(self, query: dict[str, Any], employee_no: str) -> Any:
        """Every withdrawal and restoration, oldest first; the latest per qualification is
        its current state (`qualifications_withdrawn` on the employee)."""
        readable(employee_no)
        items, total = qualifications.list_qualifications(
            session=db.session, employee_no=employee_no, **query)
        return page_payload(items, total, query)

    @blp.arguments(QualificationCreate)
    @blp.response(201, QualificationRead, example=_EXAMPLE)
    @blp.alt_response(200, schema=QualificationRead,
                      description="The reference was recorded before: that record.")
    @blp.doc(responses={**NOT_FOUND,
                        "403": {"description": "Not staff:qualify (client) or staff:write "
                                "over the employee's unit (user)."},
                        "409": {"description": "The reference already records another "
                                "change, or a restoration of a qualification that is not "
                                "withdrawn."},
                        "422": {"description": "Invalid fields, or a qualification no "
                                "position requires."}})
    def post(self, qualification_in: dict[str, Any], employee_no: str) -> Any:
        """Withdraw (取消客户经理资格) or restore an employee's qualification. Idempotent per
        `reference`: the same reference again answers 200 with the first record (retries
        are safe). Audited."""
        _require_qualifier(employee_no)
        row, created = qualifications.record_qualification(
            session=db.session, employee_no=employee_no, qualification_in=qualification_in,
            actor=actor_from_request())
        return row, 201 if created else 200
