"""Balances as sums of the append-only ledger (假期台账).

- `allocation`: the year's entitlement, written once per (employee, year, type) when first
  needed: annual leave from cumulative working time (职工带薪年休假条例, `domain.entitlement`);
  other types with a balance start at 0 and HR adds `adjustment` rows.
- `hold` / `release`: a pending request's days are held so that two pending requests cannot
  overbook; rejection, withdrawal or approval releases them.
- `consumption` / `reversal`: approved days are used; cancelled, untaken days come back.

entitled = allocation + adjustment; pending = hold − release; used = consumption − reversal;
remaining = entitled − used − pending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.leave.domain.entitlement import annual_entitlement
from services.leave.domain.errors import EntitlementError
from services.leave.models import LeaveRequest, LeaveType, LedgerEntry
from shared.audit import Actor

ZERO = Decimal(0)
ANNUAL = "annual"

#: Staff's employee record (hire_date, work_start_date as ISO text), fetched only when needed.
EmployeeRecord = Callable[[], dict[str, Any] | None]


def sums(session: Session, employee_no: str, year: int) -> dict[str, dict[str, Decimal]]:
    """Per type: entitled, used, pending — one grouped query over the employee's year."""
    def total(*kinds: str, sign: int = 1) -> Any:
        return func.coalesce(func.sum(case(
            (LedgerEntry.kind.in_(kinds), LedgerEntry.days * sign), else_=0)), 0)

    rows = session.execute(
        select(LedgerEntry.type_code,
               total("allocation", "adjustment"),
               total("consumption") - total("reversal"),
               total("hold") - total("release"),
               func.sum(case((LedgerEntry.kind == "allocation", 1), else_=0)))
        .where(LedgerEntry.employee_no == employee_no, LedgerEntry.year == year)
        .group_by(LedgerEntry.type_code)).all()
    return {code: {"entitled": Decimal(e), "used": Decimal(u), "pending": Decimal(p),
                   "allocated": bool(a)} for code, e, u, p, a in rows}


def _entry(session: Session, *, employee_no: str, year: int, type_code: str, kind: str,
           days: Decimal, actor: Actor, request_id: int | None = None, note: str = "") -> None:
    session.add(LedgerEntry(employee_no=employee_no, year=year, type_code=type_code, kind=kind,
                            days=Decimal(days), request_id=request_id, note=note[:300],
                            actor=actor.sub))


def _sick_days(session: Session, employee_no: str, year: int) -> Decimal:
    rows = session.scalars(select(LeaveRequest.days_by_year).where(
        LeaveRequest.employee_no == employee_no, LeaveRequest.type_code == "sick",
        LeaveRequest.status == "approved")).all()
    return sum((Decimal(r.get(str(year), 0)) for r in rows), ZERO)


def _once(fetch: EmployeeRecord) -> Callable[[], dict[str, Any]]:
    """Staff's record, asked at most once (and only if an annual allocation needs it)."""
    found: list[dict[str, Any]] = []

    def get() -> dict[str, Any]:
        if not found:
            found.append(fetch() or {})
        return found[0]
    return get


def _allocation(session: Session, employee_no: str, year: int, leave_type: LeaveType,
                record: Callable[[], dict[str, Any]]) -> tuple[Decimal, str]:
    """The year's allocation for the type, with its note (what `ensure_allocations` writes)."""
    if leave_type.code == ANNUAL:
        return _annual(session, employee_no, year, record())
    return ZERO, "no statutory entitlement for this type; HR adjusts"


def ensure_allocations(session: Session, *, employee_no: str, years: Iterable[int],
                       types: Iterable[LeaveType], employee: EmployeeRecord,
                       actor: Actor) -> None:
    """Write the missing allocation rows (once per employee, year and type with a balance).

    Annual leave follows the regulation on the hire and work-start dates staff keeps; the
    §4 exclusions are applied with what the ledger knows when the year is first allocated
    (sick leave approved so far; `personal` leave is unpaid, so §4(二) does not apply to it).
    """
    wanted = [t for t in types if t.has_balance]
    if not wanted:
        return
    record = _once(employee)
    for year in years:
        known = sums(session, employee_no, year)
        for leave_type in wanted:
            if known.get(leave_type.code, {}).get("allocated"):
                continue
            days, note = _allocation(session, employee_no, year, leave_type, record)
            _entry(session, employee_no=employee_no, year=year, type_code=leave_type.code,
                   kind="allocation", days=days, actor=actor, note=note)
    session.flush()


