"""Direct lanes: a service's hottest reads answered just in front of Flask.

Under the bench's realistic mixes (many users, each with their own token and question) a read
that is one prepared statement spent more CPU in Flask's request machinery (the request and
app contexts, routing, the hooks, flask-smorest's dispatch) and in the pool's checkout than
in its own work. auth's `/auth/check` was the first such read; leave's approvals inbox and
performance's scorecards are the others (bench/README.md, session 10).

A *lane* is a function of the WSGI environ that answers one method and route. It answers
only a request it fully understands — a plain query string, a token this process has
verified before and still trusts, data it can read in one go — and returns the body with the
caller's `sub`. For anything else it returns None, and any exception it raises is taken as
None too: the request then goes to Flask as it came, which answers as documented, every
error included. So a lane never has an error path of its own, and a request it declines
costs only the look.

What a lane answers is what Flask answers, byte for byte: each service's tests send the same
requests both ways and compare status, body and headers. This middleware writes what every
such answer carries — `200 OK`, `application/json`, its length, `Cache-Control: no-store`,
the request id — and counts it in the request metrics (by route template, as Flask's hook
does) and the access log, so operators see one service, not two paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, TypeVar
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from werkzeug.datastructures import MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.db import HeldConnections
from shared.logging import REQUEST_ID_HEADER, log_access, request_id_from
from shared.metrics import observe_request
from shared.tokens import Principal, TokenVerifier

StartResponse = Callable[..., Any]
#: (the body, the caller's `sub` for the access log)
Answer = tuple[bytes, str]
Lane = Callable[[dict[str, Any]], Answer | None]

Q = TypeVar("Q")

_REQUEST_ID_ENVIRON = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")


class Route(NamedTuple):
    """A lane's method and path: `path` exact, or (`prefix=True`) a path that starts with it,
    ends with `suffix` and has one non-empty segment (no `/`) between them. `template` is
    Flask's rule, for the metrics."""

    method: str
    path: str
    template: str
    lane: Lane
    prefix: bool = False
    suffix: str = ""

    def matches(self, method: str, path: str) -> bool:
        if method != self.method or not path.startswith(self.path) \
                or not path.endswith(self.suffix):
            return False
        segment = path[len(self.path):len(path) - len(self.suffix)]
        return bool(segment) and "/" not in segment


class DirectLanes:
    """WSGI middleware: `DirectLanes(flask_wsgi_app, service=…, routes=[Route(…), …])`.
    `enabled` off sends everything to Flask (tests compare the two paths)."""

    def __init__(self, wsgi_app: Callable[..., Any], *, service: str,
                 routes: Iterable[Route]) -> None:
        self.next = wsgi_app
        self.enabled = True
        self.answered = 0
        self._service = service
        self._exact: dict[tuple[str, str], Route] = {}
        self._prefixed: list[Route] = []
        for route in routes:
            if route.prefix:
                self._prefixed.append(route)
            else:
                self._exact[(route.method, route.path)] = route

    def route_for(self, method: str, path: str) -> Route | None:
        found = self._exact.get((method, path))
        if found is not None:
            return found
        for route in self._prefixed:
            if route.matches(method, path):
                return route
        return None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self.enabled:
            return self.next(environ, start_response)
        method = environ.get("REQUEST_METHOD") or ""
        path = environ.get("PATH_INFO") or ""
        route = self.route_for(method, path)
        if route is None:
            return self.next(environ, start_response)
        started = time.perf_counter()
        try:
            answer = route.lane(environ)
        except Exception:
            answer = None
        if answer is None:
            return self.next(environ, start_response)
        body, sub = answer
        rid = request_id_from(environ.get(_REQUEST_ID_ENVIRON))
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store"), (REQUEST_ID_HEADER, rid)])
        observe_request(self._service, route.template, method, 200,
                        time.perf_counter() - started)
        log_access(method=method, path=path, status=200, started=started, sub=sub,
                   remote=environ.get("REMOTE_ADDR"), request_id=rid)
        self.answered += 1
        return [body]


def install(app: Any, wrap: Callable[[Any], Any]) -> Any:
    """Put a middleware (a service's lanes) in front of what the app serves, but behind
    ProxyFix when there is one (`HR_PROXY_HOPS`): its access lines then name the client's
    address, as Flask's `remote_addr` does, not the gateway's."""
    outer = app.wsgi_app
    if isinstance(outer, ProxyFix):
        outer.app = middleware = wrap(outer.app)
    else:
        app.wsgi_app = middleware = wrap(outer)
    return middleware


def bearer(environ: Mapping[str, Any]) -> str | None:
    """The bearer token as `shared.tokens.bearer_token` reads it, or None (Flask answers)."""
    scheme, _, token = (environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def remembered_principal(verifier: TokenVerifier, environ: Mapping[str, Any]) -> Principal | None:
    """The caller behind a bearer token this process verified before and still trusts, or
    None: a first-seen, expired or malformed token is Flask's to verify and refuse."""
    token = bearer(environ)
    return verifier.remembered(token) if token is not None else None


def read_lane(app: Any, engine: Callable[[], Any],
              read_query: Callable[[MultiDict[str, str]], Q | None],
              answer: Callable[[Principal, Q, dict[str, Any], HeldConnections], Answer | None],
              *, enabled: Callable[[], bool] = lambda: True,
              postgres_settings: tuple[str, ...] = ()) -> Lane:
    """A lane for a read: a token the app's verifier verified before and still trusts, a
    query string `read_query` plainly reads (as the schema would load it, else None), then
    `answer(caller, query, environ, held)` on the lane's kept connections (each set up with
    `postgres_settings` on PostgreSQL). `enabled` off (the tests' reference path) sends
    everything to Flask."""
    extensions = app.extensions
    held = HeldConnections(engine, postgres_settings=postgres_settings)

    def lane(environ: dict[str, Any]) -> Answer | None:
        if not enabled():
            return None
        principal = remembered_principal(extensions["hr_verifier"], environ)
        if principal is None:
            return None
        query = read_query(query_args(environ))
        return None if query is None else answer(principal, query, environ, held)

    return lane


def no_query(args: MultiDict[str, str]) -> dict[str, Any] | None:
    """`read_query` of a route that takes no query parameters: none given, or Flask says."""
    return None if args else {}


def query_args(environ: Mapping[str, Any]) -> MultiDict[str, str]:
    """The query string as Werkzeug's `request.args` reads it."""
    raw = (environ.get("QUERY_STRING") or "").encode("latin-1").decode()
    return MultiDict(parse_qsl(raw, keep_blank_values=True, errors="werkzeug.url_quote"))
