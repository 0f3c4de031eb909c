"""Role bindings: who holds which role over which unit's subtree, and when.

A user's bindings are read with their cached paths in one query (outer join on `org_paths`),
so checks and tokens cost the same whatever the tree depth or binding count.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.auth.domain.decisions import BindingView
from services.auth.domain.scope import WHOLE_ORGANISATION, Period, scopes_nest, today_in
from services.auth.models import AuditEvent, OrgPath, Role, RoleBinding, SodPair, User
from services.auth.service import orgs
from shared.audit import Actor, record
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.settings import Settings


def views(*, session: Session, user_id: int) -> list[BindingView]:
    """The user's bindings (all dates) with their unit paths, in one query."""
    rows = session.execute(
        select(RoleBinding, OrgPath.path)
        .outerjoin(OrgPath, OrgPath.code == RoleBinding.org)
        .where(RoleBinding.user_id == user_id).order_by(RoleBinding.id)).all()
    return [view(b, path) for b, path in rows]


def view(binding: RoleBinding, path: str | None) -> BindingView:
    return view_of(id=binding.id, role=binding.role, org=binding.org,
                   valid_from=binding.valid_from, valid_to=binding.valid_to, path=path)


def view_of(*, id: int, role: str, org: str, valid_from: dt.date | None,
            valid_to: dt.date | None, path: str | None) -> BindingView:
    """A binding's view from its columns (the checks read them with Core, not the ORM)."""
    if org == WHOLE_ORGANISATION:
        path = WHOLE_ORGANISATION
    return BindingView(id=id, role=role, org=org, path=path, period=Period(valid_from, valid_to))


def as_dict(b: BindingView) -> dict[str, object]:
    return {"id": b.id, "role": b.role, "org": b.org, "path": b.path,
            "valid_from": b.period.start.isoformat() if b.period.start else None,
            "valid_to": b.period.end.isoformat() if b.period.end else None}


def sod_conflict(*, pairs: list[SodPair], existing: list[BindingView],
                 new: BindingView) -> str | None:
    """Why `new` would break separation of duties with an existing binding, or None."""
    partners = {p.role_b for p in pairs if p.role_a == new.role}
    partners |= {p.role_a for p in pairs if p.role_b == new.role}
    for b in existing:
        if b.role not in partners or b.path is None or new.path is None:
            continue
        if scopes_nest(b.path, new.path) and b.period.overlaps(new.period):
            return (f"Separation of duties: {new.role} over {new.org} and {b.role} over "
                    f"{b.org} (binding {b.id}) may not be held together where one scope "
                    f"covers the other.")
    return None


def add(*, session: Session, settings: Settings, user_id: int, role: str, org: str,
        valid_from: dt.date | None, valid_to: dt.date | None, actor: Actor, now: dt.datetime,
        lookup: orgs.StaffLookup | None) -> BindingView:
    """Bind `role` over `org` for the dates given; 422 for an unknown role or unit, 409 for a
    separation-of-duties conflict, 503 when the unit is uncached and staff is down."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    if session.get(Role, role) is None:
        raise ValidationFailed("Unknown role.", errors={"role": [f"Unknown role: {role}."]})
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationFailed("The binding ends before it starts.",
                               errors={"valid_to": ["Must not be before valid_from."]})
    path = orgs.resolve(session=session, codes=[org], lookup=lookup, now=now)[org]
    if path is None:
        raise ValidationFailed("Unknown org unit.", errors={"org": [f"Unknown org unit: {org}."]})
    binding = RoleBinding(user_id=user_id, role=role, org=org, valid_from=valid_from,
                          valid_to=valid_to, created_at=now, created_by=actor.sub)
    candidate = BindingView(id=0, role=role, org=org, path=path,
                            period=Period(valid_from, valid_to))
    today = today_in(now, settings.timezone)
    existing = [b for b in views(session=session, user_id=user_id)
                if not b.period.ended_before(today)]
    reason = sod_conflict(pairs=list(session.scalars(select(SodPair))), existing=existing,
                          new=candidate)
    if reason:
        session.rollback()
        record(session, AuditEvent, actor=actor, action="binding.refused", target_type="user",
               target_id=str(user_id),
               after={**as_dict(candidate), "id": None, "reason": "separation_of_duties",
                      "detail": reason})
        session.commit()
        raise Conflict(reason)
    session.add(binding)
    session.flush()
    result = view(binding, path)
    record(session, AuditEvent, actor=actor, action="binding.added", target_type="user",
           target_id=str(user_id), after=as_dict(result))
    session.commit()
    return result


def remove(*, session: Session, user_id: int, binding_id: int, actor: Actor) -> None:
    binding = session.get(RoleBinding, binding_id)
    if binding is None or binding.user_id != user_id:
        raise NotFound("There is no such binding for this user.")
    before = as_dict(view(binding, None))
    session.delete(binding)
    record(session, AuditEvent, actor=actor, action="binding.removed", target_type="user",
           target_id=str(user_id), before=before)
    session.commit()


def holds_admin(*, session: Session) -> bool:
    """Does any active user hold the admin role over the whole organisation?"""
    return session.scalars(
        select(RoleBinding.id).join(User, User.id == RoleBinding.user_id)
        .where(RoleBinding.role == "admin", RoleBinding.org == WHOLE_ORGANISATION,
               User.status == "active")).first() is not None
