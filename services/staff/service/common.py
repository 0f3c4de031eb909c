"""Small helpers every feature module needs: subtree filters, look-ups, paging."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from services.staff.domain.org import like_escape
from services.staff.models import Employee, OrgUnit, Position
from shared.errors import NotFound


def subtree_clause(column: Any, path: str) -> ColumnElement[bool]:
    """`column` is `path` or below it: one indexed predicate, LIKE wildcards escaped."""
    return or_(column == path, column.like(like_escape(path) + "/%", escape="\\"))


def within_any(column: Any, paths: list[str] | None) -> ColumnElement[bool] | None:
    """A filter to the union of subtrees (None: no filter, the whole organisation)."""
    if paths is None:
        return None
    if not paths:
        return false()
    return or_(*(subtree_clause(column, p) for p in paths))


def find_unit(session: Session, code: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def get_unit(session: Session, code: str, *, field: str | None = None) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise _missing("org unit", code, field)
    return unit


def get_position(session: Session, code: str, *, field: str | None = None) -> Position:
    position = session.scalar(select(Position).where(Position.code == code))
    if position is None:
        raise _missing("position", code, field)
    return position


def get_employee(session: Session, employee_no: str, *, field: str | None = None) -> Employee:
    employee = session.scalar(select(Employee).where(Employee.employee_no == employee_no))
    if employee is None:
        raise _missing("employee", employee_no, field)
    return employee


def _missing(kind: str, key: str, field: str | None) -> Exception:
    """404 for the resource in the URL; 422 naming the field for a reference in a body."""
    from shared.errors import ValidationFailed

    message = f"No {kind} {key}."
    if field:
        return ValidationFailed(message, errors={field: [message]})
    return NotFound(message)


def paginate(session: Session, stmt: Select[Any], *, page: int, per_page: int,
             order_by: Any) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(order_by).offset((page - 1) * per_page)
                           .limit(per_page)).unique().all()
    return list(rows), total
