"""Roles, permission names and separation-of-duties pairs: policy data.

Loaded from `data/reference/roles.yaml` into an empty store on first start; after that the
database is the truth and admins edit it (every change audited).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.auth.domain.placement import UNIT_TYPES
from services.auth.models import AuditEvent, Permission, Role, RoleBinding, SodPair
from shared.audit import Actor, record
from shared.errors import Conflict, NotFound, ValidationFailed

ROLES_FILE = Path(__file__).resolve().parents[3] / "data" / "reference" / "roles.yaml"

#: The only permissions `POST /auth/clients` and `PATCH /auth/clients/{id}` may grant (read
#: and check permissions: a client has no org scope; see `service.clients`). Shown by
#: `GET /auth/permissions` as `client_grantable`.
CLIENT_GRANTABLE = frozenset({"auth:check", "auth:introspect", "staff:read", "leave:read",
                              "performance:read"})


def load_reference_roles(*, session: Session, path: Path = ROLES_FILE) -> bool:
    """Permissions, default roles and SoD pairs into an empty store; True when loaded."""
    if session.scalar(select(func.count()).select_from(Role)):
        return False
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, description in data["permissions"].items():
        session.merge(Permission(name=name, description=description))
    every = sorted(data["permissions"])
    for name, spec in data["roles"].items():
        perms = every if spec["permissions"] == "ALL" else sorted(spec["permissions"])
        session.add(Role(name=name, description=spec.get("description", ""), permissions=perms,
                         unit_types=spec.get("unit_types"),
                         requires_qualification=spec.get("requires_qualification")))
    for a, b in data.get("separation_of_duties") or []:
        lo, hi = sorted((a, b))
        session.add(SodPair(role_a=lo, role_b=hi))
    record(session, AuditEvent, actor=Actor.system("auth"), action="roles.loaded",
           target_type="roles", target_id=None, after={"roles": sorted(data["roles"])})
    session.commit()
    return True


def permission_names(*, session: Session) -> set[str]:
    return set(session.scalars(select(Permission.name)).all())


def unknown_permissions(*, session: Session, names: list[str]) -> list[str]:
    known = permission_names(session=session)
    return sorted(set(names) - known)


def role_permissions(*, session: Session) -> dict[str, frozenset[str]]:
    """Every role's permissions in one query (roles are few)."""
    return {r.name: frozenset(r.permissions or ()) for r in session.scalars(select(Role))}


