"""CSV export and all-or-nothing import of employees.

Why all-or-nothing: HR fixes a spreadsheet and sends it again; a half-imported file would
have to be untangled by hand. So every row is validated first — each bad row reported with
its line number, field and message — and only a file without any bad row is written, in one
transaction. Import creates employees; changes to existing ones go through the API.

A CSV body does not pass through the JSON parser, so the same character rule is applied
here to every cell: a control, surrogate or bidi-override character is a bad row (422).
An `org` or `manager` the importer may not know is reported as one that does not exist.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.models import AuditEvent, Employee, OrgUnit
from services.staff.service.common import EVERYTHING, Sight, get_unit, subtree_clause, within_any
from services.staff.service.employees import build_employee, check_employee, employee_dict
from shared.audit import Actor, record
from shared.errors import ValidationFailed
from shared.web import CONTROL_MESSAGE, FORBIDDEN_CHARS

COLUMNS = ("employee_no", "name", "name_en", "org", "position", "grade", "hire_date",
           "work_start_date", "manager", "status")
REQUIRED = ("employee_no", "name", "org", "position", "hire_date")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RowError(dict[str, Any]):
    """`{row, field, message}`; `row` is the line in the file (the header is line 1)."""


def _row_schema() -> ma.Schema:
    from services.staff.schemas.employees import EmployeeImportRow

    return EmployeeImportRow()


def parse(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Rows as `(line, loaded values)` plus every error found by the row schema."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _parse(reader)
    except csv.Error as exc:  # e.g. a bare carriage return in an unquoted field (on the
        # line after the last one read)
        return [], [RowError(row=reader.line_num + 1, field="_file",
                             message=f"Not a readable CSV file: {exc}.")]


def _parse(reader: csv.DictReader[str]) -> tuple[list[tuple[int, dict[str, Any]]],
                                                 list[RowError]]:
    header = [h.strip() for h in reader.fieldnames or []]
    errors: list[RowError] = []
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        for col in missing:
            errors.append(RowError(row=1, field=col, message="Missing column."))
        for col in unknown:
            errors.append(RowError(row=1, field=col, message="Unknown column."))
        return [], errors
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, Any]]] = []
    schema = _row_schema()
    for raw in reader:
        line = reader.line_num
        if None in raw:
            errors.append(RowError(row=line, field="_row", message="Too many values."))
            continue
        # Before stripping: str.strip() would silently drop some controls (\x1c-\x1f).
        bad = sorted(k for k, v in raw.items() if v and FORBIDDEN_CHARS.search(v))
        if bad:
            errors.extend(RowError(row=line, field=k, message=CONTROL_MESSAGE) for k in bad)
            continue
        cleaned = {k: (v or "").strip() or None for k, v in raw.items()}
        if not any(cleaned.values()):
            continue
        try:
            rows.append((line, schema.load({k: v for k, v in cleaned.items() if v is not None})))
        except ma.ValidationError as exc:
            from shared.errors import flatten_errors

            for name, messages in flatten_errors(exc.messages).items():
                errors.extend(RowError(row=line, field=name, message=m) for m in messages)
    if not rows and not errors:
        errors.append(RowError(row=1, field="_file", message="The file has no rows."))
    return rows, errors


def import_employees(*, session: Session, text: str, actor: Actor, dry_run: bool,
                     can_write: Callable[[str], bool], sight: Sight = EVERYTHING) -> int:
    """Validate every row; write all of them (one transaction) only if none is bad."""
    rows, errors = parse(text)
    numbers = [data["employee_no"] for _, data in rows]
    new_numbers = frozenset(numbers)
    seen: set[str] = set()
    checked_rows = []
    for line, data in rows:
        no = data["employee_no"]
        if no in seen:
            errors.append(RowError(row=line, field="employee_no",
                                   message=f"{no} appears more than once in the file."))
        seen.add(no)
        checked = check_employee(session, data, new_numbers=new_numbers, sight=sight)
        if checked.unit is not None and not can_write(checked.unit.path):
            checked.add("org", f"Outside your staff:write scope ({checked.unit.code}).")
        for name, messages in checked.errors.items():
            errors.extend(RowError(row=line, field=name, message=m) for m in messages)
        checked_rows.append((line, data, checked))
    errors.extend(_cycles(rows))
    if errors:
        errors.sort(key=lambda e: (e["row"], e["field"]))
        raise ValidationFailed(
            f"{len({e['row'] for e in errors})} row(s) are not valid; nothing was imported.",
            errors={f"rows.{e['row']}.{e['field']}": [e["message"]] for e in errors},
            rows=list(errors))
    if dry_run:
        return len(rows)
    created: dict[str, Employee] = {}
    for _line, data, checked in checked_rows:
        created[data["employee_no"]] = build_employee(session, data, checked, actor)
    for _line, data, checked in checked_rows:
        if checked.manager is None and checked.manager_no in created:
            created[data["employee_no"]].manager = created[checked.manager_no]
    session.flush()
    for employee in created.values():
        record(session, AuditEvent, actor=actor, action="employee.imported",
               target_type="employee", target_id=employee.employee_no,
               after=employee_dict(employee))
    session.commit()
    return len(created)


def _cycles(rows: list[tuple[int, dict[str, Any]]]) -> list[RowError]:
    """Managers named inside the file must not report to each other in a circle."""
    manager_of = {d["employee_no"]: d.get("manager") for _, d in rows}
    line_of = {d["employee_no"]: line for line, d in rows}
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


def export_csv(*, session: Session, scopes: list[str] | None, org: str | None = None,
               subtree: bool = True, sight: Sight = EVERYTHING) -> str:
    """Employees (in scope) as CSV, the same columns the import takes; UTF-8 with a BOM so
    spreadsheets read the Chinese names, and cells that would start a formula defused."""
    stmt = select(Employee).join(Employee.unit)
    scope_filter = within_any(OrgUnit.path, scopes)
    if scope_filter is not None:
        stmt = stmt.where(scope_filter)
    if org:
        unit = get_unit(session, org, field="org", sight=sight)
        stmt = stmt.where(subtree_clause(OrgUnit.path, unit.path) if subtree
                          else Employee.unit_id == unit.id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in session.scalars(stmt.order_by(Employee.employee_no)).unique():
        d = employee_dict(e)
        d["grade"] = e.grade_override
        writer.writerow([_safe(d.get(c)) for c in COLUMNS])
    return "\ufeff" + out.getvalue()


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
