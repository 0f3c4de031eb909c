"""Staff tells auth about people through its outbox: an employee who left (auth disables
their login) and a qualification withdrawn or restored (auth ends the bindings that need
it). The event commits with the change and is delivered after commit; auth down never
fails the change and never loses the event."""

from __future__ import annotations

from services.staff.app import deliver_events
from tests.conftest import bearer
from tests.staff.fixtures import hire


def _people(sender):
    return [payload for _dest, path, payload in sender.sent if path == "/auth/people-events"]


def test_an_employee_who_leaves_is_reported_to_auth_once(client, admin, staffed, sender):
    resp = client.post("/staff/employees/E1/status", headers=admin,
                       json={"status": "left", "reason": "Resigned"})
    assert resp.status_code == 200, resp.get_json()
    assert _people(sender) == [{"event": "employee_left", "employee_no": "E1",
                                "reason": "Resigned", "reference": "staff:employee:E1:left"}]
    # the positive control's other side: a suspension is not a leaving
    assert client.post("/staff/employees/E2/status", headers=admin,
                       json={"status": "suspended"}).status_code == 200
    assert len(_people(sender)) == 1


def test_a_leaving_stands_when_auth_is_down_and_reaches_it_later(client, admin, staffed, sender,
                                                                 settings):
    sender.down = True
    resp = client.post("/staff/employees/E3/status", headers=admin, json={"status": "left"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "left"
    pending = client.get("/staff/outbox?status=pending", headers=admin).get_json()["items"]
    assert [e["payload"]["event"] for e in pending] == ["employee_left"]
    sender.down = False
    assert deliver_events(settings, sender)["delivered"] == 1
    assert [p["employee_no"] for p in _people(sender)] == ["E3"]


def test_a_withdrawal_and_a_restoration_are_reported_in_order_with_a_growing_sequence(
        client, admin, staffed, sender, tokens):
    performance = bearer(tokens.client("svc-performance", ["staff:read", "staff:qualify"]))
    assert hire(client, admin, "CM1", "SB01", "RETAIL_CUSTOMER_MANAGER").status_code == 201
    for status, ref in (("withdrawn", "performance:incident:7"),
                        ("restored", "performance:appeal:7")):
        resp = client.post("/staff/employees/CM1/qualifications", headers=performance, json={
            "qualification": "customer_manager", "status": status, "reason": "Incident 7",
            "reference": ref})
        assert resp.status_code == 201, resp.get_json()
    # a retry of the withdrawal (same reference) records nothing and tells auth nothing new
    again = client.post("/staff/employees/CM1/qualifications", headers=performance, json={
        "qualification": "customer_manager", "status": "withdrawn", "reason": "Incident 7",
        "reference": "performance:incident:7"})
    assert again.status_code == 200
    events = _people(sender)
    assert [(e["event"], e["reference"]) for e in events] == [
        ("qualification_withdrawn", "performance:incident:7"),
        ("qualification_restored", "performance:appeal:7")]
    assert events[0]["sequence"] < events[1]["sequence"]
    assert {e["employee_no"] for e in events} == {"CM1"}
