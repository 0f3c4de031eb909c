"""The `/auth/check` decision as a pure function of a user's bindings.

Codes, in the order they are tried:
- `user_disabled`: the user is disabled (or gone): nothing is allowed.
- `allowed`: a binding valid today, whose role holds the permission, covers the unit.
- `binding_expired`: no current binding allows it, but one outside its dates (ended, or an
  acting appointment not yet started) would have.
- `out_of_scope`: the user holds the permission today, but over other units only.
- `not_in_role`: the user holds current bindings, none of whose roles has the permission.
- `no_binding`: the user holds no current binding at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.auth.domain.scope import Period, covers


@dataclass(frozen=True)
class BindingView:
    """What a decision needs of a binding."""

    id: int
    role: str
    org: str
    path: str | None  # None: the unit's path is unknown (never covers anything)
    period: Period


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str
    reason: str
    binding: BindingView | None = None


def _narrowest(bindings: list[BindingView]) -> BindingView:
    return max(bindings, key=lambda b: (b.path or "").count("/") + (b.path != "*"))


def decide(*, active: bool, bindings: Iterable[BindingView],
           role_permissions: Mapping[str, Iterable[str]], permission: str, org: str,
           target_path: str, today: dt.date) -> Decision:
    """Decide whether the holder of `bindings` may use `permission` on the unit at
    `target_path` on `today`."""
    if not active:
        return Decision(False, "user_disabled", "The user is disabled.")
    bindings = list(bindings)
    current = [b for b in bindings if b.period.contains(today)]
    granting = [b for b in current if permission in role_permissions.get(b.role, ())]
    covering = [b for b in granting if b.path is not None and covers(b.path, target_path)]
    if covering:
        b = _narrowest(covering)
        return Decision(True, "allowed",
                        f"The role {b.role} over {b.org} grants {permission} on {org}.", b)
    lapsed = [b for b in bindings if not b.period.contains(today)
              and permission in role_permissions.get(b.role, ())
              and b.path is not None and covers(b.path, target_path)]
    if lapsed:
        b = lapsed[0]
        when = (f"ended on {b.period.end.isoformat()}" if b.period.ended_before(today) and
                b.period.end else f"starts on {b.period.start.isoformat()}"
                if b.period.start else "is not in force")
        return Decision(False, "binding_expired",
                        f"The binding {b.role} over {b.org} would allow it but {when}.", b)
    if granting:
        orgs = ", ".join(sorted({b.org for b in granting}))
        return Decision(False, "out_of_scope",
                        f"{permission} is held over {orgs} only, which does not cover {org}.")
    if current:
        roles = ", ".join(sorted({b.role for b in current}))
        return Decision(False, "not_in_role", f"None of the roles held ({roles}) has {permission}.")
    return Decision(False, "no_binding", "The user holds no role binding in force.")
