"""Role bindings: separation of duties, org paths from staff, and org moves."""

from __future__ import annotations

import datetime as dt

import jwt

from tests.conftest import bearer


def _bind(client, auth, uid, **body):
    return client.post(f"/auth/users/{uid}/roles", headers=auth.admin, json=body)


def test_hr_and_auditor_over_nesting_scopes_are_refused_with_a_reason(auth, client):
    uid = auth.user("frank", ("hr", "BR01"))
    resp = _bind(client, auth, uid, role="auditor", org="SB01")
    assert resp.status_code == 409 and resp.mimetype == "application/problem+json"
    assert "Separation of duties" in resp.get_json()["detail"]
    assert "hr over BR01" in resp.get_json()["detail"]
    above = _bind(client, auth, uid, role="auditor", org="HQ")
    assert above.status_code == 409


def test_hr_and_auditor_over_disjoint_scopes_or_periods_are_allowed(auth, client):
    uid = auth.user("frank", ("hr", "BR01"))
    assert _bind(client, auth, uid, role="auditor", org="BR02").status_code == 201
    later = dt.date.today() + dt.timedelta(days=400)
    uid2 = auth.user("gina", {"role": "hr", "org": "BR01",
                              "valid_to": (later - dt.timedelta(days=1)).isoformat()})
    resp = _bind(client, auth, uid2, role="auditor", org="SB01", valid_from=later.isoformat())
    assert resp.status_code == 201
    clash = _bind(client, auth, uid2, role="auditor", org="SB01",
                  valid_from=(later - dt.timedelta(days=1)).isoformat())
    assert clash.status_code == 409


def test_separation_of_duties_pairs_are_policy_data(auth, client):
    pairs = client.get("/auth/sod-pairs", headers=auth.admin).get_json()
    assert [p["roles"] for p in pairs["items"]] == [["auditor", "hr"]]
    resp = client.post("/auth/sod-pairs", headers=auth.admin,
                       json={"roles": ["branch_head", "auditor"]})
    assert resp.status_code == 201 and resp.get_json()["roles"] == ["auditor", "branch_head"]
    uid = auth.user("hank", ("branch_head", "SB01"))
    assert _bind(client, auth, uid, role="auditor", org="BR01").status_code == 409
    assert client.delete(f"/auth/sod-pairs/{resp.get_json()['id']}",
                         headers=auth.admin).status_code == 204
    assert _bind(client, auth, uid, role="auditor", org="BR01").status_code == 201
    dup = client.post("/auth/sod-pairs", headers=auth.admin, json={"roles": ["auditor", "hr"]})
    assert dup.status_code == 409
    bad = client.post("/auth/sod-pairs", headers=auth.admin, json={"roles": ["hr", "wizard"]})
    assert bad.status_code == 422


def test_a_binding_on_an_uncached_unit_asks_staff_and_staff_down_is_a_503(auth, client, staff):
    uid = auth.user("ivan")
    staff.down = True
    resp = _bind(client, auth, uid, role="branch_head", org="SB04")
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    assert _bind(client, auth, uid, role="branch_head", org="SB01").status_code == 201  # cached
    staff.down = False
    resp = _bind(client, auth, uid, role="branch_head", org="SB04")
    assert resp.status_code == 201 and resp.get_json()["path"] == "HQ/BR02/SB04"


def test_a_binding_needs_a_known_role_unit_and_ordered_dates(auth, client):
    uid = auth.user("ivan")
    cases = [({"role": "wizard", "org": "SB01"}, "role"),
             ({"role": "hr", "org": "NOPE"}, "org"),
             ({"role": "hr", "org": "SB01", "valid_from": "2026-02-02",
               "valid_to": "2026-02-01"}, "valid_to"),
             ({"role": "hr", "org": "SB01", "colour": "red"}, "colour")]
    for body, field in cases:
        resp = _bind(client, auth, uid, **body)
        assert resp.status_code == 422 and field in resp.get_json()["errors"], body
    assert _bind(client, auth, uid, role="hr", org="SB01").status_code == 201


def test_a_binding_belongs_to_its_user(auth, client):
    a = auth.user("amy")
    b = auth.user("ben")
    binding = auth.bind(a, ("employee", "SB01"))
    assert client.delete(f"/auth/users/{b}/roles/{binding['id']}",
                         headers=auth.admin).status_code == 404
    assert client.delete(f"/auth/users/{a}/roles/{binding['id']}",
                         headers=auth.admin).status_code == 204


def test_a_tokens_roles_carry_only_bindings_in_force(auth):
    today = dt.date.today()
    auth.user("jane", ("employee", "SB01"),
              {"role": "branch_head", "org": "SB02",
               "valid_from": (today + dt.timedelta(days=3)).isoformat()},
              {"role": "dept_manager", "org": "SB01",
               "valid_to": (today - dt.timedelta(days=3)).isoformat()})
    claims = jwt.decode(auth.token("jane"), options={"verify_signature": False})
    assert [r["role"] for r in claims["roles"]] == ["employee"]


def test_staff_reports_a_move_and_every_cached_path_below_follows(auth, client):
    uid = auth.user("kate", ("branch_head", "SB01"))
    staff_token = auth.client_token("staff")
    event = {"event": "moved", "code": "SB01", "old_path": "HQ/BR01/SB01",
             "new_path": "HQ/BR02/SB01"}
    denied = client.post("/auth/org-events", headers=bearer(auth.client_token("leave")),
                         json=event)
    assert denied.status_code == 403
    resp = client.post("/auth/org-events", headers=bearer(staff_token), json=event)
    assert resp.status_code == 200 and resp.get_json()["updated"] >= 1
    user = client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()
    assert user["bindings"][0]["path"] == "HQ/BR02/SB01"
    token = auth.token("kate")
    assert auth.check(token, "leave:approve", "SB01").get_json()["binding"]["path"] == \
        "HQ/BR02/SB01"
    # hr of BR02 now covers SB01; hr of BR01 no longer does
    auth.user("leo", ("hr", "BR02"))
    assert auth.check(auth.token("leo"), "leave:approve", "SB01").get_json()["allowed"] is True
    bad = client.post("/auth/org-events", headers=bearer(staff_token),
                      json={**event, "event": "exploded"})
    assert bad.status_code == 422
