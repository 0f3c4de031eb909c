"""Performance across real services: an incident recorded about a customer manager (the
subject's chain from staff with performance's own token), confirmed by another person, and
the disqualification (取消客户经理资格) reaching staff, which then refuses the post."""

from __future__ import annotations

import time

from tests.e2e.conftest import require

PASSWORD = "E2e-Perf-Passw0rd!"


def test_a_confirmed_disqualification_withdraws_the_qualification_in_staff(stack):
    require("auth", "staff", "performance")
    admin = stack.admin_token()
    stack.units(admin, ("PFHQ", "head_office", None), ("PFBR", "branch", "PFHQ"),
                       ("PFSB", "sub_branch", "PFBR"), ("PFGB", "department", "PFSB"))
    stack.hire(admin, "PF100", "PFSB", "CUSTOMER_MANAGER", hire_date="2020-01-06")
    stack.hire(admin, "PF101", "PFSB", "SUB_BRANCH_HEAD", hire_date="2020-01-06")
    stack.hire(admin, "PF102", "PFGB", "GENERAL_BUSINESS_DEPT_MANAGER", hire_date="2020-01-06")
    head = stack.person(admin, "pf.head", "PF101", "branch_head", "PFSB", PASSWORD)
    manager = stack.person(admin, "pf.manager", "PF102", "dept_manager", "PFSB", PASSWORD)

    recorded = stack.request("POST", "performance", "/incidents", token=manager, json={
        "employee_no": "PF100", "rule": "CM-ETH-05", "occurred_on": "2026-03-02",
        "description": "Colluded with a customer on a falsified statement."})
    assert recorded.status_code == 201, recorded.text
    incident = recorded.json()
    assert incident["unit"] == "PFSB" and incident["governing_branch"] == "PFBR"
    own = stack.request("POST", "performance", f"/incidents/{incident['id']}/decision",
                        token=manager, json={"decision": "confirm"})
    assert own.status_code == 403, own.text  # four-eyes
    confirmed = stack.request("POST", "performance", f"/incidents/{incident['id']}/decision",
                              token=head, json={"decision": "confirm"})
    assert confirmed.status_code == 200, confirmed.text

    reference = f"performance:incident:{incident['id']}"
    records: list = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # delivered after commit; allow for a slow runner
        resp = stack.request("GET", "staff", "/employees/PF100/qualifications", token=admin)
        assert resp.status_code == 200, resp.text
        records = resp.json()["items"]
        if records:
            break
        time.sleep(0.2)
    assert [(r["qualification"], r["status"], r["reference"]) for r in records] == \
        [("customer_manager", "withdrawn", reference)]
    assert records[0]["recorded_by"] == "svc-performance"
    transfer = stack.request("POST", "staff", "/employees/PF100/transfer", token=admin, json={
        "org": "PFSB", "position": "RETAIL_CUSTOMER_MANAGER", "effective_date": "2026-04-01"})
    assert transfer.status_code == 409, transfer.text

    card = stack.request("GET", "performance", "/scorecards/PF100?period=2026-Q1", token=head)
    assert card.status_code == 200, card.text
    assert card.json()["disqualified"] is True and card.json()["excellence_eligible"] is False
