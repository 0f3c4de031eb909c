"""The direct check path: a plain `/auth/check` or `/auth/check/batch` of a user about
themselves, answered below Flask with one statement (issue 12's full path).

Under a realistic mix (1,000 users × 10 different questions) every check took Flask's whole
request machinery, the bearer gate's statement and the check's statement: ~5× the bare
endpoint's CPU. This WSGI middleware, just in front of Flask (behind ProxyFix), answers the
common request itself:

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
import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from flask import Flask
from sqlalchemy import Engine

from services.auth.api.checks import BATCH_FIELDS, BATCH_MAX, CHECK_FIELDS, ITEM_FIELDS, plain_item
from services.auth.domain.scope import today_in
from services.auth.service import checks, tokens
from shared.db import autocommit
from shared.logging import REQUEST_ID_HEADER, log_access, request_id_from
from shared.metrics import observe_request

_REQUEST_ID_ENVIRON = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
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

StartResponse = Callable[..., Any]


class CheckDirect:
    """`CheckDirect(flask_wsgi_app, app=app, engine=engine_of(app, db))`; `enabled` off sends
    everything to Flask (tests compare the two paths)."""

    def __init__(self, wsgi_app: Callable[..., Any], *, app: Flask,
                 engine: Callable[[], Engine]) -> None:
        self.next = wsgi_app
        self._app = app
        self._engine = engine
        self.enabled = True
        self.answered = 0
        settings = app.extensions["hr_settings"]
        self._service = settings.service
        self._zone = settings.timezone

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if (not self.enabled or path not in PATHS or environ.get("REQUEST_METHOD") != "POST"
                or environ.get("QUERY_STRING")
                or environ.get("CONTENT_TYPE") != "application/json"):
            return self.next(environ, start_response)
        started = time.perf_counter()
        try:
            answer = self._answer(environ, path == "/auth/check")
        except Exception:
            answer = None
        if answer is None:
            return self.next(environ, start_response)
        body, sub = answer
        rid = request_id_from(environ.get(_REQUEST_ID_ENVIRON))
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store"), (REQUEST_ID_HEADER, rid)])
        observe_request(self._service, path, "POST", 200, time.perf_counter() - started)
        log_access(method="POST", path=path, status=200, started=started, sub=sub,
                   remote=environ.get("REMOTE_ADDR"), request_id=rid)
        self.answered += 1
        return [body]

    def _answer(self, environ: dict[str, Any], single: bool) -> tuple[bytes, str] | None:
        """(body, the caller's `sub`), or None: Flask answers."""
        scheme, _, token = (environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
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
        with autocommit(self._engine()).connect() as conn:
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

