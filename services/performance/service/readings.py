"""Scorecards and roll-ups answered straight from rows (issue #11: a scorecard p95 ≤ 25 ms,
a 2,000-employee roll-up ≤ 250 ms at 16 connections).

The documented answers (`ScorecardRead`, `RollupRead`) used to be built by loading ORM
`Incident` objects and dumping them with marshmallow: under cProfile that was about half of
a scorecard's CPU, the SQL a small part. Here the same statements (same filters, same order,
the roll-up's grouping and window totals in SQL as before) are compiled once
(`shared.prepared.Prepared`) and run on an autocommit connection (`shared.db.autocommit`: no
BEGIN/ROLLBACK round trips; psycopg keeps them prepared, PostgreSQL reuses their plans), and
the rows are written into exactly the dicts the schemas' dump gives — same keys in the same
order, same values (money as the fen-exact float `Money` writes, dates and UTC timestamps
in ISO form) — which orjson then writes (`shared.jsonio`). The incident's keys are read from
`IncidentRead` itself, so a field added there is either written here too or fails loudly
at import. `tests/performance/test_fast_answers.py` holds both paths to the same bytes.

A unit's subtree is `unit_path = X OR X/ ≤ unit_path < X0` compared byte by byte (`_subtree`):
the strings that start with `X/`, as `LIKE 'X/%'` (unit codes have no `%` or `_` to escape),
but a range both stores' path index serves also when X is a parameter of a prepared
statement (a LIKE with a parameter pattern is no index range in PostgreSQL's generic plan,
and SQLite uses no index for a LIKE with ESCAPE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import marshmallow as ma
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    Numeric,
    TypeDecorator,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.sql.visitors import InternalTraversal

from services.performance.domain.periods import Period
from services.performance.domain.scorecards import NO_EXCELLENCE, STANDING, totals
from services.performance.models import Incident
from services.performance.schemas.fields import Money, UTCDateTime
from services.performance.schemas.incidents import IncidentRead
from shared.db import autocommit
from shared.prepared import Prepared

FEN = Decimal("0.01")


def money(value: Any) -> float | None:
    """What `Money` writes: the amount quantised to the fen, as a JSON number."""
    return None if value is None else float(Decimal(str(value)).quantize(FEN))


def _timestamp(value: dt.datetime | None) -> str | None:
    """What `UTCDateTime` writes: UTC with its offset (SQLite's naive values are UTC)."""
    if value is None:
        return None
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value.isoformat()


class _Amount(TypeDecorator[Decimal]):
    """A money column as `Prepared` reads it: what SQLAlchemy hands the ORM. psycopg returns
    NUMERIC as `Decimal` itself (SQLAlchemy adds no processor for it, but would need the
    column's type code to know that, which `Prepared` does not pass); SQLite's floats go
    through SQLAlchemy's own `Numeric(12, 2)` conversion (`Decimal("%.2f" % value)`)."""

    impl = Numeric(12, 2, asdecimal=True)
    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name == "postgresql":
            return None
        return self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype)


def _amount(column: Any) -> Any:
    return type_coerce(column, _Amount())


