"""Customers, visits and compliance runs for the visit tests, over the HTTP API."""

from __future__ import annotations

from typing import Any

from tests.performance.helpers import Perf


def customer(perf: Perf, code: str, *, deposits: Any = "0", credit: Any = "0",
             manager: str = "E100", since: str = "2026-01-01", who: str = "head") -> dict:
    resp = perf.post(who, "/performance/customers", {
        "code": code, "name": f"Customer {code}", "deposits": deposits, "credit": credit,
        "manager": manager, "since": since})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def contact(perf: Perf, code: str, on: str, kind: str = "visit", *, confirm: bool = True,
            who: str = "subject") -> dict:
    resp = perf.post(who, "/performance/visits", {"customer": code, "on": on, "kind": kind,
                                                   "report": f"{kind} with {code} on {on}"})
    assert resp.status_code == 201, resp.get_json()
    visit = resp.get_json()
    if confirm and kind == "visit":
        resp = perf.post("head", f"/performance/visits/{visit['id']}/confirm", {})
        assert resp.status_code == 200, resp.get_json()
        visit = resp.get_json()
    return visit


def run(perf: Perf, org: str = "SB01", period: str = "2026-05", who: str = "head") -> Any:
    return perf.post(who, "/performance/compliance-runs", {"org": org, "period": period})
