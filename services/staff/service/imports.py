"""Import (create or update employees from a spreadsheet) and export, CSV and XLSX.

Why all-or-nothing: HR fixes a spreadsheet and sends it again; a half-imported file would
have to be untangled by hand. So the whole file is worked through in one transaction —
every row checked and made, each write audited as the API audits it — and committed only if
no row had an error (else 422 with all of them, nothing written). A dry run does the same
and always rolls back: its answer says what would be created, what would change (field by
field, before and after) and what would be scheduled. There is no partial mode.

Upsert by `employee_no`: a number that exists (and that the importer may write) updates
that employee — names, grade override and work start date at once; a different `org`,
`position` or `manager` is a transfer and a different `status` a status change, both from
the row's `effective_date` (empty: today) and, dated after today, scheduled exactly as
through the API (issue 14.3). An exported file re-imports as "unchanged". An absent column
leaves its value alone; an empty `name_en`, `grade` or `manager` cell clears it. The hire
date of an existing employee is not changed by import (an error on the row). A number the
importer may not see is reported as taken, as a hire would be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.models import AuditEvent, Employee, OrgUnit
from services.staff.service import assignments, employees, schedule_store
from services.staff.service.common import EVERYTHING, Sight, get_unit, subtree_clause, within_any
from services.staff.service.import_rows import COLUMNS, REQUIRED, Row, RowError
from shared.audit import Actor, record
from shared.errors import AppError, ValidationFailed
from shared.spreadsheets import defuse

#: Placeholders standing in for required values a row lacks, so the store checks still run
#: on the values it has (their own errors on the placeholders are dropped). Empty strings:
#: no code or number is empty, and PostgreSQL refuses a NUL in a query.
_MISSING = {"employee_no": "", "org": "", "position": "", "hire_date": dt.date.max}
EDITABLE = ("name", "name_en", "grade", "work_start_date")


def import_rows(*, session: Session, rows: list[Row], errors: list[RowError], actor: Actor,
                dry_run: bool, today: dt.date, can_write: Callable[[str], bool],
                sight: Sight = EVERYTHING) -> dict[str, Any]:
    """Check and make every row (one transaction); commit only a clean, real run."""
    errors = list(errors)
    changes: list[dict[str, Any]] = []
    by_no: dict[str, Row] = {}
    for row in rows:
        no = row.data.get("employee_no")
        if no in by_no:
            errors.append(RowError(row=row.line, field="employee_no",
                                   message=f"{no} appears more than once in the file."))
            row.bad.add("employee_no")
        elif no is not None:
            by_no[no] = row
    existing = _existing(session, list(by_no))
    # Rows whose number is bad or repeated are still checked (every error of every row),
    # never made.
    new_rows = [r for r in rows if r.data.get("employee_no") not in existing]
    errors.extend(_cycles([r for r in new_rows if "employee_no" not in r.bad]))
    _create(session, new_rows, errors, changes, actor, today, can_write, sight)
    for row in rows:
        employee = existing.get(row.data.get("employee_no", ""))
        if employee is not None and "employee_no" not in row.bad:
            _update(session, row, employee, errors, changes, actor, today, can_write, sight)
    session.flush()
    if errors:
        session.rollback()
        errors.sort(key=lambda e: (e["row"], e["field"]))
        raise ValidationFailed(
            f"{len({e['row'] for e in errors})} row(s) are not valid; nothing was imported.",
            errors=_flat(errors), rows=list(errors))
    if dry_run:
        session.rollback()
    else:
        session.commit()
    changes.sort(key=lambda c: c["row"])
    count = {a: sum(1 for c in changes if c["action"] == a)
             for a in ("created", "updated", "unchanged")}
    return {**count, "scheduled": sum(len(c["scheduled"]) for c in changes),
            "rows": len(rows), "dry_run": dry_run, "changes": changes}


def _flat(errors: list[RowError]) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for e in errors:
        flat.setdefault(f"rows.{e['row']}.{e['field']}", []).append(e["message"])
    return flat


def _existing(session: Session, numbers: list[str]) -> dict[str, Employee]:
    found: dict[str, Employee] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        found.update((e.employee_no, e) for e in session.scalars(
            select(Employee).where(Employee.employee_no.in_(chunk))).unique())
    return found


def _row_errors(row: Row, errors: list[RowError], found: dict[str, list[str]]) -> None:
    for name, messages in found.items():
        if name not in row.bad:
            errors.extend(RowError(row=row.line, field=name, message=m) for m in messages)
            row.bad.add(name)


def _create(session: Session, rows: list[Row], errors: list[RowError],
            changes: list[dict[str, Any]], actor: Actor, today: dt.date,
            can_write: Callable[[str], bool], sight: Sight) -> None:
    """New numbers: checked as hires; those dated after today scheduled; managers named in
    the file linked once everyone is added."""
    new_numbers = frozenset(r.data["employee_no"] for r in rows if "employee_no" in r.data)
    made: dict[str, tuple[Row, Employee, str | None]] = {}
    later: set[str] = set()  # scheduled hires
    for row in rows:
        data = {**_MISSING, **row.data}
        checked = employees.check_employee(session, data, new_numbers=new_numbers, sight=sight)
        if checked.unit is not None and not can_write(checked.unit.path):
            checked.add("org", f"Outside your staff:write scope ({checked.unit.code}).")
        found = {k: v for k, v in checked.errors.items() if k not in _absent(row)}
        _row_errors(row, errors, found)
        if found or row.bad or checked.unit is None:
            continue
        data = {k: v for k, v in row.data.items() if k != "effective_date"}
        if data["hire_date"] > today:
            change = schedule_store.schedule(
                session, kind="hire", employee_no=data["employee_no"],
                effective=data["hire_date"], unit=checked.unit,
                details=schedule_store.jsonable(data), actor=actor)
            changes.append(_change(row, "created", scheduled=[change]))
            later.add(data["employee_no"])
            continue
        employee = employees.build_employee(session, data, checked, actor)
        made[data["employee_no"]] = (row, employee, checked.manager_no
                                     if checked.manager is None else None)
        changes.append(_change(row, "created"))
    for no, (row, employee, manager_no) in made.items():
        if manager_no is not None:
            if manager_no in later:
                _row_errors(row, errors, {"manager": [
                    f"{manager_no} is hired later than {no} (scheduled); name them as "
                    "manager from that day by a transfer."]})
            if manager_no in made and not errors:  # (a circle is an error: never linked)
                employee.manager = made[manager_no][1]
    session.flush()
    for _no, (_row, employee, _m) in made.items():
        record(session, AuditEvent, actor=actor, action="employee.imported",
               target_type="employee", target_id=employee.employee_no,
               after=employees.employee_dict(employee))


def _absent(row: Row) -> set[str]:
    return {k for k in _MISSING if k not in row.data}


def _change(row: Row, action: str, differences: dict[str, Any] | None = None,
            scheduled: list[Any] | None = None) -> dict[str, Any]:
    return {"row": row.line, "employee_no": row.data["employee_no"], "action": action,
            "differences": differences or {},
            "scheduled": [{"kind": c.kind, "effective_date": c.effective_date.isoformat(),
                           "details": c.details} for c in scheduled or []]}


def _update(session: Session, row: Row, employee: Employee, errors: list[RowError],
            changes: list[dict[str, Any]], actor: Actor, today: dt.date,
            can_write: Callable[[str], bool], sight: Sight) -> None:
    """An existing number: edits at once, a transfer and a status change from the row's
    date, each through the same rules (and audit actions) as the API's."""
    data, no = row.data, employee.employee_no
    if not sight.employee(no, employee.unit.path):
        _row_errors(row, errors, {"employee_no": [f"An employee {no} already exists."]})
        return
    if not can_write(employee.unit.path):
        _row_errors(row, errors, {"org": [f"{no} is outside your staff:write scope "
                                          f"({employee.unit.code})."]})
        return
    before = employees.employee_dict(employee)
    before["grade"] = employee.grade_override
    wanted = _wanted(row, employee)
    differences = {k: {"from": before.get(k), "to": v} for k, v in wanted.items()
                   if v != before.get(k)}
    if "hire_date" in differences:
        _row_errors(row, errors, {"hire_date": [
            f"The hire date of an existing employee is not changed by import (it is "
            f"{before['hire_date']})."]})
        return
    effective = data.get("effective_date") or today
    scheduled: list[Any] = []
    try:
        _edit(session, employee, differences, before, actor)
        if differences.keys() & {"org", "position", "manager"}:
            scheduled += _transfer(session, employee, wanted, effective, today, actor,
                                   can_write, sight)
        if "status" in differences:
            scheduled += _status(session, employee, wanted["status"], effective, today, actor)
    except AppError as exc:
        field = next(iter(exc.errors or {}), None) or _field_of(differences)
        messages = [m for ms in (exc.errors or {}).values() for m in ms] or [exc.detail]
        _row_errors(row, errors, {field: messages})
        return
    changes.append(_change(row, "updated" if differences else "unchanged", differences,
                           scheduled))