def remaining_by_year(session: Session, *, employee_no: str, years: Iterable[int],
                      leave_type: LeaveType, employee: EmployeeRecord) -> dict[int, Decimal]:
    """`remaining` per year, counting a year's allocation that is not written yet as
    `ensure_allocations` would write it — so a preview, which writes nothing, reads the
    same balance filing does after allocating."""
    record = _once(employee)
    out: dict[int, Decimal] = {}
    for year in years:
        found = sums(session, employee_no, year).get(leave_type.code)
        if found is None:
            found = {"entitled": ZERO, "used": ZERO, "pending": ZERO, "allocated": False}
        entitled = found["entitled"]
        if not found["allocated"]:
            entitled += _allocation(session, employee_no, year, leave_type, record)[0]
        out[year] = entitled - found["used"] - found["pending"]
    return out


def _annual(session: Session, employee_no: str, year: int,
            record: dict[str, Any]) -> tuple[Decimal, str]:
    if not record.get("hire_date"):
        return ZERO, "no hire date known"
    hire = dt.date.fromisoformat(record["hire_date"])
    start = record.get("work_start_date")
    try:
        granted = annual_entitlement(
            year=year, hire_date=hire,
            work_start_date=dt.date.fromisoformat(start) if start else None,
            personal_leave_pay_deducted=True, sick_leave_days=_sick_days(session, employee_no,
                                                                         year))
    except EntitlementError as exc:
        return ZERO, str(exc)
    note = f"annual leave {year}: {granted.days} of {granted.full_year_days}"
    if granted.prorated:
        note += ", pro-rated"
    if granted.excluded_by:
        note += f", excluded by {granted.excluded_by}"
    return Decimal(granted.days), note


def by_year(request: LeaveRequest) -> dict[int, Decimal]:
    return {int(y): Decimal(d) for y, d in (request.days_by_year or {}).items()}


def hold(session: Session, request: LeaveRequest, actor: Actor,
         days: dict[int, Decimal] | None = None) -> None:
    for year, amount in (days or by_year(request)).items():
        if amount:
            _entry(session, employee_no=request.employee_no, year=year,
                   type_code=request.type_code, kind="hold", days=amount, actor=actor,
                   request_id=request.id)


def release(session: Session, request: LeaveRequest, actor: Actor,
            days: dict[int, Decimal] | None = None) -> None:
    for year, amount in (days or by_year(request)).items():
        if amount:
            _entry(session, employee_no=request.employee_no, year=year,
                   type_code=request.type_code, kind="release", days=amount, actor=actor,
                   request_id=request.id)


def consume(session: Session, request: LeaveRequest, actor: Actor) -> None:
    """Approval: the held days become used days."""
    release(session, request, actor)
    for year, amount in by_year(request).items():
        if amount:
            _entry(session, employee_no=request.employee_no, year=year,
                   type_code=request.type_code, kind="consumption", days=amount, actor=actor,
                   request_id=request.id)


def reverse(session: Session, request: LeaveRequest, actor: Actor,
            days: dict[int, Decimal]) -> None:
    """Cancellation: untaken days go back to the balance."""
    for year, amount in days.items():
        if amount:
            _entry(session, employee_no=request.employee_no, year=year,
                   type_code=request.type_code, kind="reversal", days=amount, actor=actor,
                   request_id=request.id)


def adjust(session: Session, *, employee_no: str, year: int, type_code: str, days: Decimal,
           note: str, actor: Actor) -> None:
    _entry(session, employee_no=employee_no, year=year, type_code=type_code,
           kind="adjustment", days=days, actor=actor, note=note)


def remaining(session: Session, employee_no: str, year: int, type_code: str) -> Decimal:
    found = sums(session, employee_no, year).get(type_code)
    if not found:
        return ZERO
    return found["entitled"] - found["used"] - found["pending"]


def balances(session: Session, *, employee_no: str, year: int,
             types: Iterable[LeaveType]) -> list[dict[str, Any]]:
    known = sums(session, employee_no, year)
    out = []
    for leave_type in types:
        if not leave_type.has_balance:
            continue
        row = known.get(leave_type.code, {"entitled": ZERO, "used": ZERO, "pending": ZERO})
        out.append({"type": leave_type.code, "entitled": row["entitled"], "used": row["used"],
                    "pending": row["pending"],
                    "remaining": row["entitled"] - row["used"] - row["pending"]})
    return out


def entries(session: Session, *, employee_no: str, year: int, page: int,
            per_page: int) -> tuple[list[LedgerEntry], int]:
    query = select(LedgerEntry).where(LedgerEntry.employee_no == employee_no,
                                      LedgerEntry.year == year)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(LedgerEntry.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
