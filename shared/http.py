"""The service-to-service HTTP client.

Short timeouts; retries with backoff only for idempotent methods (GET/HEAD/PUT/DELETE) and
only on connection errors and 502/503/504; the caller's request id forwarded; its own
client-credentials token fetched from auth and reused until shortly before it expires. When
the other service stays down the caller gets `ServiceUnavailable` (a 503 problem), never a
stack trace.

Calls go out through `PooledTransport` — urllib3's connection pool, which is what `requests`
sends with, without `requests`' per-call work (preparing the request, cookies and hooks, and
looking up proxies and `.netrc` in the environment): ≈ 0.8 ms of CPU a call here against
≈ 1.7 ms (bench/README.md). A filing asks staff and auth, so every leave request paid it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from json import dumps as json_dumps
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import requests
import urllib3

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
    """Sends `ServiceClient`'s requests through urllib3's connection pool directly.

    `ServiceClient` keeps the timeouts, retries, token and request id; this only sends.
    Connection failures and timeouts are raised as `requests.ConnectionError`, the
    `requests.RequestException` that `ServiceClient` turns into a retry and then a 503.
    Redirects are not followed (no service answers one), and service-to-service calls never
    go through an environment proxy."""

    def __init__(self, pool_size: int = 16) -> None:
        self.pool = urllib3.PoolManager(num_pools=4, maxsize=pool_size, retries=False)

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
        try:
            resp = self.pool.request(method, url, body=body, headers=headers,
                                     timeout=urllib3.Timeout(connect=timeout, read=timeout),
                                     retries=False, redirect=False)
        except urllib3.exceptions.HTTPError as exc:
            raise requests.ConnectionError(str(exc)) from exc
        return Answer(resp.status, resp.data)


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
