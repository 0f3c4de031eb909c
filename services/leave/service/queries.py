"""Reading requests: one, a scoped list, the approvals inbox, and exports (CSV, iCalendar).

Every list is a constant number of statements whatever the data size: a count, a page, and
the page's steps (one `selectin` load).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from services.leave.models import ApprovalStep, LeaveRequest
from services.leave.service.access import Caller, may_read
from services.leave.service.common import invalid
from shared.errors import NotFound
from shared.scope import WHOLE_ORGANISATION
from shared.spreadsheets import defuse


def subtree(column: Any, path: str) -> ColumnElement[bool]:
    """`column` is the unit at `path` or below it: one index range (paths compare bytewise:
    '0' follows '/', so [X/, X0) is exactly the strings starting with 'X/')."""
    if path == WHOLE_ORGANISATION:
        return true()
    return or_(column == path, and_(column >= path + "/", column < path + "0"))


def get_request(*, session: Session, request_id: int, caller: Caller) -> LeaveRequest:
    request = session.get(LeaveRequest, request_id)
    if request is None or not may_read(caller, request):
        raise NotFound(f"No leave request {request_id}.")
    return request


def _visible(caller: Caller, mine_only: bool = False) -> ColumnElement[bool]:
    if caller.kind == "client":
        return true() if "leave:read" in caller.scope else false()
    own: list[ColumnElement[bool]] = [LeaveRequest.filed_by == caller.actor.sub]
    if caller.emp:
        own += [LeaveRequest.employee_no == caller.emp, LeaveRequest.stand_in == caller.emp]
    if mine_only:
        return or_(*own)
    paths = sorted({g.path for g in caller.grants if "leave:read" in g.permissions})
    return or_(*own, *(subtree(LeaveRequest.unit_path, p) for p in paths))


def _filtered(query: dict[str, Any], caller: Caller) -> Any:
    stmt = select(LeaveRequest).where(_visible(caller, query.get("mine", False)))
    if query.get("status"):
        stmt = stmt.where(LeaveRequest.status == query["status"])
    if query.get("employee_no"):
        stmt = stmt.where(LeaveRequest.employee_no == query["employee_no"])
    if query.get("type"):
        stmt = stmt.where(LeaveRequest.type_code == query["type"])
    if query.get("org_path"):
        stmt = stmt.where(subtree(LeaveRequest.unit_path, query["org_path"]))
    if query.get("from_date"):
        stmt = stmt.where(LeaveRequest.end_date >= query["from_date"])
    if query.get("to_date"):
        stmt = stmt.where(LeaveRequest.start_date <= query["to_date"])
    if query.get("stand_in"):
        stmt = stmt.where(LeaveRequest.stand_in == caller.emp)
    return stmt


def list_requests(*, session: Session, caller: Caller, page: int, per_page: int,
                  **query: Any) -> tuple[list[LeaveRequest], int]:
    if query.get("from_date") and query.get("to_date") and query["from_date"] > query["to_date"]:
        raise invalid("to_date", "to_date is before from_date.")
    stmt = _filtered(query, caller)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(LeaveRequest.start_date.desc(), LeaveRequest.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def _inbox_condition(caller: Caller) -> ColumnElement[bool]:
    """Steps the caller may decide now: their role (or admin) over the step's unit; and, for
    hr, steps nobody holds the role for in their governing branches (flagged `unassigned`)."""
    terms: list[ColumnElement[bool]] = []
    for grant in caller.grants:
        if "leave:approve" not in grant.permissions:
            continue
        role_ok = true() if grant.role == "admin" else ApprovalStep.role == grant.role
        terms.append(and_(role_ok, subtree(ApprovalStep.org_path, grant.path)))
        if grant.role == "hr":
            terms.append(and_(ApprovalStep.unassigned.is_(True),
                              subtree(LeaveRequest.governing_path, grant.path)))
    return or_(*terms) if terms else false()


def inbox(*, session: Session, caller: Caller, page: int,
          per_page: int) -> tuple[list[LeaveRequest], int]:
    """GET /leave/approvals: pending requests whose current step is the caller's to decide
    (never their own)."""
    stmt = (select(LeaveRequest).join(ApprovalStep, ApprovalStep.request_id == LeaveRequest.id)
            .where(ApprovalStep.status == "pending", LeaveRequest.status == "pending",
                   _inbox_condition(caller)))
    if caller.emp:
        stmt = stmt.where(LeaveRequest.employee_no != caller.emp)
    # No DISTINCT: a pending request has exactly one pending step, so one row per request.
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(LeaveRequest.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


CSV_COLUMNS = ("id", "employee_no", "type", "start_date", "start_half", "end_date", "end_half",
               "days", "calendar", "status", "org", "stand_in", "created_at")


def export_csv(*, session: Session, caller: Caller, **query: Any) -> str:
    """The requests the caller may read, filtered as the list, as CSV (UTF-8 with BOM so that
    spreadsheet programs read Chinese right; formula-like cells defused — staff allows codes
    that start with `-`)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    stmt = _filtered(query, caller).order_by(LeaveRequest.start_date, LeaveRequest.id)
    for r in session.scalars(stmt.limit(100_000)):
        writer.writerow([defuse(v) for v in (
            r.id, r.employee_no, r.type_code, r.start_date, r.start_half, r.end_date,
            r.end_half, r.days, r.calendar, r.status, r.unit_code, r.stand_in,
            r.created_at.isoformat())])
    return out.getvalue()


def _ics_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _fold(line: str) -> Iterable[str]:
    """RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + one space)."""
    data = line.encode()
    while len(data) > 75:
        cut = 75
        while (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        yield data[:cut].decode()
        data = b" " + data[cut:]
    yield data.decode()


def ical_feed(*, session: Session, unit_path: str, unit_code: str, domain: str,
              since: dt.date) -> str:
    """Approved leave in a unit's subtree as an iCalendar feed (RFC 5545) for team
    calendars: one all-day event per request, no reasons (personal data stays in the app)."""
    stmt = (select(LeaveRequest).where(LeaveRequest.status == "approved",
                                       subtree(LeaveRequest.unit_path, unit_path),
                                       LeaveRequest.end_date >= since)
            .order_by(LeaveRequest.start_date).limit(10_000))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//HR platform//leave//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_ics_text('Leave ' + unit_code)}"]
    for r in session.scalars(stmt):
        summary = f"{r.employee_no} {r.type_code}"
        if r.start_half == "pm" or r.end_half == "am":
            summary += " (half day)"
        lines += ["BEGIN:VEVENT", f"UID:leave-{r.id}@{domain}", f"SEQUENCE:{r.version}",
                  f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{r.start_date:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{r.end_date + dt.timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_ics_text(summary)}", "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(f"{part}\r\n" for line in lines for part in _fold(line))
