"""Pure org-chart rules: unit types, which type may sit under which, and path arithmetic.

A unit's path is its ancestors' codes and its own joined by "/" (`HQ/BR01/SB01`), so that a
subtree is one indexed prefix query and a role's scope is decided by string comparison
(`shared.permissions.covers`). These functions know nothing of the database so that the
property-based tests can exercise them against a naive model.
"""

from __future__ import annotations

import re

HEAD_OFFICE = "head_office"
BRANCH = "branch"
SUB_BRANCH = "sub_branch"
OUTLET = "outlet"
DEPARTMENT = "department"
UNIT_TYPES = (HEAD_OFFICE, BRANCH, SUB_BRANCH, OUTLET, DEPARTMENT)

#: The parent types each type may sit under; `None` means "may be a root".
#: head office only as a root; a branch under the head office; a sub-branch under a branch;
#: an outlet (网点) under a sub-branch; a department inside any unit that is not itself a
#: department (departments do not nest). The same table as data/check_fixtures.py.
ALLOWED_PARENTS: dict[str, frozenset[str | None]] = {
    HEAD_OFFICE: frozenset({None}),
    BRANCH: frozenset({HEAD_OFFICE}),
    SUB_BRANCH: frozenset({BRANCH}),
    OUTLET: frozenset({SUB_BRANCH}),
    DEPARTMENT: frozenset({HEAD_OFFICE, BRANCH, SUB_BRANCH, OUTLET}),
}

#: Types whose nearest occurrence at or above an employee's unit is their 网点.
OUTLET_TYPES = frozenset({SUB_BRANCH, OUTLET})

CODE_PATTERN = r"^[A-Z0-9_-]{1,40}$"
_CODE = re.compile(CODE_PATTERN)
SEPARATOR = "/"


def valid_code(code: str) -> bool:
    return bool(_CODE.match(code))


def may_sit_under(child_type: str, parent_type: str | None) -> bool:
    """Whether a unit of `child_type` may have a parent of `parent_type` (None: a root)."""
    return parent_type in ALLOWED_PARENTS.get(child_type, frozenset())


def nesting_error(child_type: str, parent_type: str | None) -> str | None:
    """A human message when the nesting is not allowed, else None."""
    if may_sit_under(child_type, parent_type):
        return None
    allowed = sorted("a root" if t is None else t for t in ALLOWED_PARENTS[child_type])
    where = "as a root" if parent_type is None else f"under a {parent_type}"
    return f"A {child_type} cannot sit {where}; allowed: {', '.join(allowed)}."


def child_path(parent_path: str | None, code: str) -> str:
    return code if not parent_path else f"{parent_path}{SEPARATOR}{code}"


def is_within(path: str, ancestor_path: str) -> bool:
    """Is `path` the unit at `ancestor_path` or below it (never a mere string prefix)?"""
    return path == ancestor_path or path.startswith(ancestor_path + SEPARATOR)


def repath(path: str, old_prefix: str, new_prefix: str) -> str:
    """The new path of a unit in a subtree moved from `old_prefix` to `new_prefix`."""
    if not is_within(path, old_prefix):
        raise ValueError(f"{path!r} is not within {old_prefix!r}")
    return new_prefix + path[len(old_prefix):]


def ancestor_codes(path: str) -> list[str]:
    """The codes on a path from the root down to the unit itself."""
    return path.split(SEPARATOR)


def like_escape(value: str, escape: str = "\\") -> str:
    """Escape LIKE wildcards so that a path prefix matches only itself (`_` is a code char)."""
    return (value.replace(escape, escape * 2).replace("%", escape + "%")
            .replace("_", escape + "_"))
