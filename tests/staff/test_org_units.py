"""Org units: creation with paths, nesting rules, reads, subtree trees and deactivation."""

from tests.conftest import bearer
from tests.staff.fixtures import hire


def test_a_unit_is_created_under_its_parent_with_the_materialised_path(client, admin, org):
    resp = client.post("/staff/org-units", headers=admin, json={
        "code": "SB01_HALL", "name_zh": "营业室", "name_en": "Banking hall",
        "type": "department", "parent": "SB01"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["path"] == "HQ/BR01/SB01/SB01_HALL"
    assert body["parent"] == "SB01" and body["active"] is True
    again = client.get("/staff/org-units/SB01_HALL", headers=admin).get_json()
    assert again == body


def test_a_second_unit_with_the_same_code_is_a_conflict(client, admin, org):
    resp = client.post("/staff/org-units", headers=admin, json={
        "code": "SB02", "name_zh": "重复", "type": "sub_branch", "parent": "BR02"})
    assert resp.status_code == 409
    assert resp.mimetype == "application/problem+json"


def test_types_may_only_nest_as_the_branch_network_does(client, admin, org):
    refused = [("X1", "branch", "SB01"), ("X2", "branch", "OT01"), ("X3", "sub_branch", "HQ"),
               ("X4", "outlet", "BR01"), ("X5", "department", "HQ_HR"),
               ("X6", "head_office", "HQ"), ("X7", "sub_branch", None)]
    for code, utype, parent in refused:
        resp = client.post("/staff/org-units", headers=admin, json={
            "code": code, "name_zh": "x", "type": utype, "parent": parent})
        assert resp.status_code == 422, (code, resp.get_json())
        assert "type" in resp.get_json()["errors"]
    allowed = [("Y1", "department", "OT01"), ("Y2", "outlet", "SB02"),
               ("Y3", "department", "HQ"), ("Y4", "head_office", None)]
    for code, utype, parent in allowed:
        resp = client.post("/staff/org-units", headers=admin, json={
            "code": code, "name_zh": "y", "type": utype, "parent": parent})
        assert resp.status_code == 201, (code, resp.get_json())


def test_codes_outside_the_allowed_characters_and_unknown_fields_are_422(client, admin, org):
    for code in ("sb9", "SB 9", "SB/9", "SB%9", ""):
        resp = client.post("/staff/org-units", headers=admin, json={
            "code": code, "name_zh": "x", "type": "sub_branch", "parent": "BR01"})
        assert resp.status_code == 422 and "code" in resp.get_json()["errors"], code
    resp = client.post("/staff/org-units", headers=admin, json={
        "code": "SB9", "name_zh": "x", "type": "sub_branch", "parent": "BR01", "boss": "x"})
    assert resp.status_code == 422 and "boss" in resp.get_json()["errors"]


def test_an_unknown_parent_is_named_in_the_errors(client, admin, org):
    resp = client.post("/staff/org-units", headers=admin, json={
        "code": "SB9", "name_zh": "x", "type": "sub_branch", "parent": "NOPE"})
    assert resp.status_code == 422
    assert "parent" in resp.get_json()["errors"]


def test_the_tree_nests_the_whole_subtree(client, admin, org):
    resp = client.get("/staff/org-units/BR01/tree", headers=admin)
    assert resp.status_code == 200
    tree = resp.get_json()
    assert tree["code"] == "BR01" and tree["path"] == "HQ/BR01"
    children = {c["code"]: c for c in tree["children"]}
    assert set(children) == {"SB01", "SB02"}
    assert [c["code"] for c in children["SB01"]["children"]] == ["OT01"]
    assert children["SB01"]["children"][0]["children"] == []
    assert set(tree) >= {"code", "name_zh", "name_en", "type", "path", "children"}


def test_an_underscore_in_a_code_is_not_a_like_wildcard_in_subtree_queries(client, admin, org):
    for code, parent in (("A_B", "HQ"), ("AXB", "HQ")):
        client.post("/staff/org-units", headers=admin, json={
            "code": code, "name_zh": code, "type": "branch", "parent": parent})
    client.post("/staff/org-units", headers=admin, json={
        "code": "AXB_SB", "name_zh": "x", "type": "sub_branch", "parent": "AXB"})
    resp = client.get("/staff/org-units?under=A_B", headers=admin).get_json()
    assert [u["code"] for u in resp["items"]] == ["A_B"]
    resp = client.get("/staff/org-units?under=AXB", headers=admin).get_json()
    assert [u["code"] for u in resp["items"]] == ["AXB", "AXB_SB"]


def test_the_list_is_paginated_and_filtered(client, admin, org):
    resp = client.get("/staff/org-units?per_page=3&page=2", headers=admin).get_json()
    assert resp["total"] == 8 and resp["page"] == 2 and resp["per_page"] == 3
    assert len(resp["items"]) == 3
    subs = client.get("/staff/org-units?type=sub_branch", headers=admin).get_json()
    assert [u["code"] for u in subs["items"]] == ["SB01", "SB02", "SB03"]
    kids = client.get("/staff/org-units?parent=HQ", headers=admin).get_json()
    assert {u["code"] for u in kids["items"]} == {"HQ_HR", "BR01", "BR02"}
    assert client.get("/staff/org-units?per_page=201", headers=admin).status_code == 422


def test_deactivating_a_unit_with_active_staff_is_a_conflict(client, admin, org, catalogue):
    assert hire(client, admin, "E1", "SB02").status_code == 201
    resp = client.patch("/staff/org-units/SB02", headers=admin, json={"active": False})
    assert resp.status_code == 409
    client.post("/staff/employees/E1/status", headers=admin, json={"status": "left"})
    resp = client.patch("/staff/org-units/SB02", headers=admin, json={"active": False})
    assert resp.status_code == 200 and resp.get_json()["active"] is False


def test_deactivating_a_unit_with_active_children_is_a_conflict(client, admin, org):
    assert client.patch("/staff/org-units/SB01", headers=admin,
                        json={"active": False}).status_code == 409
    assert client.patch("/staff/org-units/OT01", headers=admin,
                        json={"active": False}).status_code == 200
    assert client.patch("/staff/org-units/SB01", headers=admin,
                        json={"active": False}).status_code == 200
    resp = client.post("/staff/org-units", headers=admin, json={
        "code": "OT09", "name_zh": "x", "type": "outlet", "parent": "SB01"})
    assert resp.status_code == 409


def test_a_missing_unit_is_404_and_a_missing_token_401(client, admin, org):
    assert client.get("/staff/org-units/NOPE", headers=admin).status_code == 404
    resp = client.get("/staff/org-units/HQ")
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_service_client_with_staff_read_reads_any_unit(client, tokens, org):
    token = tokens.client("svc-leave", ["staff:read"])
    assert client.get("/staff/org-units/SB03", headers=bearer(token)).status_code == 200
    listing = client.get("/staff/org-units", headers=bearer(token)).get_json()
    assert listing["total"] == 8
