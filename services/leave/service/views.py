"""Requests as the API answers them (docs/api.md: `{id, employee_no, type, start_date, end_date,
days, calendar, status, steps: [...]}`, plus what a reviewer needs to see why)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.leave.models import ApprovalStep, LeaveRequest


def step_dict(step: ApprovalStep) -> dict[str, Any]:
    out: dict[str, Any] = {"level": step.level, "role": step.role, "org": step.org,
                           "org_path": step.org_path, "final": step.final,
                           "status": step.status, "unassigned": step.unassigned}
    if step.decided_by is not None:
        out.update(decided_by=step.decided_by, decided_by_employee=step.decided_by_emp,
                   decided_at=step.decided_at)
    if step.comment is not None:
        out["comment"] = step.comment
    return out


def request_dict(request: LeaveRequest) -> dict[str, Any]:
    return {
        "id": request.id, "employee_no": request.employee_no, "type": request.type_code,
        "start_date": request.start_date, "end_date": request.end_date,
        "start_half": request.start_half, "end_half": request.end_half,
        "days": request.days, "calendar": request.calendar, "status": request.status,
        "reason": request.reason, "stand_in": request.stand_in,
        "attachment_ref": request.attachment_ref,
        "org": request.unit_code, "governing_branch": request.governing_code,
        "routed_days": request.routed_days, "related_requests": request.related_ids or [],
        "policy_version": request.policy_version, "cancelled_days": request.cancelled_days,
        "filed_by": request.filed_by, "created_at": request.created_at,
        "updated_at": request.updated_at, "version": request.version,
        "steps": [step_dict(s) for s in request.steps],
    }


def current_step(request: LeaveRequest) -> ApprovalStep | None:
    """The step awaiting a decision (status `pending`), if the request is still pending."""
    if request.status != "pending":
        return None
    return next((s for s in request.steps if s.status == "pending"), None)


def event_data(answer: dict[str, Any]) -> dict[str, Any]:
    """What an event carries about a request (no reason: events leave the service)."""
    keys = ("id", "employee_no", "type", "start_date", "end_date", "start_half", "end_half",
            "days", "calendar", "status", "org")
    return {k: (v.isoformat() if hasattr(v, "isoformat") else
                str(v) if isinstance(v, Decimal) else v) for k, v in answer.items() if k in keys}
