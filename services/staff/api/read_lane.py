"""The read lane: employee listings and approver chains replayed while nothing they read
has changed (a `shared.replay.ReplayLane`; this module says which requests qualify).

`GET /staff/employees` (any query) and `GET /staff/employees/{no}/chain` with a bearer token:
an answer is a function of the request (path, query string, token — the caller's scope comes
from the token's claims alone) and of the employees, units, positions and head counts, whose
every change raises the **read generation** (`models.StaffState`, migration 0003's triggers,
whoever writes). The lane reads the generation before passing a request to Flask; the view
marks a 200 answer replayable until the verifier stops trusting the token (`mark`). Then an
identical request is answered from it after one primary-key read of the generation, until
the generation moves, the token's trust ends or the local day ends (`mark`): a hire, a
transfer or a unit move shows on the very next request, in every worker. Errors are never
replayed.

Why: the leave service asks for the same chains again and again while routing, and a
branch head's screens ask for the same pages; a 50-row page costs several times a bare
request in Python and PostgreSQL time (bench/README.md, issue #5).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from sqlalchemy import Engine

from services.staff.api.scheduled import day_ends
from shared.replay import Replayable, ReplayLane
from shared.tokens import Principal

ENVIRON_KEY = "hr.staff.read_lane"
GENERATION_SQL = "SELECT generation FROM staff_state WHERE id = 1"
LISTING = "/staff/employees"
_CHAIN = re.compile(r"/staff/employees/[^/]+/chain")


def read_lane(wsgi_app: Callable[..., Any], *, engine: Callable[[], Engine],
              clock: Callable[[], float] = time.time, size: int = 4096,
              max_bytes: int = 32 << 20) -> ReplayLane:
    """The lane in front of staff's Flask app (bounded: `size` answers, `max_bytes`);
    `clock` is the app's (epoch seconds), against which an answer's day ends."""
    return ReplayLane(wsgi_app, engine=engine, clock=clock, key=_read_key,
                      generation_sql=GENERATION_SQL, statement=b"hr_staff_generation",
                      environ_key=ENVIRON_KEY, read_first=True, size=size,
                      max_bytes=max_bytes)


def _read_key(environ: dict[str, Any]) -> tuple[Any, ...] | None:
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    path = environ.get("PATH_INFO", "")
    authorization = environ.get("HTTP_AUTHORIZATION")
    if not authorization or (path != LISTING and _CHAIN.fullmatch(path) is None):
        return None
    return (path, environ.get("QUERY_STRING", ""), authorization)


def mark(principal: Principal) -> None:
    """This answer may be replayed to the same request until the token's trust ends, and
    not past today: a change dated tomorrow is applied by the first request that reaches
    Flask tomorrow (the due-changes step, `api.scheduled`), which moves the generation."""
    until = current_app.extensions["hr_verifier"].trusted_until(principal.token)
    if until > 0:
        request.environ[ENVIRON_KEY] = Replayable(generation=None, until=until,
                                                  clock_until=day_ends(), sub=principal.sub)
