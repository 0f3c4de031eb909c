"""The auth audit trail: what is recorded, who may read it, and that no secret leaks."""

from __future__ import annotations

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
