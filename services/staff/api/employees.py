"""`/staff/employees`: hire, read, search in scope, status, transfers and the approver chain."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.views import MethodView
from sqlalchemy import select

from services.staff import access
from services.staff.api import scheduled as scheduled_api
from services.staff.api.base import StaffBlueprint as Blueprint
from services.staff.api.plain_query import plain_listing_query
from services.staff.models import Position, db
from services.staff.schemas.employees import (
    AssignmentRead,
    ChainRead,
    EmployeeCreate,
    EmployeeDetail,
    EmployeePatch,
    EmployeeQuery,
    EmployeeRead,
    EmployeeScheduled,
    EmployeeStatusChange,
    TransferIn,
)
from services.staff.service import (
    assignments,
    chain,
    employees,
    listing,
    qualifications,
    schedule_store,
    scheduled,
)
from services.staff.service.common import find_unit, get_employee
from shared.audit import actor_from_request
from shared.permissions import current_principal
from shared.web import PageQuery, page_of, page_payload

blp = Blueprint("employees", __name__, url_prefix="/staff/employees",
                description="Employees. Reading needs staff:read over the employee's unit "
                "(or is one's own record); writing staff:write over it. An employee outside "
                "the caller's scope answers 404.")
NOT_FOUND = {"404": {"description": "No such employee, or outside the caller's scope."}}


def readable(employee_no: str) -> Any:
    """The employee if the caller may read them (404 otherwise, so numbers do not leak)."""
    employee = get_employee(db.session, employee_no)
    access.require_read_employee(current_principal(), employee_no, employee.unit.path)
    return employee


def writable(employee_no: str) -> Any:
    """The employee if the caller may write them: 404 as `readable`, 403 if read-only."""
    employee = get_employee(db.session, employee_no)
    access.require_write_employee(current_principal(), employee_no, employee.unit.path,
                                  employee.unit.code)
    return employee


class WithQualifications:
    """An employee as `EmployeeDetail` dumps it: the row's attributes, the withdrawn
    qualifications (not a column: the latest record per qualification decides) and the
    dated changes still pending."""

    def __init__(self, employee: Any, withdrawn: list[str] | None = None) -> None:
        self._employee = employee
        self.qualifications_withdrawn = withdrawn or []
        self.scheduled_changes = schedule_store.pending(db.session, employee.employee_no)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._employee, name)


def _to_be_hired(employee_in: dict[str, Any], change: Any) -> dict[str, Any]:
    """A scheduled hire as `EmployeeScheduled` dumps it: the employee from the hire date."""
    unit = find_unit(db.session, employee_in["org"])
    position = db.session.scalar(select(Position).where(Position.code ==
                                                         employee_in["position"]))
    grade = employee_in.get("grade")
    return {**employee_in, "unit": {"path": unit.path if unit else None},
            "position": {"code": employee_in["position"]},
            "grade": grade or (position.grade if position else None), "grade_override": grade,
            "manager_no": employee_in.get("manager"), "status": "active",
            "work_start_date": employee_in.get("work_start_date") or employee_in["hire_date"],
            "scheduled_changes": [change]}


def _listing(query: dict[str, Any]) -> Any:
    principal = current_principal()
    items, total = listing.search_employees(
        session=db.session, scopes=access.read_scopes(principal),
        own_no=principal.emp if principal.kind == "user" else None,
        sight=access.sight(principal), **query)
    # The items are already in the form `EmployeeRead` dumps (`_listed`): answered as
    # they are, the documented schema is the page's shape, not a second pass over it.
    return jsonify(page_payload(items, total, query))


#: One instance for every listing request: given the class, webargs builds a new schema
#: per request (marshmallow's field set-up, ~80 µs); loading with it keeps no state.
EMPLOYEE_QUERY = EmployeeQuery()

#: Off only in tests that compare the plain-query path with the schema path.
FAST_PATH = True


@blp.route("")
class Employees(MethodView):
    init_every_request = False

    def dispatch_request(self, **kwargs: Any) -> Any:
        """A plain query string (`api.plain_query`) skips webargs; all else, every error
        included, takes the documented path."""
        query = plain_listing_query(request.args) \
            if FAST_PATH and request.method == "GET" else None
        if query is not None:
            return _listing(query)
        return super().dispatch_request(**kwargs)

    @blp.arguments(EMPLOYEE_QUERY, location="query")
    @blp.response(200, page_of(EmployeeRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Search (q: name or number; org, subtree, position, status, grade) in scope."""
        return _listing(query)

    @blp.arguments(EmployeeCreate)
    @blp.response(201, EmployeeScheduled)
    @blp.doc(responses={"403": {"description": "No staff:write over the unit."},
                        "409": {"description": "The employee number is taken."},
                        "422": {"description": "Invalid fields, or an `org` or `manager` "
                                "that does not exist or is outside the caller's scope."}})
    def post(self, employee_in: dict[str, Any]) -> Any:
        """Hire: the first assignment starts on the hire date.

        A hire dated after today is scheduled: the answer is the employee as they will be
        from that day, with the hire in `scheduled_changes`; until then the number is
        reserved and nobody sees them (GET answers 404; `/staff/scheduled-changes` lists
        it, and it can be cancelled there).

        Employee numbers are unique across the organisation: a number taken anywhere, also
        outside the caller's scope, is a 409 (they could not hire under it either way)."""
        principal = current_principal()
        unit = find_unit(db.session, employee_in["org"])
        # A unit unknown to the caller is reported with every other bad field, as one that
        # does not exist.
        if unit is not None and access.knows_unit(principal, unit.path):
            access.require_write(principal, unit.path, unit.code)
        if employee_in["hire_date"] > scheduled_api.today():
            change = scheduled.schedule_hire(session=db.session, employee_in=employee_in,
                                             actor=actor_from_request(),
                                             sight=access.sight(principal))
            return _to_be_hired(employee_in, change)
        return WithQualifications(employees.create_employee(
            session=db.session, employee_in=employee_in, actor=actor_from_request(),
            sight=access.sight(principal)))


