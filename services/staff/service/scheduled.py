"""Dated changes: scheduling hires and status changes, applying what has come due, cancelling.

How a dated change takes effect: it is *applied* — a write to `employees`, audited, which
moves the read generation like any other write — by the due-changes step `apply_due`. The
app runs it before the first request of each local day in every process (so a listing,
chain, scope check or routing answer of day D already shows changes dated D), and
`python -m services.staff apply-scheduled` runs it for cron. A change is checked when it is
asked for *and* again on its date, with the same rules as an immediate one (a unit closed
since, a manager who left, a customer-manager qualification withdrawn since: 409/422 then);
one that no longer passes is marked `failed` with the reason, audited, and changes nothing.
Each change is claimed by a conditional update before it is made, so two processes running
the step at once make it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from services.staff.models import AuditEvent, Employee, OrgUnit, ScheduledChange
from services.staff.service import assignments, employees, schedule_store
from services.staff.service.common import (
    EVERYTHING,
    Sight,
    get_employee,
    get_unit,
    paginate,
    within_any,
)
from shared.audit import Actor, record, utcnow
from shared.errors import AppError, Conflict, NotFound, ValidationFailed

SCHEDULER = Actor.system("staff:scheduler")
STATES = ("scheduled", "applied", "cancelled", "failed")


def schedule_hire(*, session: Session, employee_in: dict[str, Any], actor: Actor,
                  sight: Sight = EVERYTHING) -> ScheduledChange:
    """A hire dated after today: checked as a hire is, the number reserved, nobody created
    until the date (no listing, chain or scope sees them before)."""
    checked = employees.check_employee(session, employee_in, sight=sight)
    if checked.errors:
        conflict = checked.errors.get("employee_no")
        if conflict and len(checked.errors) == 1:
            raise Conflict(conflict[0])
        raise ValidationFailed("The employee cannot be created.", errors=checked.errors)
    assert checked.unit is not None
    change = schedule_store.schedule(
        session, kind="hire", employee_no=employee_in["employee_no"],
        effective=employee_in["hire_date"], unit=checked.unit,
        details=schedule_store.jsonable(employee_in), actor=actor)
    session.commit()
    return change


def schedule_status(*, session: Session, employee_no: str, status: str, reason: str | None,
                    effective: dt.date, actor: Actor) -> ScheduledChange:
    """A status change (e.g. leaving at the end of next month) dated after today."""
    employee = get_employee(session, employee_no)
    if employee.status == status:
        raise Conflict(f"{employee_no} is already {status}.")
    change = schedule_store.schedule(
        session, kind="status", employee_no=employee_no, effective=effective,
        unit=employee.unit, details={"status": status, "reason": reason}, actor=actor)
    session.commit()
    return change


def apply_due(*, session: Session, today: dt.date, actor: Actor = SCHEDULER) -> dict[str, int]:
    """Apply every change dated today or earlier, oldest date first, each in its own
    transaction (one that fails its checks does not hold back the others)."""
    ids = list(session.scalars(
        select(ScheduledChange.id).where(ScheduledChange.pending == 1,
                                         ScheduledChange.effective_date <= today)
        .order_by(ScheduledChange.effective_date, ScheduledChange.id)))
    session.rollback()  # end the read: each change starts its own transaction with its claim
    counts = {"applied": 0, "failed": 0}
    for change_id in ids:
        outcome = _apply_one(session, change_id, actor)
        if outcome is not None:
            counts[outcome] += 1
    return counts


def _claim(session: Session, change_id: int, state: str, actor: Actor,
           outcome: str | None = None) -> bool:
    """Resolve a pending change; False if another process (or a cancel) got there first."""
    result = session.execute(
        update(ScheduledChange)
        .where(ScheduledChange.id == change_id, ScheduledChange.pending == 1)
        .values(pending=None, state=state, outcome=outcome, resolved_by=actor.sub,
                resolved_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _apply_one(session: Session, change_id: int, actor: Actor) -> str | None:
    try:
        if not _claim(session, change_id, "applied", actor):
            session.rollback()
            return None
        change = session.get(ScheduledChange, change_id, populate_existing=True)
        assert change is not None
        _make(session, change, actor)
        session.commit()
        return "applied"
    except (AppError, IntegrityError) as exc:  # its checks no longer pass: failed, audited
        session.rollback()
        reason = _reason(exc) if isinstance(exc, AppError) else f"Refused by the store: " \
            f"{str(exc.orig)[:300]}"
        if not _claim(session, change_id, "failed", actor, reason[:1000]):
            session.rollback()
            return None
        change = session.get(ScheduledChange, change_id, populate_existing=True)
        assert change is not None
        record(session, AuditEvent, actor=actor, action="employee.scheduled_change_failed",
               target_type="employee", target_id=change.employee_no,
               after=schedule_store.change_dict(change))
        session.commit()
        return "failed"


def _reason(exc: AppError) -> str:
    fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in (exc.errors or {}).items())
    return f"{exc.detail} {fields}".strip()


def _make(session: Session, change: ScheduledChange, actor: Actor) -> None:
    """Make the change as the immediate write would, checks included (no commit)."""
    details = change.details
    if change.kind == "transfer":
        employee = get_employee(session, change.employee_no)
        unit = get_unit(session, details["org"], field="org")
        transfer_in = {**details, "effective_date": change.effective_date}
        plan = assignments.plan_transfer(session, employee, unit, transfer_in)
        assignments.apply_transfer(session, plan, actor, scheduled_id=change.id)
    elif change.kind == "status":
        employees.change_status(session=session, employee_no=change.employee_no,
                                status=details["status"], reason=details.get("reason"),
                                actor=actor, commit=False)
    else:
        data = {**details, "hire_date": change.effective_date,
                "work_start_date": _date(details.get("work_start_date"))}
        employees.create_employee(session=session, employee_in=data, actor=actor,
                                  commit=False)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def get_change(session: Session, change_id: int, can: Callable[[str], bool]
               ) -> tuple[ScheduledChange, str, str | None]:
    """The change, its unit's path and the employee's current unit path (None for a hire);
    404 unless the caller `can` act over one of them. Paths are read now, not as they were
    when it was scheduled: a unit may have moved since."""
    change = session.get(ScheduledChange, change_id)
    if change is None:
        raise NotFound(f"No scheduled change {change_id}.")
    target = session.scalar(select(OrgUnit.path).where(OrgUnit.code == change.org)) \
        or change.org_path
    current = None
    if change.kind != "hire":
        current = session.scalar(select(OrgUnit.path)
                                 .join(Employee, Employee.unit_id == OrgUnit.id)
                                 .where(Employee.employee_no == change.employee_no))
    if not can(target) and (current is None or not can(current)):
        raise NotFound(f"No scheduled change {change_id}.")
    return change, target, current


def cancel(*, session: Session, change_id: int, reason: str | None, actor: Actor,
           can_read: Callable[[str], bool],
           require_write: Callable[[ScheduledChange, str, str | None], None]
           ) -> ScheduledChange:
    """Cancel a pending change (audited with the reason); a resolved one is a 409."""
    change, target, current = get_change(session, change_id, can_read)
    require_write(change, target, current)
    before = schedule_store.change_dict(change)
    if not _claim(session, change_id, "cancelled", actor, reason):
        session.rollback()
        raise Conflict(f"The scheduled change {change_id} is {change.state}, not pending.")
    session.refresh(change)
    record(session, AuditEvent, actor=actor, action="employee.scheduled_change_cancelled",
           target_type="employee", target_id=change.employee_no, before=before,
           after=schedule_store.change_dict(change))
    session.commit()
    return change


def list_changes(*, session: Session, scopes: list[str] | None, page: int, per_page: int,
                 state: str | None = None, employee_no: str | None = None,
                 kind: str | None = None) -> tuple[list[ScheduledChange], int]:
    """Changes over the caller's units (target unit or the employee's current one), soonest
    first."""
    unit = aliased(OrgUnit)  # the change's unit, where it is now
    stmt = select(ScheduledChange).outerjoin(
        Employee, Employee.employee_no == ScheduledChange.employee_no
    ).outerjoin(OrgUnit, OrgUnit.id == Employee.unit_id
                ).outerjoin(unit, unit.code == ScheduledChange.org)
    target = within_any(func.coalesce(unit.path, ScheduledChange.org_path), scopes,
                        use_index=False)
    current = within_any(OrgUnit.path, scopes)
    if target is not None and current is not None:
        stmt = stmt.where(or_(target, current))
    for column, value in ((ScheduledChange.state, state),
                          (ScheduledChange.employee_no, employee_no),
                          (ScheduledChange.kind, kind)):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(session, stmt.order_by(ScheduledChange.effective_date), page=page,
                    per_page=per_page, order_by=ScheduledChange.id)
