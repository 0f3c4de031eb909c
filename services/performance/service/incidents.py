"""Recording incidents (过错记录) and reading them within the caller's scope.

`record_incident` is the one way an incident comes to exist — from the API and from the
visit-compliance run that proposes −1 incidents — so every rule (scope, rule version, range,
severity, authority cap, audit, signed trail) holds whoever records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from services.performance.domain.incidents import IncidentRuleError, RuleTerms, judge, recorder_cap
from services.performance.models import AuditEvent, Incident, Rule
from services.performance.service import steps
from services.performance.service.policy import Policy, current_policy
from services.performance.staff import Staff
from shared.audit import Actor, record, utcnow
from shared.errors import Forbidden, NotFound, ValidationFailed
from shared.scope import WHOLE_ORGANISATION, covers

#: Permissions that let a user read incidents about employees of a unit's subtree.
READ_PERMISSIONS = ("performance:read", "performance:record", "performance:confirm")


def today_local(timezone: str = "Asia/Shanghai") -> dt.date:
    """Today in the organisation's time zone (`HR_TIMEZONE`): dates are read there."""
    return dt.datetime.now(ZoneInfo(timezone)).date()


def terms_of(rule: Rule) -> RuleTerms:
    return RuleTerms(code=rule.code, points=rule.points, deduction_min=rule.deduction_min,
                     deduction_max=rule.deduction_max, consequence=rule.consequence,
                     severities=tuple(rule.severities or ()),
                     severity_consequences=dict(rule.severity_consequences or {}))


def _no_employee(employee_no: str) -> ValidationFailed:
    # Unknown and out-of-scope answer alike: the answer never maps who works where.
    return ValidationFailed("The request has invalid fields.",
                            errors={"employee_no": [f"No employee {employee_no}."]})


def record_incident(*, session: Session, incident_in: dict[str, Any], actor: Actor,
                    recorder_roles: Sequence[Any] = (), staff: Staff | None = None,
                    subject: dict[str, Any] | None = None, policy: Policy | None = None,
                    today: dt.date | None = None, commit: bool = True) -> Incident:
    """Record an incident (status `recorded`): docs/api.md's POST body in `incident_in`.

    `recorder_roles` are the recorder's role grants (role, path, permissions; a token's
    `Principal.roles`): one must hold `performance:record` over the subject's unit, and the
    authority cap comes from them. `subject` is the subject's chain as staff answers
    `GET /staff/employees/{no}/chain`; without it, it is asked from `staff`. `commit=False`
    leaves the transaction open (a caller recording many in one run commits once).
    """
    employee_no = incident_in["employee_no"]
    if subject is None:
        if staff is None:
            raise ValueError("record_incident needs the subject's chain or a staff client")
        subject = staff.chain(employee_no)
    if subject is None or not any("performance:record" in g.permissions
                                  and covers(g.path, subject["unit"]["path"])
                                  for g in recorder_roles):
        raise _no_employee(employee_no)
    rule = session.scalar(select(Rule).where(Rule.code == incident_in["rule"],
                                             Rule.is_current.is_(True)))
    if rule is None:
        raise ValidationFailed("The request has invalid fields.",
                               errors={"rule": [f"No rule {incident_in['rule']}."]})
    occurred_on = incident_in["occurred_on"]
    if occurred_on > (today or today_local()):
        raise ValidationFailed("The request has invalid fields.",
                               errors={"occurred_on": ["Not in the future."]})
    policy = policy or current_policy(session=session)
    unit_path = subject["unit"]["path"]
    cap = recorder_cap(recorder_roles, policy.authority_caps, unit_path)
    try:
        judged = judge(terms_of(rule), severity=incident_in.get("severity") or "normal",
                       deduction_amount=incident_in.get("deduction_amount"),
                       points_override=incident_in.get("points_override"),
                       override_reason=incident_in.get("override_reason"), cap=cap)
    except IncidentRuleError as error:
        raise ValidationFailed("The incident breaks its rule.",
                               errors={error.field: [error.message]}) from error
    governing = subject.get("governing_branch") or subject["units"][-1]
    now = utcnow()
    incident = Incident(
        employee_no=employee_no, employee_name=subject.get("name"),
        unit_code=subject["unit"]["code"], unit_path=unit_path, grade=subject.get("grade"),
        governing_code=governing["code"], governing_path=governing["path"], rule_id=rule.id,
        rule_code=rule.code, rule_version=rule.version, occurred_on=occurred_on,
        description=incident_in["description"],
        severity=incident_in.get("severity") or "normal", points=judged.points,
        points_override=incident_in.get("points_override"),
        override_reason=incident_in.get("override_reason"),
        deduction_amount=judged.deduction_amount, discretionary=judged.discretionary,
        consequence=judged.consequence, recorder_cap=cap if judged.discretionary else None,
        over_cap=judged.over_cap, status="recorded", recorded_by=actor.sub,
        recorded_by_emp=actor.emp, recorded_at=now, policy_version=policy.version)
    session.add(incident)
    session.flush()
    facts = steps.judged_facts(incident)
    steps.append(session, incident, action="record", from_status=None, actor=actor, at=now,
                 comment=None, facts=facts)
    record(session, AuditEvent, actor=actor, action="incident.record", target_type="incident",
           target_id=str(incident.id), after={"id": incident.id, **facts})
    if commit:
        session.commit()
    return incident


