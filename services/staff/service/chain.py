"""Approver resolution: the units above an employee that leave routing needs.

Staff answers only "which units": the own unit, the 网点 (nearest sub_branch or outlet at or
above), the governing branch 管辖行 (nearest branch at or above; the head office when there
is none) and the head office. Who holds which role there is auth's business (bindings).

Read-only and asked for on every leave request, so it is one prepared statement (no ORM
objects, no per-call compilation): the employee and the units above, whatever the tree's
depth or size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, any_, bindparam, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from services.staff.domain import org as rules
from services.staff.models import Employee, OrgUnit, Position
from services.staff.service.common import missing, reading, storable
from shared.prepared import Prepared

_MANAGER = aliased(Employee, name="manager")
_PARENT = aliased(OrgUnit, name="parent")
_UNIT_COLUMNS = ("code", "type", "path", "name_zh", "name_en")


def _employee_columns(*joined: Any) -> Any:
    """The employee `employee_no` with what the chain shows of them, beside `joined`."""
    return (select(Employee.employee_no, Employee.name, Employee.status,
                   Employee.grade_override, Position.grade, Position.code, Position.must_cover,
                   _MANAGER.employee_no.label("manager_no"), *joined)
            .join(Employee.position)
            .outerjoin(_MANAGER, _MANAGER.id == Employee.manager_id)
            .where(Employee.employee_no == bindparam("employee_no")))


def _by_path() -> Prepared:
    """PostgreSQL: the units above are the codes the unit's path names, found by the unique
    index on `code` (`= ANY(string_to_array(path, '/'))`), nearest (longest path) first."""
    unit = aliased(OrgUnit, name="unit")
    above = aliased(OrgUnit, name="above")
    return Prepared(
        _employee_columns(*(getattr(above, c) for c in _UNIT_COLUMNS))
        .join(unit, unit.id == Employee.unit_id)
        .join(above, above.code == any_(func.string_to_array(unit.path,
                                                             literal_column("'/'"))))
        .order_by(func.length(above.path).desc()))


def _by_parents() -> Prepared:
    """Elsewhere (SQLite, no arrays): a recursive walk up `parent_id`, one primary-key step
    per level, nearest first."""
    up = (select(OrgUnit.id, OrgUnit.parent_id, *(getattr(OrgUnit, c) for c in _UNIT_COLUMNS),
                 literal_column("0").label("depth"))
          .join(Employee, Employee.unit_id == OrgUnit.id)
          .where(Employee.employee_no == bindparam("employee_no"))
          .cte("up", recursive=True))
    up = up.union_all(
        select(_PARENT.id, _PARENT.parent_id, *(getattr(_PARENT, c) for c in _UNIT_COLUMNS),
               up.c.depth + literal_column("1"))
        .where(_PARENT.id == up.c.parent_id))
    return Prepared(
        _employee_columns(*(up.c[c] for c in _UNIT_COLUMNS))
        .join(up, up.c.depth >= literal_column("0"))  # each row of the walk
        .order_by(up.c.depth))


#: The whole chain in one statement per dialect: the employee's columns on every row,
#: beside their unit and each unit above it, nearest first — whatever the tree's size.
_CHAIN = {"postgresql": _by_path(), "sqlite": _by_parents()}


@dataclass(frozen=True)
class Unit:
    code: str
    type: str
    path: str
    name_zh: str
    name_en: str | None


@dataclass(frozen=True)
class Found:
    """An employee's chain as read: their row's values and the units from theirs upwards."""

    employee: tuple[Any, ...]
    units: list[Unit]

    @property
    def path(self) -> str:
        """The employee's unit's path (what the access check needs)."""
        return self.units[0].path


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


def find(session: Session, employee_no: str) -> Found:
    """The employee's chain, read in one statement, or 404 "No employee X." exactly as
    `common.get_employee` answers. Only reads (`common.reading`)."""
    if not storable(employee_no):
        raise missing("employee", employee_no, None)
    with reading(session) as conn:
        return find_on(conn, employee_no)


def find_on(conn: Connection, employee_no: str) -> Found:
    """`find` on an autocommit connection (`api.direct`'s lane has no session)."""
    rows = _CHAIN[conn.dialect.name].run(conn, {"employee_no": employee_no}) \
        if storable(employee_no) else []
    if not rows:
        raise missing("employee", employee_no, None)
    return Found(employee=rows[0][:8], units=[Unit(*row[8:]) for row in rows])


def answer(found: Found) -> dict[str, Any]:
    """The chain exactly as `ChainRead` dumps it."""
    employee_no, name, status, grade_override, grade, position, must_cover, manager = \
        found.employee
    picked = resolve(found.units)
    return {
        "employee_no": employee_no, "name": name, "status": status,
        "grade": grade_override or grade, "position": position, "must_cover": must_cover,
        "manager": manager,
        **{key: _brief(unit) for key, unit in picked.items()},
        "units": [_brief(u) for u in found.units],
    }


def chain(*, session: Session, employee_no: str) -> dict[str, Any]:
    """The chain of `employee_no` (404 if there is none; no access check: the caller's)."""
    return answer(find(session, employee_no))
