"""The check lane: `/auth/check` answers replayed while nothing they depend on has changed
(a `shared.replay.ReplayLane`; this module says which requests and what identifies them).

Systems ask the same question again and again (the same token, the same permission, the
same unit), and a check's answer is a function of only three things: the request (bearer
token, body), what the database says (users, roles, bindings, cached org paths, clients,
signing keys, revocations, sign-ins) and the clock (token expiry, today's date). So this WSGI
middleware, in front of Flask, keeps each 200 answer the full Flask path produced, keyed by
the exact request, together with

- the **decision generation** (`models.AuthState`) the full path read *before* anything else
  — a counter the database itself raises at the commit of every change to those tables
  (migration 0003's triggers, whoever writes), and
- the instants it stops holding: when either token's remembered verification ends (its
  `exp`, see `service.tokens.usable_until`) and the next local midnight (bindings are dated).

A later identical request is answered from it after one read of the generation — a
one-row primary-key read on a connection the serving thread keeps for it — only if the
generation is unchanged and neither instant has passed; the answer is the same bytes and
headers with a fresh request id, and the access line is logged as for any request.
Everything else — another path or method, a query string, an unseen request, a changed
generation, an error, a body that is not plain — goes to Flask unchanged, and only the
full path can put an answer here. So removing a binding, disabling a user, revoking a
token or ending a sign-in shows on the very next check, in every worker and on every host
sharing the database: the change and the new generation become visible in the same
commit.

Why at the WSGI layer: the check is the platform's hottest route, and under gunicorn the
Flask request machinery, the bearer gate and the two queries cost several times what the
bare framework does (bench/README.md, issue #4's target).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from shared.replay import Replayable, ReplayLane

__all__ = ["ENVIRON_KEY", "PATHS", "Replayable", "check_lane", "read_body"]

PATHS = frozenset({"/auth/check", "/auth/check/batch"})
#: Set by the check views (`api.checks._replayable`): the generation and the instants the
#: answer was built under. Absent: the answer is not kept.
ENVIRON_KEY = "hr.auth.check_lane"
GENERATION_SQL = "SELECT generation FROM auth_state WHERE id = 1"
MAX_BODY = 64 * 1024


def check_lane(wsgi_app: Callable[..., Any], *, engine: Callable[[], Engine],
               clock: Callable[[], float], size: int = 4096) -> ReplayLane:
    """The lane in front of auth's Flask app: POSTs of a plain body to the check paths, keyed
    by path, content type, bearer token and body; the views supply the generation (the
    bearer gate read it first, in its own query)."""
    return ReplayLane(wsgi_app, engine=engine, clock=clock, key=_check_key,
                      generation_sql=GENERATION_SQL, statement=b"hr_auth_generation",
                      environ_key=ENVIRON_KEY, size=size)


def _check_key(environ: dict[str, Any]) -> tuple[Any, ...] | None:
    path = environ.get("PATH_INFO")
    if (path not in PATHS or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")):
        return None
    body = read_body(environ)
    if body is None:
        return None
    return (path, environ.get("CONTENT_TYPE"), environ.get("HTTP_AUTHORIZATION"), body)


def read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body (and put back for Flask), or None when it is not a plain, bounded,
    length-delimited body — such a request goes to Flask as it came. The direct check path
    (`api.check_direct`) reads its bodies the same way."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY or environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    stream = environ["wsgi.input"]
    body = stream.read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body if len(body) == length else None
