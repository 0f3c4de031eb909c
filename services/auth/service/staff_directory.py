"""What auth asks the staff service, with the token auth mints for itself (`svc-auth`,
`staff:read`): a unit's path and type, and whether an employee exists.

Why auth asks at all: staff owns the org tree and the people. A binding over a unit needs
the unit's path (scopes are paths) and type (roles say where they may be bound); a user
linked to an employee number that staff does not know would be a login nobody answers for.
Staff down (or answering anything unexpected) → `ServiceUnavailable`: the caller's request
is a 503 and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from services.auth.service.orgs import UnitFacts
from shared.errors import ServiceUnavailable


@dataclass(frozen=True)
class EmployeeFacts:
    """What auth needs of an employee: that they exist, and their status (active,
    suspended, left)."""

    employee_no: str
    status: str


class StaffDirectory(Protocol):
    """The staff service as auth sees it (tests inject a fake one into `create_app`)."""

    def __call__(self, code: str) -> str | None: ...

    def unit(self, code: str) -> UnitFacts | None: ...

    def employee(self, employee_no: str) -> EmployeeFacts | None: ...


class HttpStaffDirectory:
    """The real directory: `GET /staff/org-units/{code}` and `GET /staff/employees/{no}`."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def _get(self, path: str) -> dict[str, Any] | None:
        resp = self.client.get(path)
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise ServiceUnavailable(f"The staff service answered {resp.status_code}.")
        try:
            body = resp.json()
        except ValueError as exc:
            raise ServiceUnavailable("The staff service answered no JSON.") from exc
        if not isinstance(body, dict):
            raise ServiceUnavailable("The staff service answered an unexpected body.")
        return body

    def __call__(self, code: str) -> str | None:
        facts = self.unit(code)
        return None if facts is None else facts.path

    def unit(self, code: str) -> UnitFacts | None:
        body = self._get(f"/staff/org-units/{quote(code, safe='')}")
        if body is None:
            return None
        if not isinstance(body.get("path"), str):
            raise ServiceUnavailable("The staff service gave no path for the unit.")
        kind = body.get("type")
        return UnitFacts(body["path"], kind if isinstance(kind, str) else None)

    def employee(self, employee_no: str) -> EmployeeFacts | None:
        body = self._get(f"/staff/employees/{quote(employee_no, safe='')}")
        if body is None:
            return None
        status = body.get("status")
        if not isinstance(status, str):
            raise ServiceUnavailable("The staff service gave no status for the employee.")
        return EmployeeFacts(str(body.get("employee_no", employee_no)), status)
