"""Versioned policy documents for visit compliance and loss accountability.

Why versioned: a compliance run and a loss name the version they were judged under, so
editing the tiers or the percentages tomorrow never re-judges what was decided today. The
shipped YAML (`data/reference/`) becomes version 1 on first start (`load_reference_data`),
or when first needed on a store prepared before; every edit is a new version, audited with
the one before it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.performance.domain.losses import SharePolicy
from services.performance.domain.visits import PolicyError, tiers_from_data
from services.performance.models import AuditEvent, Rule
from services.performance.models.visits import NamedPolicy
from shared.audit import Actor, record
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.scope import WHOLE_ORGANISATION

REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference"
VISIT_TIERS = "visit_tiers"
LOSS_SHARES = "loss_shares"
FILES = {VISIT_TIERS: REFERENCE / "visit_tiers.yaml",
         LOSS_SHARES: REFERENCE / "loss_accountability.yaml"}
#: How the tier is decided, stated in every tier document (see `domain.visits`).
TIER_BASIS = "max(deposits, credit)"


def _fraction(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        if isinstance(value, float | bool) or value is None:
            raise InvalidOperation
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = ["A decimal fraction of 1, written as a string such as \"0.80\"."]
        return None
    if not number.is_finite() or not 0 <= number <= 1 or number != number.quantize(
            Decimal("0.0001")):
        errors[field] = ["Between 0 and 1, at most 4 decimals."]
        return None
    return number


def checked(name: str, document: dict[str, Any]) -> dict[str, Any]:
    """The document in its stored form, or `ValidationFailed` naming what is wrong."""
    if name == VISIT_TIERS:
        try:
            tiers = tiers_from_data(document.get("tiers") or [])
        except (PolicyError, KeyError, TypeError, ValueError, InvalidOperation) as error:
            detail = str(error) if isinstance(error, PolicyError) else "Each tier needs code, " \
                "min_amount, required, window and counts."
            raise ValidationFailed("The visit tiers are not valid.",
                                   errors={"tiers": [detail]}) from error
        rule = document.get("missed_visit_rule")
        if not isinstance(rule, str) or not 1 <= len(rule) <= 40:
            raise ValidationFailed("The visit tiers are not valid.", errors={
                "missed_visit_rule": ["The rule code a missed visit is proposed under."]})
        return {"basis": TIER_BASIS, "missed_visit_rule": rule,
                "tiers": [t.as_data() for t in tiers]}
    errors: dict[str, list[str]] = {}
    direct = _fraction(document.get("direct"), "direct", errors)
    indirect = _fraction(document.get("indirect"), "indirect", errors)
    if direct is not None and indirect is not None and direct + indirect != 1:
        errors["indirect"] = ["direct and indirect must add up to 1."]
    if errors:
        raise ValidationFailed("The loss shares are not valid.", errors=errors)
    return {"direct": str(direct), "indirect": str(indirect)}


def share_policy(document: dict[str, Any]) -> SharePolicy:
    return SharePolicy(Decimal(document["direct"]), Decimal(document["indirect"]))


def _shipped(name: str) -> dict[str, Any]:
    return checked(name, yaml.safe_load(FILES[name].read_text(encoding="utf-8")))


def current(*, session: Session, name: str) -> NamedPolicy:
    """The current version; on a store that has none yet, the shipped file becomes version 1
    (in a savepoint, so two first requests at once cannot both write it)."""
    row = session.scalar(select(NamedPolicy).where(NamedPolicy.name == name,
                                                   NamedPolicy.is_current.is_(True)))
    if row is not None:
        return row
    document = _shipped(name)
    try:
        with session.begin_nested():
            session.add(NamedPolicy(name=name, version=1, is_current=True, document=document,
                                    published_by="reference-data"))
            record(session, AuditEvent, actor=Actor.system("reference-data"),
                   action=f"{name}.load", target_type="policy", target_id=f"{name}/1",
                   after=document)
    except IntegrityError:
        pass  # another request loaded it first
    return session.scalar(select(NamedPolicy).where(NamedPolicy.name == name,
                                                    NamedPolicy.is_current.is_(True)))


def version_of(*, session: Session, name: str, version: int) -> NamedPolicy | None:
    return session.scalar(select(NamedPolicy).where(NamedPolicy.name == name,
                                                    NamedPolicy.version == version))


def require_editor(principal: Any) -> None:
    """Policy is organisation-wide: `performance:policy` held over the whole organisation
    or a root unit (a path with no parent), never a branch's HR deciding for the bank."""
    if principal.kind == "client":
        allowed = "performance:policy" in principal.scope
    else:
        allowed = any("performance:policy" in g.permissions
                      and (g.path == WHOLE_ORGANISATION or "/" not in g.path)
                      for g in principal.roles)
    if not allowed:
        raise Forbidden("This needs the permission performance:policy over the whole "
                        "organisation.")


def publish(*, session: Session, name: str, document: dict[str, Any], reason: str,
            actor: Actor) -> NamedPolicy:
    """A new current version; the old one stays and binds what was judged under it."""
    stored = checked(name, document)
    if name == VISIT_TIERS and session.scalar(select(Rule.id).where(
            Rule.code == stored["missed_visit_rule"], Rule.is_current.is_(True))) is None:
        raise ValidationFailed("The visit tiers are not valid.", errors={
            "missed_visit_rule": [f"No rule {stored['missed_visit_rule']}."]})
    before = current(session=session, name=name)
    number = (session.scalar(select(func.max(NamedPolicy.version))
                             .where(NamedPolicy.name == name)) or 0) + 1
    session.execute(update(NamedPolicy).where(NamedPolicy.name == name,
                                              NamedPolicy.is_current.is_(True))
                    .values(is_current=False))
    row = NamedPolicy(name=name, version=number, is_current=True, document=stored,
                      published_by=actor.sub, change_reason=reason)
    session.add(row)
    record(session, AuditEvent, actor=actor, action=f"{name}.publish", target_type="policy",
           target_id=f"{name}/{number}", before=before.document,
           after={**stored, "reason": reason})
    try:
        session.commit()
    except IntegrityError as error:  # another edit published the same version first
        session.rollback()
        raise Conflict("Another edit of this policy was published just now; read it and "
                       "try again.") from error
    return row
