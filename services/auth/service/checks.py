"""`/auth/check`: live permission decisions against the database.

Each call costs a constant number of queries whatever the tree depth or binding count: the
permission names, the user, the user's bindings joined with their cached paths, the role
permissions and the target paths (one `IN` query for a whole batch). Paths are compared in
Python (`domain.decisions`).

An org code auth has never seen is asked of staff once (then cached); a code staff does not
know is a 422 on `org` — an unknown unit is a caller's mistake, not a denial, and answering
`out_of_scope` would hide typos. Staff down for an uncached code → 503.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from services.auth.domain.decisions import Decision, decide
from services.auth.domain.scope import today_in
from services.auth.models import User
from services.auth.service import bindings, orgs, roles
from shared.errors import ValidationFailed
from shared.settings import Settings


def _field(index: int | None, name: str) -> str:
    return name if index is None else f"checks.{index}.{name}"


def _validate(session: Session, items: list[tuple[str, str]], batch: bool,
              lookup: orgs.StaffLookup | None, now: dt.datetime) -> dict[str, str | None]:
    known = roles.permission_names(session=session)
    errors: dict[str, list[str]] = {}
    for i, (permission, _org) in enumerate(items):
        if permission not in known:
            errors[_field(i if batch else None, "permission")] = [
                f"Unknown permission: {permission}."]
    if errors:
        raise ValidationFailed("Unknown permission names.", errors=errors)
    paths = orgs.resolve(session=session, codes={o for _p, o in items}, lookup=lookup, now=now)
    for i, (_permission, org) in enumerate(items):
        if paths.get(org) is None:
            errors[_field(i if batch else None, "org")] = [f"Unknown org unit: {org}."]
    if errors:
        raise ValidationFailed("Unknown org units.", errors=errors)
    session.commit()  # keep what staff told us
    return paths


def as_dict(decision: Decision) -> dict[str, Any]:
    answer: dict[str, Any] = {"allowed": decision.allowed, "code": decision.code,
                              "reason": decision.reason}
    if decision.binding is not None:
        b = decision.binding
        answer["binding"] = {"role": b.role, "org": b.org, "path": b.path,
                             "valid_to": b.period.end.isoformat() if b.period.end else None}
    return answer


def check_user(*, session: Session, settings: Settings, user_id: int,
               items: list[tuple[str, str]], now: dt.datetime,
               lookup: orgs.StaffLookup | None, batch: bool = False) -> list[dict[str, Any]]:
    paths = _validate(session, items, batch, lookup, now)
    user = session.get(User, user_id)
    active = user is not None and user.status == "active"
    views = bindings.views(session=session, user_id=user_id) if active else []
    perms = roles.role_permissions(session=session) if active else {}
    today = today_in(now, settings.timezone)
    return [as_dict(decide(active=active, bindings=views, role_permissions=perms,
                           permission=p, org=o, target_path=paths[o] or "", today=today))
            for p, o in items]


def check_client(*, session: Session, permissions: frozenset[str],
                 items: list[tuple[str, str]], batch: bool = False) -> list[dict[str, Any]]:
    """A client's own question: its permissions are flat (no org scope)."""
    known = roles.permission_names(session=session)
    errors = {_field(i if batch else None, "permission"): [f"Unknown permission: {p}."]
              for i, (p, _o) in enumerate(items) if p not in known}
    if errors:
        raise ValidationFailed("Unknown permission names.", errors=errors)
    return [{"allowed": True, "code": "allowed", "reason": f"The client holds {p}."}
            if p in permissions else
            {"allowed": False, "code": "not_in_role", "reason": f"The client lacks {p}."}
            for p, _o in items]
