"""Dated changes (issue 14.3): a transfer, hire or status change dated after today waits —
the employee stays where they were for listing, chain and scope — shows on the employee,
can be cancelled (audited), and is applied on its date by the due-changes step, checked
again then (a customer-manager qualification withdrawn since makes it fail)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.staff.app import apply_scheduled
from tests.conftest import bearer
from tests.staff.fixtures import hire

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
MARCH = "2027-03-01"
EVE_OF_MARCH = dt.datetime(2027, 2, 28, 23, 59, tzinfo=SHANGHAI)
MARCH_MORNING = dt.datetime(2027, 3, 1, 0, 1, tzinfo=SHANGHAI)


@pytest.fixture
def clock(app):
    """The app's clock, set to 4 December 2026 (Shanghai); tests move it forward."""
    now = {"at": TODAY}
    app.extensions["staff_clock"] = lambda: now["at"]

    def move(to: dt.datetime) -> None:
        now["at"] = to
    return move


@pytest.fixture
def br02_head(tokens):
    return bearer(tokens.user(sub="head-br02", roles=[("branch_head", "SB03",
                                                        "HQ/BR02/SB03")]))


def listed(client, headers, query=""):
    resp = client.get(f"/staff/employees?per_page=200{query}", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return sorted(e["employee_no"] for e in resp.get_json()["items"])


def transfer(client, headers, no, body):
    return client.post(f"/staff/employees/{no}/transfer", headers=headers, json=body)


def test_a_transfer_dated_next_march_moves_nobody_until_march(client, admin, staffed, clock,
                                                              br02_head):
    assert listed(client, br02_head) == ["E3"]
    resp = transfer(client, admin, "E1", {"org": "SB03", "effective_date": MARCH})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["org"] == "SB01"
    assert [(c["kind"], c["effective_date"], c["org"]) for c in body["scheduled_changes"]] \
        == [("transfer", MARCH, "SB03")]
    # Not in the new branch head's sight, chain or scope before the date (asked twice: the
    # second answer may be a replay and must not outlive the day either).
    for _ in range(2):
        assert listed(client, br02_head) == ["E3"]
    assert client.get("/staff/employees/E1", headers=br02_head).status_code == 404
    assert client.get("/staff/employees/E1/chain", headers=admin).get_json()["unit"]["code"] \
        == "SB01"
    shown = client.get("/staff/employees/E1", headers=admin).get_json()
    assert shown["org"] == "SB01" and shown["scheduled_changes"][0]["state"] == "scheduled"
    clock(EVE_OF_MARCH)
    assert listed(client, br02_head) == ["E3"]
    clock(MARCH_MORNING)
    assert listed(client, br02_head) == ["E1", "E3"]
    assert client.get("/staff/employees/E1/chain", headers=admin).get_json()["unit"]["code"] \
        == "SB03"
    shown = client.get("/staff/employees/E1", headers=br02_head).get_json()
    assert shown["org"] == "SB03" and shown["scheduled_changes"] == []
    history = client.get("/staff/employees/E1/assignments", headers=admin).get_json()["items"]
    assert [(a["org"], a["start_date"], a["end_date"]) for a in history] == [
        ("SB03", MARCH, None), ("SB01", "2020-07-01", "2027-02-28")]
    audit = client.get("/staff/audit?target_id=E1", headers=admin).get_json()["items"]
    actions = {(a["action"], a["actor"]) for a in audit}
    assert ("employee.transfer_scheduled", "admin") in actions
    assert ("employee.transferred", "staff:scheduler") in actions


def test_a_scheduled_transfer_is_cancelled_by_who_may_make_it_and_never_happens(
        client, admin, staffed, clock, tokens):
    change = transfer(client, admin, "E1", {"org": "SB03", "effective_date": MARCH}
                      ).get_json()["scheduled_changes"][0]
    assert transfer(client, admin, "E1", {"org": "SB02", "effective_date": "2027-04-01"}
                    ).status_code == 409  # one pending transfer at a time
    hr_br02 = bearer(tokens.user(roles=[("hr", "BR02", "HQ/BR02")]))
    seen = client.get(f"/staff/scheduled-changes/{change['id']}", headers=hr_br02)
    assert seen.status_code == 200  # it concerns their unit
    cancel = f"/staff/scheduled-changes/{change['id']}/cancel"
    assert client.post(cancel, headers=hr_br02, json={}).status_code == 403  # not over SB01
    resp = client.post(cancel, headers=admin, json={"reason": "plans changed"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["state"] == "cancelled"
    assert client.post(cancel, headers=admin, json={}).status_code == 409
    clock(MARCH_MORNING)
    assert client.get("/staff/employees/E1", headers=admin).get_json()["org"] == "SB01"
    audit = client.get("/staff/audit?action=employee.scheduled_change_cancelled",
                       headers=admin).get_json()["items"]
    assert [a["after"]["outcome"] for a in audit] == ["plans changed"]
    listing = client.get("/staff/scheduled-changes?state=cancelled", headers=admin).get_json()
    assert [c["id"] for c in listing["items"]] == [change["id"]]


def test_a_customer_manager_post_stays_closed_to_the_disqualified_when_dated(
        client, admin, staffed, clock):
    to_cm = {"org": "SB01", "position": "RETAIL_CUSTOMER_MANAGER", "effective_date": MARCH}
    assert transfer(client, admin, "E1", to_cm).status_code == 200  # qualified today
    resp = client.post("/staff/employees/E1/qualifications", headers=admin, json={
        "qualification": "customer_manager", "status": "withdrawn",
        "reason": "Confirmed incident 42.", "reference": "performance:incident:42"})
    assert resp.status_code == 201, resp.get_json()
    clock(MARCH_MORNING)
    shown = client.get("/staff/employees/E1", headers=admin).get_json()
    assert shown["position"] == "CASH_TELLER" and shown["scheduled_changes"] == []
    [failed] = client.get("/staff/scheduled-changes?state=failed",
                          headers=admin).get_json()["items"]
    assert "customer_manager" in failed["outcome"]
    assert transfer(client, admin, "E1", {**to_cm, "effective_date": "2027-06-01"}
                    ).status_code == 409  # asked while withdrawn: refused at once


def test_a_hire_dated_later_is_nobody_until_the_day_but_holds_the_number(
        client, admin, staffed, clock):
    resp = hire(client, admin, "N9", "SB01", hire_date=MARCH, name="新人")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["org"] == "SB01" and body["scheduled_changes"][0]["kind"] == "hire"
    assert client.get("/staff/employees/N9", headers=admin).status_code == 404
    assert "N9" not in listed(client, admin)
    assert hire(client, admin, "N9", "SB02").status_code == 409  # the number is reserved
    clock(MARCH_MORNING)
    shown = client.get("/staff/employees/N9", headers=admin)
    assert shown.status_code == 200 and shown.get_json()["hire_date"] == MARCH
    assert "N9" in listed(client, admin)


def test_leaving_at_the_end_of_the_month_keeps_them_active_until_then(client, admin, staffed,
                                                                      clock, settings):
    resp = client.post("/staff/employees/E2/status", headers=admin,
                       json={"status": "left", "reason": "resigned", "effective_date": MARCH})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "active"
    assert listed(client, admin, "&status=left") == []
    # The cron command applies what is due by the date it is given (the app's own step
    # has not run for that day yet).
    assert apply_scheduled(settings, dt.date(2027, 2, 28)) == {"applied": 0, "failed": 0}
    assert apply_scheduled(settings, dt.date(2027, 3, 1)) == {"applied": 1, "failed": 0}
    assert apply_scheduled(settings, dt.date(2027, 3, 1)) == {"applied": 0, "failed": 0}
    assert client.get("/staff/employees/E2", headers=admin).get_json()["status"] == "left"


def test_who_sees_a_scheduled_change_follows_its_unit_when_the_unit_moves(client, admin,
                                                                         staffed, clock,
                                                                         tokens):
    change = transfer(client, admin, "E1", {"org": "SB03", "effective_date": MARCH}
                      ).get_json()["scheduled_changes"][0]
    hr_br02 = bearer(tokens.user(roles=[("hr", "BR02", "HQ/BR02")]))
    url = f"/staff/scheduled-changes/{change['id']}"
    assert client.get(url, headers=hr_br02).status_code == 200
    assert client.get("/staff/scheduled-changes", headers=hr_br02).get_json()["total"] == 1
    moved = client.post("/staff/org-units/SB03/move", headers=admin, json={"parent": "BR01"})
    assert moved.status_code == 200, moved.get_json()
    assert client.get(url, headers=hr_br02).status_code == 404
    assert client.get("/staff/scheduled-changes", headers=hr_br02).get_json()["total"] == 0
    clock(MARCH_MORNING)
    shown = client.get("/staff/employees/E1", headers=admin).get_json()
    assert shown["org_path"] == "HQ/BR01/SB03"
