"""Bindings are safe: roles say as data over which unit types they may be bound, a binding
held is never granted twice, binding changes of one user are serialised (the separation of
duties race), and every refusal is audited with who, from which request and address, why."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import bearer


def _bind(client, headers, uid, **body):
    return client.post(f"/auth/users/{uid}/roles", headers=headers, json=body)


def _refusals(client, auth, uid):
    trail = client.get(f"/auth/audit?action=binding.refused&target={uid}", headers=auth.admin)
    return trail.get_json()["items"]


# --- unit types --------------------------------------------------------------------------

def test_a_branch_head_is_bound_over_a_sub_branch_and_never_a_department_or_branch(auth,
                                                                                   client):
    uid = auth.user("bh")
    for org in ("SB01_HALL", "BR01", "*"):
        resp = _bind(client, auth.admin, uid, role="branch_head", org=org)
        assert resp.status_code == 422, (org, resp.get_json())
        assert "sub_branch, outlet" in resp.get_json()["errors"]["org"][0]
    assert _bind(client, auth.admin, uid, role="branch_head", org="SB01").status_code == 201
    refused = _refusals(client, auth, uid)
    assert sorted(e["after"]["org"] for e in refused) == ["*", "BR01", "SB01_HALL"]
    assert {e["after"]["reason"] for e in refused} == {"unit_type"}


def test_unit_types_are_policy_data_edited_through_the_roles_api(auth, client):
    role = client.get("/auth/roles/branch_head", headers=auth.admin).get_json()
    assert role["unit_types"] == ["sub_branch", "outlet"]
    bad = client.patch("/auth/roles/branch_head", headers=auth.admin,
                       json={"unit_types": ["planet"]})
    assert bad.status_code == 422 and "unit_types" in bad.get_json()["errors"]
    made = client.post("/auth/roles", headers=auth.admin, json={
        "name": "hall_director", "permissions": ["leave:read"], "unit_types": ["department"]})
    assert made.status_code == 201 and made.get_json()["unit_types"] == ["department"]
    uid = auth.user("hd")
    assert _bind(client, auth.admin, uid, role="hall_director", org="SB01").status_code == 422
    assert _bind(client, auth.admin, uid, role="hall_director",
                 org="SB01_HALL").status_code == 201
    edited = client.patch("/auth/roles/hall_director", headers=auth.admin,
                          json={"unit_types": None})
    assert edited.status_code == 200 and edited.get_json()["unit_types"] is None
    assert _bind(client, auth.admin, uid, role="hall_director", org="SB01").status_code == 201
    changes = client.get("/auth/audit?action=role.updated&target=hall_director",
                         headers=auth.admin).get_json()["items"]
    assert changes[0]["before"]["unit_types"] == ["department"]
    assert changes[0]["after"]["unit_types"] is None


def test_an_uncached_units_type_is_asked_of_staff_once(auth, client, staff):
    uid = auth.user("sb4", ("employee", "SB01"))
    staff.calls.clear()
    assert _bind(client, auth.admin, uid, role="branch_head", org="SB04").status_code == 201
    assert staff.calls == ["SB04"]
    other = auth.user("sb4b")
    staff.down = True  # cached now, path and type: staff is not needed again
    assert _bind(client, auth.admin, other, role="branch_head", org="SB04").status_code == 201
    assert staff.calls == ["SB04"]


# --- duplicates --------------------------------------------------------------------------

def test_a_binding_held_already_is_refused_and_removing_it_revokes_the_access(auth, client):
    uid = auth.user("dup", ("branch_head", "SB01"))
    token = auth.token("dup")
    again = _bind(client, auth.admin, uid, role="branch_head", org="SB01")
    assert again.status_code == 409 and "held already" in again.get_json()["detail"]
    overlapping = _bind(client, auth.admin, uid, role="branch_head", org="SB01",
                        valid_from="2030-01-01", valid_to="2030-12-31")
    assert overlapping.status_code == 409
    assert [e["after"]["reason"] for e in _refusals(client, auth, uid)] == ["duplicate"] * 2
    bindings = client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()["bindings"]
    assert len(bindings) == 1
    assert auth.check(token, "leave:approve", "SB01").get_json()["allowed"] is True
    assert client.delete(f"/auth/users/{uid}/roles/{bindings[0]['id']}",
                         headers=auth.admin).status_code == 204
    assert auth.check(token, "leave:approve", "SB01").get_json()["allowed"] is False
    # the same role over another unit is another grant, not a duplicate
    assert _bind(client, auth.admin, uid, role="branch_head", org="SB02").status_code == 201


# --- the separation-of-duties race -------------------------------------------------------

def _race(app, headers, uid, bodies):
    barrier = threading.Barrier(len(bodies))
    statuses: list = [None] * len(bodies)

    def run(i, body):
        client = app.test_client()
        barrier.wait()
        statuses[i] = client.post(f"/auth/users/{uid}/roles", headers=headers,
                                  json=body).status_code

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return statuses


@pytest.mark.parametrize("attempt", range(2))
def test_six_parallel_grants_leave_one_binding_and_never_both_sides_of_a_pair(app, auth,
                                                                               client, attempt):
    bodies = [{"role": "hr", "org": "BR01"}, {"role": "auditor", "org": "SB02"}] * 3
    for n in range(4):
        uid = auth.user(f"race{attempt}x{n}")
        statuses = _race(app, auth.admin, uid, bodies)
        assert sorted(statuses) == [201, 409, 409, 409, 409, 409], statuses
        held = client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()["bindings"]
        assert len(held) == 1, held
        assert len(_refusals(client, auth, uid)) == 5


# --- refusals of privilege are audited ---------------------------------------------------

def test_an_hr_binding_admin_is_a_403_audited_with_request_id_address_and_reason(auth,
                                                                                 client):
    uid = auth.user("hr1", ("hr", "BR01"))
    hr = {**bearer(auth.token("hr1")), "X-Request-ID": "deny-admin-0001"}
    resp = _bind(client, hr, uid, role="admin", org="*")
    assert resp.status_code == 403
    denied = client.get("/auth/audit?action=admin.denied", headers=auth.admin).get_json()
    row = denied["items"][0]
    assert row["actor"] == str(uid) and row["request_id"] == "deny-admin-0001"
    assert row["remote_addr"] == "127.0.0.1" and row["after"] == {"needs": "auth:admin"}
    assert row["token_jti"]
    # positive control: the admin's own grant is no refusal and is audited as added
    assert _bind(client, auth.admin, uid, role="employee", org="SB01").status_code == 201
    assert client.get("/auth/audit?action=admin.denied",
                      headers=auth.admin).get_json()["total"] == 1


def test_a_refused_binding_row_names_the_actor_request_and_address(auth, client):
    uid = auth.user("hx", ("hr", "BR01"))
    headers = {**auth.admin, "X-Request-ID": "refused-binding-0001"}
    assert _bind(client, headers, uid, role="auditor", org="SB01").status_code == 409
    row = _refusals(client, auth, uid)[0]
    assert row["request_id"] == "refused-binding-0001" and row["remote_addr"] == "127.0.0.1"
    assert row["actor"] == "1" and row["after"]["reason"] == "separation_of_duties"
