"""What every leave resource needs from the request: the caller, the directory, today."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from services.leave.directory import Directory
from services.leave.service.access import Caller, Grant
from shared.audit import Actor, actor_from_request
from shared.errors import Forbidden
from shared.permissions import current_principal
from shared.scope import WHOLE_ORGANISATION
from shared.tokens import Principal


def caller() -> Caller:
    """The verified token as the use cases see it."""
    return caller_of(current_principal(), actor_from_request())


def caller_of(principal: Principal, actor: Actor) -> Caller:
    """`caller()` outside a request (`api.direct`'s lane)."""
    return Caller(actor=actor, kind=principal.kind, emp=principal.emp,
                  grants=tuple(Grant(g.role, g.path, g.permissions) for g in principal.roles),
                  scope=principal.scope)


def directory() -> Directory:
    return current_app.extensions["leave_directory"]


def today() -> dt.date:
    return current_app.extensions["leave_today"]()


def require_policy(who: Caller) -> None:
    """Types, the calendar and the routing policy are organisation-wide: editing them needs
    `leave:policy` over the whole organisation or a root unit (the head office), not over
    one branch, whose hr would otherwise change every branch's rules."""
    if who.kind == "user" and any(
            "leave:policy" in g.permissions
            and (g.path == WHOLE_ORGANISATION or "/" not in g.path) for g in who.grants):
        return
    raise Forbidden("This needs leave:policy over the whole organisation or the head office.")
