"""Filing a leave request (请假申请): count, check, route, hold, sign — in one transaction.

Order matters: everything that needs no lock (the type, the span, staff's answer about the
person) is checked first; then the employee's write lock is taken and the checks that depend
on their other requests (overlap, balance, anti-splitting, stand-in's own leave) run against
committed rows only, so two requests filed at once cannot both pass.

`quote` is all of that but the writing; `submit_request` writes what it decided, and the
preview (`service.preview`) shows it without a lock or a write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.leave.directory import Directory
from services.leave.domain import routing
from services.leave.domain.calendar import check_span
from services.leave.domain.errors import LeaveRuleError
from services.leave.domain.notice import check_start
from services.leave.domain.spans import Span, related_requests
from services.leave.models import ApprovalStep, AuditEvent, LeaveRequest, LeaveType
from services.leave.service import events, ledger, trail
from services.leave.service.access import Caller, sees_why_unavailable
from services.leave.service.calendar import count_by_year, working_calendar
from services.leave.service.common import invalid, lock_employee, rule_errors
from services.leave.service.reference import current_policy
from services.leave.service.views import event_data, request_dict
from shared.audit import record
from shared.errors import AppError, Conflict, Forbidden, ValidationFailed

LIVE = ("pending", "approved")
#: How far around a new request anti-splitting looks for joined requests (a chain of joined
#: requests longer than this would be a year-long absence, routed to hr anyway).
RELATED_WINDOW = dt.timedelta(days=400)


def _type(session: Session, code: str) -> LeaveType:
    found = session.scalar(select(LeaveType).where(LeaveType.code == code,
                                                   LeaveType.active.is_(True)))
    if found is None:
        raise invalid("type", f"No leave type {code}.")
    return found


def _target(caller: Caller, request_in: dict[str, Any]) -> str:
    employee_no = request_in.get("employee_no") or caller.emp
    if caller.kind != "user":
        raise Forbidden("Leave is filed by people: a client token cannot file it.")
    if not employee_no:
        raise invalid("employee_no", "Your account is not linked to an employee; name one.")
    return employee_no


def _authorise_filing(caller: Caller, employee_no: str, path: str) -> None:
    """Filing for someone else needs `leave:file-for-others` over their unit; a person out
    of the caller's sight is answered as an unknown one (no existence oracle)."""
    if employee_no == caller.emp or caller.may("leave:file-for-others", path):
        return
    if caller.may("leave:read", path):
        raise Forbidden("Filing leave for someone else needs leave:file-for-others over "
                        "their unit.")
    raise invalid("employee_no", f"No employee {employee_no}.")


def _live_requests(session: Session, employee_no: str, start: dt.date,
                   end: dt.date) -> list[LeaveRequest]:
    return list(session.scalars(
        select(LeaveRequest).where(LeaveRequest.employee_no == employee_no,
                                   LeaveRequest.status.in_(LIVE),
                                   LeaveRequest.start_date <= end,
                                   LeaveRequest.end_date >= start)
        .order_by(LeaveRequest.start_date).execution_options(populate_existing=True)).all())


def span_of(r: LeaveRequest) -> Span:
    return Span(r.start_date, r.end_date, r.start_half, r.end_half,  # type: ignore[arg-type]
                days=Decimal(r.days), ref=r.id)


def overlaps(a: Span, b: Span) -> bool:
    """Do two spans share a half-day slot?"""
    return a.first_slot <= b.last_slot and b.first_slot <= a.last_slot


def _check_stand_in(session: Session, directory: Directory, chain: dict[str, Any],
                    new: Span, request_in: dict[str, Any], *, lock: bool,
                    why: bool) -> str | None:
    """Posts must not be left empty (不得空岗): a `must_cover` position names a stand-in, an
    active colleague of the same unit who is not on leave then. Filing (`lock`) takes the
    stand-in's write lock before reading their leave. Why a colleague is unavailable is said
    only when `why` (access.sees_why_unavailable): else one refusal for both reasons."""
    stand_in = request_in.get("stand_in")
    if not stand_in:
        if chain.get("must_cover"):
            raise invalid("stand_in", "This position must be covered: name a stand-in.")
        return None
    if stand_in == chain["employee_no"]:
        raise invalid("stand_in", "A stand-in is someone else.")
    other = directory.chain(stand_in)
    unavailable = f"{stand_in} cannot stand in over those dates."
    if other is None or other["unit"]["code"] != chain["unit"]["code"]:
        raise invalid("stand_in", f"No colleague {stand_in} in the same unit.")
    if other["status"] != "active":
        raise invalid("stand_in", f"{stand_in} is not active." if why else unavailable)
    if lock:
        lock_employee(session, stand_in)
    if any(overlaps(new, span_of(r)) for r in _live_requests(session, stand_in, new.start,
                                                             new.end)):
        raise invalid("stand_in", f"{stand_in} is on leave then." if why else unavailable)
    return stand_in


