"""Auth's copy of staff's qualification states (取消客户经理资格 and its restoration).

Staff owns the qualification records; auth keeps the latest state per employee and
qualification, as staff's outbox tells it (`POST /auth/people-events`), so that binding a
role that requires a qualification never waits on staff. Events may arrive twice or late
(at least once): `sequence` (staff's record id, which only grows) decides, so an older
event never overwrites a newer one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.auth.models import QualificationState

WITHDRAWN = "withdrawn"
RESTORED = "restored"


def withdrawn_of(*, session: Session, employee_no: str | None) -> list[str]:
    """The employee's qualifications withdrawn now (none for a user with no employee)."""
    if employee_no is None:
        return []
    return list(session.scalars(select(QualificationState.qualification).where(
        QualificationState.employee_no == employee_no,
        QualificationState.status == WITHDRAWN)))


def remember(*, session: Session, employee_no: str, qualification: str, status: str,
             reference: str, reason: str, sequence: int, now: dt.datetime) -> bool:
    """Store the state unless a newer (or the same) event was applied already; True when
    this event is news. Does not commit."""
    row = session.get(QualificationState, (employee_no, qualification))
    if row is None:
        session.add(QualificationState(employee_no=employee_no, qualification=qualification,
                                       status=status, reference=reference, reason=reason,
                                       sequence=sequence, updated_at=now))
        session.flush()
        return True
    if row.sequence >= sequence:
        return False
    row.status, row.reference, row.reason = status, reference, reason
    row.sequence, row.updated_at = sequence, now
    session.flush()
    return True
