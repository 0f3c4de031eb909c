"""Who holds a role over a unit (`/auth/role-holders`) and what roles an employee holds
(`/auth/employees/{no}/roles`): the directory questions leave asks to route approvals.

Leave needs them for two things a permission check cannot answer: whether an approval step
addressed to a role over a unit has anybody who can decide it today (no current role holder
→ route around it), and whether the person filing leave for someone else holds the role of a
step themselves (no self-approval, 不得自批). Both read the live bindings, like
`/auth/check`: a removed binding or a disabled user shows at once.

Each answer costs a fixed number of queries whatever the tree depth or the number of
bindings: the role and the unit's cached path, then one query for the bindings (the unit's
ancestor paths are spelt out in Python, so "covers" is an `IN` list, not a per-row test).
A unit auth has not cached yet is asked of staff once, as `/auth/check` does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.auth.domain.scope import WHOLE_ORGANISATION, today_in
from services.auth.models import OrgPath, Role, RoleBinding, User
from services.auth.service import orgs
from shared.errors import ValidationFailed
from shared.settings import Settings


def ancestors(path: str) -> list[str]:
    """Every path whose subtree holds `path`, itself included (`HQ/BR01` → `HQ`, `HQ/BR01`).
    The whole organisation ("*") is handled apart: its bindings cover every unit."""
    if path == WHOLE_ORGANISATION:
        return []
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def covering(paths: list[str]) -> Any:
    """Bindings on "*" or on a unit whose path is one of `paths`. A unit's path ends with its
    own code (staff writes paths as the codes from the root down), so the bindings are
    first found by their `org` code (index `ix_role_bindings_org_role`) and then held to
    the path itself: with 100,000 bindings, matching on the joined path alone read every
    binding of the role for each question (a sequential scan per leave filing)."""
    codes = sorted({path.rpartition("/")[2] for path in paths} | {WHOLE_ORGANISATION})
    return and_(RoleBinding.org.in_(codes),
                or_(RoleBinding.org == WHOLE_ORGANISATION,
                    OrgPath.path.in_(sorted(set(paths)) or [""])))


def depth(path: str) -> int:
    """How deep a binding's unit sits: "*" above every root (-1), a root 0, its child 1…"""
    return -1 if path == WHOLE_ORGANISATION else path.count("/")


def _valid_on(day: dt.date) -> Any:
    """Bindings whose inclusive dates hold `day` (null ends are open)."""
    return and_(or_(RoleBinding.valid_from.is_(None), RoleBinding.valid_from <= day),
                or_(RoleBinding.valid_to.is_(None), RoleBinding.valid_to >= day))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _target_path(*, session: Session, role: str, org: str, lookup: orgs.StaffLookup | None,
                 now: dt.datetime) -> str:
    """The unit's path after checking both names; 422 as `/auth/check` words it."""
    errors: dict[str, list[str]] = {}
    if session.get(Role, role) is None:
        errors["role"] = [f"Unknown role: {role}."]
    path = orgs.resolve(session=session, codes=[org], lookup=lookup, now=now)[org]
    if path is None:
        errors["org"] = [f"Unknown org unit: {org}."]
    if errors:
        session.rollback()
        title = "Unknown role." if "org" not in errors else (
            "Unknown org units." if "role" not in errors else "Unknown role and org unit.")
        raise ValidationFailed(title, errors=errors)
    if session.new or session.dirty:
        session.commit()  # keep what staff told us (as `/auth/check` does)
    return path


