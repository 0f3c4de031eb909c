"""The auth audit trail: what is recorded, who may read it, and that no secret leaks."""

from __future__ import annotations

import datetime as dt

import jwt

from tests.auth.conftest import PASSWORD
from tests.conftest import bearer


def test_sign_ins_failures_and_binding_changes_are_audited_without_secrets(auth, client):
    uid = auth.user("amy", ("employee", "SB01"))
    pair = auth.login("amy").get_json()
    auth.login("amy", "Wrong-Password-9")
    client.post("/auth/token", data={"grant_type": "refresh_token",
                                     "refresh_token": pair["refresh_token"]})
    trail = client.get("/auth/audit?per_page=200", headers=auth.admin)
    actions = [e["action"] for e in trail.get_json()["items"]]
    for action in ("user.created", "binding.added", "login.succeeded", "login.failed"):
        assert action in actions, action
    text = trail.get_data(as_text=True)
    for secret in (PASSWORD, "Wrong-Password-9", pair["refresh_token"], pair["access_token"],
                   "argon2"):
        assert secret not in text
    mine = client.get(f"/auth/audit?target={uid}&action=login.*", headers=auth.admin).get_json()
    assert {e["action"] for e in mine["items"]} == {"login.succeeded", "login.failed"}


def test_the_audit_trail_filters_by_actor_and_time(auth, client):
    auth.user("amy")
    by_admin = client.get("/auth/audit?actor=1", headers=auth.admin).get_json()
    assert by_admin["total"] >= 1 and {e["actor"] for e in by_admin["items"]} == {"1"}
    future = client.get("/auth/audit?from=2999-01-01T00:00:00Z", headers=auth.admin).get_json()
    assert future["total"] == 0
    assert client.get("/auth/audit?from=yesterday", headers=auth.admin).status_code == 422


def test_auditors_read_the_trail_and_others_may_not(auth, client):
    auth.user("ann", ("auditor", "HQ"))
    auth.user("ed", ("employee", "SB01"))
    assert client.get("/auth/audit", headers=bearer(auth.token("ann"))).status_code == 200
    assert client.get("/auth/audit", headers=bearer(auth.token("ed"))).status_code == 403


def test_the_trail_needs_auth_audit_over_the_whole_organisation_or_a_root_unit(auth, client):
    """Finding 6: a sub-branch (or branch) auditor does not read the whole bank's trail."""
    auth.user("ann", ("auditor", "HQ"))
    auth.user("sam", ("auditor", "SB01"))
    auth.user("bea", ("auditor", "BR01"))
    auth.user("sue", ("auditor", "*"))
    assert client.get("/auth/audit", headers=bearer(auth.token("ann"))).status_code == 200
    assert client.get("/auth/audit", headers=bearer(auth.token("sue"))).status_code == 200
    for name in ("sam", "bea"):
        resp = client.get("/auth/audit", headers=bearer(auth.token(name)))
        assert resp.status_code == 403, name
        assert "root unit" in resp.get_json()["detail"]
    assert client.get("/auth/audit", headers=auth.admin).status_code == 200


def test_a_sign_in_is_traced_from_its_login_event(auth, client):
    """Finding 18: login.succeeded carries the sign-in (sid, the refresh family) and the jti."""
    uid = auth.user("amy")
    token = auth.token("amy")
    claims = jwt.decode(token, options={"verify_signature": False})
    events = client.get(f"/auth/audit?action=login.succeeded&target={uid}",
                        headers=auth.admin).get_json()["items"]
    assert len(events) == 1
    assert events[0]["after"]["sid"] == claims["sid"]
    assert events[0]["after"]["jti"] == claims["jti"]


def test_a_refused_separation_of_duties_grant_is_audited(auth, client):
    uid = auth.user("frank", ("hr", "BR01"))
    ok = client.post(f"/auth/users/{uid}/roles", headers=auth.admin,
                     json={"role": "auditor", "org": "BR02"})
    assert ok.status_code == 201
    refused = client.post(f"/auth/users/{uid}/roles", headers=auth.admin,
                          json={"role": "auditor", "org": "SB01"})
    assert refused.status_code == 409
    events = client.get("/auth/audit?action=binding.refused",
                        headers=auth.admin).get_json()["items"]
    assert len(events) == 1 and events[0]["target_id"] == str(uid)
    after = events[0]["after"]
    assert after["role"] == "auditor" and after["org"] == "SB01"
    assert after["reason"] == "separation_of_duties" and "hr over BR01" in after["detail"]


def test_refused_admin_calls_are_audited_at_most_once_per_caller_route_and_minute(auth, client,
                                                                                  clock):
    uid = auth.user("zh", ("hr", "BR01"))
    token = bearer(auth.token("zh"))
    attempt = {"role": "admin", "org": "*"}
    for _ in range(5):
        assert client.post(f"/auth/users/{uid}/roles", headers=token,
                           json=attempt).status_code == 403
    assert client.get("/auth/users", headers=token).status_code == 403
    denied = client.get("/auth/audit?action=admin.denied", headers=auth.admin).get_json()
    assert denied["total"] == 2
    routes = {e["target_id"] for e in denied["items"]}
    assert routes == {f"POST /auth/users/{uid}/roles", "GET /auth/users"}
    assert {e["actor"] for e in denied["items"]} == {str(uid)}
    assert {e["after"]["needs"] for e in denied["items"]} == {"auth:admin"}
    clock.offset = dt.timedelta(seconds=61)
    client.post(f"/auth/users/{uid}/roles", headers=token, json=attempt)
    assert client.get("/auth/audit?action=admin.denied",
                      headers=auth.admin).get_json()["total"] == 3
    # the positive control: the admin's own calls are not denials
    assert client.post(f"/auth/users/{uid}/roles", headers=auth.admin,
                       json={"role": "employee", "org": "SB01"}).status_code == 201
    assert client.get("/auth/audit?action=admin.denied",
                      headers=auth.admin).get_json()["total"] == 3


def _has_offset(value: str) -> bool:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.utcoffset() == dt.timedelta(0)


def test_every_time_auth_answers_carries_its_utc_offset(auth, client):
    """Finding 17: audit `at` and users' `created_at` come back with `+00:00` on every store."""
    uid = auth.user("amy")
    created = client.get(f"/auth/users/{uid}", headers=auth.admin).get_json()["created_at"]
    assert _has_offset(created)
    listed = client.get("/auth/users?per_page=200", headers=auth.admin).get_json()["items"]
    assert listed and all(_has_offset(u["created_at"]) for u in listed)
    trail = client.get("/auth/audit?per_page=200", headers=auth.admin).get_json()["items"]
    assert trail and all(_has_offset(e["at"]) for e in trail)
