"""Qualification records (取消客户经理资格 and its restoration) and the placement rule.

Performance confirms an incident whose consequence is `disqualification` and tells staff
through `POST /staff/employees/{no}/qualifications`, from an outbox that retries: so the
record is idempotent per `reference` (the same reference answers the record it made, not a
second one), also when two retries race (the reference is unique in the database).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.staff.domain.qualifications import (
    CUSTOMER_MANAGER,
    currently_withdrawn,
    placement_refusal,
    transition_refusal,
)
from services.staff.models import AuditEvent, Employee, Position, QualificationRecord
from services.staff.service import people_events
from services.staff.service.common import get_employee, paginate
from shared.audit import Actor, record, utcnow
from shared.errors import Conflict, ValidationFailed


def record_dict(r: QualificationRecord) -> dict[str, Any]:
    at = r.recorded_at if r.recorded_at.tzinfo else r.recorded_at.replace(tzinfo=dt.UTC)
    return {"id": r.id, "employee_no": r.employee.employee_no,
            "qualification": r.qualification, "status": r.status, "reason": r.reason,
            "reference": r.reference, "recorded_at": at.astimezone(dt.UTC).isoformat(),
            "recorded_by": r.recorded_by}


def withdrawn_of(session: Session, employee_id: int) -> list[str]:
    """The employee's currently withdrawn qualifications (one query)."""
    rows = session.execute(
        select(QualificationRecord.qualification, QualificationRecord.status)
        .where(QualificationRecord.employee_id == employee_id)
        .order_by(QualificationRecord.id)).all()
    return currently_withdrawn((q, s) for q, s in rows)


def require_qualified(session: Session, employee: Employee, position: Position) -> None:
    """409 when `position` requires a qualification withdrawn for `employee`."""
    if position.requires_qualification is None or employee.id is None:
        return
    reason = placement_refusal(employee_no=employee.employee_no, position=position.code,
                               requires=position.requires_qualification,
                               withdrawn=withdrawn_of(session, employee.id))
    if reason:
        raise Conflict(reason)


def known_qualifications(session: Session) -> set[str]:
    """Those some position requires, and the customer manager's (always known)."""
    named = session.scalars(select(Position.requires_qualification).distinct()
                            .where(Position.requires_qualification.is_not(None))).all()
    return {CUSTOMER_MANAGER, *named}


def _by_reference(session: Session, reference: str) -> QualificationRecord | None:
    return session.scalar(select(QualificationRecord)
                          .where(QualificationRecord.reference == reference))


def _same_or_conflict(found: QualificationRecord, employee: Employee,
                      qualification_in: dict[str, Any]) -> QualificationRecord:
    """A retry gets the record back; a reference reused for something else is a 409."""
    if (found.employee_id, found.qualification, found.status) != (
            employee.id, qualification_in["qualification"], qualification_in["status"]):
        raise Conflict(f"The reference {qualification_in['reference']} already records "
                       "another qualification change.")
    return found


def record_qualification(*, session: Session, employee_no: str,
                         qualification_in: dict[str, Any],
                         actor: Actor) -> tuple[QualificationRecord, bool]:
    """Record a withdrawal or restoration; (the record, whether it is new)."""
    employee = get_employee(session, employee_no)
    found = _by_reference(session, qualification_in["reference"])
    if found is not None:
        return _same_or_conflict(found, employee, qualification_in), False
    qualification, status = qualification_in["qualification"], qualification_in["status"]
    if qualification not in known_qualifications(session):
        message = f"No position requires the qualification {qualification}."
        raise ValidationFailed(message, errors={"qualification": [message]})
    reason = transition_refusal(qualification=qualification, status=status,
                                withdrawn=withdrawn_of(session, employee.id),
                                employee_no=employee_no)
    if reason:
        raise Conflict(reason)
    row = QualificationRecord(employee_id=employee.id, employee=employee,
                              qualification=qualification, status=status,
                              reason=qualification_in["reason"],
                              reference=qualification_in["reference"], recorded_at=utcnow(),
                              recorded_by=actor.sub)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # a retry of the same reference committed in between
        session.rollback()
        found = _by_reference(session, qualification_in["reference"])
        if found is None:
            raise
        return _same_or_conflict(found, get_employee(session, employee_no),
                                 qualification_in), False
    record(session, AuditEvent, actor=actor, action=f"employee.qualification_{status}",
           target_type="employee", target_id=employee_no, after=record_dict(row))
    people_events.qualification_changed(session, row)  # auth ends bindings that need it
    session.commit()
    return row, True


def list_qualifications(*, session: Session, employee_no: str, page: int,
                        per_page: int) -> tuple[list[QualificationRecord], int]:
    """Every record of the employee, oldest first (the latest per qualification counts)."""
    employee = get_employee(session, employee_no)
    stmt = select(QualificationRecord).where(QualificationRecord.employee_id == employee.id)
    return paginate(session, stmt, page=page, per_page=per_page,
                    order_by=QualificationRecord.id)
