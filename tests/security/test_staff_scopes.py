"""Org-scoped permissions in the staff service: every denial sits beside a positive control
on the caller's own subtree, so a test cannot pass by refusing everything."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.staff.fixtures import *  # noqa: F403 - the staff app, client and org fixtures
from tests.staff.fixtures import hire


@pytest.fixture
def people(client, admin, org, catalogue):
    for no, unit in (("E1", "SB01"), ("E2", "OT01"), ("E3", "SB02"), ("E4", "SB03")):
        assert hire(client, admin, no, unit).status_code == 201


@pytest.fixture
def sb01_head(tokens):
    return bearer(tokens.user(sub="head-sb01", emp="E1",
                              roles=[("branch_head", "SB01", "HQ/BR01/SB01")]))


@pytest.fixture
def br01_hr(tokens):
    return bearer(tokens.user(sub="hr-br01", roles=[("hr", "BR01", "HQ/BR01")]))


def test_a_branch_head_reads_their_subtree_but_not_a_sibling(client, sb01_head, people):
    assert client.get("/staff/org-units/SB01", headers=sb01_head).status_code == 200
    assert client.get("/staff/org-units/OT01/tree", headers=sb01_head).status_code == 200
    assert client.get("/staff/employees/E2", headers=sb01_head).status_code == 200
    assert client.get("/staff/employees/E2/chain", headers=sb01_head).status_code == 200
    assert client.get("/staff/org-units/SB02", headers=sb01_head).status_code == 404
    assert client.get("/staff/org-units/BR01/tree", headers=sb01_head).status_code == 404
    assert client.get("/staff/employees/E3", headers=sb01_head).status_code == 404
    assert client.get("/staff/employees/E3/chain", headers=sb01_head).status_code == 404
    assert client.get("/staff/employees/E3/assignments", headers=sb01_head).status_code == 404


def test_lists_show_only_what_is_in_the_callers_scope(client, sb01_head, people):
    units = client.get("/staff/org-units", headers=sb01_head).get_json()
    assert [u["code"] for u in units["items"]] == ["SB01", "OT01"]
    staff = client.get("/staff/employees?org=BR01&subtree=true", headers=sb01_head).get_json()
    assert [e["employee_no"] for e in staff["items"]] == ["E1", "E2"]


def test_a_branch_head_cannot_write_even_in_their_own_subtree(client, sb01_head, br01_hr,
                                                              people):
    body = {"code": "OT02", "name_zh": "新网点", "type": "outlet", "parent": "SB01"}
    assert client.post("/staff/org-units", headers=sb01_head, json=body).status_code == 403
    assert client.post("/staff/org-units", headers=br01_hr, json=body).status_code == 201


def test_branch_hr_writes_inside_their_branch_only(client, br01_hr, people):
    assert hire(client, br01_hr, "N1", "SB02").status_code == 201
    # SB03 is outside BR01: answered exactly as a unit that does not exist.
    assert hire(client, br01_hr, "N2", "SB03").status_code == 422
    ok = client.post("/staff/employees/E3/status", headers=br01_hr, json={"status": "suspended"})
    assert ok.status_code == 200
    denied = client.post("/staff/employees/E4/status", headers=br01_hr, json={"status": "left"})
    assert denied.status_code == 404
    inside = client.post("/staff/org-units", headers=br01_hr, json={
        "code": "SB02_D", "name_zh": "部门", "type": "department", "parent": "SB02"})
    assert inside.status_code == 201
    outside = client.post("/staff/org-units", headers=br01_hr, json={
        "code": "SB03_D", "name_zh": "部门", "type": "department", "parent": "SB03"})
    assert outside.status_code == 422 and set(outside.get_json()["errors"]) == {"parent"}


def test_moves_and_transfers_need_write_over_both_ends(client, admin, br01_hr, people):
    inside = client.post("/staff/org-units/OT01/move", headers=br01_hr, json={"parent": "SB02"})
    assert inside.status_code == 200
    across = client.post("/staff/org-units/SB01/move", headers=br01_hr, json={"parent": "BR02"})
    assert across.status_code == 422  # BR02 is outside BR01: as an unknown parent
    up = client.post("/staff/org-units/SB01/move", headers=br01_hr, json={"parent": "HQ"})
    assert up.status_code == 403  # HQ is on the path of the grant: known, not writable
    assert client.get("/staff/org-units/SB01", headers=admin).get_json()["path"] == \
        "HQ/BR01/SB01"
    ok = client.post("/staff/employees/E1/transfer", headers=br01_hr, json={
        "org": "SB02", "effective_date": "2025-01-01"})
    assert ok.status_code == 200
    away = client.post("/staff/employees/E1/transfer", headers=br01_hr, json={
        "org": "SB03", "effective_date": "2025-06-01"})
    assert away.status_code == 422  # SB03 is outside BR01: as an unknown unit
    assert client.get("/staff/employees/E1", headers=admin).get_json()["org"] == "SB02"


def test_a_grant_on_a_unit_does_not_cover_a_unit_whose_code_merely_starts_alike(
        client, admin, tokens, org):
    client.post("/staff/org-units", headers=admin, json={
        "code": "BR0", "name_zh": "x", "type": "branch", "parent": "HQ"})
    hr = bearer(tokens.user(roles=[("hr", "BR0", "HQ/BR0")]))
    assert client.get("/staff/org-units/BR0", headers=hr).status_code == 200
    assert client.get("/staff/org-units/BR01", headers=hr).status_code == 404


def test_an_employee_reads_their_own_record_but_not_a_colleagues(client, tokens, people):
    me = bearer(tokens.user(emp="E3", roles=[("employee", "SB02", "HQ/BR01/SB02")]))
    assert client.get("/staff/employees/E3", headers=me).status_code == 200
    assert client.get("/staff/employees/E3/chain", headers=me).status_code == 200
    assert client.get("/staff/employees/E4", headers=me).status_code == 404
    listing = client.get("/staff/employees", headers=me).get_json()
    assert [e["employee_no"] for e in listing["items"]] == ["E3"]
    assert client.get("/staff/org-units/SB02", headers=me).status_code == 404


def test_the_audit_trail_is_for_auditors_and_whole_organisation_writers(client, tokens, admin,
                                                                        br01_hr, org):
    auditor = bearer(tokens.user(roles=[("auditor", "HQ", "HQ")]))
    assert client.get("/staff/audit", headers=auditor).status_code == 200
    assert client.get("/staff/audit", headers=admin).get_json()["total"] == 8
    assert client.get("/staff/audit", headers=br01_hr).status_code == 403
    assert client.get("/staff/outbox", headers=br01_hr).status_code == 403


def test_a_token_from_another_key_is_refused(client, other_key, people):
    from shared.testing import TokenFactory
    from tests.conftest import ISSUER

    forged = TokenFactory(key=other_key, issuer=ISSUER).user(roles=[("admin", "*", "*")])
    resp = client.get("/staff/employees/E1", headers=bearer(forged))
    assert resp.status_code == 401
