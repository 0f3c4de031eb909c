"""Who is who in the performance tests (tokens over `tests.performance.fakes`' organisation)
and a small client for the incident routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import bearer

PATHS = {"HQ": "HQ", "BR01": "HQ/BR01", "SB01": "HQ/BR01/SB01", "SB02": "HQ/BR01/SB02",
         "*": "*"}
#: name → (sub, employee number, [(role, unit)])
PEOPLE = {
    "subject": ("u-e100", "E100", [("employee", "SB01")]),
    "head": ("u-e101", "E101", [("branch_head", "SB01")]),
    "deputy": ("u-e102", "E102", [("branch_head", "SB01")]),
    "manager": ("u-e103", "E103", [("dept_manager", "SB01")]),
    "relative": ("u-e104", "E104", [("branch_head", "SB01")]),
    "hr": ("u-e200", "E200", [("hr", "BR01")]),
    "hr2": ("u-e201", "E201", [("hr", "BR01")]),
    "other_head": ("u-e300", "E300", [("branch_head", "SB02")]),
    "admin": ("u-admin", None, [("admin", "*")]),
    "policy": ("u-policy", None, [("hr", "HQ")]),
}


@dataclass
class Perf:
    client: Any
    tokens: Any

    def token(self, who: str) -> str:
        sub, emp, roles = PEOPLE[who]
        return self.tokens.user(sub=sub, emp=emp,
                                roles=[(r, o, PATHS[o]) for r, o in roles])

    def headers(self, who: str) -> dict[str, str]:
        return bearer(self.token(who))

    def get(self, who: str, url: str) -> Any:
        return self.client.get(url, headers=self.headers(who))

    def post(self, who: str, url: str, body: dict[str, Any]) -> Any:
        return self.client.post(url, json=body, headers=self.headers(who))

    def put(self, who: str, url: str, body: dict[str, Any]) -> Any:
        return self.client.put(url, json=body, headers=self.headers(who))

    def record(self, who: str = "manager", **body: Any) -> Any:
        base = {"employee_no": "E100", "rule": "CM-ETH-07", "occurred_on": "2026-03-10",
                "description": "Kept a customer's file from the team."}
        return self.post(who, "/performance/incidents", {**base, **body})

    def recorded(self, who: str = "manager", **body: Any) -> dict[str, Any]:
        resp = self.record(who, **body)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def decide(self, who: str, incident_id: int, decision: str = "confirm",
               **extra: Any) -> Any:
        return self.post(who, f"/performance/incidents/{incident_id}/decision",
                         {"decision": decision, **extra})

    def confirmed(self, who: str = "manager", by: str = "head", **body: Any) -> dict[str, Any]:
        incident = self.recorded(who, **body)
        resp = self.decide(by, incident["id"])
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def appealed(self) -> dict[str, Any]:
        """An incident the head confirmed and its subject appealed."""
        incident = self.confirmed("manager", by="head")
        resp = self.post("subject", f"/performance/incidents/{incident['id']}/appeal",
                         {"reason": "The customer asked me to keep it."})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def in_every_state(self) -> list[dict[str, Any]]:
        """Incidents each decided by different people: recorded by a manager and by the
        head, two above their recorder's cap, confirmed, appealed, dismissed."""
        cases = [
            self.recorded("manager"),
            self.recorded("head"),
            self.recorded("hr", rule="CM-ETH-01", deduction_amount="300",
                          override_reason="repeated breach"),
            self.recorded("manager", rule="CM-ETH-01", deduction_amount="100.01",
                          override_reason="kept a customer waiting twice"),
            self.confirmed("manager", by="deputy"),
            self.appealed(),
        ]
        dismissed = self.recorded("manager")
        assert self.decide("head", dismissed["id"], "dismiss").status_code == 200
        return [*cases, self.read("head", dismissed["id"])]

    def read(self, who: str, incident_id: int) -> dict[str, Any]:
        resp = self.get(who, f"/performance/incidents/{incident_id}")
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()