@blp.route("/<employee_no>")
class EmployeeItem(MethodView):
    @blp.response(200, EmployeeDetail)
    @blp.doc(responses=NOT_FOUND)
    def get(self, employee_no: str) -> Any:
        """One employee, with the qualifications currently withdrawn from them and the
        dated changes (transfer, status change) still waiting for their day."""
        employee = readable(employee_no)
        return WithQualifications(employee, qualifications.withdrawn_of(db.session,
                                                                        employee.id))

    @blp.arguments(EmployeePatch)
    @blp.response(200, EmployeeRead)
    @blp.doc(responses=NOT_FOUND)
    def patch(self, changes: dict[str, Any], employee_no: str) -> Any:
        """Names, the grade override (null follows the position) and the work start date."""
        writable(employee_no)
        return employees.edit_employee(session=db.session, employee_no=employee_no,
                                       changes=changes, actor=actor_from_request())


@blp.route("/<employee_no>/status")
class EmployeeStatus(MethodView):
    @blp.arguments(EmployeeStatusChange)
    @blp.response(200, EmployeeScheduled)
    @blp.doc(responses={**NOT_FOUND, "409": {"description": "Already in that status, or "
                                             "a status change is already scheduled."}})
    def post(self, change: dict[str, Any], employee_no: str) -> Any:
        """Set active / suspended / left (audited, with the reason); with an
        `effective_date` after today the change is scheduled for that day."""
        writable(employee_no)
        effective = change.pop("effective_date", None)
        if effective is not None and effective > scheduled_api.today():
            scheduled.schedule_status(session=db.session, employee_no=employee_no,
                                      effective=effective, actor=actor_from_request(),
                                      reason=change.get("reason"), status=change["status"])
            return WithQualifications(readable(employee_no))
        return WithQualifications(employees.change_status(
            session=db.session, employee_no=employee_no, actor=actor_from_request(),
            **change))


@blp.route("/<employee_no>/transfer")
class EmployeeTransfer(MethodView):
    @blp.arguments(TransferIn)
    @blp.response(200, EmployeeScheduled)
    @blp.doc(responses={**NOT_FOUND, "403": {"description": "Not over both units."},
                        "409": {"description": "Has left, or already so assigned."},
                        "422": {"description": "Invalid, or an `org`, `manager` or "
                                "`handover_supervisor` that does not exist or is outside "
                                "the caller's scope."}})
    def post(self, transfer_in: dict[str, Any], employee_no: str) -> Any:
        """Transfer to another unit/position from `effective_date` (staff:write over the
        old and the new unit); the assignment history keeps the old one. Dated after today
        it is checked now and scheduled: the answer shows the employee still in the old
        unit, with the transfer in `scheduled_changes`; it takes effect on that day
        (checked again then) unless cancelled."""
        readable(employee_no)
        principal = current_principal()

        def check_write(old: Any, new: Any) -> None:
            access.require_write(principal, old.path, old.code)
            access.require_write(principal, new.path, new.code)

        return WithQualifications(assignments.transfer(
            session=db.session, employee_no=employee_no, transfer_in=transfer_in,
            actor=actor_from_request(), check_write=check_write,
            sight=access.sight(principal), today=scheduled_api.today()))


@blp.route("/<employee_no>/assignments")
class EmployeeAssignments(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, page_of(AssignmentRead))
    @blp.doc(responses=NOT_FOUND)
    def get(self, query: dict[str, Any], employee_no: str) -> Any:
        """The assignment history, newest first."""
        readable(employee_no)
        items, total = assignments.assignments(session=db.session, employee_no=employee_no,
                                               **query)
        return page_payload(items, total, query)


@blp.route("/<employee_no>/chain")
class EmployeeChain(MethodView):
    @blp.response(200, ChainRead)
    @blp.doc(responses=NOT_FOUND)
    def get(self, employee_no: str) -> Any:
        """The units above the employee for approval routing: own unit, 网点, governing
        branch (管辖行), head office; plus grade, position and must_cover."""
        found = chain.find(db.session, employee_no)
        principal = current_principal()
        access.require_read_employee(principal, employee_no, found.path)
        # Already in the form `ChainRead` dumps (plain values): answered as it is.
        return jsonify(chain.answer(found))
