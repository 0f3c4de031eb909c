"""Who may read and write what in the staff service, decided offline from the token.

The rules (documented in the OpenAPI description too):
- reading a unit, an employee or a chain needs `staff:read` over the unit's path; any
  signed-in user reads their own employee record (the token's `emp`); clients holding
  `staff:read` in their scope read everything;
- writing needs `staff:write` over the unit's path (a move: over the old and the new parent;
  a transfer: over the old and the new unit);
- the catalogue is organisation-wide reference data: any signed-in user reads it, and only a
  `staff:write` holder whose grant is on `*` or on the head office (or a department of the
  head office) edits it;
- the audit trail is for auditors: `auth:audit` in any grant (or a client's scope), or
  `staff:write` held over `*`.

What a caller may not read does not exist for them (no answer tells which codes or numbers
exist elsewhere):
- a unit in the URL that the caller may not read answers 404 exactly like an unknown code;
  an employee likewise (unless it is their own record);
- a unit named in a body (`org`, `parent`) or a filter (`?org=`, `?parent=`, `?under=`) that
  the caller does not know answers like an unknown code (422 "No org unit X."). A caller
  knows the units inside their staff:read or staff:write scope and every unit on the path of
  any of their grants (the token itself names those paths);
- an employee named in a body (`manager`, `handover_supervisor`, `related_no`, the CSV
  import's `manager` column) must be one the caller may read (staff:read or staff:write over
  their unit, or themself), else it answers like an unknown number (422 "No employee X.").
  The one exception: an employee declaring their own relation (回避) may name anyone.
- a write on a unit the caller knows but may not write is a 403 that names the permission
  and the unit code the caller gave, never a path.
- every refused write (out of scope, or not held) is audited as `access.denied` with the
  actor, request id, address and reason (`services.staff.refusals`), the caller's answer
  unchanged.
- Uniqueness is global: a code or employee number taken anywhere is a 409, also when the
  taken one is outside the caller's scope (they cannot have it either way).

Roles come from the access token and are trusted until it expires (at most 300 s): staff
verifies tokens offline by design, so a binding removed or a user disabled in auth takes
effect here when the token runs out.
"""

from __future__ import annotations

from collections.abc import Callable

from services.staff import refusals
from services.staff.service.common import Sight, missing
from shared.errors import Forbidden, NotFound
from shared.permissions import WHOLE_ORGANISATION, covers, has_permission, scope_paths
from shared.tokens import Principal

READ = "staff:read"
WRITE = "staff:write"
AUDIT = "auth:audit"


def read_scopes(principal: Principal) -> list[str] | None:
    """Paths the principal reads below; None means the whole organisation."""
    paths = scope_paths(principal, READ)
    if WHOLE_ORGANISATION in paths:
        return None
    return paths


def can_read(principal: Principal, path: str) -> bool:
    return has_permission(principal, READ, path)


def require_read_unit(principal: Principal, code: str, path: str) -> None:
    """`staff:read` over the unit; otherwise 404 with the body of an unknown code."""
    if not can_read(principal, path):
        raise missing("org unit", code, None)


def require_read_employee(principal: Principal, employee_no: str, path: str) -> None:
    """Own record, or `staff:read` over the unit; otherwise 404 so numbers do not leak."""
    if principal.kind == "user" and principal.emp == employee_no:
        return
    if not can_read(principal, path):
        raise NotFound(f"No employee {employee_no}.")


def can_write(principal: Principal, path: str) -> bool:
    return has_permission(principal, WRITE, path)


def knows_unit(principal: Principal, path: str) -> bool:
    """Inside the staff:read or staff:write scope, or on the path of any grant (see the
    module docstring): may the caller learn that this unit exists?"""
    if principal.kind == "client":
        return READ in principal.scope or WRITE in principal.scope
    for grant in principal.roles:
        if covers(path, grant.path):  # at or above a unit the token names
            return True
        if (READ in grant.permissions or WRITE in grant.permissions) \
                and covers(grant.path, path):
            return True
    return False


def sees_employee(principal: Principal, employee_no: str, path: str) -> bool:
    """Their own record, or staff:read (or staff:write) over the employee's unit."""
    if principal.kind == "user" and principal.emp == employee_no:
        return True
    return can_read(principal, path) or can_write(principal, path)


class _PrincipalSight:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def unit(self, path: str) -> bool:
        return knows_unit(self.principal, path)

    def employee(self, employee_no: str, path: str) -> bool:
        return sees_employee(self.principal, employee_no, path)


def sight(principal: Principal) -> Sight:
    """What `principal` may know exists, for the service's look-ups (see `common.Sight`)."""
    return _PrincipalSight(principal)


def require_write_unit(principal: Principal, code: str, path: str, *,
                       field: str | None = None) -> None:
    """`staff:write` over the unit the caller named by `code`.

    A unit the caller does not know answers as an unknown code (404 in the URL, 422 naming
    `field` in a body); one they know but may not write is a 403 naming only `code`.
    """
    if not knows_unit(principal, path):
        refusals.audit(f"{WRITE} on {code} ({path}), outside the caller's scope")
        raise missing("org unit", code, field)
    if not can_write(principal, path):
        refusals.audit(f"{WRITE} on {code} ({path}) not held")
        raise Forbidden(f"This needs the permission {WRITE} over {code}.")


def require_write(principal: Principal, path: str, code: str) -> None:
    """`staff:write` over a unit the caller already may read (e.g. an employee's own unit,
    which their record shows): a 403 naming `code`, never the path."""
    if not can_write(principal, path):
        refusals.audit(f"{WRITE} on {code} ({path}) not held")
        raise Forbidden(f"This needs the permission {WRITE} over {code}.")


def require_write_employee(principal: Principal, employee_no: str, path: str,
                           code: str) -> None:
    """A write about an employee: one the caller may not even read answers 404 as an
    unknown number (and is audited as out of scope); one they read but may not write, 403."""
    if not sees_employee(principal, employee_no, path):
        refusals.audit(f"{WRITE} on employee {employee_no} in {code} ({path}), outside "
                       "the caller's scope")
        raise NotFound(f"No employee {employee_no}.")
    require_write(principal, path, code)


def require_write_everywhere(principal: Principal) -> None:
    """A new root: only a grant on `*` covers it."""
    if not has_permission(principal, WRITE, WHOLE_ORGANISATION):
        refusals.audit(f"{WRITE} over the whole organisation not held")
        raise Forbidden(f"This needs the permission {WRITE} over the whole organisation.")


def require_catalogue_editor(principal: Principal,
                             is_head_office_path: Callable[[str], bool]) -> None:
    """`staff:write` on `*` or on a head-office path (see the module docstring)."""
    if principal.kind == "client":
        if WRITE in principal.scope:
            return
    else:
        for grant in principal.roles:
            if WRITE in grant.permissions and (
                grant.path == WHOLE_ORGANISATION or is_head_office_path(grant.path)
            ):
                return
    refusals.audit(f"{WRITE} over the head office (the catalogue) not held")
    raise Forbidden("Editing the catalogue needs staff:write over the head office.")


def require_auditor(principal: Principal) -> None:
    if principal.kind == "client":
        if AUDIT in principal.scope:
            return
    else:
        for grant in principal.roles:
            if AUDIT in grant.permissions or (
                WRITE in grant.permissions and grant.path == WHOLE_ORGANISATION
            ):
                return
    raise Forbidden("The audit trail needs auth:audit, or staff:write over the whole "
                    "organisation.")
