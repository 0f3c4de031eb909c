"""Leave: a request cannot be filed already approved, for someone else without the right,
or with a chosen id or route — each refusal beside the same request without the field."""

from __future__ import annotations

from tests.leave.conftest import *  # noqa: F403 - the leave app, client and people
from tests.leave.conftest import file

DAY = {"type": "sick", "start_date": "2025-09-01", "end_date": "2025-09-01"}


def test_a_request_carrying_a_field_it_may_not_set_is_refused_and_without_it_filed(
        client, who):
    for extra in ({"status": "approved"}, {"id": 7}, {"days": 0}, {"steps": []},
                  {"decided_by": "H1"}, {"calendar": "provisional"}):
        refused = file(client, who("E1"), **DAY, **extra)
        assert refused.status_code == 422 and set(extra) <= set(refused.get_json()["errors"])
        assert client.get("/leave/requests", headers=who("E1")).get_json()["total"] == 0
    filed = file(client, who("E1"), **DAY)
    assert filed.status_code == 201 and filed.get_json()["status"] == "pending"
    assert filed.get_json()["steps"][0]["status"] == "pending"


def test_an_employee_cannot_file_for_someone_else_and_hr_can(client, who):
    refused = file(client, who("E1"), employee_no="E3", **DAY)
    assert refused.status_code in (403, 422)
    assert client.get("/leave/requests", headers=who("HR2")).get_json()["total"] == 0
    filed = file(client, who("HR1"), employee_no="E1", **DAY)
    assert filed.status_code == 201 and filed.get_json()["employee_no"] == "E1"


def test_a_decision_cannot_choose_its_outcome_fields(client, who):
    rid = file(client, who("E1"), **DAY).get_json()["id"]
    for extra in ({"status": "approved"}, {"decided_by": "H1"}, {"level": 2}):
        resp = client.post(f"/leave/requests/{rid}/decision", headers=who("H1"),
                           json={"decision": "reject", **extra})
        assert resp.status_code == 422 and set(extra) <= set(resp.get_json()["errors"])
        assert client.get(f"/leave/requests/{rid}",
                          headers=who("H1")).get_json()["status"] == "pending"
    ok = client.post(f"/leave/requests/{rid}/decision", headers=who("H1"),
                     json={"decision": "reject"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "rejected"
