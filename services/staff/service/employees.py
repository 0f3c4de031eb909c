"""Employees: hire (create), read, status changes, small edits (the listing: `listing`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.models import Assignment, AuditEvent, Employee, OrgUnit, Position
from services.staff.service import people_events, schedule_store
from services.staff.service.common import (
    EVERYTHING,
    Sight,
    get_employee,
    storable,
)
from shared.audit import Actor, record
from shared.errors import Conflict, ValidationFailed

STATUSES = ("active", "suspended", "left")
GRADES = ("head", "mid", "staff")


def employee_dict(e: Employee) -> dict[str, Any]:
    return {"employee_no": e.employee_no, "name": e.name, "name_en": e.name_en,
            "org": e.unit.code, "org_path": e.unit.path, "position": e.position.code,
            "grade": e.grade, "manager": e.manager_no,
            "hire_date": e.hire_date.isoformat(),
            "work_start_date": e.work_start_date.isoformat(), "status": e.status}


@dataclass
class Checked:
    """An employee row resolved against the store, or the reasons it cannot be."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    unit: OrgUnit | None = None
    position: Position | None = None
    manager: Employee | None = None
    manager_no: str | None = None

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def check_employee(session: Session, data: dict[str, Any], *,
                   new_numbers: frozenset[str] = frozenset(),
                   sight: Sight = EVERYTHING) -> Checked:
    """Every reason `data` cannot become an employee (all of them, not just the first).

    `new_numbers` are employees created in the same batch (a CSV import), valid as managers.
    A unit or manager the caller may not know (`sight`) is reported exactly as one that does
    not exist. A taken employee number is reported whoever holds it: numbers are unique
    across the organisation.
    """
    out = Checked()
    no = data["employee_no"]
    if session.scalar(select(Employee.id).where(Employee.employee_no == no)) is not None:
        out.add("employee_no", f"An employee {no} already exists.")
    elif schedule_store.pending(session, no, "hire"):
        out.add("employee_no", f"An employee {no} is already scheduled to be hired.")
    out.unit = None
    if storable(data["org"]):
        out.unit = session.scalar(select(OrgUnit).where(OrgUnit.code == data["org"]))
    if out.unit is not None and not sight.unit(out.unit.path):
        out.unit = None
    if out.unit is None:
        out.add("org", f"No org unit {data['org']}.")
    elif not out.unit.active:
        out.add("org", f"The org unit {data['org']} is inactive.")
    out.position = session.scalar(select(Position).where(Position.code == data["position"]))
    if out.position is None:
        out.add("position", f"No position {data['position']}.")
    elif out.unit is not None and out.position.unit_types \
            and out.unit.type not in out.position.unit_types:
        out.add("position", f"A {data['position']} is not held in a unit of type "
                f"{out.unit.type} (only {', '.join(out.position.unit_types)}).")
    manager_no = data.get("manager")
    if manager_no:
        out.manager_no = manager_no
        if manager_no == no:
            out.add("manager", "An employee cannot be their own manager.")
        elif manager_no not in new_numbers:
            out.manager = session.scalar(select(Employee).where(
                Employee.employee_no == manager_no))
            if out.manager is not None and not sight.employee(manager_no,
                                                              out.manager.unit.path):
                out.manager = None
            if out.manager is None:
                out.add("manager", f"No employee {manager_no}.")
            elif out.manager.status == "left":
                out.add("manager", f"The employee {manager_no} has left.")
    start = data.get("work_start_date")
    if start is not None and start > data["hire_date"]:
        out.add("work_start_date", "The work start date (参加工作时间) cannot be after the "
                "hire date.")
    return out


def build_employee(session: Session, data: dict[str, Any], checked: Checked,
                   actor: Actor) -> Employee:
    """Add a checked employee and their first assignment (no commit)."""
    assert checked.unit is not None and checked.position is not None
    employee = Employee(
        employee_no=data["employee_no"], name=data["name"], name_en=data.get("name_en"),
        unit=checked.unit, position=checked.position, grade_override=data.get("grade"),
        manager=checked.manager, hire_date=data["hire_date"],
        work_start_date=data.get("work_start_date") or data["hire_date"],
        status=data.get("status") or "active")
    session.add(employee)
    session.flush()
    session.add(Assignment(employee_id=employee.id, org=checked.unit.code,
                           org_path=checked.unit.path, position=checked.position.code,
                           manager=checked.manager_no, start_date=employee.hire_date,
                           reason="hire", recorded_by=actor.sub))
    return employee


def create_employee(*, session: Session, employee_in: dict[str, Any], actor: Actor,
                    commit: bool = True, sight: Sight = EVERYTHING) -> Employee:
    checked = check_employee(session, employee_in, sight=sight)
    if checked.errors:
        conflict = checked.errors.get("employee_no")
        if conflict and len(checked.errors) == 1:
            raise Conflict(conflict[0])
        raise ValidationFailed("The employee cannot be created.", errors=checked.errors)
    employee = build_employee(session, employee_in, checked, actor)
    record(session, AuditEvent, actor=actor, action="employee.created", target_type="employee",
           target_id=employee.employee_no, after=employee_dict(employee))
    if commit:
        session.commit()
    return employee


def change_status(*, session: Session, employee_no: str, status: str,
                  reason: str | None = None,
                  actor: Actor, commit: bool = True) -> Employee:
    """`commit=False`: part of a larger write (an import, a scheduled change's day)."""
    employee = get_employee(session, employee_no)
    if employee.status == status:
        raise Conflict(f"{employee_no} is already {status}.")
    before = employee_dict(employee)
    if status in ("active", "suspended") and not employee.unit.active:
        raise Conflict(f"The unit {employee.unit.code} is inactive; transfer first.")
    employee.status = status
    record(session, AuditEvent, actor=actor, action="employee.status_changed",
           target_type="employee", target_id=employee_no, before=before,
           after={**employee_dict(employee), "reason": reason})
    if status == "left":  # auth disables their login and ends their sign-ins
        people_events.employee_left(session, employee, reason)
    if commit:
        session.commit()
    return employee


def edit_employee(*, session: Session, employee_no: str, changes: dict[str, Any],
                  actor: Actor) -> Employee:
    """Names, the grade override and the work start date; moves go through transfers."""
    employee = get_employee(session, employee_no)
    before = employee_dict(employee)
    for key in ("name", "name_en", "work_start_date"):
        if key in changes:
            setattr(employee, key, changes[key])
    if "grade" in changes:
        employee.grade_override = changes["grade"]
    if employee.work_start_date > employee.hire_date:
        message = "The work start date (参加工作时间) cannot be after the hire date."
        raise ValidationFailed(message, errors={"work_start_date": [message]})
    after = employee_dict(employee)
    if after != before:
        record(session, AuditEvent, actor=actor, action="employee.edited",
               target_type="employee", target_id=employee_no, before=before, after=after)
    session.commit()
    return employee
