"""Refusals of privilege in staff are audited (`access.denied`): an out-of-scope write that
answers as if the employee did not exist, and a write the caller may read but not make —
with the actor, request id, address and reason, at most once per caller and route a minute.
The caller's answers are unchanged (no scope leaks)."""

from __future__ import annotations

from tests.conftest import bearer


def _denials(client, admin):
    resp = client.get("/staff/audit?action=access.denied", headers=admin)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


def test_an_out_of_scope_write_answers_as_unknown_and_is_audited(client, admin, staffed,
                                                                 tokens):
    hr = {**bearer(tokens.user(sub="hr-br01", roles=[("hr", "BR01", "HQ/BR01")])),
          "X-Request-ID": "out-of-scope-0001"}
    resp = client.post("/staff/employees/E3/status", headers=hr, json={"status": "left"})
    assert resp.status_code == 404  # E3 works in SB03 (BR02): exactly like an unknown number
    assert resp.get_json()["detail"] == "No employee E3."
    rows = _denials(client, admin)
    assert len(rows) == 1
    row = rows[0]
    assert row["actor"] == "hr-br01" and row["request_id"] == "out-of-scope-0001"
    assert row["remote_addr"] == "127.0.0.1" and row["token_jti"]
    assert row["target_id"] == "POST /staff/employees/E3/status"
    assert "outside the caller's scope" in row["after"]["reason"]
    # the same call on an employee in scope is no refusal (the positive control)
    ok = client.post("/staff/employees/E1/status", headers=hr, json={"status": "suspended"})
    assert ok.status_code == 200, ok.get_json()
    assert len(_denials(client, admin)) == 1
    check = client.get("/staff/employees/E3", headers=admin).get_json()
    assert check["status"] == "active"  # nothing was written


def test_a_write_the_caller_may_only_read_is_a_403_audited_once_a_minute(client, admin, staffed,
                                                                        tokens):
    head = bearer(tokens.user(sub="head-sb01", roles=[("branch_head", "SB01",
                                                       "HQ/BR01/SB01")]))
    for _ in range(3):
        resp = client.post("/staff/employees/E1/status", headers=head,
                           json={"status": "suspended"})
        assert resp.status_code == 403
    rows = _denials(client, admin)
    assert len(rows) == 1 and rows[0]["actor"] == "head-sb01"
    assert "not held" in rows[0]["after"]["reason"]
    assert client.get("/staff/employees/E1", headers=head).status_code == 200  # may read
