"""Roles and permissions as policy data."""

from __future__ import annotations

import jwt

from tests.conftest import bearer


def test_roles_are_listed_in_the_list_envelope_with_their_permissions(auth, client):
    auth.user("amy")
    body = client.get("/auth/roles", headers=bearer(auth.token("amy"))).get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    roles = {r["name"]: r for r in body["items"]}
    assert set(roles) == {"admin", "hr", "branch_head", "dept_manager", "employee", "auditor",
                          "customer_manager"}
    assert "auth:admin" in roles["admin"]["permissions"]
    assert "auth:audit" in roles["auditor"]["permissions"] and roles["auditor"]["description"]
    assert client.get("/auth/roles?per_page=0", headers=auth.admin).status_code == 422
    assert client.get("/auth/roles").status_code == 401


def test_every_permission_name_is_documented(auth, client):
    body = client.get("/auth/permissions?per_page=200", headers=auth.admin).get_json()
    names = {p["name"]: p["description"] for p in body["items"]}
    assert {"leave:approve", "auth:introspect", "auth:org-sync"} <= names.keys()
    assert all(names.values())


def test_an_admin_edits_a_roles_permissions_and_new_tokens_carry_them(auth, client):
    auth.user("bob", ("branch_head", "SB01"))
    resp = client.put("/auth/roles/branch_head", headers=auth.admin,
                      json={"permissions": ["leave:read", "leave:approve"]})
    assert resp.status_code == 200 and resp.get_json()["permissions"] == ["leave:approve",
                                                                         "leave:read"]
    claims = jwt.decode(auth.token("bob"), options={"verify_signature": False})
    assert claims["roles"][0]["permissions"] == ["leave:approve", "leave:read"]
    audit = client.get("/auth/audit?action=role.updated", headers=auth.admin).get_json()
    assert audit["items"][0]["target_id"] == "branch_head"
    assert "performance:confirm" in audit["items"][0]["before"]["permissions"]
    patched = client.patch("/auth/roles/branch_head", headers=auth.admin,
                           json={"description": "Head"})
    assert patched.get_json()["description"] == "Head"


def test_role_edits_need_the_admin_rule_and_known_permissions(auth, client):
    auth.user("hal", ("hr", "HQ"))
    body = {"permissions": ["leave:read"]}
    assert client.put("/auth/roles/employee", headers=bearer(auth.token("hal")),
                      json=body).status_code == 403
    bad = client.put("/auth/roles/employee", headers=auth.admin, json={"permissions": ["x:y"]})
    assert bad.status_code == 422
    assert client.put("/auth/roles/nobody", headers=auth.admin, json=body).status_code == 404
    assert client.put("/auth/roles/employee", headers=auth.admin, json=body).status_code == 200


def test_the_admin_role_keeps_auth_admin(auth, client):
    resp = client.put("/auth/roles/admin", headers=auth.admin, json={"permissions": ["leave:read"]})
    assert resp.status_code == 409
    assert client.get("/auth/users", headers=auth.admin).status_code == 200


def test_a_new_role_can_be_created_and_deleted_while_unused(auth, client):
    resp = client.post("/auth/roles", headers=auth.admin, json={
        "name": "teller_lead", "description": "台长", "permissions": ["leave:read"]})
    assert resp.status_code == 201
    uid = auth.user("tom")
    binding = auth.bind(uid, ("teller_lead", "SB01"))
    assert client.delete("/auth/roles/teller_lead", headers=auth.admin).status_code == 409
    client.delete(f"/auth/users/{uid}/roles/{binding['id']}", headers=auth.admin)
    assert client.delete("/auth/roles/teller_lead", headers=auth.admin).status_code == 204