def _ask_holders(directory: Directory, known: dict[tuple[str, str], int | None],
                 steps: list[routing.Step]) -> dict[tuple[str, str], int | None]:
    """`known` and how many hold each step's role over its unit that it lacks (skipped steps
    need nobody), asked of auth in one call when any is missing. A step nobody holds is
    flagged `unassigned`; None (auth cannot say) flags nothing."""
    missing = list(dict.fromkeys((s.role, s.org) for s in steps
                                 if s.status != "skipped" and (s.role, s.org) not in known))
    if not missing:
        return known
    return {**known, **dict(zip(missing, directory.holders_of(missing), strict=True))}


@dataclass
class Quote:
    """What filing decides about a request before writing it: the count, the route, the
    balance, the stand-in. `submit_request` writes it; `preview.preview_request` shows it —
    one code path, so a preview cannot drift from what filing does."""

    employee_no: str
    leave_type: LeaveType
    span: Span
    days_by_year: dict[int, Decimal]
    calendar: str
    chain: dict[str, Any]
    governing: dict[str, Any]
    policy_version: int
    nearby: list[LeaveRequest]
    overlapping: list[int]
    stand_in: str | None
    remaining: dict[int, Decimal]  # per year, before this request (types with a balance)
    related: list[Span]
    steps: list[routing.Step]
    holders: dict[tuple[str, str], int | None]
    #: (code, error) filing would have stopped at, in filing's order (previews only).
    refusals: list[tuple[str, AppError]] = field(default_factory=list)

    @property
    def days(self) -> Decimal:
        return self.span.days or Decimal(0)

    @property
    def related_days(self) -> Decimal:
        return sum((s.days or Decimal(0) for s in self.related), Decimal(0))


@contextmanager
def _refusal(refusals: list[tuple[str, AppError]] | None, code: str) -> Iterator[None]:
    """Filing (`refusals` None) stops at the first refusal; a preview notes it and goes on."""
    try:
        yield
    except (ValidationFailed, Conflict) as exc:
        if refusals is None:
            raise
        refusals.append((code, exc))


def quote(*, session: Session, request_in: dict[str, Any], caller: Caller,
          directory: Directory, today: dt.date, filing: bool = True) -> Quote:
    """Count, check and route a request as filing does. `filing`: under the employee's write
    lock, writing the year's allocation if missing and raising at the first refusal; else (a
    preview) no lock and no write, the allocation computed, refusals noted on the quote. The
    checks on the request itself (type, span, notice, attachment, the person) raise either
    way."""
    refusals: list[tuple[str, AppError]] | None = None if filing else []
    employee_no = _target(caller, request_in)
    holders: dict[tuple[str, str], int | None] = {}
    leave_type = _type(session, request_in["type"])
    start, end = request_in["start_date"], request_in["end_date"]
    start_half, end_half = request_in.get("start_half"), request_in.get("end_half")
    with rule_errors("end_date"):
        check_span(start, end, start_half, end_half)
    if (end - start).days > 366:
        raise invalid("end_date", "A request covers at most one year; file the rest apart.")
    with rule_errors("start_date"):  # notice, or how far back it may be filed after the fact
        check_start(type_code=leave_type.code, start=start, today=today,
                    min_notice_days=leave_type.min_notice_days,
                    max_days_back=leave_type.max_days_back)
    if leave_type.needs_attachment and not request_in.get("attachment_ref"):
        raise invalid("attachment_ref", f"{leave_type.code} leave needs an attachment "
                      "reference (e.g. the certificate's number).")
    calendar = working_calendar(session)
    days_by_year = count_by_year(calendar, start, end, start_half, end_half, leave_type.counts)
    days = sum(days_by_year.values(), Decimal(0))
    if days <= 0:
        raise invalid("end_date", "The request holds no working day.")

    chain = directory.chain(employee_no)
    if chain is None:
        raise invalid("employee_no", f"No employee {employee_no}.")
    _authorise_filing(caller, employee_no, chain["unit"]["path"])
    if chain["status"] != "active":
        raise invalid("employee_no", f"{employee_no} is not an active employee.")
    requester_roles = (caller.role_pairs if employee_no == caller.emp
                       else directory.roles_of(employee_no))
    version, policy = current_policy(session)
    # Who holds each step is auth's to say, over HTTP: asked once for every step, before the
    # lock (no other filing for this employee waits on auth meanwhile), of the steps as
    # routed on this request's days alone — what they are unless anti-splitting joins other
    # requests; a step that foresight missed is asked about after routing.
    with suppress(LeaveRuleError):  # the routing below reports it, as it always did
        foreseen = routing.route(requester=routing.Requester(employee_no),
                                 chain=routing.Chain.from_staff(chain), days=days,
                                 related_days=Decimal(0), policy=policy,
                                 requester_roles=requester_roles)
        holders = _ask_holders(directory, {}, foreseen)

    if filing:
        lock_employee(session, employee_no)
    new = Span(start, end, start_half, end_half, days=days)
    nearby = _live_requests(session, employee_no, start - RELATED_WINDOW, end + RELATED_WINDOW)
    clash = [r.id for r in nearby if overlaps(new, span_of(r))]
    with _refusal(refusals, "overlap"):
        if clash:
            raise Conflict(f"The request overlaps your request {clash[0]}.", overlapping=clash)
    stand_in = None
    with _refusal(refusals, "stand_in"):
        stand_in = _check_stand_in(session, directory, chain, new, request_in, lock=filing,
                                   why=sees_why_unavailable(caller, chain["unit"]["path"]))
    remaining: dict[int, Decimal] = {}
    if leave_type.has_balance:
        employee = lambda: directory.employee(employee_no)  # noqa: E731 - asked when needed
        if filing:
            ledger.ensure_allocations(session, employee_no=employee_no, years=days_by_year,
                                      types=[leave_type], employee=employee,
                                      actor=caller.actor)
        remaining = ledger.remaining_by_year(session, employee_no=employee_no,
                                             years=days_by_year, leave_type=leave_type,
                                             employee=employee)
        with _refusal(refusals, "balance"):
            for year, wanted in days_by_year.items():
                if wanted > remaining[year]:
                    raise Conflict(f"The {year} {leave_type.code} balance holds "
                                   f"{remaining[year]} days (pending requests included); "
                                   f"{wanted} asked.", remaining=float(remaining[year]))

    related = related_requests(new, [span_of(r) for r in nearby], calendar)
    related_days = sum((s.days or Decimal(0) for s in related), Decimal(0))
    with rule_errors("employee_no"):
        steps = routing.route(requester=routing.Requester(employee_no),
                              chain=routing.Chain.from_staff(chain), days=days,
                              related_days=related_days, policy=policy,
                              requester_roles=requester_roles)
    return Quote(employee_no=employee_no, leave_type=leave_type, span=new,
                 days_by_year=days_by_year, calendar=calendar.calendar_kind(start, end),
                 chain=chain, governing=chain.get("governing_branch") or chain["units"][-1],
                 policy_version=version, nearby=nearby, overlapping=clash, stand_in=stand_in,
                 remaining=remaining, related=related, steps=steps,
                 holders=_ask_holders(directory, holders, steps), refusals=refusals or [])


