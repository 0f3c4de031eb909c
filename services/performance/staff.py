"""What performance asks the staff service, over HTTP with its own client token.

Performance never imports staff: it asks `GET /staff/employees/{no}/chain` (the subject's
unit, grade and governing branch), `GET /staff/employees/{no}/relations` (declared
relations, for recusal 回避), `GET /staff/org-units/{code}` (a unit's path, for sign-offs and
roll-ups) and tells it `POST /staff/employees/{no}/qualifications` (from the outbox). Tests
inject an object with the same four methods into `create_app(staff=...)`.
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.errors import ServiceUnavailable
from shared.http import ClientCredentialsToken, ServiceClient, segment
from shared.settings import Settings


class Staff(Protocol):
    def chain(self, employee_no: str) -> dict[str, Any] | None: ...

    def related(self, employee_no: str) -> set[str]: ...

    def unit(self, code: str) -> dict[str, Any] | None: ...

    def send(self, destination: str, path: str, payload: dict[str, Any]) -> int: ...


class StaffGateway:
    """The real one: `ServiceClient` (timeouts, retries for GETs, kept connections) with
    performance's token."""

    def __init__(self, settings: Settings) -> None:
        self.token = ClientCredentialsToken(settings.token_url, settings.client_id,
                                            settings.client_secret,
                                            timeout=settings.http_timeout)
        self.client = ServiceClient(settings.urls["staff"], name="staff", token=self.token,
                                    timeout=settings.http_timeout)

    def _read(self, path: str) -> dict[str, Any] | None:
        resp = self.client.get(path)
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise ServiceUnavailable(f"The staff service answered {resp.status_code}.")
        return resp.json()

    def chain(self, employee_no: str) -> dict[str, Any] | None:
        return self._read(f"/staff/employees/{segment(employee_no)}/chain")

    def unit(self, code: str) -> dict[str, Any] | None:
        return self._read(f"/staff/org-units/{segment(code)}")

    def related(self, employee_no: str) -> set[str]:
        """Everyone declared related to the employee, whichever side declared it."""
        found: set[str] = set()
        page = 1
        while True:
            body = self._read(f"/staff/employees/{segment(employee_no)}/relations"
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
