"""Dated changes waiting for their day: recording one, finding those pending, today's date.

The low half of scheduling (`service.scheduled` applies and cancels): transfers, hires and
status changes import this to *record* a change dated after today instead of making it.
Why dated changes wait instead of taking effect: until its date an employee stays where they
are for listing, chain, scope and routing — a transfer dated next March must not put them in
the new branch head's sight today (issue 14.3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.models import AuditEvent, OrgUnit, ScheduledChange
from shared.audit import Actor, record
from shared.errors import Conflict

KINDS = ("hire", "transfer", "status")
#: What each kind is called in messages.
WORDS = {"hire": "hire", "transfer": "transfer", "status": "status change"}


def today_in(now: dt.datetime, timezone: str) -> dt.date:
    """The organisation's calendar date at `now` (HR_TIMEZONE): a change dated D takes
    effect at local midnight starting D."""
    return now.astimezone(ZoneInfo(timezone)).date()


def next_midnight(today: dt.date, timezone: str) -> dt.datetime:
    """The instant `today` ends in the organisation's zone (when dated changes come due)."""
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0),
                               tzinfo=ZoneInfo(timezone))


def pending(session: Session, employee_no: str, kind: str | None = None
            ) -> list[ScheduledChange]:
    """The employee's changes still waiting, soonest first."""
    stmt = select(ScheduledChange).where(ScheduledChange.employee_no == employee_no,
                                         ScheduledChange.pending == 1)
    if kind is not None:
        stmt = stmt.where(ScheduledChange.kind == kind)
    return list(session.scalars(stmt.order_by(ScheduledChange.effective_date,
                                              ScheduledChange.id)))


def change_dict(change: ScheduledChange) -> dict[str, Any]:
    return {"id": change.id, "kind": change.kind, "employee_no": change.employee_no,
            "effective_date": change.effective_date.isoformat(), "org": change.org,
            "details": change.details, "state": change.state, "outcome": change.outcome}


def schedule(session: Session, *, kind: str, employee_no: str, effective: dt.date,
             unit: OrgUnit, details: dict[str, Any], actor: Actor,
             audit: bool = True) -> ScheduledChange:
    """Record a change for `effective` (no commit). One pending change of each kind per
    employee: a second is a 409 (cancel the first) — the unique constraint backs this up
    against a concurrent request."""
    waiting = pending(session, employee_no, kind)
    if waiting:
        raise Conflict(f"A {WORDS[kind]} of {employee_no} is already scheduled for "
                       f"{waiting[0].effective_date.isoformat()} (id {waiting[0].id}); "
                       "cancel it first.")
    change = ScheduledChange(kind=kind, employee_no=employee_no, effective_date=effective,
                             org=unit.code, org_path=unit.path, details=details,
                             state="scheduled", pending=1, created_by=actor.sub)
    session.add(change)
    session.flush()
    if audit:
        record(session, AuditEvent, actor=actor, action=f"employee.{kind}_scheduled",
               target_type="employee", target_id=employee_no, after=change_dict(change))
    return change


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """A loaded body as JSON (dates as ISO strings), to keep in `details`."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
