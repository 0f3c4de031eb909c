"""Customer-manager qualification (取消客户经理资格): the positions that require it, its
withdrawal by performance (idempotent per reference) and restoration, and staff refusing
to place an employee in a position whose qualification is withdrawn for them."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.staff.fixtures import hire

CM_POSTS = {"CUSTOMER_MANAGER", "RETAIL_CUSTOMER_MANAGER", "CORPORATE_CUSTOMER_MANAGER",
            "CREDIT_CUSTOMER_MANAGER", "KEY_ACCOUNT_MANAGER"}


def withdrawal(reference="performance:incident:42", **extra):
    return {"qualification": "customer_manager", "status": "withdrawn",
            "reason": "Confirmed incident: egregious breach of the credit rules.",
            "reference": reference, **extra}


def qualify(client, headers, no, body):
    return client.post(f"/staff/employees/{no}/qualifications", headers=headers, json=body)


def transfer(client, headers, no, org, position, date="2026-01-05"):
    return client.post(f"/staff/employees/{no}/transfer", headers=headers,
                       json={"org": org, "position": position, "effective_date": date})


@pytest.fixture
def performance(tokens):
    return bearer(tokens.client("svc-performance", ["staff:read", "auth:check",
                                                    "staff:qualify"]))


@pytest.fixture
def cm(client, admin, staffed):
    """CM1: a retail customer manager at SB01."""
    resp = hire(client, admin, "CM1", "SB01", "RETAIL_CUSTOMER_MANAGER")
    assert resp.status_code == 201, resp.get_json()
    return "CM1"


# --- the position flag ---------------------------------------------------------------------

def test_every_customer_manager_post_and_no_other_requires_the_qualification(client, admin,
                                                                            catalogue):
    items = client.get("/staff/positions?per_page=200", headers=admin).get_json()["items"]
    flagged = {p["code"] for p in items if p["requires_qualification"] == "customer_manager"}
    assert flagged == CM_POSTS
    assert {p["requires_qualification"] for p in items if p["code"] not in CM_POSTS} == {None}
    one = client.get("/staff/positions/KEY_ACCOUNT_MANAGER", headers=admin).get_json()
    assert one["requires_qualification"] == "customer_manager"


def test_the_flag_is_edited_through_the_positions_api_and_versioned(client, admin, catalogue):
    resp = client.patch("/staff/positions/CREDIT_OFFICER", headers=admin,
                        json={"requires_qualification": "customer_manager"})
    assert resp.status_code == 200 and resp.get_json()["requires_qualification"] == \
        "customer_manager"
    history = client.get("/staff/positions/CREDIT_OFFICER/history", headers=admin).get_json()
    assert history["items"][0]["changes"] == {
        "requires_qualification": {"before": None, "after": "customer_manager"}}
    resp = client.patch("/staff/positions/CREDIT_OFFICER", headers=admin,
                        json={"requires_qualification": None})
    assert resp.get_json()["requires_qualification"] is None
    for bad in ("Customer Manager", "", 7, "x" * 41):
        resp = client.patch("/staff/positions/CREDIT_OFFICER", headers=admin,
                            json={"requires_qualification": bad})
        assert resp.status_code == 422, bad
        assert set(resp.get_json()["errors"]) == {"requires_qualification"}


# --- withdrawal and restoration ------------------------------------------------------------

def test_performance_withdraws_and_the_employee_shows_it(client, admin, performance, cm):
    assert client.get("/staff/employees/CM1", headers=admin).get_json()[
        "qualifications_withdrawn"] == []
    resp = qualify(client, performance, cm, withdrawal())
    assert resp.status_code == 201, resp.get_json()
    record = resp.get_json()
    assert record == {"id": record["id"], "employee_no": "CM1",
                      "qualification": "customer_manager", "status": "withdrawn",
                      "reason": withdrawal()["reason"], "reference": "performance:incident:42",
                      "recorded_at": record["recorded_at"], "recorded_by": "svc-performance"}
    assert record["recorded_at"].endswith("+00:00")
    employee = client.get("/staff/employees/CM1", headers=admin).get_json()
    assert employee["qualifications_withdrawn"] == ["customer_manager"]
    listed = client.get("/staff/employees/CM1/qualifications", headers=admin).get_json()
    assert listed == {"items": [record], "total": 1, "page": 1, "per_page": 50}
    audit = client.get("/staff/audit?target_id=CM1&action=employee.qualification_withdrawn",
                       headers=admin).get_json()
    assert audit["total"] == 1 and audit["items"][0]["after"]["reference"] == \
        "performance:incident:42"


def test_the_same_reference_again_answers_the_first_record(client, admin, performance, cm):
    first = qualify(client, performance, cm, withdrawal())
    again = qualify(client, performance, cm, withdrawal(reason="Retried."))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert client.get("/staff/employees/CM1/qualifications",
                      headers=admin).get_json()["total"] == 1


def test_a_reference_reused_for_another_change_is_a_conflict(client, admin, performance, cm):
    assert qualify(client, performance, cm, withdrawal()).status_code == 201
    assert hire(client, admin, "CM2", "SB01", "CUSTOMER_MANAGER").status_code == 201
    resp = qualify(client, performance, "CM2", withdrawal())
    assert resp.status_code == 409
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert "performance:incident:42" in resp.get_json()["detail"]
    assert qualify(client, performance, "CM2",
                   withdrawal("performance:incident:43")).status_code == 201


def test_restoring_lifts_the_withdrawal_and_needs_one_to_lift(client, admin, performance, cm):
    restore = withdrawal("hr:appeal:7", status="restored", reason="Appeal upheld.")
    resp = qualify(client, admin, cm, restore)
    assert resp.status_code == 409 and "not withdrawn" in resp.get_json()["detail"]
    assert qualify(client, performance, cm, withdrawal()).status_code == 201
    assert qualify(client, performance, cm,
                   withdrawal("performance:incident:43")).status_code == 201  # still withdrawn
    resp = qualify(client, admin, cm, restore)
    assert resp.status_code == 201 and resp.get_json()["status"] == "restored"
    assert client.get("/staff/employees/CM1", headers=admin).get_json()[
        "qualifications_withdrawn"] == []
    listed = client.get("/staff/employees/CM1/qualifications", headers=admin).get_json()
    assert [r["status"] for r in listed["items"]] == ["withdrawn", "withdrawn", "restored"]


def test_bad_bodies_are_422_and_an_unknown_employee_404(client, performance, cm):
    resp = qualify(client, performance, cm, withdrawal(qualification="astronaut"))
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"qualification"}
    for field, value in (("status", "suspended"), ("reason", ""), ("reference", None),
                         ("qualification", "CM!")):
        resp = qualify(client, performance, cm, withdrawal(**{field: value}))
        assert resp.status_code == 422 and field in resp.get_json()["errors"], field
    resp = qualify(client, performance, cm, {**withdrawal(), "extra": 1})
    assert resp.status_code == 422
    assert qualify(client, performance, "NOBODY", withdrawal()).status_code == 404
    assert qualify(client, performance, cm, withdrawal()).status_code == 201  # control


# --- placement refused while withdrawn -----------------------------------------------------

def test_a_withdrawn_employee_cannot_be_transferred_into_a_customer_manager_post(
        client, admin, performance, cm):
    assert transfer(client, admin, "E1", "SB02", "CORPORATE_CUSTOMER_MANAGER").status_code \
        == 200  # positive control: E1 keeps their qualification
    assert qualify(client, performance, "E2", withdrawal("performance:incident:9")
                   ).status_code == 201
    resp = transfer(client, admin, "E2", "SB02", "CORPORATE_CUSTOMER_MANAGER")
    assert resp.status_code == 409
    assert resp.headers["Content-Type"] == "application/problem+json"
    detail = resp.get_json()["detail"]
    assert "customer_manager qualification is withdrawn" in detail
    assert "CORPORATE_CUSTOMER_MANAGER" in detail
    assert client.get("/staff/employees/E2", headers=admin).get_json()["org"] == "OT01"
    assert client.get("/staff/employees/E2/assignments",
                      headers=admin).get_json()["total"] == 1  # nothing half-written
    assert transfer(client, admin, "E2", "SB02", "CASH_TELLER").status_code == 200


def test_a_withdrawn_customer_manager_cannot_move_units_in_the_post_until_restored(
        client, admin, performance, cm):
    assert qualify(client, performance, cm, withdrawal()).status_code == 201
    assert transfer(client, admin, cm, "SB02", "RETAIL_CUSTOMER_MANAGER").status_code == 409
    restore = withdrawal("hr:appeal:1", status="restored", reason="Appeal upheld.")
    assert qualify(client, admin, cm, restore).status_code == 201
    assert transfer(client, admin, cm, "SB02", "RETAIL_CUSTOMER_MANAGER").status_code == 200


def test_a_post_flagged_later_is_closed_too(client, admin, performance, cm):
    assert qualify(client, performance, "E1", withdrawal()).status_code == 201
    assert transfer(client, admin, "E1", "SB02", "CREDIT_OFFICER").status_code == 200
    client.patch("/staff/positions/CREDIT_OFFICER", headers=admin,
                 json={"requires_qualification": "customer_manager"})
    assert transfer(client, admin, "E1", "SB01", "CREDIT_OFFICER",
                    date="2026-02-01").status_code == 409
