"""`/auth/check`: live permission decisions against the database.

Each call costs two Core queries whatever the tree depth, the binding count or the batch size
(besides the bearer gate's): the asked permission names and target paths together (`IN` lists,
one `UNION ALL`), then the user's status with their bindings, each joined with its cached path
and its role's permissions (indexed on `role_bindings.user_id`). Both are live reads: binding,
role and status changes show at once. Paths are compared in Python (`domain.decisions`).

An org code auth has never seen is asked of staff once (then cached); a code staff does not
know is a 422 on `org` — an unknown unit is a caller's mistake, not a denial, and answering
`out_of_scope` would hide typos. Staff down for an uncached code → 503.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, bindparam, cast, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from services.auth.domain.decisions import BindingView, Decision, decide
from services.auth.domain.scope import WHOLE_ORGANISATION, today_in
from services.auth.models import OrgPath, Permission, Role, RoleBinding, User
from services.auth.service import bindings, orgs, roles
from services.auth.service.common import core_rows
from shared.errors import ValidationFailed
from shared.settings import Settings


def _field(index: int | None, name: str) -> str:
    return name if index is None else f"checks.{index}.{name}"


_ASKED = union_all(
    select(literal_column("'permission'").label("kind"), Permission.name.label("code"),
           cast(null(), String).label("path"))
    .where(Permission.name.in_(bindparam("permissions", expanding=True))),
    select(literal_column("'org'"), OrgPath.code, OrgPath.path)
    .where(OrgPath.code.in_(bindparam("codes", expanding=True))))

_SUBJECT = (
    select(User.status, RoleBinding.id, RoleBinding.role, RoleBinding.org,
           RoleBinding.valid_from, RoleBinding.valid_to, OrgPath.path, Role.permissions)
    .select_from(User)
    .outerjoin(RoleBinding, RoleBinding.user_id == User.id)
    .outerjoin(OrgPath, OrgPath.code == RoleBinding.org)
    .outerjoin(Role, Role.name == RoleBinding.role)
    .where(User.id == bindparam("user_id"))
    .order_by(RoleBinding.id))


def _validate(session: Session, items: list[tuple[str, str]], batch: bool,
              lookup: orgs.StaffLookup | None, now: dt.datetime) -> dict[str, str | None]:
    codes = {o for _p, o in items}
    rows = core_rows(session, _ASKED, permissions=sorted({p for p, _o in items}),
                     codes=sorted(codes - {WHOLE_ORGANISATION}))
    known = {code for kind, code, _path in rows if kind == "permission"}
    errors: dict[str, list[str]] = {}
    for i, (permission, _org) in enumerate(items):
        if permission not in known:
            errors[_field(i if batch else None, "permission")] = [
                f"Unknown permission: {permission}."]
    if errors:
        raise ValidationFailed("Unknown permission names.", errors=errors)
    paths: dict[str, str | None] = {code: path for kind, code, path in rows if kind == "org"}
    if WHOLE_ORGANISATION in codes:
        paths[WHOLE_ORGANISATION] = WHOLE_ORGANISATION
    asked_staff = not codes <= paths.keys()
    if asked_staff:  # the rare path: some unit is not cached yet
        paths = orgs.resolve(session=session, codes=codes, lookup=lookup, now=now)
    for i, (_permission, org) in enumerate(items):
        if paths.get(org) is None:
            errors[_field(i if batch else None, "org")] = [f"Unknown org unit: {org}."]
    if errors:
        raise ValidationFailed("Unknown org units.", errors=errors)
    if asked_staff:
        session.commit()  # keep what staff told us
    return paths


def _subject(session: Session, user_id: int) -> tuple[bool, list[BindingView],
                                                       dict[str, frozenset[str]]]:
    """(active, bindings with paths, their roles' permissions) in one query."""
    rows = core_rows(session, _SUBJECT, user_id=user_id)
    if not rows or rows[0].status != "active":
        return False, [], {}
    views, perms = [], {}
    for _status, bid, role, org, valid_from, valid_to, path, permissions in rows:
        if bid is None:  # the outer join's row for a user without bindings
            continue
        views.append(bindings.view_of(id=bid, role=role, org=org, valid_from=valid_from,
                                      valid_to=valid_to, path=path))
        if role not in perms:
            perms[role] = frozenset(permissions or ())
    return True, views, perms


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
    active, views, perms = _subject(session, user_id)
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
