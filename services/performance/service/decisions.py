"""Deciding incidents: confirm or dismiss (four-eyes, recusal), appeal, and the appeal's
decision one level up. Every transition is a signed step and an audit event.

Who may decide what (docs/domain.md §4, docs/api.md; our design where they are silent) —
checked by service/deciders.py, the one predicate the list's `awaiting=me` asks too:
- Confirm/dismiss: a holder of `performance:confirm` over the subject's unit; for a
  discretionary amount above the recorder's cap, or a subject of grade `head` (a unit head
  or deputy, 行领导 — never judged by their own unit's heads, as their leave goes one level
  up), only a holder of a policy role (default `hr`, and `admin`) bound on the subject's
  governing branch or above.
- Never the recorder, the subject, or an employee staff declares related to the subject
  (回避, AB角) — whatever roles they hold.
- A confirmation of an incident that occurred in a signed-off (frozen) period of the
  subject's unit or a unit above it → 409.
- Appeal: the subject alone, while `confirmed`, within the policy window (calendar days from
  the confirmation, in the organisation's time zone) → `appealed`.
- Appeal decision (`uphold`/`overturn`): a holder of a policy role (default `hr`, and
  `admin`) bound on the governing branch or above — the level above the sub-branch head who
  usually confirms — never the first confirmer, the recorder, the subject or a related party.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.performance.models import AuditEvent, Incident, SignOff
from services.performance.service import outbox, steps
from services.performance.service.deciders import (
    Policies,
    appeal_filing_refusal,
    appeal_refusal,
    confirm_refusal,
    raise_refusal,
)
from services.performance.service.incidents import get_incident
from services.performance.service.policy import current_policy
from services.performance.staff import Staff
from shared.audit import Actor, record, utcnow
from shared.errors import Conflict
from shared.scope import covers

QUALIFICATION = "customer_manager"


def frozen_by(session: Session, incident: Incident) -> SignOff | None:
    """The sign-off that froze the period the incident occurred in, for its unit, if any."""
    candidates = session.scalars(select(SignOff).where(
        SignOff.starts_on <= incident.occurred_on, SignOff.ends_on >= incident.occurred_on))
    return next((s for s in candidates if covers(s.unit_path, incident.unit_path)), None)


def _commit(session: Session) -> None:
    """Two people deciding the same incident at once: the second finds its step number
    taken (unique per incident) and gets a 409, never a 500."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise Conflict("The incident was decided by someone else at the same time.") from error


def _transition(session: Session, incident: Incident, *, to: str, action: str, actor: Actor,
                comment: str | None, at: dt.datetime,
                facts: dict[str, Any] | None = None) -> None:
    before = incident.status
    incident.status = to
    steps.append(session, incident, action=action, from_status=before, actor=actor, at=at,
                 comment=comment, facts=facts)
    record(session, AuditEvent, actor=actor, action=f"incident.{action}",
           target_type="incident", target_id=str(incident.id),
           before={"status": before}, after={"status": to, "comment": comment, **(facts or {})})


def decide_incident(*, session: Session, incident_id: int, decision: str,
                    principal: Any, actor: Actor, staff: Staff, comment: str | None = None,
                    today: dt.date) -> Incident:
    incident = get_incident(session=session, incident_id=incident_id, principal=principal,
                            for_update=True)
    # The one predicate the incidents list's `awaiting=me` filter also asks (deciders.py).
    raise_refusal(confirm_refusal(incident, principal, staff.related, Policies(session)))
    now = utcnow()
    if decision == "dismiss":
        _transition(session, incident, to="dismissed", action="dismiss", actor=actor,
                    comment=comment, at=now)
    else:
        signed = frozen_by(session, incident)
        if signed is not None:
            raise Conflict(f"The period {signed.period} of unit {signed.unit_code} is signed "
                           "off: no confirmation of an incident that occurred in it.")
        window = current_policy(session=session).appeal_window_days
        incident.appeal_deadline = today + dt.timedelta(days=window)
        _transition(session, incident, to="confirmed", action="confirm", actor=actor,
                    comment=comment, at=now,
                    facts={"appeal_deadline": incident.appeal_deadline.isoformat()})
        if incident.consequence == "disqualification":
            _owe_disqualification(session, incident)
    incident.decided_by, incident.decided_by_emp, incident.decided_at = \
        principal.sub, principal.emp, now
    _commit(session)
    return incident


def _qualifications_path(employee_no: str) -> str:
    return f"/staff/employees/{quote(employee_no, safe='')}/qualifications"


def _owe_disqualification(session: Session, incident: Incident) -> None:
    """Tell staff (after commit) that the customer-manager qualification is withdrawn."""
    rule = f"{incident.rule_code} v{incident.rule_version}"
    outbox.enqueue(session, destination="staff",
                   path=_qualifications_path(incident.employee_no),
                   payload={"qualification": QUALIFICATION, "status": "withdrawn",
                            "reason": f"取消客户经理资格: incident {incident.id} ({rule}, "
                                      f"{incident.severity}) confirmed",
                            "reference": f"performance:incident:{incident.id}"})


def appeal_incident(*, session: Session, incident_id: int, reason: str, principal: Any,
                    actor: Actor, today: dt.date) -> Incident:
    incident = get_incident(session=session, incident_id=incident_id, principal=principal,
                            for_update=True)
    raise_refusal(appeal_filing_refusal(incident, principal, today))
    now = utcnow()
    incident.appealed_at = now
    _transition(session, incident, to="appealed", action="appeal", actor=actor,
                comment=reason, at=now)
    _commit(session)
    return incident


def decide_appeal(*, session: Session, incident_id: int, decision: str, principal: Any,
                  actor: Actor, staff: Staff, comment: str | None = None) -> Incident:
    incident = get_incident(session=session, incident_id=incident_id, principal=principal,
                            for_update=True)
    raise_refusal(appeal_refusal(incident, principal, staff.related, Policies(session)))
    now = utcnow()
    to = "upheld" if decision == "uphold" else "overturned"
    _transition(session, incident, to=to, action=decision, actor=actor, comment=comment,
                at=now)
    incident.closed_by, incident.closed_at = principal.sub, now
    if to == "overturned" and incident.consequence == "disqualification":
        _owe_restoration(session, incident)
    _commit(session)
    return incident


def _owe_restoration(session: Session, incident: Incident) -> None:
    """An overturned disqualification lifts the withdrawal it caused — unless another
    standing incident still disqualifies the employee (staff keeps only the latest state)."""
    still = session.scalar(select(Incident.id).where(
        Incident.employee_no == incident.employee_no, Incident.id != incident.id,
        Incident.consequence == "disqualification",
        Incident.status.in_(("confirmed", "appealed", "upheld"))).limit(1))
    if still is not None:
        return
    outbox.enqueue(session, destination="staff",
                   path=_qualifications_path(incident.employee_no),
                   payload={"qualification": QUALIFICATION, "status": "restored",
                            "reason": f"incident {incident.id} overturned on appeal",
                            "reference": f"performance:incident:{incident.id}:overturned"})
