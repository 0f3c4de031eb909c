"""What happens to a filed request: decisions step by step, withdrawal, cancellation, and a
recount when HR changes the calendar. Each is one transaction that takes the requester's
write lock, re-reads the request, checks its state and version, and signs a trail row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from services.leave.domain.calendar import WorkingCalendar
from services.leave.models import AuditEvent, LeaveRequest, LeaveType
from services.leave.service import decision_rows, events, ledger, trail
from services.leave.service.access import Caller, is_requester, may_cancel, may_decide, may_read
from services.leave.service.calendar import count_by_year, working_calendar
from services.leave.service.common import invalid, lock_employee
from services.leave.service.views import current_step, event_data, request_dict
from shared.audit import Actor, record, utcnow
from shared.errors import Conflict, Forbidden, NotFound


def _load(session: Session, request_id: int, caller: Caller) -> tuple[LeaveRequest, bool]:
    """The request, locked for this transaction (404 when it is not the caller's to see),
    and whether its type keeps a balance.

    Two statements around the lock: whose request it is (with the type's balance flag,
    which the employee's lock does not guard anyway), then the request re-read under the
    lock with its steps joined in, where a `selectin` load was a third."""
    found = session.execute(select(LeaveRequest.employee_no, LeaveType.has_balance)
                            .outerjoin(LeaveType, LeaveType.code == LeaveRequest.type_code)
                            .where(LeaveRequest.id == request_id)).first()
    if found is None:
        raise NotFound(f"No leave request {request_id}.")
    lock_employee(session, found.employee_no)
    request = session.scalars(select(LeaveRequest).where(LeaveRequest.id == request_id)
                              .options(joinedload(LeaveRequest.steps))
                              .execution_options(populate_existing=True)).unique().one()
    if not may_read(caller, request):
        raise NotFound(f"No leave request {request_id}.")
    return request, bool(found.has_balance)


def _commit(session: Session, request: LeaveRequest, topic: str | None) -> LeaveRequest:
    request.updated_at = utcnow()
    if topic:
        events.publish(session, topic, event_data(request_dict(request)))
    try:
        session.commit()
    except StaleDataError as exc:  # another worker moved the request since we read it
        session.rollback()
        raise Conflict("The request changed meanwhile; read it again.") from exc
    return request


def decide(*, session: Session, request_id: int, decision: str, comment: str | None,
           caller: Caller, expected_version: int | None = None) -> Any:
    """Approve or reject the step awaiting a decision. Step order is the server's: only the
    current step can be decided; for more than the threshold the branch head's approval is
    the preliminary review (初审) and the request stays pending at the next step.

    Written with Core statements (`decision_rows`): the lock by the request's id, one read,
    one version-checked UPDATE of the request, the changed steps, the signed row; the audit
    and outbox rows commit with them. Answers the request as a plain object."""
    if decision_rows.lock_owner(session, request_id) is None:
        raise NotFound(f"No leave request {request_id}.")
    request, has_balance, last = decision_rows.read(session, request_id)
    if not may_read(caller, request):
        raise NotFound(f"No leave request {request_id}.")
    if expected_version is not None and expected_version != request.version:
        raise Conflict("The request changed meanwhile; read it again.")
    step = current_step(request)
    if step is None:
        raise Conflict(f"The request is {request.status}; there is nothing to decide.")
    if is_requester(caller, request):
        raise Forbidden("Nobody decides their own leave request.")
    if not may_decide(caller, step):
        raise Forbidden(f"This step is decided by {step.role} over {step.org}.")
    if caller.emp and any(s.decided_by_emp == caller.emp for s in request.steps
                          if s.status == "approved"):
        raise Forbidden("One person signs one step (每环节明确一人负责): another decides this one.")
    now = utcnow()
    step.status = "approved" if decision == "approve" else "rejected"
    step.decided_by, step.decided_by_emp = caller.actor.sub, caller.emp
    step.decided_at, step.comment = now, comment
    changed = [step]
    before = request.status
    topic = None
    if decision == "reject":
        request.status, topic = "rejected", "leave.rejected"
        if has_balance:
            ledger.release(session, request, caller.actor)
    elif step.final:
        request.status, topic = "approved", "leave.approved"
        if has_balance:
            ledger.consume(session, request, caller.actor)
    else:
        following = next(s for s in request.steps if s.level > step.level
                         and s.status == "waiting")
        following.status = "pending"
        changed.append(following)
    decision_rows.write_request(session, request, now=now, steps=changed)
    decision_rows.sign(session, trail.signed_row(
        request.id, last, action=decision, actor=caller.actor, comment=comment,
        from_status=before, to_status=request.status, step_level=step.level,
        role=step.role, org=step.org))
    record(session, AuditEvent, actor=caller.actor, action=f"leave.{decision}",
           target_type="leave_request", target_id=str(request.id),
           before={"status": before}, after={"status": request.status, "step": step.level})
    if topic:
        events.publish(session, topic, event_data(request_dict(request)))
    session.commit()
    return request


def withdraw(*, session: Session, request_id: int, comment: str | None,
             caller: Caller) -> LeaveRequest:
    """The requester (or whoever filed it for them) takes back a pending request."""
    request, has_balance = _load(session, request_id, caller)
    if not (is_requester(caller, request) or request.filed_by == caller.actor.sub):
        raise Forbidden("Only the requester withdraws a request.")
    if request.status != "pending":
        raise Conflict(f"The request is {request.status}; only a pending one is withdrawn.")
    request.status = "withdrawn"
    for step in request.steps:
        if step.status in ("pending", "waiting"):
            step.status = "skipped"
    if has_balance:
        ledger.release(session, request, caller.actor)
    trail.append(session, request, action="withdraw", actor=caller.actor, comment=comment,
                 from_status="pending", to_status="withdrawn")
    record(session, AuditEvent, actor=caller.actor, action="leave.withdraw",
           target_type="leave_request", target_id=str(request.id),
           before={"status": "pending"}, after={"status": "withdrawn"})
    return _commit(session, request, "leave.withdrawn")


def cancel(*, session: Session, request_id: int, from_date: dt.date | None,
           comment: str | None, caller: Caller, today: dt.date) -> LeaveRequest:
    """Cancel approved leave from `from_date` (default: the first day not yet begun).

    From its first day: the whole request is cancelled. Later: the span ends the day before
    (partial cancellation) and the request stays approved. Only untaken days come back:
    `from_date` cannot be in the past, and days already taken stay taken.
    """
    request, has_balance = _load(session, request_id, caller)
    if not may_cancel(caller, request):
        raise Forbidden("Approved leave is cancelled by whoever may decide its final step, "
                        "or by hr of the governing branch.")
    if request.status != "approved":
        raise Conflict(f"The request is {request.status}; only approved leave is cancelled "
                       "(a pending one is withdrawn).")
    first = from_date or max(request.start_date, today)
    if first < today:
        raise invalid("from_date", "Days already taken cannot be cancelled.")
    if first > request.end_date:
        raise invalid("from_date", "The leave has no day left to cancel from that date.")
    before = {"status": request.status, "end_date": request.end_date.isoformat(),
              "days": str(request.days)}
    old = ledger.by_year(request)
    if first <= request.start_date:
        request.status = "cancelled"
        returned = old
        new_days = Decimal(0)
    else:
        request.end_date = first - dt.timedelta(days=1)
        request.end_half = None
        unit = session.scalar(select(LeaveType.counts)
                              .where(LeaveType.code == request.type_code)) or "working_days"
        kept = count_by_year(working_calendar(session), request.start_date, request.end_date,
                             request.start_half, None, unit)
        returned = {y: old.get(y, Decimal(0)) - kept.get(y, Decimal(0)) for y in old}
        new_days = sum(kept.values(), Decimal(0))
        request.days_by_year = {str(y): str(d) for y, d in kept.items()}
        request.days = new_days
    back = sum(returned.values(), Decimal(0))
    request.cancelled_days = Decimal(request.cancelled_days) + back
    if has_balance:
        ledger.reverse(session, request, caller.actor, returned)
    trail.append(session, request, action="cancel", actor=caller.actor, comment=comment,
                 from_status="approved", to_status=request.status,
                 from_date=first.isoformat(), returned_days=str(back))
    record(session, AuditEvent, actor=caller.actor, action="leave.cancel",
           target_type="leave_request", target_id=str(request.id), before=before,
           after={"status": request.status, "end_date": request.end_date.isoformat(),
                  "days": str(new_days), "returned": str(back)})
    return _commit(session, request, "leave.cancelled")


def _number(days: Decimal) -> int | float:
    """Days as JSON shows them elsewhere: 4, 4.5."""
    return int(days) if days == days.to_integral_value() else float(days)


def recount_pending(*, session: Session, day: dt.date, calendar: WorkingCalendar,
                    actor: Actor) -> list[dict[str, Any]]:
    """HR changed the calendar on `day`: recount every pending request that covers it, move
    its held days to the new count, and sign the change. Routing is not redone (docs/api.md:
    requests already filed are not re-routed); approved requests keep what was approved."""
    units = dict(session.execute(select(LeaveType.code, LeaveType.counts)).all())
    balance = dict(session.execute(select(LeaveType.code, LeaveType.has_balance)).all())
    changed = []
    for request in session.scalars(select(LeaveRequest).where(
            LeaveRequest.status == "pending", LeaveRequest.start_date <= day,
            LeaveRequest.end_date >= day)).all():
        new = count_by_year(calendar, request.start_date, request.end_date,
                            request.start_half, request.end_half,
                            units.get(request.type_code, "working_days"))
        old = ledger.by_year(request)
        if new == old:
            continue
        if balance.get(request.type_code):
            ledger.release(session, request, actor, old)
            ledger.hold(session, request, actor, new)
        before = Decimal(request.days)
        request.days_by_year = {str(y): str(d) for y, d in new.items()}
        request.days = sum(new.values(), Decimal(0))
        trail.append(session, request, action="recount", actor=actor, to_status="pending",
                     from_status="pending", calendar_day=day.isoformat(),
                     days_before=str(before), days_after=str(request.days))
        changed.append({"id": request.id, "before": _number(before),
                        "after": _number(request.days)})
    return changed
