"""The employee listing (`GET /staff/employees`): exact totals and pages that do not grow
with the subtree.

At most three statements whatever the tree's size — the unit (with `org`), the exact
total, the page — and two for the common `?org=X[&subtree=true][&status=…]` within the
caller's scope, where the unit's row carries its total.

- **The total.** Filters that only say *which units* (the `org` unit or subtree, the
  caller's scopes) and the status are answered from `unit_headcounts`, which triggers keep
  exact (see `models.UnitHeadcount`): a sum over the subtree's rows of its path index (a
  few per unit), where a count over employees read one index entry per employee (100,000
  for the whole tree). Filters on the employees themselves (`q`, `position`, `grade`) and
  "in scope or one's own record" still count employees, joining only what they need.
- **The page**, in employee-number order, is found one of two ways, chosen by how many
  entries each would read (`_walks`): *walk* the `(employee_no, unit_id)` index in order,
  keeping the entries whose unit is in the (hashed) set of the listing's units, until the
  page is full — about `(offset + per_page) × employees / total` entries, from the index
  alone; or *gather* the matching employees from the unit index and sort them — `total`
  rows. Only then are the page's 50 rows joined to their unit, position and manager.
  The walk's unit test is wrapped in `COALESCE(…, false)` so that neither store turns it
  into a join (PostgreSQL keeps it a hashed subplan; SQLite cannot start from the unit
  index): which way a page is found is decided here, from exact figures, not by a planner
  guessing the subtree's share of the table.

The hot statements are built once per shape with bound values (`_Shape`; building and
cache-keying a statement per request cost more than running it) and run on the DBAPI
cursor (`shared.prepared.Prepared`), on a connection without BEGIN/ROLLBACK (`common.reading`),
so that psycopg keeps them prepared and PostgreSQL reuses their plans.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from services.staff.domain.org import is_within, like_escape
from services.staff.models import Employee, OrgUnit, Position, UnitHeadcount
from services.staff.service.common import (
    EVERYTHING,
    Sight,
    SubtreeOf,
    missing,
    reading,
    storable,
    subtree_clause,
    subtree_param,
    subtree_values,
    unit_ref,
    within_any,
)
from shared.prepared import Prepared

#: Counted listings (filters on employees) walk the number index above this many matches:
#: about √(per_page × employees) for 50 a page and 100,000 employees (SQLite, which has no
#: statistics to choose; PostgreSQL's planner chooses alone).
WALK_BY_NUMBER_ABOVE = 2_000


def search_employees(*, session: Session, scopes: list[str] | None, own_no: str | None,
                     page: int, per_page: int, org: str | None = None, subtree: bool = False,
                     q: str | None = None, position: str | None = None,
                     status: str | None = None, grade: str | None = None,
                     sight: Sight = EVERYTHING) -> tuple[list[dict[str, Any]], int]:
    """Employees in the caller's scope (plus their own record), filtered and paged, as the
    dicts `EmployeeRead` dumps. An `org` the caller may not know (`sight`) answers as an
    unknown code."""
    with reading(session) as conn:  # read-only: no BEGIN/ROLLBACK round trips
        offset = (page - 1) * per_page
        counted = bool(q or position or grade)
        unit = None
        if org and counted:
            unit = unit_ref(conn, org, field="org", sight=sight)
        elif org:
            # The unit with its own total (its subtree's, or its own), in one statement: the
            # total serves whenever the caller's scope holds the unit (see below).
            if storable(org):
                found = _unit_with_total(subtree, bool(status)).run(
                    conn, {"code": org, "status": status})
                unit = _Unit(*found[0]) if found else None
            if unit is None or not sight.unit(unit.path):
                raise missing("org unit", org, "org")
        if unit is not None and scopes is not None:
            # The scope filter ANDed with the unit filter, simplified exactly: a scope holding the
            # unit adds nothing; under `subtree`, only the scopes inside it matter. Two
            # overlapping path filters would also mislead PostgreSQL's row estimate (×selectivity²).
            if any(is_within(unit.path, s) for s in scopes):
                scopes = None
            elif subtree:
                scopes = [s for s in scopes if is_within(s, unit.path)]
        if counted or (own_no and scopes is not None):
            return _counted(conn, scopes=scopes, own_no=own_no, unit=unit, subtree=subtree, q=q,
                            position=position, status=status, grade=grade, offset=offset,
                            limit=per_page)
        shape = _Shape(len(scopes) if scopes is not None else None,
                       None if unit is None else "subtree" if subtree else "unit", bool(status))
        values: dict[str, Any] = {"status": status, "page_offset": offset, "page_limit": per_page}
        for i, scope in enumerate(scopes or ()):
            values.update(subtree_values(f"scope{i}", scope))
        if unit is not None:
            values.update(subtree_values("org", unit.path), org_id=unit.id)
        if isinstance(unit, _Unit) and scopes is None:
            total, known = unit.total, unit.known
        else:
            total, known = _total(shape).run(conn, values)[0]
        walk = _walks(offset + per_page, total, known or 0)
        return [_listed(row) for row in _page(shape, walk).run(conn, values)], total


class _Unit(NamedTuple):
    """The `org` unit, with the exact total of what the listing shows of it when the
    caller's scope holds it (`_unit_with_total`)."""

    id: int
    path: str
    total: int
    known: int | None


