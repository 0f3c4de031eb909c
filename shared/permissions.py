"""Org-scoped permission decisions from a verified token (the scope rule: `shared.scope`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from shared.errors import Forbidden, Unauthorized
from shared.scope import WHOLE_ORGANISATION, covers
from shared.tokens import Principal, RoleGrant, bearer_token

__all__ = [
    "WHOLE_ORGANISATION",
    "authenticate_request",
    "covers",
    "current_principal",
    "grant_for",
    "has_permission",
    "permission_required",
    "require",
    "scope_paths",
]

def grant_for(principal: Principal, permission: str, target_path: str | None) -> RoleGrant | None:
    """The grant that allows `permission` on `target_path` (any unit when None), or None."""
    for grant in principal.roles:
        if permission in grant.permissions and (
            target_path is None or covers(grant.path, target_path)
        ):
            return grant
    return None


def has_permission(principal: Principal, permission: str, target_path: str | None = None) -> bool:
    if principal.kind == "client":
        return permission in principal.scope
    return grant_for(principal, permission, target_path) is not None


def require(principal: Principal | None, permission: str, target_path: str | None = None) -> None:
    if principal is None:
        raise Unauthorized()
    if not has_permission(principal, permission, target_path):
        # The detail never names the target's path: that would map the org tree to callers
        # who may not read it.
        where = " over this unit" if target_path else ""
        raise Forbidden(f"This needs the permission {permission}{where}.")


def scope_paths(principal: Principal, permission: str) -> list[str]:
    """The paths whose subtrees the principal may act on with `permission` (for list filters)."""
    if principal.kind == "client":
        return [WHOLE_ORGANISATION] if permission in principal.scope else []
    return sorted({g.path for g in principal.roles if permission in g.permissions})


def current_principal() -> Principal:
    principal = getattr(g, "principal", None)
    if principal is None:
        raise Unauthorized()
    return principal


def authenticate_request() -> None:
    """Verify the bearer token with the app's verifier and set `g.principal`."""
    verifier = current_app.extensions["hr_verifier"]
    g.principal = verifier.principal(bearer_token(request.headers.get("Authorization")))


def permission_required(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require `permission` over at least one unit; finer scope checks stay in the view."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require(current_principal(), permission)
            return view(*args, **kwargs)

        return wrapper

    return decorator
