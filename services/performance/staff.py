"""What performance asks the staff service, over HTTP with its own client token.

Performance never imports staff: it asks `GET /staff/employees/{no}/chain` (the subject's
unit, grade and governing branch), `GET /staff/employees/{no}/relations` (declared
relations, for recusal 回避), `GET /staff/org-units/{code}` (a unit's path, for sign-offs and
roll-ups) and tells it `POST /staff/employees/{no}/qualifications` (from the outbox). Tests
inject an object with the same four methods into `create_app(staff=...)`.
"""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import quote

import orjson
import requests
import urllib3

from shared.errors import ServiceUnavailable
from shared.http import ClientCredentialsToken, ServiceClient
from shared.settings import Settings


class Staff(Protocol):
    def chain(self, employee_no: str) -> dict[str, Any] | None: ...

    def related(self, employee_no: str) -> set[str]: ...

    def unit(self, code: str) -> dict[str, Any] | None: ...

    def send(self, destination: str, path: str, payload: dict[str, Any]) -> int: ...


def _segment(value: str) -> str:
    return quote(value, safe="")


class _Answer:
    """What `ServiceClient` and the gateway read of a response."""

    __slots__ = ("data", "status_code")

    def __init__(self, status_code: int, data: bytes) -> None:
        self.status_code, self.data = status_code, data

    def json(self) -> Any:
        return orjson.loads(self.data)


class PooledTransport:
    """The `requests.Session` seat of `ServiceClient`, filled by urllib3's connection pool
    directly (urllib3 is what requests sends with).

    Every scorecard a head reads and every roll-up costs performance one call to staff, and
    `requests` spent ≈ 1.7 ms of CPU on it (bench/README.md): preparing the request, merging
    cookies and hooks, and, per call, looking up proxy settings and `.netrc` in the
    environment (`trust_env`); urllib3 alone ≈ 0.8 ms. `ServiceClient` keeps its timeouts,
    retries, token and request id: this only sends. Connection failures and timeouts are
    raised as `requests.ConnectionError`, the `requests.RequestException` that
    `ServiceClient` turns into a retry and then a 503; redirects are not followed (staff
    answers none); service-to-service calls never go through an environment proxy.
    """

    def __init__(self, pool_size: int = 16) -> None:
        self.pool = urllib3.PoolManager(num_pools=4, maxsize=pool_size, retries=False)

    def request(self, method: str, url: str, *, headers: dict[str, str] | None = None,
                timeout: float | None = None, **kwargs: Any) -> _Answer:
        headers = dict(headers or {})
        body = None
        payload = kwargs.pop("json", None)
        if kwargs:
            raise TypeError(f"PooledTransport does not send {sorted(kwargs)}")
        if payload is not None:  # as requests writes a JSON body
            body = json.dumps(payload, allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        try:
            resp = self.pool.request(method, url, body=body, headers=headers,
                                     timeout=urllib3.Timeout(connect=timeout, read=timeout),
                                     retries=False, redirect=False)
        except urllib3.exceptions.HTTPError as exc:
            raise requests.ConnectionError(str(exc)) from exc
        return _Answer(resp.status, resp.data)


class StaffGateway:
    """The real one: `ServiceClient` (timeouts, retries for GETs) with performance's token,
    sending through `PooledTransport`."""

    def __init__(self, settings: Settings) -> None:
        self.token = ClientCredentialsToken(settings.token_url, settings.client_id,
                                            settings.client_secret,
                                            timeout=settings.http_timeout)
        self.client = ServiceClient(settings.urls["staff"], name="staff", token=self.token,
                                    timeout=settings.http_timeout,
                                    session=PooledTransport())  # type: ignore[arg-type]

    def _read(self, path: str) -> dict[str, Any] | None:
        resp = self.client.get(path)
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise ServiceUnavailable(f"The staff service answered {resp.status_code}.")
        return resp.json()

    def chain(self, employee_no: str) -> dict[str, Any] | None:
        return self._read(f"/staff/employees/{_segment(employee_no)}/chain")

    def unit(self, code: str) -> dict[str, Any] | None:
        return self._read(f"/staff/org-units/{_segment(code)}")

    def related(self, employee_no: str) -> set[str]:
        """Everyone declared related to the employee, whichever side declared it."""
        found: set[str] = set()
        page = 1
        while True:
            body = self._read(f"/staff/employees/{_segment(employee_no)}/relations"
                              f"?page={page}&per_page=200")
            if body is None:
                return found
            for item in body["items"]:
                found.update({item["employee_no"], item["related_no"]})
            if page * body["per_page"] >= body["total"]:
                found.discard(employee_no)
                return found
            page += 1

    def send(self, destination: str, path: str, payload: dict[str, Any]) -> int:
        return self.client.post(path, json=payload).status_code
