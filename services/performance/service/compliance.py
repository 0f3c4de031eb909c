"""Compliance runs: which customers of a unit's subtree fell short of their tier in a month,
and the −1 incident proposed for each missed visit (recorded, never confirmed: a person
still decides, by confirming or dismissing it like any other incident).

Idempotent: each missed visit is one proposal keyed by (customer, window, n-th missing
visit), whichever run found it first. Running a month again — for the same unit or one above
it — lists the gaps as they stand then and proposes only what no run proposed before; a gap
that a late confirmation closed keeps its earlier proposal, for the confirmer to dismiss.
The incident goes to the customer's manager at the time of the run, dated the window's last
day, through `record_incident` — so the recorder's scope, the rule, audit and the signed
trail apply as to any incident; one that cannot be recorded (e.g. the manager has moved out
of the caller's scope) is left unproposed and shown as such.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.performance.domain.visits import (
    Contact,
    assess,
    month_end,
    parse_period,
    tiers_from_data,
)
from services.performance.models import AuditEvent
from services.performance.models.visits import (
    ComplianceGap,
    ComplianceRun,
    Customer,
    Visit,
    VisitProposal,
)
from services.performance.service import named_policies
from services.performance.service.incidents import record_incident
from services.performance.service.visits import holds
from services.performance.staff import Staff
from shared.audit import Actor, record, utcnow
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.scope import WHOLE_ORGANISATION, covers

READERS = frozenset({"performance:read", "performance:record", "performance:confirm"})


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("The request has invalid fields.", errors={field: [message]})


def _in_subtree(path: str) -> Any:
    return or_(Customer.unit_path == path, Customer.unit_path.startswith(path + "/",
                                                                         autoescape=True))


def run_compliance(*, session: Session, org: str, period: str, principal: Any, actor: Actor,
                   staff: Staff, today: dt.date) -> ComplianceRun:
    if principal.kind == "client" or not any("performance:record" in g.permissions
                                             for g in principal.roles):
        raise Forbidden("This needs the permission performance:record over the unit.")
    try:
        year, month = parse_period(period)
    except ValueError as error:
        raise _invalid("period", str(error)) from error
    if month_end(year, month) >= today:
        raise _invalid("period", "The month is not over yet.")
    unit = staff.unit(org)
    if unit is None or not holds(principal, "performance:record", unit["path"]):
        raise _invalid("org", f"No org unit {org}.")
    policy = named_policies.current(session=session, name=named_policies.VISIT_TIERS)
    tiers = tiers_from_data(policy.document["tiers"])
    customers = session.scalars(select(Customer).where(_in_subtree(unit["path"]))
                                .order_by(Customer.code)).all()
    half_start = dt.date(year, 1 if month <= 6 else 7, 1)
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for visit in session.scalars(select(Visit).join(Customer, Customer.id == Visit.customer_id)
                                 .where(_in_subtree(unit["path"]),
                                        Visit.on_date.between(half_start,
                                                              month_end(year, month)))):
        contacts[visit.customer_id].append(
            Contact(visit.on_date, visit.kind, visit.status == "confirmed"))
    proposed = {(p.customer_id, p.window_start, p.ordinal) for p in session.scalars(
        select(VisitProposal).where(VisitProposal.window_end == month_end(year, month),
                                    VisitProposal.customer_id.in_([c.id for c in customers])))}
    run = ComplianceRun(org_code=unit["code"], org_path=unit["path"], period=period,
                        policy_version=policy.version, customers_checked=0, proposed=0,
                        run_by=actor.sub, run_at=utcnow())
    session.add(run)
    session.flush()
    chains: dict[str, dict[str, Any] | None] = {}
    for customer in customers:
        finding = assess(tiers, deposits=customer.deposits, credit=customer.credit,
                         since=customer.since, contacts=contacts[customer.id], year=year,
                         month=month)
        if finding is None:
            continue
        run.customers_checked += 1
        if not finding.missing:
            continue
        window = finding.window
        session.add(ComplianceGap(run_id=run.id, customer_id=customer.id,
                                  manager_no=customer.manager_no, tier=finding.tier.code,
                                  window_start=window.start, window_end=window.end,
                                  required=finding.required, done=finding.done))
        for ordinal in range(1, finding.missing + 1):
            if (customer.id, window.start, ordinal) in proposed:
                continue
            description = (f"Customer {customer.code} ({finding.tier.code}): {finding.done} of "
                           f"{finding.required} contacts in {window.label}; missed visit "
                           f"{ordinal} of {finding.missing} (compliance run {run.id}).")
            if customer.manager_no not in chains:
                chains[customer.manager_no] = staff.chain(customer.manager_no)
            try:
                incident = record_incident(
                    session=session, actor=actor, recorder_roles=principal.roles,
                    subject=chains[customer.manager_no], staff=staff, today=today,
                    commit=False, incident_in={
                        "employee_no": customer.manager_no,
                        "rule": policy.document["missed_visit_rule"],
                        "occurred_on": window.end, "description": description})
            except (ValidationFailed, Forbidden, Conflict):
                break  # not proposable by this caller (scope, rule, state): shown as unproposed
            session.add(VisitProposal(
                customer_id=customer.id, window_start=window.start, window_end=window.end,
                ordinal=ordinal, run_id=run.id, employee_no=customer.manager_no,
                rule_code=incident.rule_code, occurred_on=window.end,
                description=description, incident_id=incident.id))
            run.proposed += 1
    record(session, AuditEvent, actor=actor, action="compliance.run",
           target_type="compliance_run", target_id=str(run.id),
           after={"org": run.org_code, "period": period, "policy_version": policy.version,
                  "customers_checked": run.customers_checked, "proposed": run.proposed})
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise Conflict("Another run proposed the same visits just now; run it again.") \
            from error
    return run


def run_answer(*, session: Session, run: ComplianceRun) -> dict[str, Any]:
    """The run with each gap and the incidents proposed for it (by this run or earlier)."""
    gaps = session.execute(select(ComplianceGap, Customer)
                           .join(Customer, Customer.id == ComplianceGap.customer_id)
                           .where(ComplianceGap.run_id == run.id)
                           .order_by(Customer.code, ComplianceGap.window_start)).all()
    proposals: dict[tuple[int, dt.date], list[VisitProposal]] = defaultdict(list)
    if gaps:
        for p in session.scalars(select(VisitProposal).where(
                VisitProposal.customer_id.in_([g.Customer.id for g in gaps]),
                VisitProposal.window_end == gaps[0].ComplianceGap.window_end)
                .order_by(VisitProposal.ordinal)):
            proposals[(p.customer_id, p.window_start)].append(p)
    items = []
    for gap, customer in gaps:
        found = proposals[(customer.id, gap.window_start)]
        missing = gap.required - gap.done
        items.append({
            "customer": customer.code, "customer_name": customer.name,
            "manager": gap.manager_no, "tier": gap.tier, "window_start": gap.window_start,
            "window_end": gap.window_end, "required": gap.required, "done": gap.done,
            "missing": missing, "incidents": [p.incident_id for p in found],
            "newly_proposed": sum(1 for p in found if p.run_id == run.id),
            "unproposed": max(0, missing - len(found))})
    return {"id": run.id, "org": run.org_code, "period": run.period,
            "policy_version": run.policy_version, "customers_checked": run.customers_checked,
            "proposed": run.proposed, "run_by": run.run_by, "run_at": run.run_at,
            "gaps": items}


def get_run(*, session: Session, run_id: int, principal: Any) -> ComplianceRun:
    run = session.get(ComplianceRun, run_id)
    if run is None or not ((principal.kind == "client" and "performance:read" in principal.scope)
                           or any(g.permissions & READERS and covers(g.path, run.org_path)
                                  for g in principal.roles)):
        raise NotFound(f"No compliance run {run_id}.")
    return run


def list_runs(*, session: Session, principal: Any, page: int, per_page: int,
              org: str | None = None, period: str | None = None) -> tuple[list[Any], int]:
    """Runs over units in the caller's reading scope, newest first."""
    query = select(ComplianceRun)
    if principal.kind != "client" or "performance:read" not in principal.scope:
        paths = [] if principal.kind == "client" else sorted(
            {g.path for g in principal.roles if g.permissions & READERS})
        if WHOLE_ORGANISATION not in paths:
            query = query.where(or_(*[or_(ComplianceRun.org_path == p,
                                          ComplianceRun.org_path.startswith(p + "/",
                                                                            autoescape=True))
                                      for p in paths]) if paths else ComplianceRun.id.is_(None))
    if org is not None:
        query = query.where(ComplianceRun.org_code == org)
    if period is not None:
        query = query.where(ComplianceRun.period == period)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ComplianceRun.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
