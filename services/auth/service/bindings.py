"""Role bindings: who holds which role over which unit's subtree, and when.

A user's bindings are read with their cached paths in one query (outer join on `org_paths`),
so checks and tokens cost the same whatever the tree depth or binding count.
"""

from __future__ import annotations

import datetime as dt
from typing import NoReturn

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.auth.domain.decisions import BindingView
from services.auth.domain.placement import (
    duplicate_of,
    qualification_refusal,
    unit_type_refusal,
)
from services.auth.domain.scope import WHOLE_ORGANISATION, Period, scopes_nest, today_in
from services.auth.models import AuditEvent, OrgPath, Role, RoleBinding, SodPair, User
from services.auth.service import orgs, qualifications
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


def guard(*, session: Session, user_id: int, now: dt.datetime) -> User:
    """Serialise every change of one user's bindings: the first write of the transaction is
    an UPDATE of the user's row, held until commit.

    Why: separation of duties and duplicates are check-then-insert; two requests checking at
    once would both find nothing and both insert. On PostgreSQL the row lock makes the
    second wait until the first commits, and its checks (later statements, READ COMMITTED)
    then see the first one's binding. On SQLite the UPDATE takes the database's write lock
    (waiting out the busy timeout) before anything is read for the decision. 404 when the
    user is gone."""
    changed = session.execute(update(User).where(User.id == user_id)
                              .values(updated_at=now)).rowcount
    if not changed:
        raise NotFound("There is no such user.")
    user = session.get(User, user_id, populate_existing=True)
    assert user is not None
    return user


def _refuse(session: Session, *, actor: Actor, user_id: int, candidate: BindingView,
            reason: str, detail: str, error: Exception) -> NoReturn:
    """Audit a refused binding (who asked, from which request and address, why), commit the
    row on its own, then raise the refusal."""
    record(session, AuditEvent, actor=actor, action="binding.refused", target_type="user",
           target_id=str(user_id),
           after={**as_dict(candidate), "id": None, "reason": reason, "detail": detail})
    session.commit()
    raise error


def add(*, session: Session, settings: Settings, user_id: int, role: str, org: str,
        valid_from: dt.date | None, valid_to: dt.date | None, actor: Actor, now: dt.datetime,
        lookup: orgs.StaffLookup | None) -> BindingView:
    """Bind `role` over `org` for the dates given.

    422: an unknown role or unit, or a unit of a type the role may not be bound over; 409:
    a duplicate, a separation-of-duties conflict, or a qualification the role needs that is
    withdrawn; 503: the unit is uncached and staff is down. Refusals of policy are audited
    (`binding.refused`)."""
    if session.get(User, user_id) is None:
        raise NotFound("There is no such user.")
    role_row = session.get(Role, role)
    if role_row is None:
        raise ValidationFailed("Unknown role.", errors={"role": [f"Unknown role: {role}."]})
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationFailed("The binding ends before it starts.",
                               errors={"valid_to": ["Must not be before valid_from."]})
    # Staff is asked (if at all) before the guard: no row lock is held across a network call.
    # The unit's type matters only to a role limited to some types (then asked once, cached).
    if role_row.unit_types is None:
        path = orgs.resolve(session=session, codes=[org], lookup=lookup, now=now)[org]
        unit = None if path is None else orgs.UnitFacts(path, None)
    else:
        unit = orgs.describe(session=session, code=org, lookup=lookup, now=now)
    if unit is None:
        raise ValidationFailed("Unknown org unit.", errors={"org": [f"Unknown org unit: {org}."]})
    candidate = BindingView(id=0, role=role, org=org, path=unit.path,
                            period=Period(valid_from, valid_to))
    refusal = unit_type_refusal(role=role, allowed=role_row.unit_types, org=org,
                                unit_type=unit.type)
    if refusal:
        _refuse(session, actor=actor, user_id=user_id, candidate=candidate,
                reason="unit_type", detail=refusal,
                error=ValidationFailed(refusal, errors={"org": [refusal]}))
    user = guard(session=session, user_id=user_id, now=now)
    refusal = qualification_refusal(
        role=role, requires=role_row.requires_qualification, employee_no=user.employee_no,
        withdrawn=qualifications.withdrawn_of(session=session, employee_no=user.employee_no))
    if refusal:
        _refuse(session, actor=actor, user_id=user_id, candidate=candidate,
                reason="qualification_withdrawn", detail=refusal, error=Conflict(refusal))
    today = today_in(now, settings.timezone)
    existing = [b for b in views(session=session, user_id=user_id)
                if not b.period.ended_before(today)]
    same = duplicate_of(existing=existing, new=candidate)
    if same is not None:
        detail = (f"{role} over {org} is held already by binding {same.id} for these dates; "
                  "change its dates by removing it and binding again.")
        _refuse(session, actor=actor, user_id=user_id, candidate=candidate,
                reason="duplicate", detail=detail, error=Conflict(detail))
    reason = sod_conflict(pairs=list(session.scalars(select(SodPair))), existing=existing,
                          new=candidate)
    if reason:
        _refuse(session, actor=actor, user_id=user_id, candidate=candidate,
                reason="separation_of_duties", detail=reason, error=Conflict(reason))
    binding = RoleBinding(user_id=user_id, role=role, org=org, valid_from=valid_from,
                          valid_to=valid_to, created_at=now, created_by=actor.sub)
    session.add(binding)
    session.flush()
    result = view(binding, unit.path)
    record(session, AuditEvent, actor=actor, action="binding.added", target_type="user",
           target_id=str(user_id), after=as_dict(result))
    session.commit()
    return result


def remove(*, session: Session, user_id: int, binding_id: int, actor: Actor,
           now: dt.datetime) -> None:
    guard(session=session, user_id=user_id, now=now)
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
