"""`/performance/customers`, `/performance/visits`, `/performance/visit-tiers`: customers and
their managers, visits and contacts (定期访客制度), the branch head's confirmation of a visit
report, and the tier policy as versioned data."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from services.performance.models import db
from services.performance.schemas.visits import (
    CustomerCreate,
    CustomerQuery,
    CustomerRead,
    CustomerUpdate,
    VisitCreate,
    VisitQuery,
    VisitRead,
    VisitTiersRead,
    VisitTiersUpdate,
)
from services.performance.service import named_policies, visits
from services.performance.service.incidents import today_local
from services.performance.staff import Staff
from shared.audit import actor_from_request
from shared.permissions import current_principal, require
from shared.web import Blueprint, page_of, page_payload

blp = Blueprint("visits", __name__, url_prefix="/performance",
                description="Customer visits 定期访客制度: customers (the larger of deposits and "
                "credit decides the tier), visits and phone/SMS contacts, the branch head's "
                "confirmation of visit reports (only confirmed reports count), the tiers.")

UNAVAILABLE = {"503": {"description": "The staff service cannot be reached; nothing was "
                                      "written."}}


def staff() -> Staff:
    return current_app.extensions["performance_staff"]


def today() -> Any:
    return today_local(current_app.extensions["hr_settings"].timezone)


@blp.route("/customers")
class Customers(MethodView):
    @blp.arguments(CustomerQuery, location="query")
    @blp.response(200, page_of(CustomerRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Customers kept in the caller's scope (`performance:read`), and the caller's own."""
        items, total = visits.list_customers(session=db.session,
                                             principal=current_principal(), **query)
        return page_payload([visits.customer_answer(c) for c in items], total, query)

    @blp.arguments(CustomerCreate)
    @blp.response(201, CustomerRead)
    @blp.doc(responses={"409": {"description": "The customer number is taken."},
                        "422": {"description": "Invalid, or a manager unknown or outside the "
                                "caller's `performance:record` scope (alike)."}, **UNAVAILABLE})
    def post(self, customer_in: dict[str, Any]) -> Any:
        """Take a customer on: kept by the manager's 网点 (`performance:record` over it)."""
        principal = current_principal()
        require(principal, "performance:record")
        customer = visits.create_customer(session=db.session, customer_in=customer_in,
                                          principal=principal, actor=actor_from_request(),
                                          staff=staff(), today=today())
        return visits.customer_answer(customer)


@blp.route("/customers/<code>")
class CustomerItem(MethodView):
    @blp.response(200, CustomerRead)
    def get(self, code: str) -> Any:
        """One customer (404 for an unknown one and one outside the caller's scope alike)."""
        return visits.customer_answer(visits.get_customer(
            session=db.session, code=code, principal=current_principal()))


    @blp.arguments(CustomerUpdate)
    @blp.response(200, CustomerRead)
    @blp.doc(responses={"403": {"description": "No `performance:record` over the customer's "
                                "unit."},
                        "422": {"description": "Invalid, or a new manager unknown or outside "
                                "the caller's scope (alike)."}, **UNAVAILABLE})
    def patch(self, changes: dict[str, Any], code: str) -> Any:
        """New deposits or credit (the tier follows from the next run), or a new manager."""
        return visits.customer_answer(visits.update_customer(
            session=db.session, code=code, changes=changes, principal=current_principal(),
            actor=actor_from_request(), staff=staff()))


@blp.route("/visits")
class Visits(MethodView):
    @blp.arguments(VisitQuery, location="query")
    @blp.response(200, page_of(VisitRead))
    def get(self, query: dict[str, Any]) -> Any:
        """Visits and contacts with customers in the caller's scope, and the caller's own."""
        items, total = visits.list_visits(session=db.session, principal=current_principal(),
                                          **query)
        return page_payload([visits.visit_answer(v, c) for v, c in items], total, query)

    @blp.arguments(VisitCreate)
    @blp.response(201, VisitRead)
    @blp.doc(responses={"403": {"description": "Neither the customer's manager logging their "
                                "own contact nor `performance:record` over the unit."},
                        "422": {"description": "Invalid; an unknown customer or employee; a "
                                "day in the future."}, **UNAVAILABLE})
    def post(self, visit_in: dict[str, Any]) -> Any:
        """Log a visit (status `reported`, awaiting the branch head) or a phone/SMS contact
        (`logged`)."""
        visit, customer = visits.log_visit(session=db.session, visit_in=visit_in,
                                           principal=current_principal(),
                                           actor=actor_from_request(), staff=staff(),
                                           today=today())
        return visits.visit_answer(visit, customer)


@blp.route("/visits/<int:visit_id>")
class VisitItem(MethodView):
    @blp.response(200, VisitRead)
    def get(self, visit_id: int) -> Any:
        """One visit or contact (404 when unknown or outside the caller's scope)."""
        visit, customer = visits.get_visit(session=db.session, visit_id=visit_id,
                                           principal=current_principal())
        return visits.visit_answer(visit, customer)


@blp.route("/visits/<int:visit_id>/confirm")
class VisitConfirm(MethodView):
    @blp.response(200, VisitRead)
    @blp.doc(responses={"403": {"description": "No `performance:confirm` over the customer's "
                                "unit, or the confirmer made or logged the visit."},
                        "409": {"description": "Confirmed already, or a phone/SMS contact."}})
    def post(self, visit_id: int) -> Any:
        """The branch head confirms a visit report (访客报告经支行行长确认); only confirmed
        visit reports count toward a tier's quota."""
        visit, customer = visits.confirm_visit(session=db.session, visit_id=visit_id,
                                               principal=current_principal(),
                                               actor=actor_from_request())
        return visits.visit_answer(visit, customer)


def tiers_answer(row: Any) -> dict[str, Any]:
    return {"version": row.version, **row.document, "published_at": row.published_at,
            "published_by": row.published_by, "change_reason": row.change_reason}


@blp.route("/visit-tiers")
class VisitTiers(MethodView):
    @blp.response(200, VisitTiersRead)
    def get(self) -> Any:
        """The current tiers (any signed-in user: reference data)."""
        row = named_policies.current(session=db.session, name=named_policies.VISIT_TIERS)
        db.session.commit()
        return tiers_answer(row)

    @blp.arguments(VisitTiersUpdate)
    @blp.response(200, VisitTiersRead)
    @blp.doc(responses={"403": {"description": "No `performance:policy` over the whole "
                                "organisation or a root unit."}})
    def put(self, tiers_in: dict[str, Any]) -> Any:
        """Publish the next version of the tiers (audited; runs keep the version they used)."""
        named_policies.require_editor(current_principal())
        reason = tiers_in.pop("reason")
        row = named_policies.publish(session=db.session, name=named_policies.VISIT_TIERS,
                                     document=tiers_in, reason=reason,
                                     actor=actor_from_request())
        return tiers_answer(row)
