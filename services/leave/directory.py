"""What leave asks the other services, over HTTP with its own client token.

Staff knows people and units (`/staff/employees/{no}/chain`, `/staff/employees/{no}`, a
unit's people for the stand-in list: `/staff/employees?org=`); auth
knows who holds which role (`/auth/employees/{no}/roles`, `POST /auth/role-holders`). Leave
keeps neither: it asks at the moment of filing and stores what routing used on the request.

`Directory` is the port; `HttpDirectory` the adapter. Tests pass a fake with the same
methods (cosmicpython's "fakes over mocks"), the e2e suite the real thing.
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.errors import ServiceUnavailable
from shared.http import ClientCredentialsToken, ServiceClient, segment
from shared.settings import Settings


class Directory(Protocol):
    def chain(self, employee_no: str) -> dict[str, Any] | None:
        """Staff's chain answer for the employee, or None when staff knows no such person."""

    def employee(self, employee_no: str) -> dict[str, Any] | None:
        """Staff's employee record (hire and work-start dates), or None."""

    def unit(self, code: str) -> dict[str, Any] | None:
        """Staff's org unit (code, type, path), or None."""

    def colleagues(self, code: str) -> list[dict[str, Any]]:
        """The employees of the unit itself (not its subtree), as staff lists them:
        employee_no, name, name_en, org, position, status."""

    def roles_of(self, employee_no: str) -> list[tuple[str, str]]:
        """The (role, path) pairs the employee's user holds today (empty without a user)."""

    def holders_of(self, pairs: list[tuple[str, str]]) -> list[int | None]:
        """How many active users hold each `(role, org)` today, in one question; None for
        every pair when auth cannot say."""


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
        return self._json(self.staff.get(f"/staff/employees/{segment(employee_no)}/chain"),
                          "staff")

    def employee(self, employee_no: str) -> dict[str, Any] | None:
        return self._json(self.staff.get(f"/staff/employees/{segment(employee_no)}"),
                          "staff")

    def unit(self, code: str) -> dict[str, Any] | None:
        return self._json(self.staff.get(f"/staff/org-units/{segment(code)}"), "staff")

    def colleagues(self, code: str) -> list[dict[str, Any]]:
        """Staff's listing of the unit, page by page (200 a page, staff's most)."""
        people: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self._json(self.staff.get("/staff/employees", params={
                "org": code, "subtree": "false", "per_page": 200, "page": page}), "staff")
            if body is None:
                return people
            people += body["items"]
            if len(people) >= body["total"] or not body["items"]:
                return people
            page += 1

    def roles_of(self, employee_no: str) -> list[tuple[str, str]]:
        body = self._json(self.auth.get(f"/auth/employees/{segment(employee_no)}/roles"),
                          "auth")
        return [(r["role"], r["path"]) for r in (body or {}).get("roles", [])]

    def holders_of(self, pairs: list[tuple[str, str]]) -> list[int | None]:
        """One `POST /auth/role-holders` for all the pairs (a request's steps), where asking
        pair by pair cost auth a whole request each."""
        if not pairs:
            return []
        try:
            resp = self.auth.post("/auth/role-holders", json={
                "pairs": [{"role": role, "org": org} for role, org in pairs]})
        except ServiceUnavailable:
            return [None] * len(pairs)
        if resp.status_code != 200:
            return [None] * len(pairs)
        return [int(item["total"]) for item in resp.json()["items"]]
