"""Transfers with their assignment history, and declared relations between employees.

A transfer closes the current assignment the day before `effective_date` and opens a new
one. Dated after today it is checked now and scheduled (`schedule_store`): the employee
stays in the old unit until the due-changes step makes it on its date, checked again then.
The handover supervisor (监交人) is kept with the new assignment. A transfer
into (or within) a position whose required qualification is withdrawn for the employee is
refused (409), when it is asked for and again on its date: it is the one write that places
an existing employee in a position (an import's transfer goes through it too) — a hire
creates a new employee number, which has no qualification record yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.staff.models import Assignment, AuditEvent, Employee, OrgUnit, Position, Relation
from services.staff.service import schedule_store
from services.staff.service.common import (
    EVERYTHING,
    Sight,
    get_employee,
    get_position,
    get_unit,
    paginate,
)
from services.staff.service.employees import employee_dict
from services.staff.service.qualifications import require_qualified
from shared.audit import Actor, record
from shared.errors import Conflict, ValidationFailed


def current_assignment(session: Session, employee: Employee) -> Assignment | None:
    return session.scalar(select(Assignment).where(
        Assignment.employee_id == employee.id, Assignment.end_date.is_(None)
    ).order_by(Assignment.id.desc()).limit(1))


@dataclass
class TransferPlan:
    """A transfer that passed every check, ready to be made (now or on its date)."""

    employee: Employee
    unit: OrgUnit
    position: Position
    manager: Employee | None
    supervisor: str | None
    effective: dt.date


def transfer(*, session: Session, employee_no: str, transfer_in: dict[str, Any], actor: Actor,
             check_write: Any = None, sight: Sight = EVERYTHING,
             today: dt.date | None = None) -> Employee:
    """Move an employee to `org` (and `position`, `manager`) from `effective_date`.

    `check_write(old_unit, new_unit)` applies the caller's scope rule once both are known.
    Without `manager` the old manager is dropped: they belonged to the old unit. An `org`,
    `manager` or `handover_supervisor` the caller may not know (`sight`) answers exactly as
    one that does not exist. Dated after `today`, the checked transfer is scheduled (the
    employee stays where they are until then) and checked again on its date.
    """
    employee = get_employee(session, employee_no)
    unit = get_unit(session, transfer_in["org"], field="org", sight=sight)
    if check_write is not None:
        check_write(employee.unit, unit)
    plan = plan_transfer(session, employee, unit, transfer_in, sight=sight)
    if today is not None and plan.effective > today:
        schedule_store.schedule(session, kind="transfer", employee_no=employee_no,
                                effective=plan.effective, unit=unit,
                                details=schedule_store.jsonable(transfer_in), actor=actor)
    else:
        apply_transfer(session, plan, actor)
    session.commit()
    return employee


def plan_transfer(session: Session, employee: Employee, unit: OrgUnit,
                  transfer_in: dict[str, Any], *, sight: Sight = EVERYTHING) -> TransferPlan:
    """Every check of a transfer (422 with all bad fields, 409 for a state that forbids it,
    the qualification rule included); nothing written."""
    employee_no = employee.employee_no
    if employee.status == "left":
        raise Conflict(f"{employee_no} has left; a transfer needs an active employee.")
    errors: dict[str, list[str]] = {}
    if not unit.active:
        errors["org"] = [f"The org unit {unit.code} is inactive."]
    position = employee.position
    if transfer_in.get("position"):
        position = get_position(session, transfer_in["position"], field="position")
    if position.unit_types and unit.type not in position.unit_types:
        errors["position"] = [f"A {position.code} is not held in a unit of type {unit.type}."]
    manager = None
    if transfer_in.get("manager"):
        manager = get_employee(session, transfer_in["manager"], field="manager", sight=sight)
        if manager.id == employee.id or _reports_to(manager, employee):
            errors["manager"] = ["The manager would report to this employee (a cycle)."]
        elif manager.status == "left":
            errors["manager"] = [f"The employee {manager.employee_no} has left."]
    supervisor = transfer_in.get("handover_supervisor")
    if supervisor:
        sup = get_employee(session, supervisor, field="handover_supervisor", sight=sight)
        if sup.id == employee.id or sup.status != "active":
            errors["handover_supervisor"] = ["The handover supervisor (监交人) must be another, "
                                             "active employee."]
    effective: dt.date = transfer_in["effective_date"]
    current = current_assignment(session, employee)
    if current is not None and effective <= current.start_date:
        errors["effective_date"] = [f"Must be after the current assignment's start "
                                    f"({current.start_date.isoformat()})."]
    if errors:
        raise ValidationFailed("The transfer is not valid.", errors=errors)
    require_qualified(session, employee, position)  # 取消客户经理资格 closes CM posts: 409
    if current is not None and current.org == unit.code and current.position == position.code \
            and (manager.employee_no if manager else None) == current.manager:
        raise Conflict(f"{employee_no} already holds this assignment.")
    return TransferPlan(employee, unit, position, manager, supervisor, effective)


def apply_transfer(session: Session, plan: TransferPlan, actor: Actor,
                   scheduled_id: int | None = None) -> None:
    """Make a checked transfer: close the current assignment the day before, open the new
    one, move the employee, audit (no commit)."""
    employee, unit, position, manager = plan.employee, plan.unit, plan.position, plan.manager
    before = employee_dict(employee)
    current = current_assignment(session, employee)
    if current is not None:
        current.end_date = plan.effective - dt.timedelta(days=1)
    employee.unit, employee.position, employee.manager = unit, position, manager
    session.add(Assignment(employee_id=employee.id, org=unit.code, org_path=unit.path,
                           position=position.code,
                           manager=manager.employee_no if manager else None,
                           start_date=plan.effective, reason="transfer",
                           handover_supervisor=plan.supervisor, recorded_by=actor.sub))
    session.flush()
    after = {**employee_dict(employee), "effective_date": plan.effective.isoformat(),
             "handover_supervisor": plan.supervisor}
    if scheduled_id is not None:
        after["scheduled_change"] = scheduled_id
    record(session, AuditEvent, actor=actor, action="employee.transferred",
           target_type="employee", target_id=employee.employee_no, before=before, after=after)


def _reports_to(employee: Employee, boss: Employee) -> bool:
    """Does `employee` report (directly or not) to `boss`? Walks up, cycle-safe."""
    seen: set[int] = set()
    current = employee.manager
    while current is not None and current.id not in seen:
        if current.id == boss.id:
            return True
        seen.add(current.id)
        current = current.manager
    return False


def assignments(*, session: Session, employee_no: str, page: int,
                per_page: int) -> tuple[list[Assignment], int]:
    employee = get_employee(session, employee_no)
    stmt = select(Assignment).where(Assignment.employee_id == employee.id)
    return paginate(session, stmt, page=page, per_page=per_page,
                    order_by=Assignment.start_date.desc())


def relation_dict(relation: Relation) -> dict[str, Any]:
    return {"employee_no": relation.employee.employee_no,
            "related_no": relation.related.employee_no, "kind": relation.kind,
            "declared_by": relation.declared_by,
            "declared_at": _aware(relation.declared_at).isoformat()}


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def declare_relation(*, session: Session, employee_no: str, related_no: str, kind: str,
                     actor: Actor, commit: bool = True,
                     sight: Sight | None = None) -> Relation:
    """`sight`: who the declarer may name (None: anyone, e.g. the employee themself)."""
    employee = get_employee(session, employee_no)
    related = get_employee(session, related_no, field="related_no",
                           sight=sight or EVERYTHING)
    if related.id == employee.id:
        message = "An employee cannot be related to themselves."
        raise ValidationFailed(message, errors={"related_no": [message]})
    pair = or_(and_(Relation.employee_id == employee.id, Relation.related_id == related.id),
               and_(Relation.employee_id == related.id, Relation.related_id == employee.id))
    if session.scalar(select(Relation.id).where(pair, Relation.kind == kind)) is not None:
        raise Conflict(f"{employee_no} and {related_no} already have a declared {kind} "
                       "relation.")
    relation = Relation(employee=employee, related=related, kind=kind, declared_by=actor.sub)
    session.add(relation)
    session.flush()
    record(session, AuditEvent, actor=actor, action="employee.relation_declared",
           target_type="employee", target_id=employee_no, after=relation_dict(relation))
    if commit:
        session.commit()
    return relation


def relations(*, session: Session, employee_no: str, page: int,
              per_page: int) -> tuple[list[Relation], int]:
    """Relations declared by or about the employee (recusal works both ways)."""
    employee = get_employee(session, employee_no)
    stmt = select(Relation).where(or_(Relation.employee_id == employee.id,
                                      Relation.related_id == employee.id))
    return paginate(session, stmt, page=page, per_page=per_page, order_by=Relation.id)
