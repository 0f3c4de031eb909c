"""Auth and staff agree on people, over real HTTP: auth asks staff whether an employee
exists and what type a unit is; staff's outbox tells auth that an employee left (their
refresh fails and `/auth/check` with their token says no) and that a customer-manager
qualification was withdrawn (the binding that needs it ends)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import require

PASSWORD = "E2e-People-Passw0rd!"


def _eventually(probe: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Staff delivers after its commit: allow a slow runner that long, no more."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _check(stack, token: str, permission: str, org: str) -> dict[str, Any]:
    resp = stack.request("POST", "auth", "/check", token=token,
                         json={"permission": permission, "org": org})
    assert resp.status_code == 200, resp.text
    return resp.json()


def _user(stack, admin: str, username: str, employee_no: str | None) -> Any:
    return stack.request("POST", "auth", "/users", token=admin, json={
        "username": username, "password": PASSWORD, "display_name": username,
        "employee_no": employee_no})


def test_a_leaver_keeps_no_access_and_a_disqualified_customer_manager_loses_the_role(stack):
    require("auth", "staff")
    admin = stack.admin_token()
    stack.units(admin, ("PSHQ", "head_office", None), ("PSBR", "branch", "PSHQ"),
                       ("PSSB", "sub_branch", "PSBR"), ("PSGB", "department", "PSSB"))
    stack.hire(admin, "PS100", "PSSB", "SUB_BRANCH_HEAD")
    stack.hire(admin, "PS200", "PSSB", "RETAIL_CUSTOMER_MANAGER")

    # a user's employee must exist in staff (asked over HTTP with auth's own token)
    unknown = _user(stack, admin, "ps.ghost", "PS-NOBODY")
    assert unknown.status_code == 422, unknown.text
    head = _user(stack, admin, "ps.head", "PS100")
    assert head.status_code == 201, head.text
    uid = head.json()["id"]
    # the unit's type comes from staff: a branch head over a department is refused
    wrong = stack.request("POST", "auth", f"/users/{uid}/roles", token=admin,
                          json={"role": "branch_head", "org": "PSGB"})
    assert wrong.status_code == 422, wrong.text
    bound = stack.request("POST", "auth", f"/users/{uid}/roles", token=admin,
                          json={"role": "branch_head", "org": "PSSB"})
    assert bound.status_code == 201, bound.text

    signed_in = stack.http.post(stack.url("auth", "/token"), timeout=10, data={
        "grant_type": "password", "username": "ps.head", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    pair = signed_in.json()
    assert _check(stack, pair["access_token"], "leave:approve", "PSSB")["allowed"] is True

    left = stack.request("POST", "staff", "/employees/PS100/status", token=admin,
                         json={"status": "left", "reason": "Resigned"})
    assert left.status_code == 200, left.text

    def disabled() -> bool:
        return _check(stack, pair["access_token"], "leave:approve", "PSSB")["code"] == \
            "user_disabled"

    assert _eventually(disabled), stack.log_tail("staff")
    refreshed = stack.http.post(stack.url("auth", "/token"), timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    again = stack.http.post(stack.url("auth", "/token"), timeout=10, data={
        "grant_type": "password", "username": "ps.head", "password": PASSWORD})
    assert again.status_code == 400

    # 取消客户经理资格: staff records the withdrawal, its outbox tells auth, the role ends
    cm = stack.person(admin, "ps.cm", "PS200", "customer_manager", "PSSB", PASSWORD)
    assert _check(stack, cm, "customer:manage", "PSSB")["allowed"] is True
    withdrawn = stack.request("POST", "staff", "/employees/PS200/qualifications", token=admin,
                              json={"qualification": "customer_manager", "status": "withdrawn",
                                    "reason": "Confirmed incident", "reference": "e2e:ps:1"})
    assert withdrawn.status_code == 201, withdrawn.text

    def ended() -> bool:
        fresh = stack.login("ps.cm", PASSWORD)
        return _check(stack, fresh, "customer:manage", "PSSB")["allowed"] is False

    assert _eventually(ended), stack.log_tail("staff")
    users = stack.request("GET", "auth", "/users?employee_no=PS200", token=admin).json()
    refused = stack.request("POST", "auth", f"/users/{users['items'][0]['id']}/roles",
                            token=admin, json={"role": "customer_manager", "org": "PSSB"})
    assert refused.status_code == 409, refused.text


def test_a_confirmed_disqualification_in_performance_ends_the_role_at_auth(stack):
    """performance → staff (staff:qualify) → auth (auth:people-sync), each over its outbox."""
    require("auth", "staff", "performance")
    admin = stack.admin_token()
    stack.units(admin, ("PQHQ", "head_office", None), ("PQBR", "branch", "PQHQ"),
                       ("PQSB", "sub_branch", "PQBR"), ("PQGB", "department", "PQSB"))
    stack.hire(admin, "PQ100", "PQSB", "CUSTOMER_MANAGER", hire_date="2020-01-06")
    stack.hire(admin, "PQ101", "PQSB", "SUB_BRANCH_HEAD", hire_date="2020-01-06")
    stack.hire(admin, "PQ102", "PQGB", "GENERAL_BUSINESS_DEPT_MANAGER", hire_date="2020-01-06")
    head = stack.person(admin, "pq.head", "PQ101", "branch_head", "PQSB", PASSWORD)
    manager = stack.person(admin, "pq.manager", "PQ102", "dept_manager", "PQSB", PASSWORD)
    stack.person(admin, "pq.cm", "PQ100", "customer_manager", "PQSB", PASSWORD)
    assert _check(stack, stack.login("pq.cm", PASSWORD), "customer:manage",
                  "PQSB")["allowed"] is True

    recorded = stack.request("POST", "performance", "/incidents", token=manager, json={
        "employee_no": "PQ100", "rule": "CM-ETH-05", "occurred_on": "2026-03-02",
        "description": "Colluded with a customer on a falsified statement."})
    assert recorded.status_code == 201, recorded.text
    confirmed = stack.request("POST", "performance",
                              f"/incidents/{recorded.json()['id']}/decision", token=head,
                              json={"decision": "confirm"})
    assert confirmed.status_code == 200, confirmed.text

    def ended() -> bool:
        return _check(stack, stack.login("pq.cm", PASSWORD), "customer:manage",
                      "PQSB")["allowed"] is False

    assert _eventually(ended, 15.0), stack.log_tail("performance") + stack.log_tail("staff")
    users = stack.request("GET", "auth", "/users?employee_no=PQ100", token=admin).json()
    uid = users["items"][0]["id"]
    trail = stack.request("GET", "auth", f"/audit?action=binding.ended&target={uid}",
                          token=admin).json()["items"]
    assert [e["after"]["reference"] for e in trail] == \
        [f"performance:incident:{recorded.json()['id']}"]
