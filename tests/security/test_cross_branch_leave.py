"""Cross-branch access on every object route of leave: SB01's branch head H1, BR01's hr HR1
and SB01's teller E1 are refused on the requests, balances and calendars of E3 (SB03, under
BR02) — 403/404 — and served on SB01's own; a route without such a case or a stated reason
fails the suite."""

from __future__ import annotations

import pytest

from tests.leave.conftest import *  # noqa: F403 - the leave app, client and people
from tests.leave.conftest import decide, file
from tests.security.cross_branch import Case, hostile_filter_failures, run_cases, uncovered

R = "/leave/requests/<int:request_id>"
B = "/leave/balances/<employee_no>"


def req(key: str, suffix: str = ""):
    return lambda w: f"/leave/requests/{w[key]}{suffix}"


CASES = {
    ("GET", R): Case("GET", req("p1"), req("p3"), "H1"),
    ("GET", R + "/trail"): Case("GET", req("p1", "/trail"), req("p3", "/trail"), "H1"),
    ("GET", B): Case("GET", "/leave/balances/E1?year=2025", "/leave/balances/E3?year=2025",
                     "H1"),
    ("GET", B + "/ledger"): Case("GET", "/leave/balances/E1/ledger?year=2025",
                                 "/leave/balances/E3/ledger?year=2025", "H1"),
    ("GET", "/leave/units/<code>/calendar.ics"): Case(
        "GET", "/leave/units/SB01/calendar.ics", "/leave/units/SB03/calendar.ics", "H1"),
    ("POST", R + "/decision"): Case("POST", req("p1", "/decision"), req("p3", "/decision"),
                                    "H1", body={"decision": "approve"}, probe=req("p3")),
    ("POST", R + "/withdraw"): Case("POST", req("w1", "/withdraw"), req("w3", "/withdraw"),
                                    "E1", body={}, probe=req("w3")),
    ("POST", R + "/cancel"): Case("POST", req("a1", "/cancel"), req("a3", "/cancel"), "HR1",
                                  body={}, probe=req("a3")),
    ("POST", B + "/adjustments"): Case(
        "POST", "/leave/balances/E1/adjustments", "/leave/balances/E3/adjustments", "HR1",
        ok=201, body={"year": 2025, "type": "annual", "days": 1, "note": "correction"},
        probe="/leave/balances/E3/ledger?year=2025"),
}

#: Object routes without a branch scope, and why.
UNSCOPED = {
    ("PUT", "/leave/calendar/overrides/<day>"): "the working calendar is organisation-wide: "
        "leave:policy over the whole organisation or the head office only (require_policy)",
    ("DELETE", "/leave/calendar/overrides/<day>"): "as PUT: organisation-wide calendar",
    ("GET", "/leave/types/<code>"): "leave types are reference data every user reads",
    ("PATCH", "/leave/types/<code>"): "leave types are organisation-wide policy "
                                      "(require_policy)",
    ("DELETE", "/leave/webhooks/<int:webhook_id>"): "webhooks are organisation-wide "
                                                    "configuration (require_policy)",
}


def test_every_object_route_of_leave_has_a_cross_branch_case_or_a_reason(app):
    assert not uncovered(app, CASES, UNSCOPED)


@pytest.fixture
def world(client, who):
    """Per employee (E1 of SB01, E3 of SB03): a pending request to decide (p), one to
    withdraw (w), one approved to cancel (a)."""
    admin = who("ADM", roles=[("admin", "*")])
    ids = {}
    for emp in ("E1", "E3"):
        for key, day in (("p", "2025-09-01"), ("w", "2025-09-08"), ("a", "2025-09-15")):
            resp = file(client, who(emp), type="sick", start_date=day, end_date=day)
            assert resp.status_code == 201, resp.get_json()
            ids[f"{key}{emp[1:]}"] = resp.get_json()["id"]
        for _ in range(3):
            resp = decide(client, admin, ids[f"a{emp[1:]}"])
            assert resp.status_code == 200, resp.get_json()
            if resp.get_json()["status"] == "approved":
                break
        assert resp.get_json()["status"] == "approved"
    return ids


def test_a_branch_holder_is_refused_on_another_branchs_objects_and_served_on_their_own(
        client, who, world):
    def headers(name):
        return who("ADM", roles=[("admin", "*")]) if name == "admin" else who(name)

    assert not run_cases(client, world, CASES, headers)


def test_hostile_filters_on_a_populated_store_never_fail_or_widen_the_answer(client, who,
                                                                             world):
    """Injection strings in every list filter, as a branch head, a teller and an hr, with
    requests on both sides of the branch line."""
    for name in ("H1", "E1", "HR1"):
        assert not hostile_filter_failures(client, "/leave", who(name)), name