class _Shape(NamedTuple):
    """What a listing's statements depend on (their values aside): built once per shape."""

    scopes: int | None  # how many scope paths (None: the whole organisation)
    unit: str | None  # "subtree", "unit" or None (no `org`)
    status: bool


def _unit_filters(shape: _Shape, path: Any, unit_id: Any) -> list[Any]:
    """Which units are listed, as filters on a `path` and a `unit_id` column with bound
    values (none: every unit)."""
    filters: list[Any] = []
    if shape.scopes is not None:
        filters.append(or_(*(subtree_param(path, f"scope{i}")
                             for i in range(shape.scopes))) if shape.scopes else false())
    if shape.unit == "subtree":
        filters.append(subtree_param(path, "org"))
    elif shape.unit == "unit":
        filters.append(unit_id == bindparam("org_id"))
    return filters


@lru_cache(maxsize=64)
def _unit_with_total(subtree: bool, status: bool) -> Prepared:
    """The unit by code, with the exact total of its subtree (or of the unit alone) from
    the head counts, and the largest employee id (`_walks`)."""
    total = select(func.coalesce(func.sum(UnitHeadcount.employees), 0))
    if subtree:
        total = total.where(SubtreeOf(UnitHeadcount.path, OrgUnit.path,
                                      bounds=((OrgUnit.path + "/").self_group(),
                                              (OrgUnit.path + "0").self_group())))
    else:
        total = total.where(UnitHeadcount.unit_id == OrgUnit.id)
    if status:
        total = total.where(UnitHeadcount.status == bindparam("status"))
    return Prepared(select(OrgUnit.id, OrgUnit.path, total.scalar_subquery().label("total"),
                           _KNOWN.label("known")).where(OrgUnit.code == bindparam("code")))


@lru_cache(maxsize=256)
def _total(shape: _Shape) -> Prepared:
    """The exact total from the head counts, and the largest employee id (`_walks`)."""
    stmt = (select(func.coalesce(func.sum(UnitHeadcount.employees), 0), _KNOWN)
            .where(*_unit_filters(shape, UnitHeadcount.path, UnitHeadcount.unit_id)))
    if shape.status:
        stmt = stmt.where(UnitHeadcount.status == bindparam("status"))
    return Prepared(stmt)


@lru_cache(maxsize=512)
def _page(shape: _Shape, walk: bool) -> Prepared:
    """The page: walked in number order over the listed units' set, or gathered (see the
    module docstring); LIMIT and OFFSET are written into the SQL (`_inline`)."""
    units = _unit_filters(shape, OrgUnit.path, OrgUnit.id)
    if walk:
        chosen = select(Employee.employee_no).where(func.coalesce(
            Employee.unit_id.in_(select(OrgUnit.id).where(*units)), false()))
        if shape.status:
            chosen = chosen.where(Employee.status == bindparam("status"))
        found = (chosen.order_by(Employee.employee_no).offset(_inline("page_offset"))
                 .limit(_inline("page_limit")).subquery("found"))
        return Prepared(_PAGE.join(found, found.c.employee_no == Employee.employee_no)
                        .order_by(Employee.employee_no))
    stmt = _PAGE.where(*units)
    if shape.status:
        stmt = stmt.where(Employee.status == bindparam("status"))
    return Prepared(stmt.order_by(Employee.employee_no).offset(_inline("page_offset"))
                    .limit(_inline("page_limit")))


