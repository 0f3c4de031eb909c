"""The performance policy as versioned data: authority caps per role, who confirms above a
cap, the appeal window and who decides appeals.

Why versioned: an incident records the policy version it was judged under (its cap and
routing), so raising a cap tomorrow never re-routes or re-judges what was recorded today.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.performance.models import AuditEvent, PolicyVersion
from shared.audit import Actor, record
from shared.errors import Conflict, ValidationFailed

POLICY_FILE = Path(__file__).resolve().parents[3] / "data" / "reference" / \
    "performance_policy.yaml"
ROLE_NAMES = ("admin", "hr", "branch_head", "dept_manager", "employee", "auditor")


@dataclass(frozen=True)
class Policy:
    version: int
    authority_caps: dict[str, Decimal]
    over_cap_confirmer_roles: tuple[str, ...]
    appeal_window_days: int
    appeal_decider_roles: tuple[str, ...]

    def as_document(self) -> dict[str, Any]:
        """The JSON document stored (money as decimal strings)."""
        return {"authority_caps": {k: str(v) for k, v in self.authority_caps.items()},
                "over_cap_confirmer_roles": list(self.over_cap_confirmer_roles),
                "appeal_window_days": self.appeal_window_days,
                "appeal_decider_roles": list(self.appeal_decider_roles)}


def policy_from(document: dict[str, Any], version: int) -> Policy:
    """Read and check a policy document; raises `ValidationFailed` naming the bad field."""
    errors: dict[str, list[str]] = {}
    caps: dict[str, Decimal] = {}
    for role, value in (document.get("authority_caps") or {}).items():
        try:
            if isinstance(value, float):
                raise InvalidOperation
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors[f"authority_caps.{role}"] = ["A decimal amount in yuan."]
            continue
        if role not in ROLE_NAMES:
            errors[f"authority_caps.{role}"] = ["Not a role."]
        elif not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            errors[f"authority_caps.{role}"] = ["A non-negative amount with at most 2 decimals."]
        else:
            caps[role] = amount.quantize(Decimal("0.01"))
    lists = {}
    for key in ("over_cap_confirmer_roles", "appeal_decider_roles"):
        roles = document.get(key) or []
        if not roles or any(r not in ROLE_NAMES for r in roles):
            errors[key] = [f"A non-empty list of roles among {', '.join(ROLE_NAMES)}."]
        lists[key] = tuple(roles)
    window = document.get("appeal_window_days")
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 366:
        errors["appeal_window_days"] = ["Whole days, 1 to 366."]
    if errors:
        raise ValidationFailed("The policy is not valid.", errors=errors)
    return Policy(version=version, authority_caps=caps,
                  over_cap_confirmer_roles=lists["over_cap_confirmer_roles"],
                  appeal_window_days=int(window),  # type: ignore[arg-type]
                  appeal_decider_roles=lists["appeal_decider_roles"])


def load_policy(*, session: Session, path: Path = POLICY_FILE) -> bool:
    """Load policy version 1 into an empty store (first start); True when loaded."""
    if session.scalar(select(func.count()).select_from(PolicyVersion)):
        return False
    policy = policy_from(yaml.safe_load(path.read_text(encoding="utf-8")), 1)
    session.add(PolicyVersion(version=1, is_current=True, document=policy.as_document(),
                              published_by="reference-data"))
    record(session, AuditEvent, actor=Actor.system("reference-data"), action="policy.load",
           target_type="policy", target_id="1", after=policy.as_document())
    return True


def current_policy(*, session: Session) -> Policy:
    row = session.scalar(select(PolicyVersion).where(PolicyVersion.is_current.is_(True)))
    if row is None:  # a store prepared before the policy existed: load it now
        load_policy(session=session)
        session.flush()
        row = session.scalar(select(PolicyVersion).where(PolicyVersion.is_current.is_(True)))
    return policy_from(row.document, row.version)


def policy_version(*, session: Session, version: int) -> Policy | None:
    row = session.scalar(select(PolicyVersion).where(PolicyVersion.version == version))
    return None if row is None else policy_from(row.document, row.version)


def publish_policy(*, session: Session, document: dict[str, Any], reason: str,
                   actor: Actor) -> Policy:
    """A new current version; the old one stays readable and binds what was judged under it."""
    before = current_policy(session=session)
    number = (session.scalar(select(func.max(PolicyVersion.version))) or 0) + 1
    policy = policy_from(document, number)
    session.execute(update(PolicyVersion).where(PolicyVersion.is_current.is_(True))
                    .values(is_current=False))
    session.add(PolicyVersion(version=number, is_current=True, document=policy.as_document(),
                              published_by=actor.sub, change_reason=reason))
    record(session, AuditEvent, actor=actor, action="policy.publish", target_type="policy",
           target_id=str(number), before=before.as_document(),
           after={**policy.as_document(), "reason": reason})
    try:
        session.commit()
    except IntegrityError as error:  # another version published at the same moment
        session.rollback()
        raise Conflict("Another policy version was published at the same time.") from error
    return policy