def role_holders(*, session: Session, settings: Settings, role: str, org: str,
                 now: dt.datetime, lookup: orgs.StaffLookup | None, page: int,
                 per_page: int) -> tuple[list[dict[str, Any]], int]:
    """Every active user holding `role` today through a binding on `org`, on a unit above
    it, or on "*": one item per binding, nearest unit first (deepest path), then user id.

    Sorted and paged in Python: the rows are the bindings on one chain of ancestors, a
    handful, and depth is not a column."""
    target = _target_path(session=session, role=role, org=org, lookup=lookup, now=now)
    today = today_in(now, settings.timezone)
    rows = session.execute(
        select(User.id, User.username, User.employee_no, RoleBinding.id, RoleBinding.role,
               RoleBinding.org, OrgPath.path, RoleBinding.valid_from, RoleBinding.valid_to)
        .join(RoleBinding, RoleBinding.user_id == User.id)
        .outerjoin(OrgPath, OrgPath.code == RoleBinding.org)
        .where(RoleBinding.role == role, User.status == "active", _valid_on(today),
               covering(ancestors(target)))
    ).all()
    items = [{"user_id": uid, "username": username, "employee_no": employee_no,
              "binding_id": bid, "role": brole, "org": borg,
              "path": WHOLE_ORGANISATION if borg == WHOLE_ORGANISATION else path,
              "valid_from": _iso(vfrom), "valid_to": _iso(vto)}
             for uid, username, employee_no, bid, brole, borg, path, vfrom, vto in rows]
    items.sort(key=lambda i: (-depth(i["path"]), i["user_id"], i["binding_id"]))
    start = (page - 1) * per_page
    return items[start:start + per_page], len(items)


def holder_counts(*, session: Session, settings: Settings, pairs: list[tuple[str, str]],
                  now: dt.datetime, lookup: orgs.StaffLookup | None) -> list[int]:
    """How many bindings make someone hold each `(role, org)` today — `role_holders`'
    `total` for every pair, in the order asked.

    Leave routes a request to several steps and asks, for each, whether anyone can decide
    it: one question for all of them, in a fixed number of queries (the roles, the units'
    cached paths, one query for the bindings over every pair's chain of ancestors), where
    asking pair by pair cost a whole request each. Any unknown role or unit → 422 naming
    the pair (`pairs.<i>.role`, `pairs.<i>.org`), worded as the single question words it."""
    roles = {role for role, _ in pairs}
    known = set(session.scalars(select(Role.name).where(Role.name.in_(roles))))
    paths = orgs.resolve(session=session, codes={org for _, org in pairs}, lookup=lookup,
                         now=now)
    errors: dict[str, list[str]] = {}
    for i, (role, org) in enumerate(pairs):
        if role not in known:
            errors[f"pairs.{i}.role"] = [f"Unknown role: {role}."]
        if paths.get(org) is None:
            errors[f"pairs.{i}.org"] = [f"Unknown org unit: {org}."]
    if errors:
        session.rollback()
        raise ValidationFailed("Unknown roles or org units.", errors=errors)
    if session.new or session.dirty:
        session.commit()  # keep what staff told us (as `/auth/check` does)
    today = today_in(now, settings.timezone)
    chains = {org: ancestors(paths[org] or "") for _, org in pairs}
    rows = session.execute(
        select(RoleBinding.role, RoleBinding.org, OrgPath.path)
        .join(User, User.id == RoleBinding.user_id)
        .outerjoin(OrgPath, OrgPath.code == RoleBinding.org)
        .where(RoleBinding.role.in_(roles), User.status == "active", _valid_on(today),
               covering([p for c in chains.values() for p in c]))).all()
    return [sum(1 for brole, borg, path in rows if brole == role
                and (borg == WHOLE_ORGANISATION or path in chains[org])) for role, org in pairs]


def employee_roles(*, session: Session, settings: Settings, employee_no: str,
                   now: dt.datetime) -> dict[str, Any]:
    """The bindings valid today of the active user linked to `employee_no`, in binding
    order. No such user (or a disabled one) → no roles, not 404: staff, not auth, knows
    which employees exist."""
    today = today_in(now, settings.timezone)
    rows = session.execute(
        select(RoleBinding.role, RoleBinding.org, OrgPath.path, RoleBinding.valid_from,
               RoleBinding.valid_to)
        .join(User, User.id == RoleBinding.user_id)
        .outerjoin(OrgPath, OrgPath.code == RoleBinding.org)
        .where(User.employee_no == employee_no, User.status == "active", _valid_on(today))
        .order_by(RoleBinding.id)).all()
    return {"employee_no": employee_no,
            "roles": [{"role": role, "org": org,
                       "path": WHOLE_ORGANISATION if org == WHOLE_ORGANISATION else path,
                       "valid_from": _iso(vfrom), "valid_to": _iso(vto)}
                      for role, org, path, vfrom, vto in rows]}