def list_permissions(*, session: Session, page: int, per_page: int) -> tuple[list[Any], int]:
    """Every permission, and whether an outside client may be granted it."""
    total = session.scalar(select(func.count()).select_from(Permission)) or 0
    rows = session.scalars(select(Permission).order_by(Permission.name)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return [{"name": r.name, "description": r.description,
             "client_grantable": r.name in CLIENT_GRANTABLE} for r in rows], total


def list_roles(*, session: Session, page: int, per_page: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(Role)) or 0
    rows = session.scalars(select(Role).order_by(Role.name)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def get_role(*, session: Session, name: str) -> Role:
    role = session.get(Role, name)
    if role is None:
        raise NotFound(f"There is no role {name!r}.")
    return role


def _check_permissions(session: Session, permissions: list[str]) -> list[str]:
    unknown = unknown_permissions(session=session, names=permissions)
    if unknown:
        raise ValidationFailed("Unknown permission names.",
                               errors={"permissions": [f"Unknown permission: {n}."
                                                       for n in unknown]})
    return sorted(set(permissions))


def _check_unit_types(unit_types: list[str] | None) -> list[str] | None:
    if unit_types is None:
        return None
    unknown = sorted(set(unit_types) - set(UNIT_TYPES))
    if unknown:
        raise ValidationFailed("Unknown unit types.", errors={"unit_types": [
            f"Unknown unit type: {t}; one of {', '.join(UNIT_TYPES)}." for t in unknown]})
    return [t for t in UNIT_TYPES if t in set(unit_types)]


def _state(role: Role) -> dict[str, Any]:
    """A role as the audit trail shows it before and after a change."""
    return {"permissions": list(role.permissions), "description": role.description,
            "unit_types": role.unit_types, "requires_qualification": role.requires_qualification}


def create_role(*, session: Session, name: str, description: str, permissions: list[str],
                actor: Actor, unit_types: list[str] | None = None,
                requires_qualification: str | None = None) -> Role:
    if session.get(Role, name) is not None:
        raise Conflict(f"The role {name!r} exists already.")
    role = Role(name=name, description=description,
                permissions=_check_permissions(session, permissions),
                unit_types=_check_unit_types(unit_types),
                requires_qualification=requires_qualification)
    session.add(role)
    record(session, AuditEvent, actor=actor, action="role.created", target_type="role",
           target_id=name, after=_state(role))
    session.commit()
    return role


def update_role(*, session: Session, name: str, permissions: list[str] | None,
                description: str | None, actor: Actor,
                changes: dict[str, Any] | None = None) -> Role:
    """Replace a role's permissions, description, `unit_types` or `requires_qualification`
    (the last two when present in `changes`, null clearing them). The admin role keeps
    `auth:admin` (else nobody could ever administer auth again). New rules apply to bindings
    made from now on; bindings held are not re-judged."""
    role = get_role(session=session, name=name)
    before = _state(role)
    changes = changes or {}
    if permissions is not None:
        perms = _check_permissions(session, permissions)
        if name == "admin" and "auth:admin" not in perms:
            raise Conflict("The admin role must keep auth:admin.")
        role.permissions = perms
    if description is not None:
        role.description = description
    if "unit_types" in changes:
        role.unit_types = _check_unit_types(changes["unit_types"])
    if "requires_qualification" in changes:
        role.requires_qualification = changes["requires_qualification"]
    record(session, AuditEvent, actor=actor, action="role.updated", target_type="role",
           target_id=name, before=before, after=_state(role))
    session.commit()
    return role


def delete_role(*, session: Session, name: str, actor: Actor) -> None:
    role = get_role(session=session, name=name)
    if name == "admin":
        raise Conflict("The admin role cannot be deleted.")
    in_use = session.scalar(select(func.count()).select_from(RoleBinding)
                            .where(RoleBinding.role == name))
    if in_use:
        raise Conflict(f"The role {name!r} is held by {in_use} binding(s); remove them first.")
    session.execute(SodPair.__table__.delete().where(
        (SodPair.role_a == name) | (SodPair.role_b == name)))
    session.delete(role)
    record(session, AuditEvent, actor=actor, action="role.deleted", target_type="role",
           target_id=name, before={"permissions": list(role.permissions)})
    session.commit()


def sod_pairs(*, session: Session) -> list[SodPair]:
    return list(session.scalars(select(SodPair).order_by(SodPair.role_a, SodPair.role_b)))


def add_sod_pair(*, session: Session, roles: list[str], actor: Actor) -> SodPair:
    a, b = sorted(roles)
    if a == b:
        raise ValidationFailed("A pair needs two different roles.",
                               errors={"roles": ["Name two different roles."]})
    missing = [r for r in (a, b) if session.get(Role, r) is None]
    if missing:
        raise ValidationFailed("Unknown roles.",
                               errors={"roles": [f"Unknown role: {r}." for r in missing]})
    if session.scalars(select(SodPair).where(SodPair.role_a == a, SodPair.role_b == b)).first():
        raise Conflict(f"The pair {a} + {b} exists already.")
    pair = SodPair(role_a=a, role_b=b)
    session.add(pair)
    session.flush()
    record(session, AuditEvent, actor=actor, action="sod.added", target_type="sod_pair",
           target_id=str(pair.id), after={"roles": [a, b]})
    session.commit()
    return pair


def delete_sod_pair(*, session: Session, pair_id: int, actor: Actor) -> None:
    pair = session.get(SodPair, pair_id)
    if pair is None:
        raise NotFound("There is no such separation-of-duties pair.")
    session.delete(pair)
    record(session, AuditEvent, actor=actor, action="sod.deleted", target_type="sod_pair",
           target_id=str(pair_id), before={"roles": [pair.role_a, pair.role_b]})
    session.commit()
