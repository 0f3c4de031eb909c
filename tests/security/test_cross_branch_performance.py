"""Cross-branch access on every object route of performance: SB01's branch head, BR01's hr
and auditor, and SB01's customer manager E100 are refused on the incidents, losses, visits,
customers, runs, scorecards and units of SB03 (under a second branch, BR02, added to the fake
staff here) — 403/404 — and served on SB01's own; a route without such a case or a stated
reason fails the suite."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.performance import fakes
from tests.performance.conftest import *  # noqa: F403 - the performance app, client, perf
from tests.security.cross_branch import Case, hostile_filter_failures, run_cases, uncovered

I = "/performance/incidents/<int:incident_id>"  # noqa: E741 - a route, read as "incident"
UN = "/performance/units/<code>"
PATHS = {"*": "*", "SB01": "HQ/BR01/SB01", "BR01": "HQ/BR01", "SB03": "HQ/BR02/SB03",
         "BR02": "HQ/BR02"}
#: name → (employee number, [(role, unit)])
WHO = {"admin": (None, [("admin", "*")]), "head": ("E101", [("branch_head", "SB01")]),
       "manager": ("E103", [("dept_manager", "SB01")]), "subject": ("E100", [("employee",
                                                                               "SB01")]),
       "hr": ("E200", [("hr", "BR01")]), "auditor": ("E900", [("auditor", "BR01")]),
       "head3": ("E401", [("branch_head", "SB03")]), "subject3": ("E400", [("employee",
                                                                            "SB03")]),
       "hr3": ("E402", [("hr", "BR02")])}


def obj(kind: str, key: str, suffix: str = ""):
    return lambda w: f"/performance/{kind}/{w[key]}{suffix}"


CASES = {
    ("GET", I): Case("GET", obj("incidents", "p1"), obj("incidents", "p3"), "head"),
    ("GET", I + "/trail"): Case("GET", obj("incidents", "p1", "/trail"),
                                obj("incidents", "p3", "/trail"), "head"),
    ("GET", "/performance/losses/<int:loss_id>"): Case("GET", obj("losses", "l1"),
                                                       obj("losses", "l3"), "auditor"),
    ("GET", "/performance/visits/<int:visit_id>"): Case("GET", obj("visits", "v1"),
                                                        obj("visits", "v3"), "head"),
    ("GET", "/performance/customers/<code>"): Case("GET", "/performance/customers/C1",
                                                   "/performance/customers/C3", "head"),
    ("GET", "/performance/compliance-runs/<int:run_id>"): Case(
        "GET", obj("compliance-runs", "r1"), obj("compliance-runs", "r3"), "head"),
    ("GET", "/performance/scorecards/<employee_no>"): Case(
        "GET", "/performance/scorecards/E100?period=2026", "/performance/scorecards/E400?"
        "period=2026", "head"),
    ("GET", UN + "/scorecards"): Case("GET", "/performance/units/SB01/scorecards?period=2026",
                                      "/performance/units/SB03/scorecards?period=2026", "head"),
    ("GET", UN + "/scorecards.csv"): Case(
        "GET", "/performance/units/SB01/scorecards.csv?period=2026",
        "/performance/units/SB03/scorecards.csv?period=2026", "head"),
    ("GET", UN + "/scorecards.xlsx"): Case(
        "GET", "/performance/units/SB01/scorecards.xlsx?period=2026",
        "/performance/units/SB03/scorecards.xlsx?period=2026", "head"),
    ("GET", UN + "/chart.svg"): Case("GET", "/performance/units/SB01/chart.svg?period=2026",
                                     "/performance/units/SB03/chart.svg?period=2026", "head"),
    ("GET", UN + "/sign-offs"): Case("GET", "/performance/units/SB01/sign-offs",
                                     "/performance/units/SB03/sign-offs", "head"),
    ("PATCH", "/performance/customers/<code>"): Case(
        "PATCH", "/performance/customers/C1", "/performance/customers/C3", "head",
        body={"deposits": 5000}, probe="/performance/customers/C3"),
    ("POST", I + "/decision"): Case("POST", obj("incidents", "p1", "/decision"),
                                    obj("incidents", "p3", "/decision"), "head",
                                    body={"decision": "confirm"}, probe=obj("incidents", "p3")),
    ("POST", I + "/appeal"): Case("POST", obj("incidents", "c1", "/appeal"),
                                  obj("incidents", "c3", "/appeal"), "subject",
                                  body={"reason": "not me"}, probe=obj("incidents", "c3")),
    ("POST", I + "/appeal/decision"): Case(
        "POST", obj("incidents", "a1", "/appeal/decision"),
        obj("incidents", "a3", "/appeal/decision"), "hr", body={"decision": "uphold"},
        probe=obj("incidents", "a3")),
    ("POST", "/performance/losses/<int:loss_id>/confirm"): Case(
        "POST", obj("losses", "l1", "/confirm"), obj("losses", "l3", "/confirm"), "auditor",
        body={}, probe=obj("losses", "l3")),
    ("POST", "/performance/visits/<int:visit_id>/confirm"): Case(
        "POST", obj("visits", "v1", "/confirm"), obj("visits", "v3", "/confirm"), "head",
        body={}, probe=obj("visits", "v3")),
    ("POST", UN + "/sign-offs"): Case("POST", "/performance/units/SB01/sign-offs",
                                      "/performance/units/SB03/sign-offs", "head", ok=201,
                                      body={"period": "2026-Q1"},
                                      probe="/performance/units/SB03/sign-offs"),
}

#: Object routes without a branch scope, and why.
UNSCOPED = {
    ("GET", "/performance/policy/versions/<int:version>"): "the policy is organisation-wide "
                                                           "reference data",
    ("GET", "/performance/rulebooks/<rulebook>"): "the rulebook is reference data every "
                                                  "user reads (docs/api.md)",
    ("POST", "/performance/rulebooks/<rulebook>/rules"): "rulebook edits are organisation-"
                                                         "wide (the policy editor only)",
    ("GET", "/performance/rules/<code>"): "the rulebook is reference data every user reads",
    ("GET", "/performance/rules/<code>/versions"): "the rulebook's versions: reference data",
    ("POST", "/performance/rules/<code>/versions"): "rulebook edits are organisation-wide "
                                                    "(the policy editor only)",
}


def test_every_object_route_of_performance_has_a_cross_branch_case_or_a_reason(app):
    assert not uncovered(app, CASES, UNSCOPED)


@pytest.fixture
def headers(tokens):
    def make(name: str) -> dict[str, str]:
        emp, roles = WHO[name]
        return bearer(tokens.user(sub=f"x-{name}", emp=emp,
                                  roles=[(r, o, PATHS[o]) for r, o in roles]))
    return make


@pytest.fixture
def world(client, headers, monkeypatch):
    """A second branch BR02 ─ SB03 with E400 (staff) and E401 (its head); in each of SB01
    and SB03: an incident to decide (p), a confirmed one (c), an appealed one (a), a loss
    (l), a customer (C1/C3) with a visit to confirm (v) and a compliance run (r)."""
    monkeypatch.setitem(fakes.UNITS, "BR02", {"code": "BR02", "type": "branch",
                                              "path": "HQ/BR02", "name_zh": "二分行",
                                              "name_en": "Branch 2"})
    monkeypatch.setitem(fakes.UNITS, "SB03", {"code": "SB03", "type": "sub_branch",
                                              "path": "HQ/BR02/SB03", "name_zh": "三支行",
                                              "name_en": "Sub-branch 3"})
    for no, grade in (("E400", "staff"), ("E401", "head"), ("E402", "mid")):
        monkeypatch.setitem(fakes.EMPLOYEES, no, ("SB03" if no != "E402" else "BR02", grade))

    def post(who, url, body, status=(200, 201)):
        resp = client.post(url, headers=headers(who), json=body)
        assert resp.status_code in status, (who, url, resp.get_json())
        return resp.get_json()

    ids = {}
    sides = {"1": ("E100", "manager", "head", "subject", "hr", ["E103"]),
             "3": ("E400", "admin", "head3", "subject3", "hr3", ["E401"])}
    for side, (emp, recorder, head, subject, hr, indirect) in sides.items():
        def incident(day: str, emp: str = emp, recorder: str = recorder) -> int:
            return post(recorder, "/performance/incidents", {
                "employee_no": emp, "rule": "CM-ETH-07", "occurred_on": day,
                "description": "Kept a customer's file from the team."})["id"]

        ids[f"p{side}"] = incident("2026-03-10")
        for key, day in (("c", "2026-03-11"), ("a", "2026-03-12")):
            ids[f"{key}{side}"] = incident(day)
            post(head, f"/performance/incidents/{ids[f'{key}{side}']}/decision",
                 {"decision": "confirm"})
        post(subject, f"/performance/incidents/{ids[f'a{side}']}/appeal", {"reason": "no"})
        ids[f"l{side}"] = post(hr, "/performance/losses", {
            "amount": 10000.01, "audit_reference": f"IA-2026-00{side}",
            "occurred_on": "2026-03-01", "description": "Loan signed out of procedure.",
            "direct": [emp], "indirect": indirect})["id"]
        post(head, "/performance/customers", {"code": f"C{side}", "name": f"Customer {side}",
                                              "deposits": "0", "credit": "0", "manager": emp,
                                              "since": "2026-01-01"})
        ids[f"v{side}"] = post(subject, "/performance/visits", {
            "customer": f"C{side}", "on": "2026-05-04", "kind": "visit",
            "report": "visited"})["id"]
        unit = "SB01" if side == "1" else "SB03"
        ids[f"r{side}"] = post(head, "/performance/compliance-runs",
                               {"org": unit, "period": "2026-05"})["id"]
    return ids


def test_a_branch_holder_is_refused_on_another_branchs_objects_and_served_on_their_own(
        client, headers, world):
    assert not run_cases(client, world, CASES, headers)


def test_hostile_filters_on_a_populated_store_never_fail_or_widen_the_answer(client, headers,
                                                                             world):
    """Injection strings in every list filter, as a branch head, a customer manager and an
    auditor, with incidents, losses, visits and customers on both sides of the branch line."""
    for name in ("head", "subject", "auditor"):
        assert not hostile_filter_failures(client, "/performance", headers(name)), name
