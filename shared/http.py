"""The service-to-service HTTP client.

Short timeouts; retries with backoff only for idempotent methods (GET/HEAD/PUT/DELETE) and
only on connection errors and 502/503/504; the caller's request id forwarded; its own
client-credentials token fetched from auth and reused until shortly before it expires. When
the other service stays down the caller gets `ServiceUnavailable` (a 503 problem), never a
stack trace.

Calls go out through `PooledTransport`: one kept-alive `http.client` connection per thread
and service. A filing asks staff and auth, and a head's scorecard asks staff, so every such
request pays a call's CPU: `requests` cost ≈ 1.7 ms of it, urllib3's pool ≈ 0.6 ms, this
≈ 0.3 ms (bench/README.md).
"""

from __future__ import annotations

import http.client
import os
import select
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from json import dumps as json_dumps
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import orjson
import requests

from shared.errors import ServiceUnavailable
from shared.logging import REQUEST_ID_HEADER, current_request_id

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({502, 503, 504})


def segment(value: str) -> str:
    """A value as one path segment of a URL: a number or code with `/` or `?` in it names
    nobody, never another route."""
    return quote(value, safe="")


class Answer:
    """What a caller reads of another service's response: the status and the JSON body."""

    __slots__ = ("content", "status_code")

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code, self.content = status_code, content

    def json(self) -> Any:
        """The body as JSON (a `ValueError` when it is none)."""
        return orjson.loads(self.content)


class PooledTransport:
    """Sends `ServiceClient`'s requests over kept-alive connections: one per thread and
    service (`http.client`).

    `ServiceClient` keeps the timeouts, retries, token and request id; this only sends. A
    thread sends one request at a time, so it never needs a second connection to the same
    service, and a pool's checkout, bookkeeping and response wrapping (urllib3's, before
    session 11) cost as much CPU again as the call itself. As urllib3 does, a kept
    connection the other side has closed meanwhile (gunicorn drops idle ones after its
    keep-alive) is seen before it is used — its socket reads as ready — and replaced; one
    that fails is dropped. Connection failures and timeouts are raised as
    `requests.ConnectionError`, the `requests.RequestException` that `ServiceClient` turns
    into a retry and then a 503. Redirects are not followed (no service answers one), and
    no environment proxy is used. After a fork the child opens its own connections."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._tls: ssl.SSLContext | None = None

    def request(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                timeout: float | None = None, params: Mapping[str, Any] | None = None,
                json: Any = None) -> Answer:
        headers = dict(headers or {})
        body = None
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        if json is not None:  # as requests writes a JSON body
            body = json_dumps(json, allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        scheme, origin, path, query, _ = urlsplit(url)
        target = (path or "/") + (f"?{query}" if query else "")
        conns = self._connections()
        key = (scheme, origin)
        conn = conns.get(key)
        if conn is None or _dropped(conn):
            conn = conns[key] = self._open(scheme, origin, timeout)
        elif conn.timeout != timeout:
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
        try:
            conn.request(method, target, body=body, headers=headers)
            resp = conn.getresponse()
            content = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            conns.pop(key, None)
            conn.close()
            raise requests.ConnectionError(f"{method} {url}: {exc!r}") from exc
        if resp.will_close:  # the server ends it: next time a new one
            conns.pop(key, None)
            conn.close()
        return Answer(resp.status, content)

    def _connections(self) -> dict[tuple[str, str], http.client.HTTPConnection]:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # first use, or a forked child
            local.pid, local.conns = os.getpid(), {}
        return local.conns  # type: ignore[no-any-return]

    def _open(self, scheme: str, origin: str,
              timeout: float | None) -> http.client.HTTPConnection:
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return http.client.HTTPSConnection(origin, timeout=timeout, context=self._tls)
        if scheme != "http":
            raise requests.ConnectionError(f"Not an HTTP URL: {scheme}://{origin}")
        return http.client.HTTPConnection(origin, timeout=timeout)


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """Whether a kept connection was closed by the other side (or sent something unasked):
    an idle HTTP/1.1 connection has nothing to read until it is sent a request."""
    if conn.sock is None:
        return False  # not yet connected: `request` connects
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN)
    try:
        return bool(poller.poll(0))
    except OSError:
        return True


class ClientCredentialsToken:
    """Fetches and caches this service's own access token (grant `client_credentials`)."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, *,
                 timeout: float = 3.0, session: requests.Session | None = None) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self.timeout = timeout
        self._session = session or requests.Session()
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never print the secret
        return f"ClientCredentialsToken(client_id={self.client_id!r})"

    def invalidate(self) -> None:
        self._token = None

    def __call__(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._expires_at - 30:
                return self._token
            try:
                resp = self._session.post(
                    self.token_url, data={"grant_type": "client_credentials"},
                    auth=(self.client_id, self._secret), timeout=self.timeout)
            except requests.RequestException as exc:
                raise ServiceUnavailable("The auth service cannot be reached.") from exc
            if resp.status_code != 200:
                raise ServiceUnavailable(
                    f"The auth service refused this service's credentials ({resp.status_code}).")
            body = resp.json()
            self._token = body["access_token"]
            self._expires_at = time.monotonic() + float(body.get("expires_in", 60))
            return self._token


class ServiceClient:
    """Calls another service: `client.get("/staff/org-units/SB01")` → an `Answer`.

    `session`: what sends (`PooledTransport` unless a test passes its own)."""

    def __init__(self, base_url: str, *, name: str,
                 token: Callable[[], str] | None = None, timeout: float = 3.0,
                 retries: int = 2, backoff: float = 0.1,
                 session: Any = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._session = session or PooledTransport()

    def request(self, method: str, path: str, *, bearer: str | None = None,
                **kwargs: Any) -> Answer:
        method = method.upper()
        attempts = 1 + (self.retries if method in IDEMPOTENT else 0)
        headers = dict(kwargs.pop("headers", None) or {})
        rid = current_request_id()
        if rid:
            headers[REQUEST_ID_HEADER] = rid
        last_error: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            auth = bearer or (self.token() if self.token else None)
            if auth:
                headers["Authorization"] = f"Bearer {auth}"
            try:
                resp = self._session.request(method, self.base_url + path, headers=headers,
                                             timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                last_error = exc
                continue
            if resp.status_code == 401 and self.token and bearer is None and attempt == 0:
                invalidate = getattr(self.token, "invalidate", None)
                if invalidate:
                    invalidate()
                    attempts = max(attempts, 2)
                    continue
            if resp.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                last_error = None
                continue
            if resp.status_code in RETRY_STATUSES:
                raise ServiceUnavailable(f"The {self.name} service is unavailable.")
            return resp
        raise ServiceUnavailable(f"The {self.name} service cannot be reached.") from last_error

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Answer:
        return self.request("POST", path, **kw)
