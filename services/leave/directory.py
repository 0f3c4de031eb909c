"""What leave asks the other services, over HTTP with its own client token.

Staff knows people and units (`/staff/employees/{no}/chain`, `/staff/employees/{no}`); auth
knows who holds which role (`/auth/employees/{no}/roles`, `/auth/role-holders`). Leave
keeps neither: it asks at the moment of filing and stores what routing used on the request.

`Directory` is the port; `HttpDirectory` the adapter. Tests pass a fake with the same
methods (cosmicpython's "fakes over mocks"), the e2e suite the real thing.
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.errors import ServiceUnavailable
from shared.http import ClientCredentialsToken, ServiceClient
from shared.settings import Settings


class Directory(Protocol):
    def chain(self, employee_no: str) -> dict[str, Any] | None:
        """Staff's chain answer for the employee, or None when staff knows no such person."""

    def employee(self, employee_no: str) -> dict[str, Any] | None:
        """Staff's employee record (hire and work-start dates), or None."""

    def unit(self, code: str) -> dict[str, Any] | None:
        """Staff's org unit (code, type, path), or None."""

    def roles_of(self, employee_no: str) -> list[tuple[str, str]]:
        """The (role, path) pairs the employee's user holds today (empty without a user)."""

    def holders(self, role: str, org: str) -> int | None:
        """How many active users hold `role` over `org` today; None when auth cannot say."""


class HttpDirectory:
    """The real directory: staff and auth over HTTP, with leave's client-credentials token."""

    def __init__(self, settings: Settings) -> None:
        token = ClientCredentialsToken(settings.token_url, settings.client_id,
                                       settings.client_secret, timeout=settings.http_timeout)
        self.staff = ServiceClient(settings.urls["staff"], name="staff", token=token,
                                   timeout=settings.http_timeout)
        self.auth = ServiceClient(settings.urls["auth"], name="auth", token=token,
                                  timeout=settings.http_timeout)

    @staticmethod
    def _json(resp: Any, service: str) -> dict[str, Any] | None:
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise ServiceUnavailable(
                f"The {service} service answered {resp.status_code}; nothing was written.")
        return resp.json()

    def chain(self, employee_no: str) -> dict[str, Any] | None:
        return self._json(self.staff.get(f"/staff/employees/{employee_no}/chain"), "staff")

    def employee(self, employee_no: str) -> dict[str, Any] | None:
        return self._json(self.staff.get(f"/staff/employees/{employee_no}"), "staff")

    def unit(self, code: str) -> dict[str, Any] | None:
        return self._json(self.staff.get(f"/staff/org-units/{code}"), "staff")

    def roles_of(self, employee_no: str) -> list[tuple[str, str]]:
        body = self._json(self.auth.get(f"/auth/employees/{employee_no}/roles"), "auth")
        return [(r["role"], r["path"]) for r in (body or {}).get("roles", [])]

    def holders(self, role: str, org: str) -> int | None:
        try:
            resp = self.auth.get("/auth/role-holders",
                                 params={"role": role, "org": org, "per_page": 1})
        except ServiceUnavailable:
            return None
        if resp.status_code != 200:
            return None
        return int(resp.json().get("total", 0))
