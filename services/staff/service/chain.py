"""Approver resolution: the units above an employee that leave routing needs.

Staff answers only "which units": the own unit, the 网点 (nearest sub_branch or outlet at or
above), the governing branch 管辖行 (nearest branch at or above; the head office when there
is none) and the head office. Who holds which role there is auth's business (bindings).

Read-only and asked for on every leave request, so it reads plain columns with statements
built once (no ORM objects): two queries, the employee and the units above, whatever the
tree's depth or size.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session, aliased

from services.staff.domain import org as rules
from services.staff.models import Employee, OrgUnit, Position
from services.staff.service.common import missing, reading, storable

_MANAGER = aliased(Employee, name="manager")
#: What the chain shows of the employee, and the unit path its access check needs.
_EMPLOYEE = (select(Employee.employee_no, Employee.name, Employee.status,
                    Employee.grade_override, Position.grade, Position.code,
                    Position.must_cover, _MANAGER.employee_no.label("manager_no"),
                    OrgUnit.path)
             .join(Employee.unit).join(Employee.position)
             .outerjoin(_MANAGER, _MANAGER.id == Employee.manager_id)
             .where(Employee.employee_no == bindparam("employee_no")))
_UNITS = (select(OrgUnit.code, OrgUnit.type, OrgUnit.path, OrgUnit.name_zh, OrgUnit.name_en)
          .where(OrgUnit.code.in_(bindparam("codes", expanding=True))))


def _brief(unit: Any) -> dict[str, Any] | None:
    """A unit as `ChainUnit` dumps it (`unit`: anything with those attributes, or None)."""
    if unit is None:
        return None
    return {"code": unit.code, "type": unit.type, "path": unit.path, "name_zh": unit.name_zh,
            "name_en": unit.name_en}


def resolve(units_up: list[Any]) -> dict[str, Any]:
    """From the unit upwards to the root: pick the 网点, governing branch and head office."""
    outlet = next((u for u in units_up if u.type in rules.OUTLET_TYPES), None)
    branch = next((u for u in units_up if u.type == rules.BRANCH), None)
    head_office = next((u for u in units_up if u.type == rules.HEAD_OFFICE), None)
    return {"unit": units_up[0], "outlet": outlet,
            "governing_branch": branch or head_office, "head_office": head_office}


def units_above(session: Session, path: str) -> list[Any]:
    """The unit at `path` and its ancestors, nearest first, as rows with the `ChainUnit`
    columns (one query: the path already names every ancestor)."""
    codes = rules.ancestor_codes(path)
    found = {u.code: u for u in session.connection().execute(_UNITS, {"codes": codes})}
    return [found[c] for c in reversed(codes) if c in found]


def employee_brief(session: Session, employee_no: str) -> Row[Any]:
    """The employee's row for the chain (with their unit's `path`), or 404 "No employee X."
    exactly as `common.get_employee` answers. The chain only reads (`common.reading`)."""
    row = None
    if storable(employee_no):
        row = reading(session).execute(_EMPLOYEE, {"employee_no": employee_no}).first()
    if row is None:
        raise missing("employee", employee_no, None)
    return row


def chain_of(session: Session, employee: Row[Any]) -> dict[str, Any]:
    """The chain of the employee `employee_brief` found, exactly as `ChainRead` dumps it."""
    up = units_above(session, employee.path)
    picked = resolve(up)
    return {
        "employee_no": employee.employee_no, "name": employee.name,
        "status": employee.status, "grade": employee.grade_override or employee.grade,
        "position": employee.code, "must_cover": employee.must_cover,
        "manager": employee.manager_no,
        **{key: _brief(unit) for key, unit in picked.items()},
        "units": [_brief(u) for u in up],
    }


def chain(*, session: Session, employee_no: str) -> dict[str, Any]:
    """The chain of `employee_no` (404 if there is none; no access check: the caller's)."""
    return chain_of(session, employee_brief(session, employee_no))
