"""What the auth resources share: the clock, the actor, the bearer gate and the admin rule.

Admin rule: managing users, bindings, clients, roles and SoD pairs needs `auth:admin` held
over the whole organisation (a binding on "*"), checked live against the database, so that
removing an admin's binding or disabling them takes effect at once, not at token expiry. An
admin bound to one branch does not administer auth. Clients need the permission in their own
(live) permission list.

Audit rule: the auth trail is about the whole organisation (every user's sign-ins, every
binding, client and key change), and its events are not filed by unit, so it cannot be cut
down to a subtree. Reading it needs `auth:audit` held over the whole organisation ("*") or
over a root unit (a binding whose path has no "/", e.g. HQ), or the admin rule above. An
auditor over a branch or sub-branch gets 403.

Refusals by these rules are audited as `admin.denied` (target: the method and route), at
most once per caller and route per minute: the trail shows who tried, without a caller being
able to write one row per request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request

from services.auth.domain.decisions import decide
from services.auth.domain.scope import WHOLE_ORGANISATION, today_in
from services.auth.models import User, db
from services.auth.service import audit, bindings, orgs, roles, tokens
from shared.audit import Actor, actor_from_request
from shared.errors import Forbidden, Unauthorized
from shared.permissions import current_principal
from shared.settings import Settings
from shared.tokens import Principal, bearer_token

DENIAL_WINDOW = dt.timedelta(minutes=1)


def settings() -> Settings:
    return current_app.extensions["hr_settings"]


def now() -> dt.datetime:
    """The app's clock (tests may replace `auth_clock` to move time)."""
    clock: Callable[[], dt.datetime] = current_app.extensions["auth_clock"]
    return clock()


def actor() -> Actor:
    return actor_from_request()


def staff_lookup() -> orgs.StaffLookup | None:
    return current_app.extensions.get("auth_staff_lookup")


def authenticate() -> None:
    """The bearer gate: a token signed by one of auth's keys, not revoked, whose sign-in
    (`sid`) has not been logged out. A disabled user's token passes the gate (so that
    `/auth/check` can answer `user_disabled`); admin rules check the user live."""
    header = request.headers.get("Authorization")
    if not header:
        # RFC 6750 §3.1: a request with no authentication at all gets a bare challenge.
        raise Unauthorized("A bearer token is required.",
                           headers={"WWW-Authenticate": 'Bearer realm="auth"'})
    token = bearer_token(header)
    claims, sign_in_ended = tokens.verify_bearer(
        session=db.session, settings=settings(), token=token)
    if sign_in_ended and not _disabled(claims):
        raise Unauthorized("The sign-in behind this token has ended.")
    g.principal = Principal.from_claims(claims, token)


def _disabled(claims: dict[str, Any]) -> bool:
    """A disabled user's revoked sign-in still passes the gate so that `/auth/check` can say
    `user_disabled`; every other route refuses a disabled user by its live rules."""
    try:
        user = db.session.get(User, int(claims["sub"]))
    except (TypeError, ValueError):
        return False
    return user is not None and user.status == "disabled"


def user_id_of(principal: Principal) -> int:
    if principal.kind != "user":
        raise Forbidden("Only a user may do this.")
    try:
        return int(principal.sub)
    except ValueError as exc:
        raise Forbidden("This token's subject is not a user of this service.") from exc


def client_permissions(principal: Principal) -> frozenset[str]:
    """A client's live permissions (empty when disabled or gone)."""
    client = tokens.client_of(session=db.session, claims=principal.claims)
    return frozenset(client.permissions) if client is not None else frozenset()


def holds_live(principal: Principal, permission: str, target_path: str | None) -> bool:
    """Does the caller hold `permission` now (over `target_path`, or anywhere when None)?"""
    if principal.kind == "client":
        return permission in client_permissions(principal)
    user = db.session.get(User, user_id_of(principal))
    if user is None or user.status != "active":
        return False
    views = bindings.views(session=db.session, user_id=user.id)
    perms = roles.role_permissions(session=db.session)
    today = today_in(now(), settings().timezone)
    if target_path is None:
        return any(b.period.contains(today) and permission in perms.get(b.role, ())
                   for b in views)
    return decide(active=True, bindings=views, role_permissions=perms, permission=permission,
                  org=target_path, target_path=target_path, today=today).allowed


def holds_over_a_root(principal: Principal, permission: str) -> bool:
    """Does the caller hold `permission` now over "*" or over a root unit (a path without
    "/")? Clients: the permission in their live list (clients have no org scope)."""
    if principal.kind == "client":
        return permission in client_permissions(principal)
    user = db.session.get(User, user_id_of(principal))
    if user is None or user.status != "active":
        return False
    perms = roles.role_permissions(session=db.session)
    today = today_in(now(), settings().timezone)
    return any(b.period.contains(today) and permission in perms.get(b.role, ())
               and b.path is not None and (b.path == WHOLE_ORGANISATION or "/" not in b.path)
               for b in bindings.views(session=db.session, user_id=user.id))


def require_admin() -> Principal:
    principal = current_principal()
    if not holds_live(principal, "auth:admin", WHOLE_ORGANISATION):
        _denied("auth:admin")
        raise Forbidden('This needs auth:admin over the whole organisation ("*").')
    return principal


def require_directory_reader() -> Principal:
    """Who may ask who holds which role (`/auth/role-holders`, `/auth/employees/{no}/roles`):
    a client holding `auth:check` (the services route approvals with it), or a user under
    the admin rule. Anyone else learns nothing about other people's roles."""
    principal = current_principal()
    if principal.kind == "client":
        allowed = "auth:check" in client_permissions(principal)
    else:
        allowed = holds_live(principal, "auth:admin", WHOLE_ORGANISATION)
    if not allowed:
        _denied("auth:check")
        raise Forbidden('This needs a client holding auth:check, or auth:admin over the whole '
                        'organisation ("*").')
    return principal


def require_auditor() -> Principal:
    principal = current_principal()
    if not (holds_over_a_root(principal, "auth:audit")
            or holds_live(principal, "auth:admin", WHOLE_ORGANISATION)):
        _denied("auth:audit")
        raise Forbidden('This needs auth:audit over the whole organisation ("*") or a root '
                        "unit, or auth:admin over the whole organisation.")
    return principal


def _denied(needed: str) -> None:
    """Audit a refused admin (or audit-trail) call: `admin.denied`, at most once per caller
    and route per minute (see the module)."""
    db.session.rollback()
    route = f"{request.method} {request.path}"[:200]
    audit.record_at_most_once(db.session, actor=actor(), action="admin.denied",
                              target_type="route", target_id=route, now=now(),
                              window=DENIAL_WINDOW, after={"needs": needed})


def no_store(resp: Any) -> Any:
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Pragma"] = "no-cache"
    return resp
