"""Loss accountability 责任追究: recording a loss found by internal audit with each person's
share, the auditor's confirmation, and reading them — for life (终身: never deleted).

- Recording needs `performance:record` over the unit of every party (direct, indirect and
  the superior who ordered it, as staff answers their chains at that moment); a party the
  caller may not see answers like an unknown employee (422 on that field). The shares are
  computed then, with the current `loss_shares` policy, and never change.
- Confirmation is internal audit's (稽核确认): `performance:audit-confirm` (the `auditor`
  role) over every party's unit, never by the recorder nor by a party (回避). A loss is
  binding once `confirmed`; until then it is `recorded`.
- Readers: `performance:read`/`record`/`audit-confirm` over any party's unit, and the parties
  themselves. An unreadable loss answers like an unknown one (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.performance.domain.losses import LossRuleError, parties, split
from services.performance.models import AuditEvent
from services.performance.models.losses import Loss, LossShare
from services.performance.service import named_policies
from services.performance.service.visits import holds
from services.performance.staff import Staff
from shared.audit import Actor, record, utcnow
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.scope import WHOLE_ORGANISATION, covers

READERS = frozenset({"performance:read", "performance:record", "performance:audit-confirm"})


def _invalid(errors: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed("The request has invalid fields.", errors=errors)


def record_loss(*, session: Session, loss_in: dict[str, Any], principal: Any, actor: Actor,
                staff: Staff, today: dt.date) -> Loss:
    if principal.kind == "client" or not any("performance:record" in g.permissions
                                             for g in principal.roles):
        raise Forbidden("This needs the permission performance:record over every party.")
    if loss_in["occurred_on"] > today:
        raise _invalid({"occurred_on": ["Not in the future."]})
    try:
        who = parties(loss_in["direct"], loss_in.get("indirect") or [],
                      loss_in.get("ordered_by"))
    except LossRuleError as error:
        raise _invalid({error.field: [error.message]}) from error
    units: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    named = [(f"direct.{i}", no) for i, no in enumerate(loss_in["direct"])]
    named += [(f"indirect.{i}", no) for i, no in enumerate(loss_in.get("indirect") or [])]
    if loss_in.get("ordered_by"):
        named.append(("ordered_by", loss_in["ordered_by"]))
    for field, employee_no in named:
        chain = staff.chain(employee_no)
        if chain is None or not holds(principal, "performance:record", chain["unit"]["path"]):
            errors[field] = [f"No employee {employee_no}."]
        else:
            units[employee_no] = chain["unit"]
    if errors:
        raise _invalid(errors)
    policy = named_policies.current(session=session, name=named_policies.LOSS_SHARES)
    shares_policy = named_policies.share_policy(policy.document)
    try:
        shares = split(loss_in["amount"], who, shares_policy)
    except LossRuleError as error:
        raise _invalid({error.field: [error.message]}) from error
    loss = Loss(amount=loss_in["amount"], audit_reference=loss_in["audit_reference"],
                occurred_on=loss_in["occurred_on"], description=loss_in["description"],
                ordered_by=loss_in.get("ordered_by"), status="recorded",
                policy_version=policy.version, direct_part=shares_policy.direct,
                indirect_part=shares_policy.indirect, recorded_by=actor.sub,
                recorded_by_emp=actor.emp, recorded_at=utcnow())
    session.add(loss)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise Conflict(f"A loss for audit reference {loss_in['audit_reference']} is recorded "
                       "already.") from error
    for share in shares:
        unit = units[share.employee_no]
        session.add(LossShare(loss_id=loss.id, employee_no=share.employee_no, role=share.role,
                              amount=share.amount, exact=str(share.exact),
                              unit_code=unit["code"], unit_path=unit["path"]))
    record(session, AuditEvent, actor=actor, action="loss.record", target_type="loss",
           target_id=str(loss.id), after={
               "amount": str(loss.amount), "audit_reference": loss.audit_reference,
               "ordered_by": loss.ordered_by, "policy_version": policy.version,
               "shares": {s.employee_no: [s.role, str(s.amount)] for s in shares}})
    session.commit()
    return loss


def shares_of(session: Session, loss: Loss) -> list[LossShare]:
    return list(session.scalars(select(LossShare).where(LossShare.loss_id == loss.id)
                                .order_by(LossShare.role, LossShare.employee_no)))


def can_read(principal: Any, shares: list[LossShare]) -> bool:
    if principal.kind == "client":
        return "performance:read" in principal.scope
    if principal.emp is not None and any(s.employee_no == principal.emp for s in shares):
        return True
    return any(READERS & g.permissions and covers(g.path, s.unit_path)
               for g in principal.roles for s in shares)


def get_loss(*, session: Session, loss_id: int, principal: Any,
             for_update: bool = False) -> tuple[Loss, list[LossShare]]:
    stmt = select(Loss).where(Loss.id == loss_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    loss = session.scalar(stmt)
    shares = shares_of(session, loss) if loss is not None else []
    if loss is None or not can_read(principal, shares):
        raise NotFound(f"No loss {loss_id}.")
    return loss, shares


def confirm_loss(*, session: Session, loss_id: int, principal: Any,
                 actor: Actor) -> tuple[Loss, list[LossShare]]:
    loss, shares = get_loss(session=session, loss_id=loss_id, principal=principal,
                            for_update=True)
    if not all(holds(principal, "performance:audit-confirm", s.unit_path) for s in shares):
        raise Forbidden("Internal audit confirms a loss: this needs the permission "
                        "performance:audit-confirm over every party's unit.")
    if principal.emp is not None and (principal.emp == loss.recorded_by_emp or any(
            s.employee_no == principal.emp for s in shares)):
        raise Forbidden("Nobody confirms a loss they recorded or bear a share of (回避).")
    if loss.status != "recorded":
        raise Conflict("This loss is confirmed already.")
    loss.status = "confirmed"
    loss.confirmed_by, loss.confirmed_by_emp, loss.confirmed_at = actor.sub, actor.emp, utcnow()
    record(session, AuditEvent, actor=actor, action="loss.confirm", target_type="loss",
           target_id=str(loss.id), before={"status": "recorded"}, after={"status": "confirmed"})
    session.commit()
    return loss, shares


def list_losses(*, session: Session, principal: Any, page: int, per_page: int,
                employee_no: str | None = None,
                status: str | None = None) -> tuple[list[tuple[Loss, list[LossShare]]], int]:
    query = select(Loss)
    if principal.kind != "client" or "performance:read" not in principal.scope:
        paths = sorted({g.path for g in principal.roles if READERS & g.permissions}) \
            if principal.kind != "client" else []
        if WHOLE_ORGANISATION not in paths:
            seen = [or_(LossShare.unit_path == p, LossShare.unit_path.startswith(
                p + "/", autoescape=True)) for p in paths]
            if principal.emp is not None:
                seen.append(LossShare.employee_no == principal.emp)
            query = query.where(exists().where(LossShare.loss_id == Loss.id,
                                               or_(*seen) if seen else LossShare.id.is_(None)))
    if employee_no is not None:
        query = query.where(exists().where(LossShare.loss_id == Loss.id,
                                           LossShare.employee_no == employee_no))
    if status is not None:
        query = query.where(Loss.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    losses = session.scalars(query.order_by(Loss.occurred_on.desc(), Loss.id.desc())
                             .offset((page - 1) * per_page).limit(per_page)).all()
    by_loss: dict[int, list[LossShare]] = {loss.id: [] for loss in losses}
    if losses:
        for share in session.scalars(select(LossShare).where(LossShare.loss_id.in_(list(by_loss)))
                                     .order_by(LossShare.role, LossShare.employee_no)):
            by_loss[share.loss_id].append(share)
    return [(loss, by_loss[loss.id]) for loss in losses], total


def loss_answer(loss: Loss, shares: list[LossShare]) -> dict[str, Any]:
    return {"id": loss.id, "amount": loss.amount, "audit_reference": loss.audit_reference,
            "occurred_on": loss.occurred_on, "description": loss.description,
            "ordered_by": loss.ordered_by, "status": loss.status,
            "policy_version": loss.policy_version, "direct_part": loss.direct_part,
            "indirect_part": loss.indirect_part, "recorded_by": loss.recorded_by,
            "recorded_at": loss.recorded_at, "confirmed_by": loss.confirmed_by,
            "confirmed_at": loss.confirmed_at,
            "shares": [{"employee_no": s.employee_no, "role": s.role, "amount": s.amount,
                        "unit": s.unit_code} for s in shares]}