def _inline(name: str) -> Any:
    """LIMIT/OFFSET written into the SQL text (one compiled statement all the same): with
    them as parameters, PostgreSQL's generic plan for a prepared page assumes a tenth of
    the table and hash-joins it (8 ms instead of 0.4), so the page was planned afresh on
    every request (≈ 0.5 ms); with the numbers in the text the generic plan is the good one
    and psycopg's prepared statement is reused."""
    return bindparam(name, type_=Integer, literal_execute=True)


def _walks(needed: int, total: int, employees: int) -> bool:
    """Is walking the number index (≈ needed × employees / total entries) cheaper than
    gathering and sorting the `total` matches? `employees` is the largest employee id, an
    upper bound of the table's size (ids are never reused), read with the total."""
    return total > 0 and needed * employees < total * total


def _counted(conn: Any, *, scopes: list[str] | None, own_no: str | None, unit: Any,
             subtree: bool, q: str | None, position: str | None, status: str | None,
             grade: str | None, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """A listing filtered on the employees themselves: the total counts them, joining only
    what its filters need (units for a path filter, positions for a position or grade)."""

    def where(use_index: bool) -> tuple[list[Any], bool]:
        filters: list[Any] = []
        needs_unit = False
        scope_filter = within_any(OrgUnit.path, scopes, use_index=use_index)
        if scope_filter is not None:
            filters.append(or_(scope_filter, Employee.employee_no == own_no) if own_no
                           else scope_filter)
            needs_unit = True
        if unit is not None:
            if subtree:
                filters.append(subtree_clause(OrgUnit.path, unit.path, use_index=use_index))
                needs_unit = True
            else:
                filters.append(Employee.unit_id == unit.id)
        if q:
            needle = f"%{like_escape(q.lower())}%"
            filters.append(or_(func.lower(Employee.name).like(needle, escape="\\"),
                               func.lower(Employee.name_en).like(needle, escape="\\"),
                               func.lower(Employee.employee_no).like(needle, escape="\\")))
        if position:
            filters.append(Position.code == position)
        if status:
            filters.append(Employee.status == status)
        if grade:
            filters.append(func.coalesce(Employee.grade_override, Position.grade) == grade)
        return filters, needs_unit

    filters, needs_unit = where(use_index=True)
    count = _COUNT_UNIT_POSITION if needs_unit and (position or grade) else \
        _COUNT_UNIT if needs_unit else _COUNT_POSITION if position or grade else _COUNT
    total = conn.scalar(count.where(*filters)) or 0
    if total > WALK_BY_NUMBER_ABOVE and needs_unit:
        # SQLite only (`SubtreeOf`): walk the number index rather than the path index.
        filters, _ = where(use_index=False)
    stmt = (_PAGE.where(*filters).order_by(Employee.employee_no).offset(offset).limit(limit))
    return [_listed(row) for row in conn.execute(stmt)], total


#: The statements' fixed parts, built once: a request only adds its filters and its page
#: (the manager alias in particular: a fresh `aliased()` per request built its columns anew).
_MANAGER = aliased(Employee, name="manager")
_KNOWN = select(func.max(Employee.id)).scalar_subquery()
_COUNT = select(func.count()).select_from(Employee)
_COUNT_UNIT = _COUNT.join(Employee.unit)
_COUNT_POSITION = _COUNT.join(Employee.position)
_COUNT_UNIT_POSITION = _COUNT_UNIT.join(Employee.position)
_PAGE = (select(Employee.employee_no, Employee.name, Employee.name_en,
                OrgUnit.code, OrgUnit.path, Position.code, Employee.grade_override,
                Position.grade, _MANAGER.employee_no, Employee.hire_date,
                Employee.work_start_date, Employee.status)
         .join(Employee.unit).join(Employee.position)
         .outerjoin(_MANAGER, _MANAGER.id == Employee.manager_id))


def _listed(row: Any) -> dict[str, Any]:
    """A page row exactly as `EmployeeRead` dumps an employee (same keys in the same order,
    dates as ISO strings), from plain columns: a page is read-only, and 50 rows through
    marshmallow cost more than the query (`tests/staff/test_list_queries.py` holds the two
    equal)."""
    (no, name, name_en, org, path, position, override, position_grade, manager_no, hired,
     started, status) = row
    return {"employee_no": no, "name": name, "name_en": name_en, "org": org,
            "org_path": path, "position": position, "grade": override or position_grade,
            "grade_override": override, "manager": manager_no,
            "hire_date": hired.isoformat(), "work_start_date": started.isoformat(),
            "status": status}