def _nullable(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


#: How each field type of `IncidentRead` writes a value (checked in this order: subclasses
#: first). A type not listed stops the import: the fast answer would not be the schema's.
_WRITERS: tuple[tuple[type[ma.fields.Field], Callable[[Any], Any] | None], ...] = (
    (Money, money), (UTCDateTime, _timestamp),
    (ma.fields.Date, _nullable(dt.date.isoformat)), (ma.fields.Boolean, _nullable(bool)),
    (ma.fields.Integer, _nullable(int)), (ma.fields.String, None))


def _incident_fields() -> tuple[tuple[str, ...], tuple[Any, ...],
                                tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """(keys, columns, converters by index) in `IncidentRead`'s order."""
    keys, columns, converters = [], [], []
    for index, (name, field) in enumerate(IncidentRead().dump_fields.items()):
        writer = next((w for kind, w in _WRITERS if isinstance(field, kind)), False)
        if writer is False:
            raise TypeError(f"IncidentRead.{name}: no row writer for {type(field).__name__}")
        keys.append(name)
        column = getattr(Incident, field.attribute or name)
        columns.append(_amount(column) if isinstance(column.type, Numeric) else column)
        if writer is not None:
            converters.append((index, writer))
    return tuple(keys), tuple(columns), tuple(converters)


INCIDENT_KEYS, _INCIDENT_COLUMNS, _INCIDENT_CONVERTERS = _incident_fields()
_STATUS, _POINTS, _AMOUNT, _CONSEQUENCE = (
    INCIDENT_KEYS.index(key) for key in ("status", "points", "deduction_amount", "consequence"))
#: The standing statuses written into the SQL (a constant list, not an expanding parameter).
_STANDING = Incident.status.in_([literal_column(f"'{s}'") for s in STANDING])


class _Subtree(ColumnElement[bool]):
    """`unit_path` is the bound `path` or below it (see the module docstring): PostgreSQL
    with the byte-wise pattern operators of its `varchar_pattern_ops` index, SQLite with
    `>=`/`<` under its binary collation."""

    inherit_cache = True
    _is_implicitly_boolean = True
    type = Boolean()
    _traverse_internals = [("pattern_form", InternalTraversal.dp_clauseelement),  # noqa: RUF012
                           ("range_form", InternalTraversal.dp_clauseelement)]

    def __init__(self) -> None:
        column, path = Incident.unit_path, bindparam("path")
        low, high = bindparam("path_low"), bindparam("path_high")
        at_least, below = (column.op(op, is_comparison=True) for op in ("~>=~", "~<~"))
        self.pattern_form = or_(column == path, and_(at_least(low), below(high))).self_group()
        self.range_form = or_(column == path, and_(column >= low, column < high)).self_group()


@compiles(_Subtree)
def _subtree_range(element: _Subtree, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.range_form, **kw)


@compiles(_Subtree, "postgresql")
def _subtree_pattern(element: _Subtree, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.pattern_form, **kw)


def _subtree_values(path: str) -> dict[str, str]:
    return {"path": path, "path_low": path + "/", "path_high": path + "0"}  # '0' follows '/'


@contextmanager
def _reading(session: Session | scoped_session[Session]) -> Iterator[Connection]:
    """An autocommit connection for a request that only reads, or the session's own when a
    transaction already began (a write earlier in the request must be seen)."""
    own = session() if isinstance(session, scoped_session) else session
    if own.in_transaction():
        if own.new or own.dirty or own.deleted:
            own.flush()
        yield own.connection()
        return
    with autocommit(own.get_bind()).connect() as conn:
        yield conn


_CARD = Prepared(select(*_INCIDENT_COLUMNS).where(
    Incident.employee_no == bindparam("employee_no"),
    Incident.occurred_on >= bindparam("starts_on"),
    Incident.occurred_on <= bindparam("ends_on"), _STANDING)
    .order_by(Incident.occurred_on, Incident.id))


class _Standing:
    """A row as `domain.scorecards.totals` reads an incident."""

    __slots__ = ("consequence", "deduction_amount", "points", "status")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.status, self.points = row[_STATUS], row[_POINTS]
        self.deduction_amount, self.consequence = row[_AMOUNT], row[_CONSEQUENCE]


def scorecard(*, session: Session | scoped_session[Session], employee_no: str,
              period: Period) -> dict[str, Any]:
    """`ScorecardRead` of the employee's period, as its dump writes it."""
    with _reading(session) as conn:
        return scorecard_on(conn, employee_no=employee_no, period=period)


def scorecard_on(conn: Connection, *, employee_no: str, period: Period) -> dict[str, Any]:
    """`scorecard` on a connection (`api.direct`'s lane has no session)."""
    rows = _CARD.run(conn, {"employee_no": employee_no, "starts_on": period.starts_on,
                            "ends_on": period.ends_on})
    result = totals(_Standing(row) for row in rows)
    incidents = []
    for row in rows:
        values = list(row)
        for index, convert in _INCIDENT_CONVERTERS:
            values[index] = convert(values[index])
        incidents.append(dict(zip(INCIDENT_KEYS, values, strict=True)))
    return {"employee_no": employee_no, "period": period.code,
            "starts_on": period.starts_on.isoformat(), "ends_on": period.ends_on.isoformat(),
            "points_deducted": result.points_deducted,
            "bonus_deducted": money(result.bonus_deducted),
            "excellence_eligible": result.excellence_eligible,
            "disqualified": result.disqualified, "incidents": incidents}


def _page_number(name: str) -> Any:
    """LIMIT/OFFSET written into the SQL text (PostgreSQL's generic plan then knows them)."""
    return bindparam(name, type_=Integer, literal_execute=True)


_GROUPED = (select(Incident.employee_no,
                   func.max(Incident.employee_name).label("name"),
                   func.max(Incident.unit_code).label("unit"),
                   func.coalesce(func.sum(Incident.points), 0).label("points"),
                   _amount(func.coalesce(func.sum(Incident.deduction_amount), 0))
                   .label("bonus"),
                   func.count(Incident.id).label("incidents"),
                   func.max(case((Incident.consequence.in_(
                       [literal_column(f"'{c}'") for c in sorted(NO_EXCELLENCE)]), 1),
                       else_=0)).label("no_excellence"),
                   func.max(case((Incident.consequence == literal_column("'disqualification'"),
                                  1), else_=0)).label("disqualified"))
            .where(_Subtree(), Incident.occurred_on >= bindparam("starts_on"),
                   Incident.occurred_on <= bindparam("ends_on"), _STANDING)
            .group_by(Incident.employee_no).subquery())
_ROLLUP_PAGE = Prepared(
    select(_GROUPED, func.count().over(), func.sum(_GROUPED.c.points).over(),
           func.sum(_GROUPED.c.bonus).over(), func.sum(_GROUPED.c.disqualified).over())
    .order_by(_GROUPED.c.employee_no)
    .offset(_page_number("page_offset")).limit(_page_number("page_limit")))
_ROLLUP_TOTALS = Prepared(select(
    func.count(), func.coalesce(func.sum(_GROUPED.c.points), 0),
    func.coalesce(func.sum(_GROUPED.c.bonus), 0),
    func.coalesce(func.sum(_GROUPED.c.disqualified), 0)))


def rollup(*, session: Session | scoped_session[Session], unit: dict[str, Any],
           period: Period, page: int, per_page: int) -> dict[str, Any]:
    """`RollupRead` of the unit's subtree and period, as its dump writes it: one statement
    (the page's rows carry the totals over every group); a page past the end asks again
    for the totals."""
    params = {**_subtree_values(unit["path"]), "starts_on": period.starts_on,
              "ends_on": period.ends_on}
    with _reading(session) as conn:
        rows = _ROLLUP_PAGE.run(conn, {**params, "page_offset": (page - 1) * per_page,
                                       "page_limit": per_page})
        found = rows[0][8:] if rows else _ROLLUP_TOTALS.run(conn, params)[0]
    employees, points, bonus, disqualified = found
    items = [{"employee_no": no, "name": name, "unit": code,
              "points_deducted": int(row_points), "bonus_deducted": money(row_bonus),
              "incidents": int(count), "excellence_eligible": not no_excellence,
              "disqualified": bool(row_disqualified)}
             for (no, name, code, row_points, row_bonus, count, no_excellence,
                  row_disqualified, *_totals) in rows]
    return {"unit": unit["code"], "period": period.code,
            "starts_on": period.starts_on.isoformat(), "ends_on": period.ends_on.isoformat(),
            "employees_with_incidents": int(employees), "points_deducted": int(points),
            "bonus_deducted": money(bonus), "disqualified": int(disqualified),
            "items": items, "total": int(employees), "page": page, "per_page": per_page}