def _field_of(differences: dict[str, Any]) -> str:
    """The cell a refusal without a field (409: has left, qualification withdrawn) is
    about: the post before the unit, the unit before the manager, the status last."""
    return next((k for k in ("position", "org", "manager", "status") if k in differences),
                "org")


def _wanted(row: Row, employee: Employee) -> dict[str, Any]:
    """The values the row asks for, as `employee_dict` shows them: absent columns keep the
    employee's; empty nullable cells clear."""
    data, wanted = row.data, {}
    for key in ("name", "org", "position", "hire_date", "name_en", "grade", "manager",
                "work_start_date", "status"):
        if key not in row.present or key in row.bad:
            continue
        value = data.get(key)
        if value is None and key in ("work_start_date", "status"):
            continue  # empty: unchanged
        wanted[key] = value.isoformat() if isinstance(value, dt.date) else value
    return wanted


def _edit(session: Session, employee: Employee, differences: dict[str, Any],
          before: dict[str, Any], actor: Actor) -> None:
    edits = {k: d["to"] for k, d in differences.items() if k in EDITABLE}
    if not edits:
        return
    for key in ("name", "name_en"):
        if key in edits:
            setattr(employee, key, edits[key])
    if "grade" in edits:
        employee.grade_override = edits["grade"]
    if "work_start_date" in edits:
        employee.work_start_date = dt.date.fromisoformat(edits["work_start_date"])
        if employee.work_start_date > employee.hire_date:
            message = "The work start date (参加工作时间) cannot be after the hire date."
            raise ValidationFailed(message, errors={"work_start_date": [message]})
    record(session, AuditEvent, actor=actor, action="employee.edited", target_type="employee",
           target_id=employee.employee_no, before=before,
           after={**employees.employee_dict(employee), "via": "import"})


