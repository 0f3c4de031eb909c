"""An incident's signed trail (谁签字谁负责): one hash-chained row per transition.

Each row's content is what was decided (action, statuses, actor, time, comment, and the
facts signed: for the recording, the judged numbers). `shared.trail` chains the rows; the
trail answer re-computes every hash from the stored content, and also holds the incident
row to what was signed — an operator who edits the points on the incident, or a step, or
deletes a step, gets `valid: false`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.performance.models import Incident, IncidentStep
from shared.audit import Actor, as_utc
from shared.trail import GENESIS, Verification, link_hash, verify


def judged_facts(incident: Incident) -> dict[str, Any]:
    """What the recording signs: who, which rule version, and what it costs."""
    amount = incident.deduction_amount
    return {"employee_no": incident.employee_no, "unit_code": incident.unit_code,
            "rule_code": incident.rule_code, "rule_version": incident.rule_version,
            "occurred_on": incident.occurred_on.isoformat(), "severity": incident.severity,
            "points": incident.points, "points_override": incident.points_override,
            "override_reason": incident.override_reason,
            "deduction_amount": None if amount is None else str(amount),
            "consequence": incident.consequence, "over_cap": bool(incident.over_cap),
            "description": incident.description, "policy_version": incident.policy_version}


def content(step: IncidentStep) -> dict[str, Any]:
    return {"incident_id": step.incident_id, "seq": step.seq, "action": step.action,
            "from_status": step.from_status, "to_status": step.to_status,
            "actor": step.actor, "actor_emp": step.actor_emp,
            "at": as_utc(step.at).isoformat(), "comment": step.comment, "facts": step.facts}


def steps_of(session: Session, incident_id: int) -> list[IncidentStep]:
    return list(session.scalars(select(IncidentStep).where(
        IncidentStep.incident_id == incident_id).order_by(IncidentStep.seq)).all())


def append(session: Session, incident: Incident, *, action: str, from_status: str | None,
           actor: Actor, at: dt.datetime, comment: str | None,
           facts: dict[str, Any] | None = None) -> IncidentStep:
    """Sign the transition to `incident.status` (the incident is already changed)."""
    previous = session.scalar(select(IncidentStep).where(
        IncidentStep.incident_id == incident.id).order_by(IncidentStep.seq.desc()).limit(1))
    step = IncidentStep(incident_id=incident.id, seq=1 if previous is None else previous.seq + 1,
                        action=action, from_status=from_status, to_status=incident.status,
                        actor=actor.sub, actor_emp=actor.emp, at=at, comment=comment,
                        facts=facts or {}, prev_hash=GENESIS if previous is None
                        else previous.hash, hash="")
    step.hash = link_hash(step.prev_hash, content(step))
    session.add(step)
    return step


def verify_trail(incident: Incident, steps: list[IncidentStep]) -> Verification:
    result = verify((content(s), s.prev_hash, s.hash) for s in steps)
    if not result.valid:
        return result
    if not steps or steps[0].facts != judged_facts(incident):
        return Verification(False, len(steps), 0, "the incident differs from what was signed")
    if steps[-1].to_status != incident.status:
        return Verification(False, len(steps), len(steps) - 1,
                            "the incident's status differs from the last signed step")
    return result