def can_read(principal: Any, incident: Incident) -> bool:
    """The subject reads their own; readers of the subject's unit and the roles that decide
    over-cap cases and appeals (bound on the governing branch) read it too."""
    if principal.kind == "client":
        return "performance:read" in principal.scope
    if principal.emp is not None and principal.emp == incident.employee_no:
        return True
    return any((set(READ_PERMISSIONS) & g.permissions and covers(g.path, incident.unit_path))
               or (g.role in ("hr", "admin") and covers(g.path, incident.governing_path))
               for g in principal.roles)


def get_incident(*, session: Session, incident_id: int, principal: Any,
                 for_update: bool = False) -> Incident:
    """The incident, or 404 for an unknown one and one the caller may not read alike."""
    stmt = select(Incident).where(Incident.id == incident_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    incident = session.scalar(stmt)
    if incident is None or not can_read(principal, incident):
        raise NotFound(f"No incident {incident_id}.")
    return incident


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def under_paths(paths: Sequence[str]) -> list[Any]:
    """SQL conditions: the incident's unit is one of `paths` or below one."""
    return ([Incident.unit_path == p for p in paths]
            + [Incident.unit_path.like(_escape_like(p) + "/%", escape="\\") for p in paths])


def incident_query(*, principal: Any, under_path: str | None = None,
                   employee_no: str | None = None, status: str | None = None,
                   rule: str | None = None, occurred_from: dt.date | None = None,
                   occurred_to: dt.date | None = None, scope: bool = True) -> Select[Any]:
    """The list's query: the caller's scope (unless `scope` is False: the caller narrows
    otherwise) and the filters."""
    query = select(Incident)
    if scope and (principal.kind != "client" or "performance:read" not in principal.scope):
        paths = sorted({g.path for g in principal.roles if set(READ_PERMISSIONS) & g.permissions})
        if WHOLE_ORGANISATION not in paths:
            seen = under_paths(paths)
            if principal.emp is not None:
                seen.append(Incident.employee_no == principal.emp)
            if not seen:
                raise Forbidden("This needs the permission performance:read.")
            query = query.where(or_(*seen))
    if under_path is not None:
        query = query.where(or_(*under_paths([under_path])))
    for column, value in ((Incident.employee_no, employee_no), (Incident.status, status),
                          (Incident.rule_code, rule)):
        if value is not None:
            query = query.where(column == value)
    if occurred_from is not None:
        query = query.where(Incident.occurred_on >= occurred_from)
    if occurred_to is not None:
        query = query.where(Incident.occurred_on <= occurred_to)
    return query


def list_incidents(*, session: Session, principal: Any, page: int, per_page: int,
                   **filters: Any) -> tuple[list[Incident], int]:
    """Incidents in the caller's scope (and their own), newest first."""
    query = incident_query(principal=principal, **filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Incident.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
