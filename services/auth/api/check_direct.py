"""The direct check path: a plain `/auth/check` or `/auth/check/batch` of a user about
themselves, answered below Flask with one statement (issue 12's full path).

Under a realistic mix (1,000 users × 10 different questions) every check took Flask's whole
request machinery, the bearer gate's statement and the check's statement: ~5× the bare
endpoint's CPU. These two lanes (`shared.direct`, just in front of Flask, behind ProxyFix)
answer the common request themselves:

- a POST to one of the two paths, no query string, `Content-Type: application/json`, a
  length-delimited body that orjson decodes to exactly the shape the views' fast path
  accepts (`api.checks.plain_item`: known fields, strings of the schemas' lengths, no
  control or bidi characters), without `subject_token`;
- a bearer token whose verification this process remembers (`tokens.remembered_claims`:
  signature and claims checked before by the documented path, still in time, its key
  cached and published), a user's token with an integer subject;
- then ONE statement on an autocommit connection (`service.checks.check_user_direct`):
  the gate's live reads (revoked jti, the sign-in) and the
  check's (permissions, cached unit paths, the user's status, bindings and roles) in one
  snapshot, and the same `decide()`.

Anything else — another path or shape, an unknown or first-seen token, a revoked token or
ended sign-in, an unknown permission, a unit auth has not cached, a database error — goes
to Flask as it came, which reads everything again and answers as documented. What is
answered here is what Flask answers, byte for byte (status, body, `Content-Type`,
`Cache-Control`, `X-Request-ID`; `tests/auth/test_check_direct.py`), with the same access
line and the same request metrics. Nothing is cached
across requests that a change could make stale: revocations, sign-ins, users, bindings and
roles are read live by every check, so a change shows on the very next one.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import orjson
from flask import Flask
from sqlalchemy import Engine

from services.auth.api.checks import BATCH_FIELDS, BATCH_MAX, CHECK_FIELDS, ITEM_FIELDS, plain_item
from services.auth.domain.scope import today_in
from services.auth.service import checks, tokens
from shared.db import HeldConnections
from shared.direct import Answer, Lane, Route, bearer

PATHS = frozenset({"/auth/check", "/auth/check/batch"})
MAX_BODY = 64 * 1024


def read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body (and put back for Flask), or None when it is not a plain, bounded,
    length-delimited body — such a request goes to Flask as it came."""
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

def routes(app: Flask, engine: Callable[[], Engine]) -> list[Route]:
    """The two check paths as `shared.direct` lanes."""
    direct = CheckDirect(app=app, engine=engine)
    return [Route("POST", path, path, direct.lane(path == "/auth/check")) for path in PATHS]


class CheckDirect:
    """The lanes' work: `CheckDirect(app=app, engine=engine_of(app, db)).lane(single)`."""

    def __init__(self, *, app: Flask, engine: Callable[[], Engine]) -> None:
        self._app = app
        self._held = HeldConnections(engine)
        self._zone = app.extensions["hr_settings"].timezone

    def lane(self, single: bool) -> Lane:
        def answer(environ: dict[str, Any]) -> Answer | None:
            if (environ.get("QUERY_STRING")
                    or environ.get("CONTENT_TYPE") != "application/json"):
                return None
            return self._answer(environ, single)
        return answer

    def _answer(self, environ: dict[str, Any], single: bool) -> Answer | None:
        """(body, the caller's `sub`), or None: Flask answers."""
        token = bearer(environ)
        if token is None:
            return None
        claims = tokens.remembered_claims(token)
        if claims is None or claims.get("token_kind") != "user":
            return None
        sub = str(claims["sub"])
        user_id = int(sub)  # ValueError: not a user of this service — Flask says 403
        items = self._items(read_body(environ), single)
        if items is None:
            return None
        now = self._app.extensions["auth_clock"]()
        today = today_in(now, self._zone)
        with self._held.connection() as conn:
            found = checks.check_user_direct(
                conn=conn, items=items, user_id=user_id, today=today,
                jti=claims.get("jti") or None, sid=claims.get("sid") or None)
        if found is None:
            return None
        payload = found[0] if single else {"results": found}
        return orjson.dumps(payload, option=orjson.OPT_APPEND_NEWLINE), sub

    @staticmethod
    def _items(body: bytes | None, single: bool) -> list[tuple[str, str]] | None:
        """The (permission, unit) pairs of a body of the plain shape, else None."""
        if body is None:
            return None
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if single:
            if not plain_item(data, CHECK_FIELDS) or "subject_token" in data:
                return None
            return [(data["permission"], data["org"])]
        if type(data) is not dict or not data.keys() <= BATCH_FIELDS or "subject_token" in data:
            return None
        listed = data.get("checks")
        if (type(listed) is not list or not 0 < len(listed) <= BATCH_MAX
                or not all(plain_item(item, ITEM_FIELDS) for item in listed)):
            return None
        return [(item["permission"], item["org"]) for item in listed]

