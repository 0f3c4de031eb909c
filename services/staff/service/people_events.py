"""What staff tells auth about people, through the outbox (`POST /auth/people-events`).

Why: auth holds the logins. An employee who has left must keep no access, and one whose
customer-manager qualification is withdrawn (取消客户经理资格) must not keep a role that
needs it. The event commits with the change that causes it and is delivered after commit,
retried until auth takes it (at least once, in order; auth applies each idempotently), so
a change here never fails, nor is half-done, because auth is down.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.staff.models import Employee, QualificationRecord
from services.staff.service import outbox

PATH = "/auth/people-events"


def employee_left(session: Session, employee: Employee, reason: str | None) -> None:
    """The employee's status became `left` (now, or on a scheduled change's day)."""
    outbox.enqueue(session, destination="auth", path=PATH, payload={
        "event": "employee_left", "employee_no": employee.employee_no,
        "reason": (reason or "")[:500] or None,
        "reference": f"staff:employee:{employee.employee_no}:left"})


def qualification_changed(session: Session, row: QualificationRecord) -> None:
    """A withdrawal or restoration was recorded; `sequence` (the record's id, which only
    grows) lets auth ignore an older event that arrives late."""
    outbox.enqueue(session, destination="auth", path=PATH, payload={
        "event": f"qualification_{row.status}", "employee_no": row.employee.employee_no,
        "qualification": row.qualification, "reference": row.reference,
        "reason": (row.reason or "")[:500], "sequence": row.id})
