"""Who may withdraw or restore a qualification (取消客户经理资格) and read the records: a
client holding staff:qualify (performance's) or staff:write over the employee's unit;
reading as any employee record. Every denial sits beside the same call that succeeds."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.staff.fixtures import *  # noqa: F403 - the staff app, client and org fixtures
from tests.staff.fixtures import hire

PATH = "/staff/employees/{}/qualifications"


def body(reference: str) -> dict[str, str]:
    return {"qualification": "customer_manager", "status": "withdrawn",
            "reason": "Confirmed incident.", "reference": reference}


@pytest.fixture
def people(client, admin, org, catalogue):
    """CM1 at SB01 (BR01), CM3 at SB03 (BR02), both customer managers."""
    for no, unit in (("CM1", "SB01"), ("CM3", "SB03")):
        assert hire(client, admin, no, unit, "CUSTOMER_MANAGER").status_code == 201


@pytest.fixture
def performance(tokens):
    return bearer(tokens.client("svc-performance", ["staff:read", "staff:qualify"]))


def test_a_client_needs_staff_qualify(client, tokens, performance, people):
    leave = bearer(tokens.client("svc-leave", ["staff:read", "auth:check"]))
    resp = client.post(PATH.format("CM1"), headers=leave, json=body("p:1"))
    assert resp.status_code == 403
    assert resp.headers["Content-Type"] == "application/problem+json"
    blind = bearer(tokens.client("svc-other", ["auth:check"]))
    assert client.post(PATH.format("CM1"), headers=blind, json=body("p:1")).status_code == 404
    assert client.post(PATH.format("CM1"), headers=performance,
                       json=body("p:1")).status_code == 201


def test_a_user_needs_staff_write_over_the_employees_unit(client, tokens, people):
    br01_hr = bearer(tokens.user(sub="hr-br01", roles=[("hr", "BR01", "HQ/BR01")]))
    head = bearer(tokens.user(sub="head", roles=[("branch_head", "SB01", "HQ/BR01/SB01")]))
    own = bearer(tokens.user(sub="cm1", emp="CM1", roles=[("employee", "SB01",
                                                           "HQ/BR01/SB01")]))
    assert client.post(PATH.format("CM3"), headers=br01_hr,
                       json=body("hr:1")).status_code == 404  # outside: as unknown
    assert client.post(PATH.format("CM1"), headers=head, json=body("hr:1")).status_code == 403
    assert client.post(PATH.format("CM1"), headers=own, json=body("hr:1")).status_code == 403
    assert client.post(PATH.format("CM1"), headers=br01_hr,
                       json=body("hr:1")).status_code == 201


def test_reading_follows_the_employee_record(client, tokens, performance, people):
    assert client.post(PATH.format("CM1"), headers=performance,
                       json=body("p:1")).status_code == 201
    own = bearer(tokens.user(sub="cm1", emp="CM1", roles=[]))
    other = bearer(tokens.user(sub="cm3", emp="CM3", roles=[]))
    head = bearer(tokens.user(sub="head", roles=[("branch_head", "SB03", "HQ/BR02/SB03")]))
    assert client.get(PATH.format("CM1"), headers=own).get_json()["total"] == 1
    assert client.get(PATH.format("CM1"), headers=performance).status_code == 200
    assert client.get(PATH.format("CM1"), headers=other).status_code == 404
    assert client.get(PATH.format("CM1"), headers=head).status_code == 404
    assert client.get(PATH.format("CM3"), headers=head).status_code == 200


def test_no_token_is_401(client, performance, people):
    resp = client.post(PATH.format("CM1"), json=body("p:1"))
    assert resp.status_code == 401 and "Bearer" in resp.headers["WWW-Authenticate"]
    assert client.get(PATH.format("CM1")).status_code == 401
    assert client.post(PATH.format("CM1"), headers=performance,
                       json=body("p:1")).status_code == 201