def submit_request(*, session: Session, request_in: dict[str, Any], caller: Caller,
                   directory: Directory, today: dt.date) -> LeaveRequest:
    """File a request for the caller (or, with `leave:file-for-others`, for `employee_no`)."""
    q = quote(session=session, request_in=request_in, caller=caller, directory=directory,
              today=today)
    chain, governing, span, days = q.chain, q.governing, q.span, q.days
    request = LeaveRequest(
        employee_no=q.employee_no, type_code=q.leave_type.code, start_date=span.start,
        end_date=span.end, start_half=span.start_half, end_half=span.end_half, days=days,
        days_by_year={str(y): str(d) for y, d in q.days_by_year.items()},
        calendar=q.calendar, status="pending",
        reason=request_in["reason"], stand_in=q.stand_in,
        attachment_ref=request_in.get("attachment_ref"), unit_code=chain["unit"]["code"],
        unit_path=chain["unit"]["path"], governing_code=governing["code"],
        governing_path=governing["path"], grade=chain["grade"],
        routed_days=days + q.related_days, related_ids=[s.ref for s in q.related],
        policy_version=q.policy_version, filed_by=caller.actor.sub, filed_by_emp=caller.emp,
        cancelled_days=Decimal(0))
    request.steps = [ApprovalStep(level=s.level, role=s.role, org=s.org, org_path=s.org_path,
                                  governing_path=governing["path"], final=s.final, status=s.status,
                                  unassigned=s.status != "skipped"
                                  and q.holders.get((s.role, s.org)) == 0)
                     for s in q.steps]
    session.add(request)
    session.flush()
    if q.leave_type.has_balance:
        ledger.hold(session, request, caller.actor)
    trail.append(session, request, action="submit", actor=caller.actor, to_status="pending",
                 first=True,
                 days=str(days), routed_days=str(request.routed_days),
                 steps=[f"{s.level}:{s.role}@{s.org}:{s.status}" for s in request.steps])
    answer = request_dict(request)
    record(session, AuditEvent, actor=caller.actor, action="leave.submit",
           target_type="leave_request", target_id=str(request.id),
           after={"employee_no": q.employee_no, "type": q.leave_type.code,
                  "start_date": span.start.isoformat(), "end_date": span.end.isoformat(),
                  "days": str(days)})
    events.publish(session, "leave.submitted", event_data(answer))
    if q.stand_in:
        events.publish(session, "leave.stand_in_assigned",
                       {**event_data(answer), "stand_in": q.stand_in})
    session.commit()
    return request
