"""Employees: hire, read, search, status, transfers with history, and relations."""

from __future__ import annotations

from tests.conftest import bearer
from tests.staff.fixtures import hire


def test_a_hire_answers_201_with_grade_from_the_position_and_work_start_defaulted(
        client, admin, staffed):
    body = client.get("/staff/employees/E1", headers=admin).get_json()
    assert body["org"] == "SB01" and body["org_path"] == "HQ/BR01/SB01"
    assert body["grade"] == "staff" and body["grade_override"] is None
    assert body["work_start_date"] == body["hire_date"] == "2020-07-01"
    assert body["manager"] == "H1" and body["status"] == "active"
    assert client.get("/staff/employees/H1", headers=admin).get_json()["grade"] == "head"


def test_a_grade_override_wins_over_the_positions_grade(client, admin, org, catalogue):
    resp = hire(client, admin, "E7", "SB01", grade="mid")
    assert resp.status_code == 201 and resp.get_json()["grade"] == "mid"


def test_a_hire_names_every_bad_reference_at_once(client, admin, org, catalogue):
    resp = hire(client, admin, "E8", "NOPE", position="NOPE", manager="NOBODY",
                work_start_date="2021-01-01")
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) == {"org", "position", "manager", "work_start_date"}
    resp = hire(client, admin, "E8", "SB01", position="BRANCH_PRESIDENT")
    assert resp.status_code == 422 and "position" in resp.get_json()["errors"]


def test_a_taken_employee_number_is_a_conflict(client, admin, staffed):
    assert hire(client, admin, "E1", "SB02").status_code == 409


def test_the_list_finds_by_subtree_name_number_position_and_status(client, admin, staffed):
    def codes(query: str) -> list[str]:
        resp = client.get(f"/staff/employees?{query}", headers=admin)
        assert resp.status_code == 200, resp.get_json()
        return [e["employee_no"] for e in resp.get_json()["items"]]

    assert codes("org=SB01") == ["E1", "H1"]
    assert codes("org=SB01&subtree=true") == ["E1", "E2", "H1"]
    assert codes("org=BR01&subtree=true") == ["E1", "E2", "H1"]
    assert codes("q=唐") == ["E1"] and codes("q=tang") == ["E1"] and codes("q=e3") == ["E3"]
    assert codes("position=SUB_BRANCH_HEAD") == ["H1"]
    assert codes("grade=head") == ["H1"]
    client.post("/staff/employees/E3/status", headers=admin, json={"status": "suspended"})
    assert codes("status=suspended") == ["E3"]
    assert client.get("/staff/employees?status=gone", headers=admin).status_code == 422


def test_a_status_change_is_audited_with_its_reason(client, admin, staffed):
    resp = client.post("/staff/employees/E2/status", headers=admin,
                       json={"status": "left", "reason": "resigned"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "left"
    again = client.post("/staff/employees/E2/status", headers=admin, json={"status": "left"})
    assert again.status_code == 409
    audit = client.get("/staff/audit?target_id=E2&action=employee.status_changed",
                       headers=admin).get_json()
    assert audit["total"] == 1
    assert audit["items"][0]["before"]["status"] == "active"
    assert audit["items"][0]["after"]["reason"] == "resigned"


def test_a_transfer_keeps_the_assignment_history(client, admin, staffed):
    resp = client.post("/staff/employees/E1/transfer", headers=admin, json={
        "org": "OT01", "position": "LOBBY_MANAGER", "effective_date": "2025-03-01",
        "handover_supervisor": "H1"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["org"] == "OT01" and body["position"] == "LOBBY_MANAGER"
    assert body["manager"] is None
    history = client.get("/staff/employees/E1/assignments", headers=admin).get_json()
    assert history["total"] == 2
    new, old = history["items"]
    assert (new["org"], new["start_date"], new["end_date"]) == ("OT01", "2025-03-01", None)
    assert new["reason"] == "transfer" and new["handover_supervisor"] == "H1"
    assert (old["org"], old["start_date"], old["end_date"]) == ("SB01", "2020-07-01",
                                                                  "2025-02-28")
    assert old["position"] == "CASH_TELLER" and old["manager"] == "H1"


def test_a_transfer_refuses_bad_dates_cycles_and_people_who_left(client, admin, staffed):
    resp = client.post("/staff/employees/E1/transfer", headers=admin, json={
        "org": "SB02", "effective_date": "2019-01-01"})
    assert resp.status_code == 422 and "effective_date" in resp.get_json()["errors"]
    resp = client.post("/staff/employees/H1/transfer", headers=admin, json={
        "org": "SB01", "manager": "E1", "effective_date": "2025-01-01"})
    assert resp.status_code == 422 and "manager" in resp.get_json()["errors"]
    resp = client.post("/staff/employees/E1/transfer", headers=admin, json={
        "org": "SB02", "effective_date": "2025-01-01", "handover_supervisor": "E1"})
    assert resp.status_code == 422 and "handover_supervisor" in resp.get_json()["errors"]
    client.post("/staff/employees/E3/status", headers=admin, json={"status": "left"})
    resp = client.post("/staff/employees/E3/transfer", headers=admin, json={
        "org": "SB02", "effective_date": "2025-01-01"})
    assert resp.status_code == 409


def test_relations_are_declared_once_and_read_from_both_sides(client, admin, tokens, staffed):
    resp = client.post("/staff/employees/E1/relations", headers=admin,
                       json={"related_no": "E3", "kind": "spouse"})
    assert resp.status_code == 201
    assert resp.get_json()["employee_no"] == "E1" and resp.get_json()["related_no"] == "E3"
    dup = client.post("/staff/employees/E3/relations", headers=admin,
                      json={"related_no": "E1", "kind": "spouse"})
    assert dup.status_code == 409
    seen = client.get("/staff/employees/E3/relations", headers=admin).get_json()
    assert [(r["employee_no"], r["related_no"], r["kind"]) for r in seen["items"]] == \
        [("E1", "E3", "spouse")]
    bad = client.post("/staff/employees/E1/relations", headers=admin,
                      json={"related_no": "E1", "kind": "cousin"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"kind"}
    own = bearer(tokens.user(emp="E2", roles=[("employee", "OT01", "HQ/BR01/SB01/OT01")]))
    resp = client.post("/staff/employees/E2/relations", headers=own,
                       json={"related_no": "E3", "kind": "sibling"})
    assert resp.status_code == 201


def test_a_patch_edits_names_and_grade_and_is_audited(client, admin, staffed):
    resp = client.patch("/staff/employees/E1", headers=admin,
                        json={"name_en": "Tang Min (T)", "grade": "mid"})
    assert resp.status_code == 200 and resp.get_json()["grade"] == "mid"
    resp = client.patch("/staff/employees/E1", headers=admin, json={"grade": None})
    assert resp.get_json()["grade"] == "staff"
    resp = client.patch("/staff/employees/E1", headers=admin, json={"org": "SB02"})
    assert resp.status_code == 422
    audit = client.get("/staff/audit?action=employee.edited", headers=admin).get_json()
    assert audit["total"] == 2
