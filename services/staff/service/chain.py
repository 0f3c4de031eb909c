"""Approver resolution: the units above an employee that leave routing needs.

Staff answers only "which units": the own unit, the 网点 (nearest sub_branch or outlet at or
above), the governing branch 管辖行 (nearest branch at or above; the head office when there
is none) and the head office. Who holds which role there is auth's business (bindings).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from services.staff.domain import org as rules
from services.staff.models import Employee, OrgUnit
from services.staff.service.common import get_employee


def _brief(unit: OrgUnit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"code": unit.code, "type": unit.type, "path": unit.path, "name_zh": unit.name_zh,
            "name_en": unit.name_en}


def resolve(units_up: list[OrgUnit]) -> dict[str, OrgUnit | None]:
    """From the unit upwards to the root: pick the 网点, governing branch and head office."""
    outlet = next((u for u in units_up if u.type in rules.OUTLET_TYPES), None)
    branch = next((u for u in units_up if u.type == rules.BRANCH), None)
    head_office = next((u for u in units_up if u.type == rules.HEAD_OFFICE), None)
    return {"unit": units_up[0], "outlet": outlet,
            "governing_branch": branch or head_office, "head_office": head_office}


def units_above(session: Session, path: str) -> list[OrgUnit]:
    """The unit at `path` and its ancestors, nearest first (one query; the parent is not
    joined: the path already names it)."""
    codes = rules.ancestor_codes(path)
    found = {u.code: u for u in session.scalars(select(OrgUnit).options(lazyload(OrgUnit.parent))
                                                .where(OrgUnit.code.in_(codes)))}
    return [found[c] for c in reversed(codes) if c in found]


def chain(*, session: Session, employee_no: str,
          employee: Employee | None = None) -> dict[str, Any]:
    """The chain of `employee_no` (pass `employee` when already loaded: two queries in all,
    the employee and the units above, whatever the tree's depth or size)."""
    if employee is None or employee.employee_no != employee_no:
        employee = get_employee(session, employee_no)
    up = units_above(session, employee.unit.path)
    picked = resolve(up)
    return {
        "employee_no": employee.employee_no, "name": employee.name,
        "status": employee.status, "grade": employee.grade,
        "position": employee.position.code, "must_cover": employee.position.must_cover,
        "manager": employee.manager_no,
        **{key: _brief(unit) for key, unit in picked.items()},
        "units": [_brief(u) for u in up],
    }
