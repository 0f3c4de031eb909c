"""Small helpers every feature module needs: subtree filters, look-ups, paging."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, joinedload, scoped_session
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlalchemy.sql.visitors import InternalTraversal

from services.staff.models import Employee, OrgUnit, Position
from shared.db import autocommit
from shared.errors import NotFound, ValidationFailed
from shared.web import FORBIDDEN_CHARS


class SubtreeOf(ColumnElement[bool]):
    """`column` is `path` or below it, in the form each store answers from the path index.

    Both are `column = X OR (X/ ≤ column < X0)` compared byte by byte ('0' follows '/'):
    exactly the strings that start with 'X/'. PostgreSQL: with the pattern operators
    `~>=~`/`~<~`, the `varchar_pattern_ops` index's own (byte-wise, whatever the database's
    collation: under en_US a plain `>=` would not sort '/' that way). They are what the
    planner derives from `LIKE 'X/%'`, but unlike a LIKE pattern they stay an index range
    in a prepared statement's generic plan, where the pattern is a parameter (a generic
    LIKE scanned every unit). SQLite: plain `>=`/`<` under its binary collation, which the
    ordinary index serves (it ignores the index for a LIKE with an ESCAPE clause).

    `use_index=False` tells SQLite (only) not to start from the path index (`+column`, its
    documented way), for a page over a subtree so large that walking the ORDER BY index and
    filtering is cheaper than collecting and sorting the whole subtree; SQLite has no
    statistics to know that, PostgreSQL's planner has and decides alone.

    `path` is a string, or any SQL string expression (a bound parameter of a statement
    built once, another unit's path column) with `bounds` its `(X/, X0)` expressions.
    """

    inherit_cache = True
    _is_implicitly_boolean = True
    type = Boolean()
    _traverse_internals = [("pattern_form", InternalTraversal.dp_clauseelement),  # noqa: RUF012
                           ("range_form", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any, path: Any, *, use_index: bool = True,
                 bounds: tuple[Any, Any] | None = None) -> None:
        low, high = bounds if bounds is not None else (path + "/", path + "0")
        at_least, below = (column.op(op, is_comparison=True) for op in ("~>=~", "~<~"))
        self.pattern_form = or_(column == path, and_(at_least(low), below(high))).self_group()
        if not use_index:
            column = UnaryExpression(column, operator=custom_op("+"), type_=column.type)
        self.range_form = or_(column == path, and_(column >= low, column < high)).self_group()


@compiles(SubtreeOf)
def _subtree_range(element: SubtreeOf, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.range_form, **kw)


@compiles(SubtreeOf, "postgresql")
def _subtree_pattern(element: SubtreeOf, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.pattern_form, **kw)


@lru_cache(maxsize=4096)
def subtree_clause(column: Any, path: str, *, use_index: bool = True) -> ColumnElement[bool]:
    """`column` is `path` or below it: one predicate the path index serves (`SubtreeOf`).

    Built once per path (an immutable expression, shared by every request and thread that
    filters on it): building both store forms costs more than compiling the cached query."""
    return SubtreeOf(column, path, use_index=use_index)


def subtree_param(column: Any, name: str) -> ColumnElement[bool]:
    """`column` is the path bound as `name` or below it, for a statement built once: the
    values go in as `subtree_values(name, path)`."""
    return SubtreeOf(column, bindparam(name, type_=String),
                     bounds=(bindparam(name + "_lo", type_=String),
                             bindparam(name + "_hi", type_=String)))


def subtree_values(name: str, path: str) -> dict[str, str]:
    """The parameters of `subtree_param(column, name)` for `path`."""
    return {name: path, name + "_lo": path + "/", name + "_hi": path + "0"}


def within_any(column: Any, paths: list[str] | None, *,
               use_index: bool = True) -> ColumnElement[bool] | None:
    """A filter to the union of subtrees (None: no filter, the whole organisation)."""
    if paths is None:
        return None
    if not paths:
        return false()
    return or_(*(subtree_clause(column, p, use_index=use_index) for p in paths))


class Sight(Protocol):
    """What the caller may know exists (`access.sight` builds one from the token).

    A unit or employee the caller may not know answers exactly as one that does not exist
    (404 in the URL, 422 "No … X." as a reference in a body or a filter), so that no answer
    tells which codes or numbers exist outside their scope.
    """

    def unit(self, path: str) -> bool: ...

    def employee(self, employee_no: str, path: str) -> bool: ...


class _Everything:
    """The sight of the system itself (first-start loaders): it knows every row."""

    def unit(self, path: str) -> bool:
        return True

    def employee(self, employee_no: str, path: str) -> bool:
        return True


EVERYTHING: Sight = _Everything()


def storable(key: str) -> bool:
    """Could `key` be a stored code or number at all? A path parameter is not checked by the
    request parser: a NUL in it would make PostgreSQL refuse the query (a 5xx), so a key with
    a control, surrogate or bidi-override character is simply not found, on every store."""
    return not FORBIDDEN_CHARS.search(key)


def find_unit(session: Session, code: str) -> OrgUnit | None:
    if not storable(code):
        return None
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def get_unit(session: Session, code: str, *, field: str | None = None,
             sight: Sight = EVERYTHING) -> OrgUnit:
    """The unit, or the "No org unit X." error (404, or 422 naming `field`): also for a
    unit `sight` does not know."""
    unit = find_unit(session, code)
    if unit is None or not sight.unit(unit.path):
        raise missing("org unit", code, field)
    return unit


@contextmanager
def reading(session: Session) -> Iterator[Connection]:
    """A connection for a request that only reads (never use it where a write may follow in
    the same session: its statements would each commit on their own).

    Outside a transaction it is one of the engine's connections in autocommit
    (`shared.db.autocommit`: no BEGIN/ROLLBACK round trips, prepared statements kept),
    returned to the pool when the block ends. A session that already began (a write
    earlier in the request) keeps its transaction: its own connection is used.
    """
    own = session() if isinstance(session, scoped_session) else session
    if own.in_transaction():
        yield own.connection()
        return
    with autocommit(own.get_bind()).connect() as conn:
        yield conn


_UNIT_REF = select(OrgUnit.id, OrgUnit.path).where(OrgUnit.code == bindparam("code"))


def unit_ref(conn: Connection, code: str, *, field: str | None = None,
             sight: Sight = EVERYTHING) -> Any:
    """The unit's `(id, path)` row, without building the ORM object (as `get_unit` fails)."""
    row = None
    if storable(code):
        row = conn.execute(_UNIT_REF, {"code": code}).first()
    if row is None or not sight.unit(row.path):
        raise missing("org unit", code, field)
    return row


def get_position(session: Session, code: str, *, field: str | None = None) -> Position:
    position = None
    if storable(code):
        position = session.scalar(select(Position).where(Position.code == code))
    if position is None:
        raise missing("position", code, field)
    return position


#: How an employee is loaded for reading: unit and position joined (not the position's
#: duties nor the unit's parent, which no employee view shows), the manager joined for their
#: number only. Anything else is still there on access (lazy loads), so writers lose nothing.
EMPLOYEE_READ = (
    joinedload(Employee.unit).lazyload(OrgUnit.parent),
    joinedload(Employee.position).lazyload(Position.duties),
    joinedload(Employee.manager).load_only(Employee.employee_no).lazyload("*"),
)


def get_employee(session: Session, employee_no: str, *, field: str | None = None,
                 sight: Sight = EVERYTHING) -> Employee:
    """The employee, or "No employee X." (404, or 422 naming `field`): also for one `sight`
    does not know (a reference to them must not tell that the number exists)."""
    employee = None
    if storable(employee_no):
        employee = session.scalar(select(Employee).options(*EMPLOYEE_READ)
                                  .where(Employee.employee_no == employee_no))
    if employee is None or not sight.employee(employee_no, employee.unit.path):
        raise missing("employee", employee_no, field)
    return employee


def missing(kind: str, key: str, field: str | None) -> Exception:
    """404 for the resource in the URL; 422 naming the field for a reference in a body.

    The key is echoed with any forbidden character escaped (`\\u0000`), never raw."""
    shown = FORBIDDEN_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", key)
    message = f"No {kind} {shown}."
    if field:
        return ValidationFailed(message, errors={field: [message]})
    return NotFound(message)


def paginate(session: Session, stmt: Select[Any], *, page: int, per_page: int,
             order_by: Any) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(order_by).offset((page - 1) * per_page)
                           .limit(per_page)).unique().all()
    return list(rows), total