def _transfer(session: Session, employee: Employee, wanted: dict[str, Any],
              effective: dt.date, today: dt.date, actor: Actor,
              can_write: Callable[[str], bool], sight: Sight) -> list[Any]:
    transfer_in = {"org": wanted.get("org", employee.unit.code),
                   "position": wanted.get("position", employee.position.code),
                   "manager": wanted.get("manager", employee.manager_no),
                   "effective_date": effective}
    unit = get_unit(session, transfer_in["org"], field="org", sight=sight)
    if not can_write(unit.path):
        raise ValidationFailed("Out of scope.", errors={
            "org": [f"Outside your staff:write scope ({unit.code})."]})
    plan = assignments.plan_transfer(session, employee, unit, transfer_in, sight=sight)
    if effective > today:
        return [schedule_store.schedule(
            session, kind="transfer", employee_no=employee.employee_no, effective=effective,
            unit=unit, details=schedule_store.jsonable(transfer_in), actor=actor)]
    assignments.apply_transfer(session, plan, actor)
    return []


def _status(session: Session, employee: Employee, status: str, effective: dt.date,
            today: dt.date, actor: Actor) -> list[Any]:
    if effective > today:
        return [schedule_store.schedule(
            session, kind="status", employee_no=employee.employee_no, effective=effective,
            unit=employee.unit, details={"status": status, "reason": "import"}, actor=actor)]
    employees.change_status(session=session, employee_no=employee.employee_no, status=status,
                            reason="import", actor=actor, commit=False)
    return []


def _cycles(rows: list[Row]) -> list[RowError]:
    """Managers named inside the file must not report to each other in a circle."""
    manager_of = {r.data["employee_no"]: r.data.get("manager") for r in rows}
    line_of = {r.data["employee_no"]: r.line for r in rows}
    errors = []
    for no in manager_of:
        seen, current = set(), manager_of.get(no)
        while current in manager_of and current not in seen and current != no:
            seen.add(current)
            current = manager_of.get(current)
        if current == no and manager_of.get(no) != no:
            errors.append(RowError(row=line_of[no], field="manager",
                                   message="Managers in the file report to each other in a "
                                   "circle."))
    return errors


def export_rows(*, session: Session, scopes: list[str] | None, org: str | None = None,
                subtree: bool = True, sight: Sight = EVERYTHING) -> list[list[str]]:
    """Employees in scope, in number order, as the import's cells (the grade column is the
    override: empty follows the position). Cells that would start a formula are defused
    with a leading `'` (the import takes it off again)."""
    stmt = select(Employee).join(Employee.unit)
    scope_filter = within_any(OrgUnit.path, scopes)
    if scope_filter is not None:
        stmt = stmt.where(scope_filter)
    if org:
        unit = get_unit(session, org, field="org", sight=sight)
        stmt = stmt.where(subtree_clause(OrgUnit.path, unit.path) if subtree
                          else Employee.unit_id == unit.id)
    rows = []
    for e in session.scalars(stmt.order_by(Employee.employee_no)).unique():
        d = employees.employee_dict(e)
        d["grade"] = e.grade_override
        rows.append([defuse(d.get(c)) for c in COLUMNS])
    return rows


__all__ = ["COLUMNS", "REQUIRED", "export_rows", "import_rows"]
