"""Before filing: what filing would decide (the preview), and who could stand in.

The preview is `requests.quote` — filing's own code path — run without the employee's lock
and without a write, its refusals noted instead of raised: the console shows the server's
count and route instead of guessing them. Nothing is stored: no request, no ledger row (a
missing allocation is computed), no outbox, no audit, no idempotency record.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.leave.directory import Directory
from services.leave.domain.calendar import PROVISIONAL, check_span
from services.leave.domain.spans import Span
from services.leave.models import LeaveRequest
from services.leave.service.access import Caller, sees_why_unavailable
from services.leave.service.common import invalid, rule_errors
from services.leave.service.requests import LIVE, Quote, overlaps, quote, span_of
from shared.errors import Forbidden

#: Refusals a preview reports rather than raises (filing raises them: 409, 422, 409).
BLOCKING = ("overlap", "stand_in", "balance")


def preview_request(*, session: Session, request_in: dict[str, Any], caller: Caller,
                    directory: Directory, today: dt.date) -> dict[str, Any]:
    """What `submit_request` would decide for this body, as `LeaveRequestPreview`."""
    q = quote(session=session, request_in=request_in, caller=caller, directory=directory,
              today=today, filing=False)
    return _answer(q, request_in)


def _answer(q: Quote, request_in: dict[str, Any]) -> dict[str, Any]:
    span, refused = q.span, dict(q.refusals)
    types = {u["code"]: u["type"] for u in q.chain.get("units") or ()}
    by_id = {r.id: r for r in q.nearby}
    warnings = [{"code": code, "blocking": True, "status": error.status,
                 "message": error.detail} for code, error in q.refusals]
    if q.calendar == PROVISIONAL:
        warnings.append({"code": "provisional_calendar", "blocking": False, "status": None,
                         "message": "The holidays of this year are not published yet: "
                         "counted Monday to Friday plus HR's overrides."})
    steps = []
    for s in q.steps:
        unassigned = s.status != "skipped" and q.holders.get((s.role, s.org)) == 0
        if unassigned:
            warnings.append({"code": "unassigned_step", "blocking": False, "status": None,
                             "message": f"Nobody holds {s.role} over {s.org} today: the "
                             "governing branch's hr sees the request."})
        steps.append({"level": s.level, "role": s.role, "org": s.org,
                      "org_path": s.org_path, "org_type": types.get(s.org), "final": s.final,
                      "preliminary": s.status != "skipped" and not s.final,
                      "status": s.status, "unassigned": unassigned,
                      "skipped_because": "requester_holds_role"
                      if s.status == "skipped" else None})
    given = request_in.get("stand_in") or None
    stand_in_problem = refused.get("stand_in")
    balance = None
    if q.leave_type.has_balance:
        balance = [{"year": year, "remaining_before": q.remaining[year], "days": wanted,
                    "remaining_after": q.remaining[year] - wanted}
                   for year, wanted in q.days_by_year.items()]
    return {
        "employee_no": q.employee_no, "type": q.leave_type.code, "counts": q.leave_type.counts,
        "start_date": span.start, "end_date": span.end, "start_half": span.start_half,
        "end_half": span.end_half, "days": q.days,
        "days_by_year": {str(y): d for y, d in q.days_by_year.items()},
        "calendar": q.calendar, "org": q.chain["unit"]["code"],
        "governing_branch": q.governing["code"], "policy_version": q.policy_version,
        "routed_days": q.days + q.related_days,
        "related_requests": [s.ref for s in q.related],
        "related": [_related(by_id[s.ref]) for s in q.related],
        "steps": steps, "balance": balance,
        "stand_in": {"required": bool(q.chain.get("must_cover")), "given": given,
                     "acceptable": None if given is None else stand_in_problem is None,
                     "problem": stand_in_problem.detail if stand_in_problem else None},
        "overlapping": q.overlapping, "warnings": warnings,
        "would_file": not any(code in BLOCKING for code in refused),
    }


def _related(r: LeaveRequest) -> dict[str, Any]:
    return {"id": r.id, "type": r.type_code, "start_date": r.start_date,
            "end_date": r.end_date, "days": Decimal(r.days), "status": r.status}


def stand_ins(*, session: Session, caller: Caller, directory: Directory, start: dt.date,
              end: dt.date, start_half: str | None, end_half: str | None) -> dict[str, Any]:
    """The caller's colleagues of their own unit (staff's list, over HTTP), each available
    or not over the span — and why not, only to a caller who may read or decide the unit's
    leave (`sees_why_unavailable`). One statement reads every colleague's leave, however
    large the unit; people of other units are never asked for."""
    if caller.kind != "user" or not caller.emp:
        raise Forbidden("Stand-ins are colleagues of an employee: this account is not "
                        "linked to one.")
    with rule_errors("end_date"):
        check_span(start, end, start_half, end_half)
    if (end - start).days > 366:
        raise invalid("end_date", "A request covers at most one year.")
    chain = directory.chain(caller.emp)
    if chain is None:
        raise Forbidden(f"Staff knows no employee {caller.emp}.")
    unit = chain["unit"]["code"]
    people = [p for p in directory.colleagues(unit)
              if p["employee_no"] != caller.emp and p.get("org", unit) == unit
              and p["status"] != "left"]
    span = Span(start, end, start_half, end_half)  # type: ignore[arg-type]
    away: dict[str, str] = {}
    if people:
        rows = session.scalars(select(LeaveRequest).where(
            LeaveRequest.employee_no.in_([p["employee_no"] for p in people]),
            LeaveRequest.status.in_(LIVE), LeaveRequest.start_date <= end,
            LeaveRequest.end_date >= start)).all()
        for r in rows:
            if overlaps(span, span_of(r)) and away.get(r.employee_no) != "on_leave":
                away[r.employee_no] = "on_leave" if r.status == "approved" else "leave_pending"
    why = sees_why_unavailable(caller, chain["unit"]["path"])
    items = []
    for p in sorted(people, key=lambda p: p["employee_no"]):
        reason = "not_active" if p["status"] != "active" else away.get(p["employee_no"])
        item = {"employee_no": p["employee_no"], "name": p["name"],
                "name_en": p.get("name_en"), "position": p["position"],
                "available": reason is None}
        items.append({**item, "reason": reason} if why else item)
    return {"employee_no": caller.emp, "org": unit, "must_cover": bool(chain.get("must_cover")),
            "items": items}
