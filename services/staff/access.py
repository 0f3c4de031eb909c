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
"""

from __future__ import annotations

from collections.abc import Callable

from shared.errors import Forbidden, NotFound
from shared.permissions import WHOLE_ORGANISATION, has_permission, scope_paths
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


def require_read_unit(principal: Principal, path: str) -> None:
    if not can_read(principal, path):
        raise Forbidden(f"This needs the permission {READ} over {path}.")


def require_read_employee(principal: Principal, employee_no: str, path: str) -> None:
    """Own record, or `staff:read` over the unit; otherwise 404 so numbers do not leak."""
    if principal.kind == "user" and principal.emp == employee_no:
        return
    if not can_read(principal, path):
        raise NotFound(f"No employee {employee_no}.")


def require_write(principal: Principal, *paths: str) -> None:
    for path in paths:
        if not has_permission(principal, WRITE, path):
            raise Forbidden(f"This needs the permission {WRITE} over {path}.")


def can_write(principal: Principal, path: str) -> bool:
    return has_permission(principal, WRITE, path)


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
