"""A decision's reads and writes as Core statements, not through the ORM's unit of work.

A decision is the hot write (two of a flow's three answers). Through the ORM it loaded the
request and its steps as entities into the identity map, flushed the request twice (its
status, then `updated_at`: two UPDATEs, two version bumps), read the trail's last row in a
statement of its own and inserted the signed row through a flush; SQLAlchemy was about half
of leave's CPU per flow (bench/README.md, "Leave at scale"). Here:

1. `lock_owner`: the requester's write lock taken by the request's id — one
   `INSERT … SELECT … ON CONFLICT DO UPDATE … RETURNING` both finds whose request it is and
   locks them (before: a SELECT, then the upsert). The owner of a request never changes,
   so nothing the write depends on is read before the lock.
2. `read`: after the lock, the request, its type's balance flag, its steps and its trail's
   last `(seq, hash)` in one SELECT, into plain objects with the entities' attribute names
   (the access rules, `views` and `pages.entity_item` read them as they read entities).
3. `write_request`: one UPDATE of the request, `WHERE version = <read>` and bumping it — a
   writer that read an older version updates nothing and answers 409, exactly as the ORM's
   `version_id_col` did; then the steps that changed in one executemany.

The audit row and the outbox rows are still added to the same session and commit with it.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.leave.models import ApprovalStep, EmployeeLock, LeaveRequest, LeaveType, Transition
from shared.errors import Conflict

_REQUEST = LeaveRequest.__table__
_STEP = ApprovalStep.__table__
_STEP_LABELS = tuple((c.name, f"step_{c.name}") for c in _STEP.c)

_last_seq = (select(func.max(Transition.seq))
             .where(Transition.request_id == bindparam("rid")).scalar_subquery())
_last_hash = (select(Transition.hash).where(Transition.request_id == bindparam("rid"))
              .order_by(Transition.seq.desc()).limit(1).scalar_subquery())

#: The request (every column), its type's balance flag, one row per step by level, and the
#: trail's last row: read once the employee's lock is held.
READ = (select(*_REQUEST.c, LeaveType.has_balance.label("type_has_balance"),
               *(_STEP.c[name].label(label) for name, label in _STEP_LABELS),
               _last_seq.label("trail_seq"), _last_hash.label("trail_hash"))
        .select_from(_REQUEST.outerjoin(LeaveType.__table__,
                                        LeaveType.code == _REQUEST.c.type_code)
                     .outerjoin(_STEP, _STEP.c.request_id == _REQUEST.c.id))
        .where(_REQUEST.c.id == bindparam("rid")).order_by(_STEP.c.level))

#: One decided (or newly pending) step: every decision column, by the step's id.
WRITE_STEP = (update(_STEP).where(_STEP.c.id == bindparam("b_id"))
              .values(status=bindparam("b_status"), decided_by=bindparam("b_decided_by"),
                      decided_by_emp=bindparam("b_decided_by_emp"),
                      decided_at=bindparam("b_decided_at"), comment=bindparam("b_comment")))


def lock_owner(session: Session, request_id: int) -> str | None:
    """Take the write lock of request `request_id`'s employee (`common.lock_employee`'s
    upsert, by the request's id) and answer who that is; None when there is no such
    request (nothing is locked)."""
    dialect = session.get_bind().dialect.name
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(EmployeeLock)
    owner = select(_REQUEST.c.employee_no, literal(1)).where(_REQUEST.c.id == request_id)
    stmt = (insert.from_select(["employee_no", "writes"], owner)
            .on_conflict_do_update(index_elements=["employee_no"],
                                   set_={"writes": EmployeeLock.writes + 1})
            .returning(EmployeeLock.employee_no))
    return session.execute(stmt).scalar()


def read(session: Session, request_id: int) -> tuple[Any, bool, tuple[int, str] | None]:
    """The request as a plain object (its steps in `.steps`, by level), whether its type
    keeps a balance, and its trail's last `(seq, hash)` (None: no row yet)."""
    rows = session.execute(READ, {"rid": request_id}).mappings().all()
    first = rows[0]
    request = SimpleNamespace(**{c.name: first[c.name] for c in _REQUEST.c})
    request.steps = [SimpleNamespace(**{name: row[label] for name, label in _STEP_LABELS})
                     for row in rows if row["step_id"] is not None]
    last = None if first["trail_seq"] is None else (first["trail_seq"], first["trail_hash"])
    return request, bool(first["type_has_balance"]), last


def write_request(session: Session, request: Any, *, now: dt.datetime,
                  steps: list[Any]) -> None:
    """Write the request's new status (version-checked, bumped once) and `steps`; set the
    object's `updated_at` and `version` as they now are in the store."""
    done = session.execute(
        update(_REQUEST).where(_REQUEST.c.id == request.id,
                               _REQUEST.c.version == request.version)
        .values(status=request.status, updated_at=now, version=request.version + 1))
    if done.rowcount != 1:  # another worker moved the request since we read it
        session.rollback()
        raise Conflict("The request changed meanwhile; read it again.")
    request.updated_at, request.version = now, request.version + 1
    if steps:
        session.execute(WRITE_STEP, [
            {"b_id": s.id, "b_status": s.status, "b_decided_by": s.decided_by,
             "b_decided_by_emp": s.decided_by_emp, "b_decided_at": s.decided_at,
             "b_comment": s.comment} for s in steps])


def sign(session: Session, row: dict[str, Any]) -> None:
    """Insert the signed trail row (`trail.signed_row`) now, in the same transaction."""
    session.execute(Transition.__table__.insert(), row)
