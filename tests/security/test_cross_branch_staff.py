"""Cross-branch access on every object route of staff: a holder scoped to BR01 (or to its
sub-branch SB01) is refused on BR02's objects (403/404, docs/api.md "Errors") and served on
their own; a route without such a case or a stated reason fails the suite."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import bearer
from tests.security.cross_branch import Case, hostile_filter_failures, run_cases, uncovered
from tests.staff.fixtures import *  # noqa: F403 - the staff app, client, org and people
from tests.staff.fixtures import hire

E = "/staff/employees/<employee_no>"
U = "/staff/org-units/<code>"
S = "/staff/scheduled-changes/<int:change_id>"
P = "/staff/positions/<code>"
FUTURE = "2030-01-02"
TODAY = dt.date.today().isoformat()

WHO = {"admin": [("admin", "*", "*")],
       "head": [("branch_head", "SB01", "HQ/BR01/SB01")],
       "hr": [("hr", "BR01", "HQ/BR01")]}

CASES = {
    ("GET", E): Case("GET", "/staff/employees/E1", "/staff/employees/E3", "head"),
    ("GET", E + "/assignments"): Case("GET", "/staff/employees/E1/assignments",
                                      "/staff/employees/E3/assignments", "head"),
    ("GET", E + "/chain"): Case("GET", "/staff/employees/E1/chain",
                                "/staff/employees/E3/chain", "head"),
    ("GET", E + "/qualifications"): Case("GET", "/staff/employees/E1/qualifications",
                                         "/staff/employees/E3/qualifications", "head"),
    ("GET", E + "/relations"): Case("GET", "/staff/employees/E1/relations",
                                    "/staff/employees/E3/relations", "head"),
    ("GET", U): Case("GET", "/staff/org-units/SB01", "/staff/org-units/SB03", "head"),
    ("GET", U + "/tree"): Case("GET", "/staff/org-units/SB01/tree",
                               "/staff/org-units/SB03/tree", "head"),
    ("GET", U + "/chart.svg"): Case("GET", "/staff/org-units/SB01/chart.svg",
                                    "/staff/org-units/SB03/chart.svg", "head"),
    ("GET", S): Case("GET", lambda w: f"/staff/scheduled-changes/{w['E1']}",
                     lambda w: f"/staff/scheduled-changes/{w['E3']}", "hr"),
    ("PATCH", E): Case("PATCH", "/staff/employees/E1", "/staff/employees/E3", "hr",
                       body={"name_en": "Renamed"}, probe="/staff/employees/E3"),
    ("POST", E + "/relations"): Case("POST", "/staff/employees/E1/relations",
                                     "/staff/employees/E3/relations", "hr", ok=201,
                                     body={"related_no": "E2", "kind": "sibling"},
                                     probe="/staff/employees/E3/relations"),
    ("PATCH", U): Case("PATCH", "/staff/org-units/SB02", "/staff/org-units/SB03", "hr",
                       body={"name_en": "Renamed"}, probe="/staff/org-units/SB03"),
    ("POST", U + "/move"): Case("POST", "/staff/org-units/OT01/move",
                                "/staff/org-units/SB03/move", "hr", body={"parent": "SB02"},
                                probe="/staff/org-units/SB03"),
    ("POST", S + "/cancel"): Case("POST", lambda w: f"/staff/scheduled-changes/{w['E1']}/cancel",
                                  lambda w: f"/staff/scheduled-changes/{w['E3']}/cancel", "hr",
                                  probe=lambda w: f"/staff/scheduled-changes/{w['E3']}"),
    ("POST", E + "/transfer"): Case("POST", "/staff/employees/E2/transfer",
                                    "/staff/employees/E3/transfer", "hr",
                                    body={"org": "SB02", "effective_date": TODAY},
                                    probe="/staff/employees/E3"),
    ("POST", E + "/status"): Case("POST", "/staff/employees/E1/status",
                                  "/staff/employees/E3/status", "hr",
                                  body={"status": "suspended", "reason": "test"},
                                  probe="/staff/employees/E3"),
}

#: Object routes without a branch scope, and why.
UNSCOPED = {
    ("GET", P): "the job-duty catalogue (岗位职责) is organisation-wide reference data every "
                "authenticated user reads (docs/api.md)",
    ("GET", P + "/history"): "the catalogue's versions: organisation-wide reference data",
    ("PATCH", P): "catalogue edits: organisation-wide, staff:write over the whole organisation",
    ("PUT", P): "catalogue edits: organisation-wide, staff:write over the whole organisation",
    ("POST", E + "/qualifications"): "written only by performance's service client "
                                     "(staff:qualify), which holds no branch; see "
                                     "tests/security/test_staff_qualifications.py",
}


def test_every_object_route_of_staff_has_a_cross_branch_case_or_a_reason(app):
    assert not uncovered(app, CASES, UNSCOPED)


@pytest.fixture
def world(client, admin, staffed):
    """E1 (SB01) and E3 (SB03, under BR02) each with a transfer scheduled for 2030 inside
    their own branch (E3's to a new SB04 under BR02)."""
    resp = client.post("/staff/org-units", headers=admin, json={
        "code": "SB04", "name_zh": "新支行", "type": "sub_branch", "parent": "BR02"})
    assert resp.status_code == 201
    ids = {}
    for no, org in (("E1", "SB02"), ("E3", "SB04")):
        resp = client.post(f"/staff/employees/{no}/transfer", headers=admin,
                           json={"org": org, "effective_date": FUTURE})
        assert resp.status_code in (200, 201, 202), (no, resp.get_json())
        found = client.get(f"/staff/scheduled-changes?employee_no={no}", headers=admin)
        ids[no] = found.get_json()["items"][0]["id"]
    return ids


def test_a_branch_holder_is_refused_on_another_branchs_objects_and_served_on_their_own(
        client, tokens, world):
    def headers(who):
        return bearer(tokens.user(sub=f"x-{who}", roles=WHO[who]))

    assert not run_cases(client, world, CASES, headers)


def test_hire_into_another_branch_is_refused_and_into_ones_own_allowed(client, tokens, staffed):
    hr = bearer(tokens.user(sub="x-hr", roles=WHO["hr"]))
    assert hire(client, hr, "N2", "SB03").status_code in (403, 404, 422)
    assert client.get("/staff/employees/N2", headers=hr).status_code == 404
    assert hire(client, hr, "N1", "SB02").status_code == 201


def test_hostile_filters_on_a_populated_store_never_fail_or_widen_the_answer(client, tokens,
                                                                             world):
    """Injection strings in every list filter, as a branch head and a branch hr, with rows
    on both sides of the branch line (an admin's answers: test_hostile_input_every_service)."""
    for who in ("head", "hr"):
        headers = bearer(tokens.user(sub=f"x-{who}", roles=WHO[who]))
        assert not hostile_filter_failures(client, "/staff", headers), who
