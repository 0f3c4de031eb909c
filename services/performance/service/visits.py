"""Customers and their visits and contacts (定期访客制度): taking a customer on, logging a
visit or a phone/SMS contact, the branch head confirming a visit report.

Scope: a customer belongs to the unit that keeps it — its manager's 网点 (nearest
sub-branch or outlet, from staff's chain) when it was taken on, else the manager's own unit
— and every check is against that unit's path:
- taking a customer on needs `performance:record` over that unit;
- a visit or contact is logged by the customer's own manager, or by a holder of
  `performance:record` over the customer's unit for any employee staff knows;
- a visit report is confirmed by a holder of `performance:confirm` over the unit, never by
  the one who visited nor the one who logged it (four-eyes); phone and SMS contacts need no
  confirmation (confirming one → 409);
- readers: `performance:read`/`record`/`confirm` over the unit, and the manager for their
  own customers. A customer (or visit) the caller may not read answers like an unknown one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.performance.models import AuditEvent
from services.performance.models.visits import Customer, Visit
from services.performance.staff import Staff
from shared.audit import Actor, record, utcnow
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.scope import WHOLE_ORGANISATION, covers

READ_PERMISSIONS = frozenset({"performance:read", "performance:record", "performance:confirm"})


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("The request has invalid fields.", errors={field: [message]})


def holds(principal: Any, permission: str, path: str) -> bool:
    if principal.kind == "client":
        return permission in principal.scope
    return any(permission in g.permissions and covers(g.path, path) for g in principal.roles)


def can_read_customer(principal: Any, customer: Customer) -> bool:
    if principal.kind == "client":
        return "performance:read" in principal.scope
    if principal.emp is not None and principal.emp == customer.manager_no:
        return True
    return any(READ_PERMISSIONS & g.permissions and covers(g.path, customer.unit_path)
               for g in principal.roles)


def _readable_filter(principal: Any) -> Any:
    """The SQL condition for customers the principal may read (None: all of them)."""
    if principal.kind == "client":
        return None if "performance:read" in principal.scope else Customer.id.is_(None)
    paths = sorted({g.path for g in principal.roles if READ_PERMISSIONS & g.permissions})
    if WHOLE_ORGANISATION in paths:
        return None
    conditions = [or_(Customer.unit_path == p, Customer.unit_path.startswith(p + "/",
                                                                             autoescape=True))
                  for p in paths]
    if principal.emp is not None:
        conditions.append(Customer.manager_no == principal.emp)
    return or_(*conditions) if conditions else Customer.id.is_(None)


def keeping_unit(chain: dict[str, Any]) -> dict[str, Any]:
    """The unit that keeps a manager's customers: their 网点, else their own unit."""
    return chain.get("outlet") or chain["unit"]


def customer_answer(customer: Customer) -> dict[str, Any]:
    return {"code": customer.code, "name": customer.name, "deposits": customer.deposits,
            "credit": customer.credit, "manager": customer.manager_no,
            "unit": customer.unit_code, "since": customer.since,
            "created_at": customer.created_at, "created_by": customer.created_by}


def create_customer(*, session: Session, customer_in: dict[str, Any], principal: Any,
                    actor: Actor, staff: Staff, today: dt.date) -> Customer:
    manager_no = customer_in["manager"]
    chain = staff.chain(manager_no)
    unit = keeping_unit(chain) if chain else None
    # Unknown and out-of-scope managers answer alike: no answer maps who works where.
    if unit is None or not holds(principal, "performance:record", unit["path"]):
        raise _invalid("manager", f"No employee {manager_no}.")
    since = customer_in.get("since") or today
    if since > today:
        raise _invalid("since", "Not in the future.")
    customer = Customer(code=customer_in["code"], name=customer_in["name"],
                        deposits=customer_in["deposits"], credit=customer_in["credit"],
                        manager_no=manager_no, unit_code=unit["code"], unit_path=unit["path"],
                        since=since, created_at=utcnow(), created_by=actor.sub)
    session.add(customer)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise Conflict(f"A customer {customer_in['code']} exists already.") from error
    record(session, AuditEvent, actor=actor, action="customer.create", target_type="customer",
           target_id=customer.code, after=_audit_customer(customer))
    session.commit()
    return customer


def _audit_customer(customer: Customer) -> dict[str, Any]:
    return {"code": customer.code, "deposits": str(customer.deposits),
            "credit": str(customer.credit), "manager": customer.manager_no,
            "unit": customer.unit_code, "since": customer.since.isoformat()}


def update_customer(*, session: Session, code: str, changes: dict[str, Any], principal: Any,
                    actor: Actor, staff: Staff) -> Customer:
    """New amounts (the tier follows them from the next run) or a new manager (the customer
    moves to the new manager's 网点): `performance:record` over the old unit and the new."""
    customer = get_customer(session=session, code=code, principal=principal)
    if not holds(principal, "performance:record", customer.unit_path):
        raise Forbidden("This needs the permission performance:record over this unit.")
    before = _audit_customer(customer)
    manager_no = changes.get("manager")
    if manager_no is not None and manager_no != customer.manager_no:
        chain = staff.chain(manager_no)
        unit = keeping_unit(chain) if chain else None
        if unit is None or not holds(principal, "performance:record", unit["path"]):
            raise _invalid("manager", f"No employee {manager_no}.")
        customer.manager_no, customer.unit_code, customer.unit_path = (
            manager_no, unit["code"], unit["path"])
    for field in ("deposits", "credit"):
        if changes.get(field) is not None:
            setattr(customer, field, changes[field])
    record(session, AuditEvent, actor=actor, action="customer.update", target_type="customer",
           target_id=customer.code, before=before, after=_audit_customer(customer))
    session.commit()
    return customer


