"""Approver resolution: own unit, 网点, governing branch, head office — what leave routes on."""

from __future__ import annotations

from tests.conftest import bearer
from tests.staff.fixtures import hire


def _chain(client, headers, no):
    resp = client.get(f"/staff/employees/{no}/chain", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_department_employee_under_a_sub_branch_resolves_every_level(client, admin, org,
                                                                       catalogue):
    client.post("/staff/org-units", headers=admin, json={
        "code": "SB01_HALL", "name_zh": "营业室", "type": "department", "parent": "SB01"})
    hire(client, admin, "E1", "SB01_HALL")
    chain = _chain(client, admin, "E1")
    assert chain["unit"]["code"] == "SB01_HALL"
    assert chain["outlet"] == {"code": "SB01", "type": "sub_branch", "path": "HQ/BR01/SB01",
                               "name_zh": "人民路支行", "name_en": None}
    assert chain["governing_branch"]["code"] == "BR01"
    assert chain["head_office"]["code"] == "HQ"
    assert [u["code"] for u in chain["units"]] == ["SB01_HALL", "SB01", "BR01", "HQ"]
    assert chain["grade"] == "staff" and chain["position"] == "CASH_TELLER"
    assert chain["must_cover"] is True


def test_an_outlet_employee_has_the_outlet_as_their_wangdian(client, admin, org, catalogue):
    hire(client, admin, "E2", "OT01")
    chain = _chain(client, admin, "E2")
    assert chain["outlet"]["code"] == "OT01" and chain["governing_branch"]["code"] == "BR01"


def test_branch_and_head_office_staff_have_no_wangdian(client, admin, org, catalogue):
    hire(client, admin, "E3", "BR02", "BRANCH_PRESIDENT")
    chain = _chain(client, admin, "E3")
    assert chain["outlet"] is None and chain["governing_branch"]["code"] == "BR02"
    assert chain["grade"] == "head" and chain["must_cover"] is False
    hire(client, admin, "E4", "HQ_HR", "ADMIN_DEPT_MANAGER")
    chain = _chain(client, admin, "E4")
    assert chain["outlet"] is None
    assert chain["governing_branch"]["code"] == "HQ" == chain["head_office"]["code"]


def test_the_chain_follows_a_move_of_the_unit(client, admin, org, catalogue):
    hire(client, admin, "E2", "OT01")
    client.post("/staff/org-units/SB01/move", headers=admin, json={"parent": "BR02"})
    chain = _chain(client, admin, "E2")
    assert chain["governing_branch"]["code"] == "BR02"
    assert chain["unit"]["path"] == "HQ/BR02/SB01/OT01"


def test_the_leave_services_client_reads_any_chain(client, admin, tokens, org, catalogue):
    hire(client, admin, "E2", "OT01")
    leave = bearer(tokens.client("svc-leave", ["staff:read"]))
    assert _chain(client, leave, "E2")["employee_no"] == "E2"
    nothing = bearer(tokens.client("svc-other", ["auth:check"]))
    assert client.get("/staff/employees/E2/chain", headers=nothing).status_code == 404
