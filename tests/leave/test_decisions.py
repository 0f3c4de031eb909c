"""Deciding leave: who may decide which step, in which order, and what each decision does."""

from __future__ import annotations

from tests.leave.conftest import decide, file


def six_days(client, who, emp="E1"):
    resp = file(client, who(emp), type="sick", start_date="2025-09-01", end_date="2025-09-08")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_six_days_needs_the_governing_branch_after_preliminary_review(client, who):
    rid = six_days(client, who)
    first = decide(client, who("H1"), rid, comment="初审同意")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["status"] == "pending"
    assert [s["status"] for s in body["steps"]] == ["approved", "pending"]
    assert body["steps"][0]["decided_by"] == "user-H1" and body["steps"][0]["comment"] == "初审同意"
    final = decide(client, who("HR1"), rid)
    assert final.status_code == 200 and final.get_json()["status"] == "approved"


def test_the_step_order_is_the_servers_hr_cannot_decide_before_the_preliminary_review(
        client, who):
    rid = six_days(client, who)
    early = decide(client, who("HR1"), rid)
    assert early.status_code == 403
    assert decide(client, who("H1"), rid).status_code == 200  # positive control
    assert decide(client, who("HR1"), rid).status_code == 200


def test_a_sibling_branch_head_cannot_decide(client, who):
    rid = file(client, who("E1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-02").get_json()["id"]
    assert decide(client, who("H2"), rid).status_code == 404  # not theirs to see at all
    sibling_reader = who("H2", roles=[("branch_head", "SB02"), ("auditor", "BR01")])
    assert decide(client, sibling_reader, rid).status_code == 403
    assert decide(client, who("H1"), rid).status_code == 200  # positive control


def test_nobody_approves_their_own_request_even_with_the_role(client, who):
    admin_employee = who("R1", roles=[("admin", "*")])
    rid = file(client, admin_employee, type="sick", start_date="2025-09-01",
               end_date="2025-09-02").get_json()["id"]
    assert decide(client, admin_employee, rid).status_code == 403
    assert decide(client, who("HR1"), rid).status_code == 200  # positive control


def test_one_person_signs_one_step_of_a_request(client, who):
    rid = six_days(client, who)
    both = who("X9", roles=[("branch_head", "SB01"), ("hr", "BR01")])
    assert decide(client, both, rid).status_code == 200
    assert decide(client, both, rid).status_code == 403
    assert decide(client, who("HR1"), rid).status_code == 200


def test_an_acting_head_by_a_time_bounded_binding_decides_like_the_head(client, who):
    rid = file(client, who("E1"), type="sick", start_date="2025-09-01",
               end_date="2025-09-02").get_json()["id"]
    acting = who("D1", roles=[("branch_head", "SB01")])  # the binding auth put in the token
    assert decide(client, acting, rid).get_json()["status"] == "approved"


def test_rejection_ends_the_request_and_a_decided_request_takes_no_more_decisions(client, who):
    rid = six_days(client, who)
    resp = decide(client, who("H1"), rid, "reject", comment="staffing")
    assert resp.get_json()["status"] == "rejected"
    assert [s["status"] for s in resp.get_json()["steps"]] == ["rejected", "waiting"]
    assert decide(client, who("HR1"), rid).status_code == 409


def test_the_approvals_inbox_shows_only_what_awaits_the_caller(client, who):
    rid = six_days(client, who)
    other = file(client, who("E5"), type="sick", start_date="2025-09-01",
                 end_date="2025-09-02").get_json()["id"]
    inbox = client.get("/leave/approvals", headers=who("H1")).get_json()
    assert [r["id"] for r in inbox["items"]] == [rid] and inbox["total"] == 1
    assert client.get("/leave/approvals", headers=who("HR1")).get_json()["total"] == 0
    decide(client, who("H1"), rid)
    assert [r["id"] for r in client.get("/leave/approvals",
                                        headers=who("HR1")).get_json()["items"]] == [rid]
    assert client.get("/leave/approvals", headers=who("H1")).get_json()["total"] == 0
    assert [r["id"] for r in client.get("/leave/approvals",
                                        headers=who("H2")).get_json()["items"]] == [other]


def test_hr_sees_a_step_nobody_holds_in_their_governing_branch(client, who, directory):
    directory.no_holders.add(("branch_head", "SB02"))
    rid = file(client, who("E5"), type="sick", start_date="2025-09-01",
               end_date="2025-09-02").get_json()["id"]
    assert [r["id"] for r in client.get("/leave/approvals",
                                        headers=who("HR1")).get_json()["items"]] == [rid]
    assert client.get("/leave/approvals", headers=who("HR2")).get_json()["total"] == 0


def test_withdraw_while_pending_only_by_the_requester(client, who):
    rid = six_days(client, who)
    assert client.post(f"/leave/requests/{rid}/withdraw", headers=who("H1"),
                       json={}).status_code == 403
    resp = client.post(f"/leave/requests/{rid}/withdraw", headers=who("E1"), json={})
    assert resp.status_code == 200 and resp.get_json()["status"] == "withdrawn"
    assert client.post(f"/leave/requests/{rid}/withdraw", headers=who("E1"),
                       json={}).status_code == 409


def test_an_overlapping_request_is_a_conflict(client, who):
    six_days(client, who)
    clash = file(client, who("E1"), type="personal", start_date="2025-09-05",
                 end_date="2025-09-05")
    assert clash.status_code == 409
    after = file(client, who("E1"), type="personal", start_date="2025-09-09",
                 end_date="2025-09-09")
    assert after.status_code == 201  # positive control: the next free day


def test_reading_a_request_needs_a_reason_to_see_it(client, who):
    rid = six_days(client, who)
    for allowed in ("E1", "H1", "HR1"):
        assert client.get(f"/leave/requests/{rid}", headers=who(allowed)).status_code == 200
    for denied in ("E5", "H2", "HR2"):
        assert client.get(f"/leave/requests/{rid}", headers=who(denied)).status_code == 404
