"""The approvals inbox as one statement per page, its rows answered as they are.

`GET /leave/approvals` is what every approver's screen polls. Read through the ORM it was
three statements (a count, the page, the page's steps by `selectin`), an entity and an
identity-map entry per request and step, and a marshmallow dump of each: ~10 ms of CPU a
request, of which the database's work was ~1.5 ms (bench/README.md, "Leave at scale").
Here it is one SELECT per page:

- the page chosen and counted on the pending steps alone, with `count(*) OVER ()` — the
  total rides on every row, so a second statement counts only when the page holds no row
  (past the end, or an empty inbox past page 1). A step is pending exactly while its
  request is, so the requests are read for the page's rows only, not for every row
  counted (at 1,000,000 requests that join was most of PostgreSQL's work for an hr's
  inbox of hundreds); the caller's own requests are left out by their few pending ids;
- each request's steps aggregated in SQL into one JSON array of arrays (`json_agg` on
  PostgreSQL, `json_group_array` on SQLite), for the page's rows only (the page is a
  subquery: the steps are not built for every row the window counted);
- built once per *shape* of the caller's grants (how many, which kind) with every value a
  bound parameter (OFFSET too), LIMIT written into the text, and run on the DBAPI cursor
  (`shared.prepared.Prepared`) on an autocommit connection (`shared.db.autocommit`): no
  BEGIN/ROLLBACK, and psycopg keeps the statement prepared, so PostgreSQL plans it once.

Rows become the API's JSON-ready dicts directly (`item`): exactly what `views.request_dict`
dumped through `LeaveRequestRead` gives — dates as ISO text, days as 4 or 4.5, timestamps in
UTC with their offset, a step's decider and comment only when set.
`tests/leave/test_inbox_fast_path.py` holds the two paths to the same bytes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Connection,
    Integer,
    String,
    and_,
    bindparam,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from services.leave.models import ApprovalStep, LeaveRequest
from services.leave.service.access import Caller
from shared.db import autocommit
from shared.prepared import Prepared
from shared.scope import WHOLE_ORGANISATION


def _raw(column: Any) -> Any:
    """The driver's own value (a `Decimal` from psycopg, a number from SQLite), which
    `days` reads: SQLAlchemy's numeric processing needs a cursor's type codes that a
    statement run on the DBAPI cursor (`Prepared`) does not hand it."""
    return type_coerce(column, NullType()).label(column.key)


class iso_date(FunctionElement[Any]):
    """A date as `date.isoformat()` writes it, computed by the database (a page's rows then
    need no conversion in Python: it was a tenth of the inbox's CPU)."""

    type = String()
    inherit_cache = True
    name = "iso_date"


@compiles(iso_date, "postgresql")
def _iso_date_pg(element: iso_date, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


@compiles(iso_date)
def _iso_date_sqlite(element: iso_date, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)  # stored as YYYY-MM-DD


class iso_utc(FunctionElement[Any]):
    """A timestamp as `utc_text` writes it — ISO in UTC, `+00:00`, microseconds only when
    not zero (as `datetime.isoformat`) — computed by the database; NULL stays NULL."""

    type = String()
    inherit_cache = True
    name = "iso_utc"


@compiles(iso_utc, "postgresql")
def _iso_utc_pg(element: iso_utc, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    utc = f"({value} AT TIME ZONE 'UTC')"
    return (f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"mod(extract(microseconds FROM {utc})::bigint, 1000000) = 0 THEN '' "
            f"ELSE to_char({utc}, '.US') END || '+00:00')")


@compiles(iso_utc)
def _iso_utc_sqlite(element: iso_utc, compiler: Any, **kw: Any) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff', in UTC (`utc_text`'s naive case).
    value = compiler.process(element.clauses, **kw)
    return (f"(replace(substr({value}, 1, 19), ' ', 'T') || CASE WHEN "
            f"substr({value}, 21) IN ('', '000000') THEN '' "
            f"ELSE '.' || substr({value}, 21, 6) END || '+00:00')")


def _text(construct: type[FunctionElement[Any]], column: Any) -> Any:
    return construct(column).label(column.key)


#: The request's columns in the order `item` reads them (dates and timestamps as the API's
#: text).
REQUEST_COLUMNS = (
    LeaveRequest.id, LeaveRequest.employee_no, LeaveRequest.type_code,
    _text(iso_date, LeaveRequest.start_date), _text(iso_date, LeaveRequest.end_date),
    LeaveRequest.start_half,
    LeaveRequest.end_half, _raw(LeaveRequest.days), LeaveRequest.calendar,
    LeaveRequest.status, LeaveRequest.reason, LeaveRequest.stand_in,
    LeaveRequest.attachment_ref, LeaveRequest.unit_code, LeaveRequest.governing_code,
    _raw(LeaveRequest.routed_days), LeaveRequest.related_ids, LeaveRequest.policy_version,
    _raw(LeaveRequest.cancelled_days),
    LeaveRequest.filed_by, _text(iso_utc, LeaveRequest.created_at),
    _text(iso_utc, LeaveRequest.updated_at), LeaveRequest.version,
)
#: A step's values in the order `_step` reads them (level first: SQLite sorts by it).
STEP_COLUMNS = (
    ApprovalStep.level, ApprovalStep.role, ApprovalStep.org, ApprovalStep.org_path,
    ApprovalStep.final, ApprovalStep.status, ApprovalStep.unassigned, ApprovalStep.decided_by,
    ApprovalStep.decided_by_emp, iso_utc(ApprovalStep.decided_at), ApprovalStep.comment,
)


class steps_json(FunctionElement[Any]):
    """A JSON array of one array per step (`STEP_COLUMNS`): an aggregate."""

    type = JSON()
    inherit_cache = True
    name = "steps_json"


@compiles(steps_json, "postgresql")
def _steps_json_pg(element: steps_json, compiler: Any, **kw: Any) -> str:
    args = compiler.process(element.clauses, **kw)
    first = compiler.process(element.clauses.clauses[0], **kw)
    return f"json_agg(json_build_array({args}) ORDER BY {first})"


@compiles(steps_json)
def _steps_json_sqlite(element: steps_json, compiler: Any, **kw: Any) -> str:
    # SQLite (3.40 here) has no ORDER BY inside an aggregate: `_steps` sorts by level.
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


def _inline(name: str) -> Any:
    """LIMIT written into the SQL text (see `shared.prepared`): PostgreSQL's generic
    plan for the prepared page then knows it."""
    return bindparam(name, type_=Integer, literal_execute=True)


def _within(column: Any, name: str) -> Any:
    """`column` is the path bound as `name` or below it (one index range: paths compare
    bytewise, '0' follows '/'), its bounds bound too (`_within_values`)."""
    return or_(column == bindparam(name), and_(column >= bindparam(name + "_lo"),
                                               column < bindparam(name + "_hi")))


def _within_values(name: str, path: str) -> dict[str, str]:
    return {name: path, name + "_lo": path + "/", name + "_hi": path + "0"}


#: Written into the SQL, not bound: a prepared statement's generic plan then knows the
#: partial index's and the statistics' value (3.8 % of steps are pending, not a fifth).
PENDING = literal_column("'pending'")


class InboxShape(NamedTuple):
    """What the inbox statement depends on, its values aside: one `(kind, whole)` per arm —
    kind `role` (the grant's role over the step's unit), `admin` (any role there) or
    `unassigned` (hr: steps nobody holds in its governing branches); `whole` when the grant
    is on the whole organisation — and whether the caller has an employee number (whose
    own requests are left out)."""

    arms: tuple[tuple[str, bool], ...]
    has_emp: bool


def inbox_arguments(caller: Caller) -> tuple[InboxShape, dict[str, Any]]:
    """The caller's shape and values, arm by arm as `queries._inbox_condition` builds them."""
    arms: list[tuple[str, bool]] = []
    values: dict[str, Any] = {}
    for grant in caller.grants:
        if "leave:approve" not in grant.permissions:
            continue
        whole = grant.path == WHOLE_ORGANISATION
        kinds = ["admin" if grant.role == "admin" else "role"]
        if grant.role == "hr":
            kinds.append("unassigned")
        for kind in kinds:
            i = len(arms)
            arms.append((kind, whole))
            if kind == "role":
                values[f"role{i}"] = grant.role
            if not whole:
                values.update(_within_values(f"path{i}", grant.path))
    if caller.emp:
        values["emp"] = caller.emp
    return InboxShape(tuple(arms), bool(caller.emp)), values


def _inbox_where(shape: InboxShape) -> list[Any]:
    terms = []
    for i, (kind, whole) in enumerate(shape.arms):
        if kind == "unassigned":
            term = [ApprovalStep.unassigned.is_(True)]
            if not whole:  # the step carries its request's governing path (migration 0004)
                term.append(_within(ApprovalStep.governing_path, f"path{i}"))
        else:
            term = [ApprovalStep.role == bindparam(f"role{i}")] if kind == "role" else []
            if not whole:
                term.append(_within(ApprovalStep.org_path, f"path{i}"))
        terms.append(and_(*term) if term else true())
    where = [ApprovalStep.status == PENDING, or_(*terms) if terms else false()]
    if shape.has_emp:  # never the caller's own: their few pending requests, by index
        own = select(LeaveRequest.id).where(LeaveRequest.employee_no == bindparam("emp"),
                                            LeaveRequest.status == PENDING)
        where.append(ApprovalStep.request_id.not_in(own))
    return where


@lru_cache(maxsize=256)
def _inbox_page(shape: InboxShape) -> Prepared:
    # The page is chosen and counted on the steps alone: a step is pending exactly while
    # its request is (decisions, withdrawal), so only the page's requests are read.
    chosen = (select(ApprovalStep.request_id.label("id"), func.count().over().label("total"))
              .where(*_inbox_where(shape)).order_by(ApprovalStep.request_id)
              # OFFSET bound, LIMIT written in: one statement text per shape and page
              # size, which psycopg keeps prepared (with every page's offset written in
              # too, PostgreSQL parsed and planned nearly every page anew).
              .offset(bindparam("page_offset", type_=Integer))
              .limit(_inline("page_limit")).subquery("page"))
    steps = (select(steps_json(*STEP_COLUMNS))
             .where(ApprovalStep.request_id == LeaveRequest.id).scalar_subquery())
    return Prepared(select(*REQUEST_COLUMNS, chosen.c.total, steps.label("steps"))
                    .select_from(chosen.join(LeaveRequest.__table__,
                                             LeaveRequest.id == chosen.c.id))
                    .where(LeaveRequest.status == PENDING).order_by(chosen.c.id))


@lru_cache(maxsize=256)
def _inbox_count(shape: InboxShape) -> Prepared:
    return Prepared(select(func.count()).select_from(ApprovalStep.__table__)
                    .where(*_inbox_where(shape)))


def inbox(*, session: Session, caller: Caller, page: int,
          per_page: int) -> tuple[list[dict[str, Any]], int]:
    """GET /leave/approvals as `queries.inbox` answers it, its items as the API dumps them."""
    with autocommit(session.get_bind()).connect() as conn:
        return inbox_on(conn, caller=caller, page=page, per_page=per_page)


def inbox_on(conn: Connection, *, caller: Caller, page: int,
             per_page: int) -> tuple[list[dict[str, Any]], int]:
    """`inbox` on an autocommit connection (`api.direct`'s lane has no session)."""
    shape, values = inbox_arguments(caller)
    values.update(page_offset=(page - 1) * per_page, page_limit=per_page)
    rows = _inbox_page(shape).run(conn, values)
    if rows:
        return [item(row) for row in rows], rows[0][-2]
    total = _inbox_count(shape).run(conn, values)[0][0] if page > 1 else 0
    return [], total


# --- rows as the API answers them -------------------------------------------------------

def days(value: Decimal | float | str) -> int | float:
    """As `schemas.Days` dumps a day count (to the half day): 4, 4.5.

    Remembered by value: a page holds three counts a row and they are few distinct half
    days, while a Decimal quantize was the largest own cost of a page's rows. Exact — the
    answer depends on the number alone, and `Decimal("5.0")`, `Decimal(5)` and `5.0` are
    one key (equal, same hash) with one answer."""
    try:
        return _DAYS[value]
    except (KeyError, TypeError):
        pass
    answer = _days(value)
    if len(_DAYS) >= 4096:  # bounded: a history of odd counts cannot grow it for ever
        _DAYS.clear()
    if not isinstance(value, str):  # a str is not equal to its number: not a key
        _DAYS[value] = answer
    return answer


_DAYS: dict[Decimal | float, int | float] = {}


def _days(value: Decimal | float | str) -> int | float:
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    value = value.quantize(Decimal("0.1"))
    return int(value) if value == value.to_integral_value() else float(value)


def utc_text(value: dt.datetime) -> str:
    """As `shared.fields.UTCDateTime` dumps a timestamp: in UTC, with its offset (SQLite
    hands back naive datetimes, stored in UTC). One already in UTC (psycopg's, the
    session's zone being UTC) is written as it is."""
    tz = value.tzinfo
    if tz is dt.UTC:
        return value.isoformat()
    return (value.replace(tzinfo=dt.UTC) if tz is None
            else value.astimezone(dt.UTC)).isoformat()


def _step(values: list[Any]) -> dict[str, Any]:
    (level, role, org, org_path, final, status, unassigned, decided_by, decided_by_emp,
     decided_at, comment) = values
    out: dict[str, Any] = {"level": level, "role": role, "org": org, "org_path": org_path,
                           "final": bool(final), "status": status,
                           "unassigned": bool(unassigned)}
    if decided_by is not None:  # decided_at: already the API's text (`iso_utc`)
        out.update(decided_by=decided_by, decided_by_employee=decided_by_emp,
                   decided_at=decided_at)
    if comment is not None:
        out["comment"] = comment
    return out


def _steps(steps: Any) -> list[dict[str, Any]]:
    if not steps or steps == [None]:
        return []
    return [_step(s) for s in sorted(steps, key=lambda s: s[0])]


def item(row: tuple[Any, ...]) -> dict[str, Any]:
    """One page row (`REQUEST_COLUMNS`, the total, the steps) as `LeaveRequestRead` dumps
    `views.request_dict` of the same request."""
    (rid, employee_no, type_code, start_date, end_date, start_half, end_half, day_count,
     calendar, status, reason, stand_in, attachment_ref, unit_code, governing_code,
     routed_days, related_ids, policy_version, cancelled_days, filed_by, created_at,
     updated_at, version) = row[:23]
    return {
        "id": rid, "employee_no": employee_no, "type": type_code,
        "start_date": start_date, "end_date": end_date,
        "start_half": start_half, "end_half": end_half, "days": days(day_count),
        "calendar": calendar, "status": status, "reason": reason, "stand_in": stand_in,
        "attachment_ref": attachment_ref, "org": unit_code, "governing_branch": governing_code,
        "routed_days": days(routed_days), "related_requests": list(related_ids or ()),
        "policy_version": policy_version, "cancelled_days": days(cancelled_days),
        "filed_by": filed_by, "created_at": created_at, "updated_at": updated_at,
        "version": version,
        "steps": _steps(row[-1]),
    }


def entity_item(request: LeaveRequest) -> dict[str, Any]:
    """A request the use case holds as an entity (a write's answer), as `item` answers a
    row: what `LeaveRequestRead` dumps of `views.request_dict(request)`, without the
    schema's pass over it."""
    row = tuple(_as_text(getattr(request, key)) for key in _ENTITY_KEYS)
    steps = [[_as_text(getattr(step, key)) for key in _STEP_KEYS] for step in request.steps]
    return item((*row, None, steps))


def _as_text(value: Any) -> Any:
    """What `iso_date`/`iso_utc` give for an entity's value."""
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_ENTITY_KEYS = tuple(LeaveRequest.__mapper__.columns[c.key].key for c in REQUEST_COLUMNS)
_STEP_KEYS = ("level", "role", "org", "org_path", "final", "status", "unassigned",
              "decided_by", "decided_by_emp", "decided_at", "comment")