def get_customer(*, session: Session, code: str, principal: Any) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.code == code))
    if customer is None or not can_read_customer(principal, customer):
        raise NotFound(f"No customer {code}.")
    return customer


def list_customers(*, session: Session, principal: Any, page: int, per_page: int,
                   manager: str | None = None) -> tuple[list[Customer], int]:
    query = select(Customer)
    readable = _readable_filter(principal)
    if readable is not None:
        query = query.where(readable)
    if manager is not None:
        query = query.where(Customer.manager_no == manager)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Customer.code)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def visit_answer(visit: Visit, customer: Customer) -> dict[str, Any]:
    return {"id": visit.id, "customer": customer.code, "employee_no": visit.employee_no,
            "on": visit.on_date, "kind": visit.kind, "report": visit.report,
            "status": visit.status, "recorded_by": visit.recorded_by,
            "recorded_at": visit.recorded_at, "confirmed_by": visit.confirmed_by,
            "confirmed_at": visit.confirmed_at}


def log_visit(*, session: Session, visit_in: dict[str, Any], principal: Any, actor: Actor,
              staff: Staff, today: dt.date) -> tuple[Visit, Customer]:
    customer = session.scalar(select(Customer).where(Customer.code == visit_in["customer"]))
    if customer is None or not can_read_customer(principal, customer):
        raise _invalid("customer", f"No customer {visit_in['customer']}.")
    employee_no = visit_in.get("employee_no") or principal.emp
    if employee_no is None:
        raise _invalid("employee_no", "Say who made the contact.")
    own = principal.emp is not None and employee_no == principal.emp == customer.manager_no
    if not own:
        if not holds(principal, "performance:record", customer.unit_path):
            raise Forbidden("A customer's manager logs their own contacts; anyone else needs "
                            "the permission performance:record over this unit.")
        if employee_no != customer.manager_no:
            # Unknown and out-of-scope employees answer alike (no answer maps the org).
            chain = staff.chain(employee_no)
            if chain is None or not holds(principal, "performance:record",
                                          chain["unit"]["path"]):
                raise _invalid("employee_no", f"No employee {employee_no}.")
    if visit_in["on"] > today:
        raise _invalid("on", "Not in the future.")
    visit = Visit(customer_id=customer.id, employee_no=employee_no, on_date=visit_in["on"],
                  kind=visit_in["kind"], report=visit_in["report"],
                  status="reported" if visit_in["kind"] == "visit" else "logged",
                  recorded_by=actor.sub, recorded_by_emp=actor.emp, recorded_at=utcnow())
    session.add(visit)
    session.flush()
    record(session, AuditEvent, actor=actor, action="visit.log", target_type="visit",
           target_id=str(visit.id), after={"customer": customer.code, "kind": visit.kind,
                                            "employee_no": employee_no,
                                            "on": visit.on_date.isoformat()})
    session.commit()
    return visit, customer


def get_visit(*, session: Session, visit_id: int, principal: Any,
              for_update: bool = False) -> tuple[Visit, Customer]:
    stmt = select(Visit, Customer).join(Customer, Customer.id == Visit.customer_id).where(
        Visit.id == visit_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Visit)
    row = session.execute(stmt).first()
    if row is None or not (can_read_customer(principal, row.Customer)
                           or (principal.emp is not None
                               and principal.emp == row.Visit.employee_no)):
        raise NotFound(f"No visit {visit_id}.")
    return row.Visit, row.Customer


def list_visits(*, session: Session, principal: Any, page: int, per_page: int,
                customer: str | None = None, employee_no: str | None = None,
                status: str | None = None) -> tuple[list[tuple[Visit, Customer]], int]:
    query = select(Visit, Customer).join(Customer, Customer.id == Visit.customer_id)
    readable = _readable_filter(principal)
    if readable is not None:
        query = query.where(readable if principal.emp is None
                            else or_(readable, Visit.employee_no == principal.emp))
    for column, value in ((Customer.code, customer), (Visit.employee_no, employee_no),
                          (Visit.status, status)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Visit.on_date.desc(), Visit.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return [(r.Visit, r.Customer) for r in rows], total


def confirm_visit(*, session: Session, visit_id: int, principal: Any,
                  actor: Actor) -> tuple[Visit, Customer]:
    """The branch head confirms a visit report (访客报告经支行行长确认)."""
    visit, customer = get_visit(session=session, visit_id=visit_id, principal=principal,
                                for_update=True)
    if not holds(principal, "performance:confirm", customer.unit_path):
        raise Forbidden("This needs the permission performance:confirm over this unit.")
    if principal.emp is not None and principal.emp in (visit.employee_no,
                                                       visit.recorded_by_emp):
        raise Forbidden("Nobody confirms a visit they made or logged (four-eyes).")
    if visit.kind != "visit":
        raise Conflict("Phone and SMS contacts need no confirmation.")
    if visit.status == "confirmed":
        raise Conflict("This visit report is confirmed already.")
    visit.status = "confirmed"
    visit.confirmed_by, visit.confirmed_by_emp = actor.sub, actor.emp
    visit.confirmed_at = utcnow()
    record(session, AuditEvent, actor=actor, action="visit.confirm", target_type="visit",
           target_id=str(visit.id), before={"status": "reported"},
           after={"status": "confirmed", "customer": customer.code})
    session.commit()
    return visit, customer
