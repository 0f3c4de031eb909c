"""Where a role may be bound, and what a binding must not repeat — pure rules, no DB.

Why these live in auth: a binding is auth's record, and a wrong one (a branch head over a
department, a disqualified customer manager) grants access the moment it is written. The
facts come from staff (a unit's type, an employee's qualification), the rules are here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.auth.domain.decisions import BindingView
from services.auth.domain.scope import WHOLE_ORGANISATION

#: Staff's unit types (总行, 分行, 支行, 网点, 部门): the vocabulary `unit_types` may use.
UNIT_TYPES = ("head_office", "branch", "sub_branch", "outlet", "department")


def unit_type_refusal(*, role: str, allowed: Sequence[str] | None, org: str,
                      unit_type: str | None) -> str | None:
    """Why `role` may not be bound over `org` (of `unit_type`), or None.

    `allowed` None means any unit, "*" included; a role limited to some unit types is never
    bound over the whole organisation."""
    if allowed is None:
        return None
    kinds = ", ".join(allowed) or "no unit type"
    if org == WHOLE_ORGANISATION:
        return f"The role {role} is bound over a unit ({kinds}), not the whole organisation."
    if unit_type not in allowed:
        return f"The role {role} may be bound over {kinds} only; {org} is a {unit_type}."
    return None


def qualification_refusal(*, role: str, requires: str | None, employee_no: str | None,
                          withdrawn: Iterable[str]) -> str | None:
    """Why a role needing `requires` may not be bound to this user now, or None."""
    if requires is None:
        return None
    if employee_no is None:
        return (f"The role {role} needs the qualification {requires}: only a user linked to "
                "an employee may hold it.")
    if requires in set(withdrawn):
        return (f"The qualification {requires} of employee {employee_no} is withdrawn; the "
                f"role {role} cannot be bound until it is restored.")
    return None


def duplicate_of(*, existing: Iterable[BindingView], new: BindingView) -> BindingView | None:
    """An existing binding of the same role over the same unit whose period meets the new
    one's. Two such bindings are one grant twice: removing "the" binding would revoke
    nothing, so the second is refused (409) rather than stored."""
    for b in existing:
        if b.role == new.role and b.org == new.org and b.period.overlaps(new.period):
            return b
    return None
